/**
 * The other direction: any Process of this project as a Maelstrom node over stdin and stdout, so
 * Jepsen's Maelstrom (or `pillars maelstrom test`) can test, say, the Truth pillar's Raft KV with its
 * lin-kv workload.
 *
 * On `init` the node builds a Context: its id and peers from init, the machine's clock and timers,
 * Math.random, a disk (files under --data, so a kill -9 loses only what was not fsynced; in memory
 * without it), and a send() that writes Maelstrom messages. Messages between our nodes travel inside
 * bodies of type "pillars" ({ payload }); a client's read / write / cas become the KV's client
 * requests (its msg_id as the request id), and the KV's replies become read_ok / write_ok / cas_ok or
 * Maelstrom errors (20 key does not exist, 22 precondition failed, 11 temporarily unavailable for
 * "not applied" refusals). A reply may come from the leader, not the node the client asked:
 * Maelstrom routes it by in_reply_to.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ClientReply, ClientRequest, Operation } from '../runtime/client-protocol.js';
import { isClientReply } from '../runtime/client-protocol.js';
import type { Context, Disk, Metrics, Process, ProcessFactory } from '../runtime/context.js';
import { FileDisk } from '../adapters/file-disk.js';
import { RealContext } from '../adapters/real-context.js';
import { errorBody, errorCodes, type Body, type Message } from './protocol.js';

export interface AsNodeOptions {
  factory: ProcessFactory<unknown>;
  config: unknown;
  /** Keep each node's disk in DIR/<node id> (default: in memory, lost with the process). */
  dataDir?: string;
  input?: NodeJS.ReadableStream;
  output?: (line: string) => void;
  log?: (line: string) => void;
}

/** A disk in memory: writes durable at once (nothing survives the process anyway). */
class MemoryDisk implements Disk {
  private readonly files = new Map<string, Uint8Array>();
  write(file: string, data: Uint8Array): void {
    this.files.set(file, data.slice());
  }
  append(file: string, data: Uint8Array): void {
    const old = this.files.get(file) ?? new Uint8Array();
    const next = new Uint8Array(old.length + data.length);
    next.set(old);
    next.set(data, old.length);
    this.files.set(file, next);
  }
  read(file: string): Uint8Array | undefined {
    return this.files.get(file)?.slice();
  }
  truncate(file: string, length: number): void {
    const f = this.files.get(file);
    if (f !== undefined) this.files.set(file, f.slice(0, Math.max(0, length)));
  }
  remove(file: string): void {
    this.files.delete(file);
  }
  list(): string[] {
    return [...this.files.keys()].sort();
  }
  fsync(_file: string, done: () => void): void {
    queueMicrotask(done);
  }
}

const noMetrics: Metrics = { count() {}, observe() {}, gauge() {} };

/** Maelstrom's lin-kv requests as the KV's operations. */
function operationOf(body: Body): Operation | undefined {
  switch (body.type) {
    case 'read':
      return { f: 'read', key: String(body.key) };
    case 'write':
      return { f: 'write', key: String(body.key), value: body.value };
    case 'cas':
      return { f: 'cas', key: String(body.key), value: [body.from, body.to] };
    default:
      return undefined;
  }
}

export function runAsMaelstromNode(o: AsNodeOptions): Promise<void> {
  const write = o.output ?? ((line: string) => process.stdout.write(line + '\n'));
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let me = '';
  let peers: string[] = [];
  let proc: Process | undefined;
  let msgId = 0;
  /** What each client request asked, by "client#id": its reply needs the operation's name. */
  const asked = new Map<string, string>();
  const emit = (dest: string, body: Body) => write(JSON.stringify({ src: me, dest, body: { ...body, msg_id: ++msgId } } satisfies Message));

  const replyToClient = (client: string, r: ClientReply) => {
    const f = asked.get(`${client}#${r.id}`);
    asked.delete(`${client}#${r.id}`);
    if (r.status === 'ok') {
      if (f === 'read') return emit(client, r.value === null || r.value === undefined ? errorBody(r.id, errorCodes.keyDoesNotExist, 'key does not exist') : { type: 'read_ok', in_reply_to: r.id, value: r.value });
      return emit(client, { type: `${f ?? 'write'}_ok`, in_reply_to: r.id });
    }
    const text = r.error ?? 'failed';
    if (r.status === 'info') return emit(client, errorBody(r.id, errorCodes.timeout, text));
    if (f === 'cas' && /^expected .*, found null$/.test(text)) return emit(client, errorBody(r.id, errorCodes.keyDoesNotExist, text));
    if (f === 'cas' && text.startsWith('expected ')) return emit(client, errorBody(r.id, errorCodes.preconditionFailed, text));
    // No leader, leadership lost, a proposal overwritten: it did not happen; the client may try again.
    emit(client, errorBody(r.id, errorCodes.temporarilyUnavailable, text));
  };

  const start = (id: string, nodeIds: string[]) => {
    me = id;
    peers = nodeIds.filter((n) => n !== id);
    const disk = o.dataDir === undefined ? new MemoryDisk() : new FileDisk(join(o.dataDir, id));
    const ctx: Context = new RealContext({
      id,
      peers,
      disk,
      metrics: noMetrics,
      send: (to, msg) => {
        if (peers.includes(to)) return emit(to, { type: 'pillars', payload: msg });
        if (isClientReply(msg)) return replyToClient(to, msg);
      },
      log: (event, fields) => log(JSON.stringify({ node: id, event, ...fields })),
    });
    proc = o.factory(ctx, o.config);
    proc.start?.();
  };

  return new Promise((resolve) => {
    const rl = createInterface({ input: o.input ?? process.stdin });
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      let m: Message;
      try {
        m = JSON.parse(line) as Message;
      } catch {
        return log(`not JSON, ignored: ${line.slice(0, 200)}`);
      }
      const b = m.body;
      if (b.type === 'init') {
        start(String(b.node_id), (b.node_ids as string[]).map(String));
        return emit(m.src, { type: 'init_ok', in_reply_to: b.msg_id });
      }
      // Before init this node has no name to answer with: a peer's message is dropped, as the network might.
      if (proc === undefined) return log(`before init, ignored: ${line.slice(0, 200)}`);
      if (b.type === 'pillars') {
        const payload = b.payload as { type?: string; client?: string; req?: ClientRequest };
        // A request forwarded to this node: remember what it asked, to shape the reply.
        if (payload?.type === 'kv_forward' && payload.client !== undefined && payload.req !== undefined) asked.set(`${payload.client}#${payload.req.id}`, payload.req.op.f);
        return proc.onMessage(m.src, payload);
      }
      const op = operationOf(b);
      if (op === undefined || b.msg_id === undefined) return emit(m.src, errorBody(b.msg_id, errorCodes.notSupported, `this node serves read, write and cas, not ${b.type}`));
      asked.set(`${m.src}#${b.msg_id}`, op.f);
      proc.onMessage(m.src, { type: 'client_request', id: b.msg_id, op, attempt: 1 } satisfies ClientRequest);
    });
    rl.on('close', () => resolve());
  });
}
