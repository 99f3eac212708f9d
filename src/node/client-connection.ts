/**
 * One Redis client's connection to a node: parse what it sends (pipelined or not), answer in the
 * order it asked, and keep its commands in an order the store can honour.
 *
 * Order: replies leave in request order (RESP has no request ids). Commands go to the store in
 * batches of one kind: consecutive writes are pipelined (the log orders them), consecutive reads are
 * pipelined (each sees at least every write answered before it), and a read after a write, or a
 * write after a read, waits until the batch before it is answered. A client that pipelines
 * `SET k 1; GET k` therefore reads 1, as against Redis, without giving up pipelining.
 *
 * Each connection is a client session of the replicated KV: its requests carry increasing ids and
 * the mark below which every request was answered, so a request retried inside the cluster (after a
 * leader change) applies once (Raft thesis §6.3).
 */
import type { Socket } from 'node:net';
import type { Operation } from '../runtime/client-protocol.js';
import { planCommand, replyTo, type CommandLimits, type Planned } from './commands.js';
import { errorReply, integer, OK, QUEUED, RespParser, type RespLimits, type RespProtocol } from './resp.js';
import { parseWait } from './wait-command.js';
import { Transaction } from './transaction.js';
import type { AuthThrottle } from './auth-throttle.js';
import { isClusterDownError } from '../truth/index.js';
import type { ClientLimits } from './limits-defaults.js';

/**
 * The reply to a request the cluster could not serve in time (no leader through an election, no
 * majority, a stopped member), with a code a client library can retry on, as Redis Cluster's: its
 * text says whether the outcome is known. CLUSTERDOWN: nothing was applied, a retry is safe.
 * TRYAGAIN: a write whose outcome is unknown; it may have applied, so a retry may apply it again
 * unless the write is idempotent.
 */
export function unavailableReply(status: 'fail' | 'info', error: string | undefined): string {
  if (status === 'fail') return `CLUSTERDOWN ${isClusterDownError(error) ? error : 'no leader answered in time'}: nothing was applied (the outcome is known); retry`;
  return `TRYAGAIN ${error ?? 'timeout'}: the outcome is unknown (the write may have been applied; retrying may apply it twice)`;
}

export { clientDefaults, type ClientLimits } from './limits-defaults.js';

/** What the connection needs from its node. */
export interface ConnectionHost {
  /** Run an operation through the store; `done` gets the outcome exactly once. */
  submit(client: string, id: number, ackedBelow: number, kind: 'read' | 'write', op: Operation, done: (r: { status: 'ok' | 'fail' | 'info'; value?: unknown; error?: string }) => void): void;
  /** Answer a command the store need not see (PING, INFO, HELLO...); 'quit' closes after the reply. */
  local(name: string, args: Buffer[], conn: ClientConnection): Buffer;
  /** The password clients must give (AUTH), when one is set. */
  readonly password: string | undefined;
  /** Slows AUTH after failures (per connection and per address). */
  readonly authThrottle: AuthThrottle;
  readonly limits: CommandLimits & Partial<RespLimits> & ClientLimits;
  /**
   * WAIT: once `replicas` replicas hold every write acknowledged so far, or `timeoutMs` has passed (0:
   * no limit), `done` hears how many hold them. Returns what cancels the wait (the client left).
   */
  waitForReplicas(replicas: number, timeoutMs: number, done: (replicasHolding: number) => void): () => void;
  onClose(conn: ClientConnection): void;
  /** A reply could not be built (a bug): the client got an error in its place; the node logs it. */
  onReplyError(conn: ClientConnection, command: string, error: unknown): void;
  /** Says why a client was cut off (the node logs it). */
  onLimit(conn: ClientConnection, limit: string, bytes: number): void;
}

/** Stands for a reply never sent, to a client cut off. */
const EMPTY_REPLY = Buffer.alloc(0);

/** Commands in flight or waiting on one connection, at most; past it the socket stops being read. */
export const pipelineDepthMax = 4_096;

interface Slot {
  reply: Buffer | undefined;
  /** The bytes of the command, counted in the query buffer until its reply leaves. */
  bytes: number;
}

/** WAIT, blocking the connection: sent once everything before it is answered, as Redis blocks the client. */
interface WaitPlan {
  kind: 'wait';
  replicas: number;
  timeoutMs: number;
}

interface Waiting {
  slot: Slot;
  plan: Extract<Planned, { kind: 'read' | 'write' }> | WaitPlan;
  /** The command's name, lower case (for the error that stands for a reply that could not be built). */
  command: string;
  /** The operation made when the command is sent, not when it is read (EXEC: after WATCH's answer). */
  opAtDispatch?: () => Operation;
}

export class ClientConnection {
  proto: RespProtocol = 2;
  authenticated: boolean;
  name = '';
  readonly transaction = new Transaction();
  readonly createdAtMs = Date.now();
  lastCommandAtMs = Date.now();
  lastCommand = 'NULL';
  /** What the client said it is (CLIENT SETINFO), for CLIENT LIST. */
  libName = '';
  libVersion = '';
  private readonly parser: RespParser;
  private readonly slots: Slot[] = [];
  private slotsHead = 0;
  private readonly waiting: Waiting[] = [];
  private inflightKind: 'read' | 'write' | 'wait' | undefined;
  /** What cancels each WAIT this connection is blocked on. */
  private readonly waits = new Set<() => void>();
  private inflight = 0;
  private nextId = 1;
  /** Ids handed to the store and not answered, for the session's "answered below" mark. */
  private readonly open = new Set<number>();
  /** The smallest id not yet answered (ids below it all were): the session's mark. */
  private lowestOpen = 1;
  private out: Buffer[] = [];
  private outBytes = 0;
  /** The bytes of the commands read and not yet answered (CLIENT LIST's qbuf). */
  queryBytes = 0;
  /** Since when the replies waiting for the client exceed the soft limit. */
  private overSoftSinceMs: number | undefined;
  private softLimitTimer: ReturnType<typeof setTimeout> | undefined;
  private flushScheduled = false;
  private paused = false;
  private closing = false;
  /** Failed AUTHs on this connection (the throttle reads it). */
  authFailures = 0;
  /** An AUTH (or HELLO) waiting out its delay: what the client sent after it is held, in order, until it is answered. */
  private pendingAuth: { slot: Slot; name: string; args: Buffer[] } | undefined;
  private readonly heldCommands: Buffer[][] = [];
  private authTimer: ReturnType<typeof setTimeout> | undefined;
  closed = false;

  constructor(
    readonly socket: Socket,
    readonly clientId: string,
    /** This connection's number on its node (CLIENT ID). */
    readonly serial: number,
    private readonly host: ConnectionHost,
  ) {
    this.parser = new RespParser(host.limits);
    this.authenticated = host.password === undefined;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('drain', () => this.checkOutput());
    socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.softLimitTimer);
      clearTimeout(this.authTimer);
      for (const cancel of this.waits) cancel();
      this.waits.clear();
      this.heldCommands.length = 0;
      // Nothing more goes out: let what was waiting for the client be collected now.
      this.out = [];
      this.outBytes = 0;
      host.onClose(this);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    try {
      this.parser.feed(chunk, (args) => this.onCommand(args));
    } catch (e) {
      // Malformed input: Redis answers once and hangs up; nothing the client sent before is lost.
      this.push({ reply: errorReply(`ERR ${(e as Error).message}`), bytes: 0 });
      this.closeAfterReplies();
    }
    this.pauseOrResume();
  }

  /** Read while the client's commands and replies held here are within bounds; stop reading past them. */
  private pauseOrResume(): void {
    if (this.closed) return;
    const depth = this.slots.length - this.slotsHead;
    const unsent = this.outBytes + this.socket.writableLength;
    const { queryBufferBytesMax, outputBufferSoftBytes } = this.host.limits;
    if (!this.paused && (depth > pipelineDepthMax || this.queryBytes > queryBufferBytesMax || unsent > outputBufferSoftBytes)) {
      this.paused = true;
      this.socket.pause();
    } else if (this.paused && depth < pipelineDepthMax / 2 && this.queryBytes <= queryBufferBytesMax / 2 && unsent <= outputBufferSoftBytes) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private onCommand(args: Buffer[]): void {
    if (this.closing) return;
    if (this.pendingAuth !== undefined) {
      this.heldCommands.push(args);
      return;
    }
    let bytes = 0;
    for (const a of args) bytes += a.length;
    const slot: Slot = { reply: undefined, bytes };
    this.queryBytes += bytes;
    this.slots.push(slot);
    const name = args[0].toString('latin1').toLowerCase();
    if (!this.authenticated && name !== 'auth' && name !== 'hello' && name !== 'quit') {
      slot.reply = errorReply('NOAUTH Authentication required.');
      return this.drain();
    }
    this.lastCommandAtMs = Date.now();
    this.lastCommand = args.length > 1 && (name === 'client' || name === 'config' || name === 'command') ? `${name}|${args[1].toString('latin1').toLowerCase()}` : name;
    if (this.transactionCommand(name, args, slot)) return this.drain();
    const plan = planCommand(args, this.host.limits);
    if (plan.kind === 'error') slot.reply = plan.reply;
    else if (plan.kind === 'local' && plan.name === 'wait') {
      const wait = parseWait(plan.args);
      if (Buffer.isBuffer(wait)) slot.reply = wait;
      else {
        this.waiting.push({ slot, plan: { kind: 'wait', ...wait }, command: name });
        this.dispatch();
      }
    } else if (plan.kind === 'local' && (plan.name === 'auth' || plan.name === 'hello') && this.host.password !== undefined) {
      this.authenticate(slot, plan.name, plan.args);
    } else if (plan.kind === 'local') {
      slot.reply = this.built(plan.name, () => this.host.local(plan.name, plan.args, this));
      if (plan.name === 'quit') this.closeAfterReplies();
    } else {
      this.waiting.push({ slot, plan, command: name });
      this.dispatch();
    }
    this.drain();
  }

  /** MULTI, EXEC, DISCARD, WATCH, UNWATCH, and any command queued inside MULTI; false for the rest. */
  private transactionCommand(name: string, args: Buffer[], slot: Slot): boolean {
    const tx = this.transaction;
    const error = (message: string) => ((slot.reply = errorReply(message)), true);
    switch (name) {
      case 'multi':
        if (args.length !== 1) return error("ERR wrong number of arguments for 'multi' command");
        if (tx.active) return error('ERR MULTI calls can not be nested');
        tx.begin();
        slot.reply = OK;
        return true;
      case 'discard':
        if (args.length !== 1) return error("ERR wrong number of arguments for 'discard' command");
        if (!tx.active) return error('ERR DISCARD without MULTI');
        tx.end();
        slot.reply = OK;
        return true;
      case 'exec':
        if (args.length !== 1) {
          // Redis ends a transaction on any refused EXEC, and says so even outside one.
          tx.end();
          return error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
        }
        return this.exec(slot);
      case 'watch':
        if (args.length < 2) return error("ERR wrong number of arguments for 'watch' command");
        if (tx.active) return error('ERR WATCH inside MULTI is not allowed');
        this.waiting.push({ slot, command: 'watch', plan: tx.watchPlan(args.slice(1).map((a) => a.toString('latin1'))) });
        this.dispatch();
        return true;
      case 'unwatch':
        if (args.length !== 1) return error("ERR wrong number of arguments for 'unwatch' command");
        if (!tx.active) tx.watched = new Map();
        slot.reply = OK;
        return tx.active ? this.queue(args, slot) : true;
      default:
        return tx.active ? this.queue(args, slot) : false;
    }
  }

  /** A command inside MULTI: checked now, queued for EXEC; a refused one dooms the transaction. */
  private queue(args: Buffer[], slot: Slot): true {
    const tx = this.transaction;
    const plan = planCommand(args, this.host.limits);
    let reply: Buffer | undefined;
    if (plan.kind === 'error') reply = plan.reply;
    else if (plan.kind === 'local') {
      // Answered by the node: computed now (it does not read the store), delivered in EXEC's reply.
      const answer = this.built(plan.name, () => this.host.local(plan.name, plan.args, this));
      if (answer[0] === 0x2d /* '-' */) reply = answer;
      else tx.queued!.push({ reply: answer });
    } else {
      tx.queued!.push({ plan });
      tx.queuedBytes += slot.bytes;
    }
    if (reply !== undefined) tx.doomed = true;
    slot.reply = reply ?? QUEUED;
    return true;
  }

  private exec(slot: Slot): true {
    const tx = this.transaction;
    const queued = tx.queued;
    if (queued === undefined) {
      slot.reply = errorReply('ERR EXEC without MULTI');
      return true;
    }
    const limit = this.host.limits.writeBytesMax;
    if (tx.doomed || tx.queuedBytes > limit) {
      slot.reply = errorReply(tx.doomed ? 'EXECABORT Transaction discarded because of previous errors.' : `EXECABORT the transaction's ${tx.queuedBytes} bytes are above the limit of ${limit} bytes in one atomic write (writeBytesMax)`);
      tx.end();
      return true;
    }
    const { watched } = tx.end();
    const plan = { kind: 'write' as const, op: { f: 'multi' as const }, reply: Transaction.execReply(queued) };
    this.waiting.push({ slot, plan, command: 'exec', opAtDispatch: () => Transaction.execOperation(queued, watched) });
    this.dispatch();
    return true;
  }

  /** Send the waiting commands that may go now: those of the batch's kind, while no other kind is out. */
  private dispatch(): void {
    // A client gone (or cut off) is served no further: what it sent and was not yet sent on is dropped.
    if (this.closed) this.waiting.length = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (this.inflight > 0 && this.inflightKind !== next.plan.kind) return;
      this.waiting.shift();
      this.inflightKind = next.plan.kind;
      this.inflight++;
      const { plan, slot, command } = next;
      if (plan.kind === 'wait') {
        this.blockOnWait(plan, slot);
        continue;
      }
      const id = this.nextId++;
      this.open.add(id);
      let op: Operation;
      try {
        op = next.opAtDispatch?.() ?? plan.op;
      } catch (e) {
        // Nothing was sent: the id is answered here, so the session's mark still moves past it.
        slot.reply = this.built(command, () => { throw e; });
        this.open.delete(id);
        while (this.lowestOpen < this.nextId && !this.open.has(this.lowestOpen)) this.lowestOpen++;
        this.inflight--;
        this.drain();
        continue;
      }
      this.host.submit(this.clientId, id, this.lowestOpen, plan.kind, op, (r) => {
        this.open.delete(id);
        while (this.lowestOpen < this.nextId && !this.open.has(this.lowestOpen)) this.lowestOpen++;
        this.inflight--;
        // A client cut off gets nothing: its replies (a GET of 1 MiB, say) need not be built.
        if (this.closed) slot.reply = EMPTY_REPLY;
        else if (r.status === 'info' || (r.status === 'fail' && (r.error === 'timeout' || isClusterDownError(r.error)))) slot.reply = errorReply(unavailableReply(r.status, r.error));
        else slot.reply = this.built(command, () => replyTo(plan, { ok: r.status === 'ok', value: r.value, error: r.error }, this.proto));
        this.drain();
        if (this.inflight === 0) this.dispatch();
      });
    }
  }

  /** WAIT: everything before it is answered; its reply, and everything after it, wait for the replicas. */
  private blockOnWait(plan: WaitPlan, slot: Slot): void {
    // The host may answer at once (enough replicas already), before `cancel` is known.
    let cancel: (() => void) | undefined;
    let answered = false;
    cancel = this.host.waitForReplicas(plan.replicas, plan.timeoutMs, (replicasHolding) => {
      answered = true;
      if (cancel !== undefined) this.waits.delete(cancel);
      this.inflight--;
      slot.reply = this.closed ? EMPTY_REPLY : integer(replicasHolding);
      this.drain();
      if (this.inflight === 0) this.dispatch();
    });
    if (!answered) this.waits.add(cancel);
  }

  private push(slot: Slot): void {
    this.slots.push(slot);
    this.drain();
  }

  /** Move the answered replies at the head of the line to the socket, in one write per turn. */
  private drain(): void {
    while (this.slotsHead < this.slots.length && this.slots[this.slotsHead].reply !== undefined) {
      const slot = this.slots[this.slotsHead];
      this.queryBytes -= slot.bytes;
      if (!this.closed) {
        this.out.push(slot.reply!);
        this.outBytes += slot.reply!.length;
      }
      this.slotsHead++;
    }
    if (!this.checkOutput()) return;
    if (this.slotsHead > 1024 && this.slotsHead * 2 > this.slots.length) {
      this.slots.splice(0, this.slotsHead);
      this.slotsHead = 0;
    }
    if (this.out.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    this.pauseOrResume();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    this.outBytes = 0;
    this.socket.write(data);
    if (this.closing && this.slotsHead === this.slots.length) this.socket.end();
    this.checkOutput();
  }

  /**
   * Redis's client-output-buffer-limit: the replies the client has not taken (ours and the socket's)
   * past the hard limit, or past the soft limit for its seconds, disconnect it. Says whether it stays.
   */
  private checkOutput(): boolean {
    if (this.closed) return false;
    const unsent = this.outBytes + this.socket.writableLength;
    const { outputBufferHardBytes, outputBufferSoftBytes, outputBufferSoftSeconds } = this.host.limits;
    if (unsent > outputBufferHardBytes) return this.cutOff('client-output-buffer-limit hard', unsent);
    if (unsent <= outputBufferSoftBytes) {
      this.overSoftSinceMs = undefined;
      clearTimeout(this.softLimitTimer);
      this.softLimitTimer = undefined;
    } else if (this.overSoftSinceMs === undefined) {
      this.overSoftSinceMs = Date.now();
      this.softLimitTimer = setTimeout(() => this.checkOutput(), outputBufferSoftSeconds * 1000);
    } else if (Date.now() - this.overSoftSinceMs >= outputBufferSoftSeconds * 1000) return this.cutOff('client-output-buffer-limit soft', unsent);
    this.pauseOrResume();
    return true;
  }

  private cutOff(limit: string, bytes: number): false {
    this.host.onLimit(this, limit, bytes);
    this.closed = true;
    this.out = [];
    this.outBytes = 0;
    this.socket.destroy();
    return false;
  }

  /**
   * Check a password now, or after the throttle's delay when this connection or its address has
   * failed before. While it waits, the socket is not read and later commands are held, so a
   * pipeline of guesses is checked one delay at a time, and nothing after an AUTH runs before it.
   */
  private authenticate(slot: Slot, name: string, args: Buffer[]): void {
    const delayMs = this.host.authThrottle.delayMs(this.address, this.authFailures);
    if (delayMs === 0) return this.checkPassword(slot, name, args);
    this.pendingAuth = { slot, name, args };
    this.socket.pause();
    this.authTimer = setTimeout(() => {
      this.authTimer = undefined;
      this.pendingAuth = undefined;
      if (this.closed) return;
      this.checkPassword(slot, name, args);
      this.drain();
      while (this.pendingAuth === undefined && this.heldCommands.length > 0 && !this.closing) this.onCommand(this.heldCommands.shift()!);
      if (this.pendingAuth === undefined && !this.paused && !this.closed) this.socket.resume();
      this.pauseOrResume();
    }, delayMs);
  }

  private checkPassword(slot: Slot, name: string, args: Buffer[]): void {
    slot.reply = this.built(name, () => this.host.local(name, args, this));
    if (this.host.authThrottle.exhausted(this.authFailures)) {
      // Too many guesses on one connection: answer this one, then hang up; what was held is dropped.
      this.heldCommands.length = 0;
      this.host.onLimit(this, 'auth-failures', this.authFailures);
      this.closeAfterReplies();
    }
  }

  /**
   * A reply built by `build`, or, if building it throws, an error in its place: the slot is filled
   * either way, so the replies after it still leave and the client is never left waiting.
   */
  private built(command: string, build: () => Buffer): Buffer {
    try {
      return build();
    } catch (e) {
      this.host.onReplyError(this, command, e);
      return errorReply(`ERR internal error while answering '${command}': ${(e as Error)?.message ?? String(e)}`.replace(/[\r\n]+/g, ' '));
    }
  }

  /** The client's IP address (the throttle's key for failures across connections). */
  get address(): string {
    return this.socket.remoteAddress ?? '';
  }

  private closeAfterReplies(): void {
    this.closing = true;
    this.drain();
    if (this.slotsHead === this.slots.length && this.out.length === 0) this.socket.end();
  }
}
