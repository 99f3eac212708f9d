/**
 * The floor of `npm run bench:kv`: the least a three-process replicated log can do in Node.js on this
 * machine, measured in the same run as our cluster and the anchors. It has the shape of our cluster
 * and nothing else: a leader takes Redis-protocol SETs, sends each batch to two followers over TCP,
 * appends it to its own write-ahead file, and answers once two of the three processes have the batch
 * on disk (written and fdatasynced). No elections, terms, checksums, sessions, snapshots, metrics or
 * limits; commands travel as the client sent them, and a follower applies a batch by parsing its SETs
 * into a Map. What it shows: where any Node program that keeps our durability and replication stands
 * against one redis-server, which fsyncs one file and answers from one process. A target above the
 * floor's figure is beyond this design on this machine, whatever the code of the protocol.
 *
 * Generous where a choice exists, so that the floor is a ceiling for us:
 * - fdatasync runs on the main thread, as Redis does with `appendfsync always`: no hand-off to libuv's
 *   thread pool and back, and requests arriving meanwhile wait in the socket and leave in the next
 *   batch. Measured against fs.fdatasync on the thread pool: as fast at 1 and 16 in flight, faster at
 *   64 (28k against 23k puts/s) and at 256 (59k against 36k), on the 2-core machine.
 * - the write-ahead files grow in zeros 1 MiB ahead of the appends (as our nodes' do), so that an
 *   fdatasync writes the data and not the inode too.
 * - the leader sends a batch before it writes and syncs its own copy, so the three fsyncs overlap.
 *
 * Run by the benchmark (kv-peers.ts starts three): `node kv-floor.js leader --port P --data DIR
 * --followers P1,P2` and `node kv-floor.js follower --port P --data DIR`. Besides SET the leader
 * answers PING and, for ioredis's ready check, INFO; anything else gets an error. Every command goes
 * through the log, so a connection's replies keep its commands' order.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const loopback = '127.0.0.1';
/** The write-ahead file grows in zeros this far ahead of its appends. */
const walPreallocateBytes = 1024 * 1024;
/** A frame to a follower: payload length (u32), batch number (u32), payload (the batch's commands as RESP). */
const frameHeaderBytes = 8;
/** An acknowledgement from a follower: the last batch number it holds on disk (u32). */
const ackBytes = 4;

/** An append-only file with fdatasync on the main thread, grown in zeros ahead of its end. */
class WriteAheadFile {
  private readonly fd: number;
  private size = 0;
  private allocated = 0;
  private readonly zeros = Buffer.alloc(walPreallocateBytes);

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.fd = fs.openSync(path.join(dir, 'wal'), 'w');
  }

  /** Append `chunks` with one write, then make them durable before returning. */
  appendAndSync(chunks: Buffer[]): void {
    const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    while (this.size + data.length > this.allocated) {
      writeFully(this.fd, this.zeros, this.allocated);
      this.allocated += this.zeros.length;
    }
    writeFully(this.fd, data, this.size);
    this.size += data.length;
    fs.fdatasyncSync(this.fd);
  }
}

function writeFully(fd: number, data: Buffer, position: number): void {
  let written = 0;
  while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, position + written);
}

/** Bytes received on a socket and not yet consumed. */
class InputBuffer {
  private data: Buffer = Buffer.alloc(0);
  private offset = 0;

  push(chunk: Buffer): void {
    this.data = this.offset < this.data.length ? Buffer.concat([this.data.subarray(this.offset), chunk]) : chunk;
    this.offset = 0;
  }

  get available(): number {
    return this.data.length - this.offset;
  }

  /** The next `n` bytes (a view), consumed. */
  take(n: number): Buffer {
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  peekUInt32(at = 0): number {
    return this.data.readUInt32BE(this.offset + at);
  }

  /**
   * One RESP command (an array of bulk strings) from the front: its arguments and its raw bytes, or
   * undefined while it is incomplete. Throws on anything that is not an array of bulk strings.
   */
  takeCommand(): { args: Buffer[]; raw: Buffer } | undefined {
    const parsed = parseCommand(this.data, this.offset);
    if (parsed === undefined) return undefined;
    const raw = this.data.subarray(this.offset, parsed.end);
    this.offset = parsed.end;
    return { args: parsed.args, raw };
  }
}

/** Parses `*N\r\n($L\r\n<L bytes>\r\n){N}` at `from`; undefined if `buf` ends before the command does. */
function parseCommand(buf: Buffer, from: number): { args: Buffer[]; end: number } | undefined {
  if (from >= buf.length) return undefined;
  if (buf[from] !== 0x2a) throw new Error(`expected '*' at the start of a command, got byte ${buf[from]}`);
  let lineEnd = buf.indexOf('\r\n', from);
  if (lineEnd < 0) return undefined;
  const count = Number(buf.toString('latin1', from + 1, lineEnd));
  let at = lineEnd + 2;
  const args: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (at >= buf.length) return undefined;
    if (buf[at] !== 0x24) throw new Error(`expected '$' before an argument, got byte ${buf[at]}`);
    lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const length = Number(buf.toString('latin1', at + 1, lineEnd));
    at = lineEnd + 2;
    if (at + length + 2 > buf.length) return undefined;
    args.push(buf.subarray(at, at + length));
    at += length + 2;
  }
  return { args, end: at };
}

/** Applies the SETs of a batch of RESP commands to `store` (what a replica's state machine does). */
function applyBatch(payload: Buffer, store: Map<string, Buffer>): void {
  let at = 0;
  while (at < payload.length) {
    const { args, end } = parseCommand(payload, at)!;
    if (args.length >= 3 && isCommand(args[0], 'set')) store.set(args[1].toString(), Buffer.from(args[2]));
    at = end;
  }
}

function isCommand(name: Buffer, lower: string): boolean {
  return name.length === lower.length && name.toString('latin1').toLowerCase() === lower;
}

function replyTo(args: Buffer[]): string {
  if (args.length === 0) return '-ERR empty command\r\n';
  if (isCommand(args[0], 'set')) return args.length >= 3 ? '+OK\r\n' : "-ERR wrong number of arguments for 'set' command\r\n";
  if (isCommand(args[0], 'ping')) return '+PONG\r\n';
  if (isCommand(args[0], 'info')) return '$0\r\n\r\n';
  return `-ERR unknown command '${args[0].toString('latin1')}'\r\n`;
}

/** A follower: appends each run of frames it receives, syncs, applies, acknowledges the last. */
function runFollower(port: number, dataDir: string): void {
  const wal = new WriteAheadFile(dataDir);
  const store = new Map<string, Buffer>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const input = new InputBuffer();
    socket.on('data', (chunk: Buffer) => {
      input.push(chunk);
      const payloads: Buffer[] = [];
      let last = -1;
      while (input.available >= frameHeaderBytes && input.available >= frameHeaderBytes + input.peekUInt32()) {
        const length = input.peekUInt32();
        last = input.peekUInt32(4);
        input.take(frameHeaderBytes);
        payloads.push(input.take(length));
      }
      if (payloads.length === 0) return;
      wal.appendAndSync(payloads);
      for (const p of payloads) applyBatch(p, store);
      const ack = Buffer.allocUnsafe(ackBytes);
      ack.writeUInt32BE(last);
      socket.write(ack);
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, loopback);
}

interface Batch {
  raw: Buffer[];
  replies: Array<{ socket: net.Socket; reply: string }>;
}

/** The leader: batches the commands of one turn of the event loop, replicates, answers at a majority. */
function runLeader(port: number, dataDir: string, followerPorts: number[]): void {
  const wal = new WriteAheadFile(dataDir);
  const store = new Map<string, Buffer>();
  const batches = new Map<number, Batch>();
  let open: Batch | undefined;
  let lastBatch = 0;
  let synced = 0;
  let committed = 0;
  const acked = followerPorts.map(() => 0);

  const followers = followerPorts.map((p, i) => {
    const socket = net.connect({ host: loopback, port: p });
    socket.setNoDelay(true);
    const input = new InputBuffer();
    socket.on('data', (chunk: Buffer) => {
      input.push(chunk);
      while (input.available >= ackBytes) acked[i] = input.take(ackBytes).readUInt32BE(0);
      maybeCommit();
    });
    socket.on('error', (err) => {
      process.stderr.write(`follower on port ${p}: ${err.message}\n`);
      process.exit(1);
    });
    return socket;
  });

  /** A batch is committed once two of the three processes hold it on disk. */
  function maybeCommit(): void {
    const onDisk = [synced, ...acked].sort((a, b) => b - a)[1];
    if (onDisk <= committed) return;
    const out = new Map<net.Socket, string>();
    while (committed < onDisk) {
      committed++;
      const batch = batches.get(committed)!;
      batches.delete(committed);
      for (const raw of batch.raw) applyBatch(raw, store);
      for (const { socket, reply } of batch.replies) out.set(socket, (out.get(socket) ?? '') + reply);
    }
    for (const [socket, text] of out) if (!socket.destroyed) socket.write(text);
  }

  function flush(): void {
    const batch = open!;
    open = undefined;
    const seq = ++lastBatch;
    batches.set(seq, batch);
    const payload = Buffer.concat(batch.raw);
    const header = Buffer.allocUnsafe(frameHeaderBytes);
    header.writeUInt32BE(payload.length, 0);
    header.writeUInt32BE(seq, 4);
    const frame = Buffer.concat([header, payload]);
    for (const f of followers) f.write(frame);
    wal.appendAndSync([payload]);
    synced = seq;
    maybeCommit();
  }

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const input = new InputBuffer();
    socket.on('data', (chunk: Buffer) => {
      input.push(chunk);
      for (;;) {
        let command;
        try {
          command = input.takeCommand();
        } catch (err) {
          socket.end(`-ERR Protocol error: ${(err as Error).message}\r\n`);
          return;
        }
        if (command === undefined) break;
        if (open === undefined) {
          open = { raw: [], replies: [] };
          setImmediate(flush);
        }
        open.raw.push(command.raw);
        open.replies.push({ socket, reply: replyTo(command.args) });
      }
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, loopback);
}

function option(args: string[], name: string): string {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) throw new Error(`missing ${name} (see --help)`);
  return args[i + 1];
}

function portOption(args: string[], name: string): number {
  const text = option(args, name);
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}: expected a port number (1-65535), got ${JSON.stringify(text)}`);
  return port;
}

/** `leader --port P --data DIR --followers P1,P2` or `follower --port P --data DIR`. */
export function main(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: node dist/bench/kv-floor.js leader --port P --data DIR --followers P1,P2\n       node dist/bench/kv-floor.js follower --port P --data DIR\n(the floor of npm run bench:kv, which starts it; see the head of bench/kv-floor.ts)\n');
    return;
  }
  const [role, ...rest] = args;
  if (role !== 'leader' && role !== 'follower') throw new Error(`expected leader or follower first, got ${JSON.stringify(role ?? '')} (see --help)`);
  const port = portOption(rest, '--port');
  const dataDir = option(rest, '--data');
  if (role === 'follower') return runFollower(port, dataDir);
  const followers = option(rest, '--followers').split(',').map((text) => {
    const p = Number(text);
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`--followers: expected two port numbers separated by a comma, got ${JSON.stringify(text)}`);
    return p;
  });
  if (followers.length !== 2) throw new Error(`--followers: expected two port numbers separated by a comma, got ${followers.length}`);
  runLeader(port, dataDir, followers);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`kv-floor: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
