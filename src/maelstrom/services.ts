/**
 * The services Maelstrom offers nodes, as in its doc/services.md: a node sends them messages like to
 * any node (dest "lin-kv", "seq-kv", "lww-kv", "lin-tso") and gets replies.
 *
 * - lin-kv: a linearizable key-value store: read, write, cas (with create_if_not_exists).
 * - seq-kv: sequentially consistent: one total order of operations, but a read may see an older
 *   state than the newest, never older than what that caller saw or did before.
 * - lww-kv: three replicas that take writes independently and reconcile by last-write-wins every
 *   100 ms: reads may be stale and concurrent writes may be lost, as eventually consistent stores do.
 * - lin-tso: a linearizable timestamp oracle: ts -> ts_ok with a strictly increasing ts.
 */
import type { RandomStream } from '../sim/rng.js';
import { errorBody, errorCodes, type Body } from './protocol.js';

export const serviceNames = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'] as const;
export type ServiceName = (typeof serviceNames)[number];

export function isServiceName(id: string): id is ServiceName {
  return (serviceNames as readonly string[]).includes(id);
}

/** How often lww-kv's replicas reconcile. */
const lwwSyncEveryMs = 100;
const lwwReplicas = 3;

const keyOf = (b: Body) => JSON.stringify(b.key ?? null);
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface Service {
  /** Answer one request from `src`; undefined for a message that asks nothing. */
  handle(src: string, body: Body): Body | undefined;
  close(): void;
}

/** read / write / cas against a map, as every KV service does on its own state. */
function kvOp(map: Map<string, unknown>, b: Body): Body {
  const k = keyOf(b);
  switch (b.type) {
    case 'read':
      return map.has(k) ? { type: 'read_ok', in_reply_to: b.msg_id, value: map.get(k) } : errorBody(b.msg_id, errorCodes.keyDoesNotExist, 'key does not exist');
    case 'write':
      map.set(k, b.value);
      return { type: 'write_ok', in_reply_to: b.msg_id };
    case 'cas': {
      if (!map.has(k)) {
        if (b.create_if_not_exists === true) {
          map.set(k, b.to);
          return { type: 'cas_ok', in_reply_to: b.msg_id };
        }
        return errorBody(b.msg_id, errorCodes.keyDoesNotExist, 'key does not exist');
      }
      if (!sameValue(map.get(k), b.from)) return errorBody(b.msg_id, errorCodes.preconditionFailed, `current value ${JSON.stringify(map.get(k))} is not ${JSON.stringify(b.from)}`);
      map.set(k, b.to);
      return { type: 'cas_ok', in_reply_to: b.msg_id };
    }
    default:
      return errorBody(b.msg_id, errorCodes.notSupported, `this service has no ${b.type} operation`);
  }
}

export class LinKv implements Service {
  private readonly map = new Map<string, unknown>();
  handle(_src: string, b: Body): Body {
    return kvOp(this.map, b);
  }
  close(): void {}
}

/** Every state the store went through; each caller reads at a state no older than its last. */
export class SeqKv implements Service {
  private readonly states: Map<string, unknown>[] = [new Map()];
  private readonly seen = new Map<string, number>();
  constructor(private readonly random: RandomStream) {}

  handle(src: string, b: Body): Body {
    const latest = this.states.length - 1;
    const from = this.seen.get(src) ?? 0;
    if (b.type === 'read') {
      const at = from + Math.floor(this.random.next() * (latest - from + 1));
      this.seen.set(src, at);
      return kvOp(this.states[at], b);
    }
    const next = new Map(this.states[latest]);
    const reply = kvOp(next, b);
    if (reply.type !== 'error') this.states.push(next);
    this.seen.set(src, this.states.length - 1);
    // Keep the history bounded: callers never read older than the oldest position anyone holds.
    const oldest = Math.min(...this.seen.values());
    if (oldest > 1000) {
      this.states.splice(0, oldest);
      for (const [k, v] of this.seen) this.seen.set(k, v - oldest);
    }
    return reply;
  }
  close(): void {}
}

export class LwwKv implements Service {
  private readonly replicas: Map<string, { value: unknown; ts: number }>[] = Array.from({ length: lwwReplicas }, () => new Map());
  private readonly timer: ReturnType<typeof setInterval>;
  private clock = 0;
  constructor(private readonly random: RandomStream) {
    this.timer = setInterval(() => this.reconcile(), lwwSyncEveryMs);
  }

  handle(_src: string, b: Body): Body {
    const r = this.replicas[Math.floor(this.random.next() * lwwReplicas)];
    const plain = new Map([...r].map(([k, v]) => [k, v.value]));
    const reply = kvOp(plain, b);
    if (reply.type === 'write_ok' || reply.type === 'cas_ok') r.set(keyOf(b), { value: plain.get(keyOf(b)), ts: ++this.clock });
    return reply;
  }

  private reconcile(): void {
    const merged = new Map<string, { value: unknown; ts: number }>();
    for (const r of this.replicas) for (const [k, v] of r) if ((merged.get(k)?.ts ?? -1) < v.ts) merged.set(k, v);
    for (const r of this.replicas) for (const [k, v] of merged) r.set(k, v);
  }

  close(): void {
    clearInterval(this.timer);
  }
}

export class LinTso implements Service {
  private ts = 0;
  handle(_src: string, b: Body): Body {
    if (b.type !== 'ts') return errorBody(b.msg_id, errorCodes.notSupported, `lin-tso has no ${b.type} operation`);
    return { type: 'ts_ok', in_reply_to: b.msg_id, ts: ++this.ts };
  }
  close(): void {}
}

export function makeService(name: ServiceName, random: RandomStream): Service {
  switch (name) {
    case 'lin-kv':
      return new LinKv();
    case 'seq-kv':
      return new SeqKv(random);
    case 'lww-kv':
      return new LwwKv(random);
    case 'lin-tso':
      return new LinTso();
  }
}
