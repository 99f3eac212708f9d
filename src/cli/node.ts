/**
 * `pillars node` running: start the node (src/node/kv-node.ts) with its admin HTTP port and keep it
 * up until a signal, or until its launcher is gone. The command and its flags are node-command.ts.
 */
import { startAdminHttp } from '../node/admin-http.js';
import { KvNode, type KvNodeOptions } from '../node/kv-node.js';
export { isStorageCorruptError } from '../truth/index.js';

/**
 * Resolves when standard input reaches its end: the launcher holds the other end of the pipe, and
 * the kernel closes it when the launcher exits however it exits, kill -9 included.
 */
function stdinClosed(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.once('error', () => resolve('stdin closed'));
    process.stdin.resume();
  });
}

/**
 * Start a node and keep it running until SIGINT or SIGTERM (or, with stopWhenStdinCloses, until its
 * launcher is gone); errors at start are thrown to main.
 */
export async function runNode(options: KvNodeOptions, stopWhenStdinCloses = false): Promise<void> {
  // Watched from the start: a launcher killed while this node was still starting leaves no orphan either.
  const launcherGone = stopWhenStdinCloses ? stdinClosed() : new Promise<string>(() => {});
  const node = new KvNode(options);
  try {
    await node.start();
    if (options.http !== undefined) await startAdminHttp(node, options.http);
  } catch (e) {
    await node.stop().catch(() => {});
    throw e;
  }
  const a = node.addresses;
  node.log('node_started', { peer: a.peer, resp: a.resp, http: a.http, peers: [...options.peers.keys()], pid: process.pid });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      node.log('node_stopping', { signal });
      node.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    void launcherGone.then(stop);
  });
  // Reading standard input would keep the process alive after the node stopped.
  if (stopWhenStdinCloses) process.stdin.destroy();
}
