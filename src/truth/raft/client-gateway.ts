/**
 * The client layer of a Raft KV node: the requests its own clients wait on, the same in the simulator
 * and in `pillars node`.
 *
 * A client's request is handed to the node's Raft member, which serves it as leader or forwards it.
 * The answer may never come (the forward died with a leader), so a request with no answer within
 * replyWaitMs is sent again; one refused as "not applied" (no leader yet, leadership lost) is sent
 * again after a backoff that doubles up to replyWaitMs. Client sessions (Raft thesis §6.3) make every
 * copy apply once, and each request carries the client's "acked below" mark so the session can forget
 * what the client has seen. After requestTimeoutMs the client hears that the outcome is unknown (a
 * write may still apply) or that the read failed (a read that never ran did nothing).
 *
 * A host that says whether its node is in contact with a working cluster (the real node) also gets
 * Redis Cluster's fast answer when the cluster is down: once the node has been out of contact for
 * clusterDownAfterMs, longer than a failover takes, what waits and what comes fails at once instead
 * of after requestTimeoutMs, as known-not-applied where every attempt was refused before any log
 * took it, as unknown otherwise.
 *
 * Time and timers come from the caller's environment: virtual in the simulator, the machine's in the
 * real node.
 */
import type { Clock, Timers } from '../../runtime/clock.js';
import type { ClientReply, ClientRequest, Operation } from '../../runtime/client-protocol.js';
import type { Metrics } from '../../runtime/context.js';
import { isNotAppliedFailure, notAppliedErrors } from './host.js';

export interface GatewayLimits {
  /** A request not answered within this is sent again (its forward may have been lost with a leader). */
  replyWaitMs: number;
  /** First pause before resending a request refused as not applied (no leader yet); doubles up to replyWaitMs. */
  notAppliedBackoffMs: number;
  /** The client hears "outcome unknown" after this. */
  requestTimeoutMs: number;
  /** How often waiting requests are looked at for a resend or their deadline. */
  sweepEveryMs: number;
  /**
   * Out of contact with a working cluster this long (GatewayHost.inContact), the node fails requests
   * at once. Above a failover's 0.8-1.0 s, so that one election is ridden through, not failed.
   */
  clusterDownAfterMs: number;
}

export const gatewayDefaults: GatewayLimits = { replyWaitMs: 1_000, notAppliedBackoffMs: 20, requestTimeoutMs: 10_000, sweepEveryMs: 50, clusterDownAfterMs: 2_000 };

/** The error of a request failed because the cluster is down; it begins so whatever the duration. */
export const clusterDownError = (outOfContactMs: number) => `the cluster is down: this node has heard from no working leader for ${(outOfContactMs / 1000).toFixed(1)} s`;

export function isClusterDownError(error: string | undefined): boolean {
  return error !== undefined && error.startsWith('the cluster is down: ');
}

export type RequestKind = 'read' | 'write';

export interface Outcome {
  status: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: string;
}

export interface GatewayHost {
  /**
   * Hand one attempt of a request to the node's Raft member. Returns why it cannot be served at all
   * (the member is stopped), which ends the request now; undefined when handed over, or when there
   * is no member yet and the next sweep should try again.
   */
  handOff(client: string, req: ClientRequest): string | undefined;
  /**
   * Whether the node is in contact with a working cluster now (a leader known and heard from within
   * an election timeout: what /ready asks). Without it the gateway never fails a request early.
   */
  inContact?(): boolean;
}

interface Pending {
  client: string;
  req: ClientRequest;
  kind: RequestKind;
  sentAtMs: number;
  startedAtMs: number;
  deadlineMs: number;
  /** A resend is scheduled (after a not-applied refusal) rather than awaited. */
  retryAtMs: number | undefined;
  backoffMs: number;
  /** The attempt in flight was refused before any log took it (no leader): it did nothing. */
  refusedUnproposed: boolean;
  /** An earlier attempt was neither answered nor refused so: it may be in some log, and apply. */
  mayHaveApplied: boolean;
  done: (r: Outcome) => void;
}

/**
 * The requests waited on, by client and then request id: a number key, where a key string built per
 * request cost a concatenation and a hash on every submit, reply and finish.
 */
class PendingTable {
  private readonly byClient = new Map<string, Map<number, Pending>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(client: string, id: number): Pending | undefined {
    return this.byClient.get(client)?.get(id);
  }

  add(p: Pending): void {
    let ofClient = this.byClient.get(p.client);
    if (ofClient === undefined) this.byClient.set(p.client, (ofClient = new Map()));
    ofClient.set(p.req.id, p);
    this.count++;
  }

  delete(p: Pending): boolean {
    if (this.byClient.get(p.client)?.delete(p.req.id) !== true) return false;
    this.count--;
    return true;
  }

  /** A snapshot of every pending request (callers finish some while they walk it). */
  all(): Pending[] {
    const out: Pending[] = [];
    for (const ofClient of this.byClient.values()) for (const p of ofClient.values()) out.push(p);
    return out;
  }

  /** Forget the clients that wait on nothing (kept meanwhile: a busy client's table is reused). */
  dropIdleClients(): number {
    let dropped = 0;
    for (const [client, ofClient] of this.byClient) {
      if (ofClient.size > 0) continue;
      this.byClient.delete(client);
      dropped++;
    }
    return dropped;
  }

  get clients(): number {
    return this.byClient.size;
  }
}

export class ClientGateway {
  private readonly pending = new PendingTable();
  private sweepTimer: unknown;
  private stopped = true;
  /** Since when the host has said it is out of contact (undefined: in contact, or it cannot say). */
  private outOfContactSinceMs: number | undefined;
  private clusterDown = false;

  constructor(
    private readonly env: { clock: Clock; timers: Timers; metrics: Metrics },
    private readonly limits: GatewayLimits,
    private readonly host: GatewayHost,
  ) {}

  /** Requests waited on now. */
  get size(): number {
    return this.pending.size;
  }

  /** Whether this client's request `id` is waited on. */
  waits(client: string, id: number): boolean {
    return this.pending.get(client, id) !== undefined;
  }

  /** Clients with a table of their own (idle ones are dropped at each sweep). */
  get clients(): number {
    return this.pending.clients;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const sweep = () => {
      this.sweep();
      if (!this.stopped) this.sweepTimer = this.env.timers.set(this.limits.sweepEveryMs, sweep);
    };
    this.sweepTimer = this.env.timers.set(this.limits.sweepEveryMs, sweep);
  }

  stop(): void {
    this.stopped = true;
    if (this.sweepTimer !== undefined) this.env.timers.clear(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  submit(client: string, id: number, ackedBelow: number, kind: RequestKind, op: Operation, done: (r: Outcome) => void): void {
    const now = this.env.clock.now();
    this.env.metrics.count(kind === 'write' ? 'requests_write' : 'requests_read');
    // The flag is set by the sweep; contact may have come back since (a leader just elected), so a
    // request is refused only if the host is still out of contact now. Asked only while down: in
    // contact, a request costs no look at the host.
    if (this.clusterDown) this.lookAtContact(now);
    if (this.clusterDown) {
      // Never handed to anyone: nothing was applied.
      this.env.metrics.count(`requests_${kind}_failed`);
      return done({ status: 'fail', error: clusterDownError(now - this.outOfContactSinceMs!) });
    }
    // The first attempt, made here: send() copies the request for each later one.
    const p: Pending = { client, req: { type: 'client_request', id, op, attempt: 1, ackedBelow }, kind, sentAtMs: now, startedAtMs: now, deadlineMs: now + this.limits.requestTimeoutMs, retryAtMs: undefined, backoffMs: this.limits.notAppliedBackoffMs, refusedUnproposed: false, mayHaveApplied: false, done };
    this.pending.add(p);
    this.handOff(p);
  }

  /** An answer from the Raft member to one of this gateway's clients; false when nobody here waits for it. */
  onReply(client: string, reply: ClientReply): boolean {
    const p = this.pending.get(client, reply.id);
    if (p === undefined) return false;
    if (reply.status === 'ok') {
      this.finish(p, { status: 'ok', value: reply.value });
      return true;
    }
    // A refusal of an earlier attempt says nothing of the one in flight now.
    if (reply.attempt !== undefined && reply.attempt !== p.req.attempt) return true;
    if (isNotAppliedFailure(reply)) {
      p.refusedUnproposed = reply.error === notAppliedErrors.noLeader;
      p.retryAtMs = this.env.clock.now() + p.backoffMs;
      p.backoffMs = Math.min(this.limits.replyWaitMs, p.backoffMs * 2);
      return true;
    }
    this.finish(p, { status: reply.status, error: reply.error });
    return true;
  }

  /** The member stopped: what these requests did is unknown to us now (writes), or nothing (reads). */
  failAll(error: string): void {
    for (const p of this.pending.all()) this.finish(p, { status: p.kind === 'read' ? 'fail' : 'info', error });
  }

  private send(p: Pending): void {
    if ((p.req.attempt ?? 0) > 0 && !p.refusedUnproposed) p.mayHaveApplied = true;
    p.refusedUnproposed = false;
    p.req = { ...p.req, attempt: (p.req.attempt ?? 0) + 1 };
    p.sentAtMs = this.env.clock.now();
    p.retryAtMs = undefined;
    this.handOff(p);
  }

  /** Hand the attempt in `p.req` to the member; a refusal ends the request. */
  private handOff(p: Pending): void {
    const refused = this.host.handOff(p.client, p.req);
    if (refused !== undefined) this.finish(p, { status: p.kind === 'read' ? 'fail' : 'info', error: refused });
  }

  private finish(p: Pending, r: Outcome): void {
    if (!this.pending.delete(p)) return;
    if (r.status === 'ok') this.env.metrics.observe(p.kind === 'write' ? 'request_ms_write' : 'request_ms_read', this.env.clock.now() - p.startedAtMs);
    else this.env.metrics.count(`requests_${p.kind}_${r.status === 'info' ? 'unknown' : 'failed'}`);
    p.done(r);
  }

  /** Resend what waited too long or was refused as not applied; give up at the deadline. */
  private sweep(): void {
    const now = this.env.clock.now();
    this.lookAtContact(now);
    for (const p of this.pending.all()) {
      if (this.clusterDown) {
        const error = clusterDownError(now - this.outOfContactSinceMs!);
        // A read did nothing; so did a write whose every attempt was refused before a log took it.
        const known = p.kind === 'read' || (!p.mayHaveApplied && p.refusedUnproposed);
        this.finish(p, { status: known ? 'fail' : 'info', error });
      } else if (now >= p.deadlineMs) {
        // A write may still apply later (its copy is in some log); a read that never ran did nothing.
        this.finish(p, { status: p.kind === 'write' ? 'info' : 'fail', error: 'timeout' });
      } else if (p.retryAtMs !== undefined ? now >= p.retryAtMs : now - p.sentAtMs >= this.limits.replyWaitMs) {
        this.env.metrics.count('requests_resent');
        this.send(p);
      }
    }
    this.pending.dropIdleClients();
  }

  private lookAtContact(now: number): void {
    if (this.host.inContact === undefined) return;
    if (this.host.inContact()) {
      this.outOfContactSinceMs = undefined;
      this.clusterDown = false;
      return;
    }
    this.outOfContactSinceMs ??= now;
    this.clusterDown = now - this.outOfContactSinceMs >= this.limits.clusterDownAfterMs;
  }
}
