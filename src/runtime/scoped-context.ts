/**
 * A Context that sees only some of the world's nodes as its peers: lets a replicated process that
 * replicates to "every peer" (the Raft KV, the async primary) run as one group among many in a larger
 * system, such as one warehouse's replica set inside the e-commerce platform.
 */
import type { Context, Disk, NodeId } from './context.js';

export function withPeers(ctx: Context, peers: readonly NodeId[]): Context {
  const own = peers.filter((p) => p !== ctx.id);
  return {
    id: ctx.id,
    peers: own,
    now: () => ctx.now(),
    random: () => ctx.random(),
    send: (to, msg) => ctx.send(to, msg),
    setTimer: (ms, fn) => ctx.setTimer(ms, fn),
    clearTimer: (id) => ctx.clearTimer(id),
    disk: ctx.disk,
    metrics: ctx.metrics,
    log: (event, fields) => ctx.log(event, fields),
  };
}

/**
 * A disk whose fsync completions go through `complete` (which may drop them: a stopped member's,
 * whose work after the fsync belongs to a life that is over, on a disk that may be closed).
 */
export function withFsyncCompletion(disk: Disk, complete: (done: () => void) => void): Disk {
  return {
    write: (file, data) => disk.write(file, data),
    append: (file, data) => disk.append(file, data),
    read: (file) => disk.read(file),
    // The optional operations only where the disk has them: a caller falls back on its own otherwise.
    ...(disk.writeStream !== undefined && { writeStream: (file: string) => disk.writeStream!(file) }),
    ...(disk.readRange !== undefined && { readRange: (file: string, offset: number, length: number) => disk.readRange!(file, offset, length) }),
    ...(disk.rename !== undefined && { rename: (from: string, to: string) => disk.rename!(from, to) }),
    truncate: (file, length) => disk.truncate(file, length),
    remove: (file) => disk.remove(file),
    list: () => disk.list(),
    fsync: (file, done) => disk.fsync(file, () => complete(done)),
    acceptsChanges: () => disk.acceptsChanges?.() ?? true,
  };
}

/** A Context whose messages go through `send` instead (a host routing its member's messages). */
export function withSend(ctx: Context, send: Context['send']): Context {
  return { ...withPeers(ctx, ctx.peers), send };
}
