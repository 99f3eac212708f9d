/**
 * One live run in the lab: a story's variant on a seed, advanced piece by piece by its owner (the
 * page), with faults struck by hand that join the run's schedule and can be written out as a scenario
 * file that `pillars run` replays to the same traceHash. No DOM here: the page draws what this says.
 *
 * Why a hand fault replays exactly: it strikes at a time T chosen strictly between the last event run
 * and the next one pending, so at the moment it is scheduled no other event sits at or before T. In
 * the replay the same fault is scheduled at the start (a lower sequence number), and still nothing
 * else happens at T: every event the run has until T is before T, and every later event is made by
 * events at or after the next one. T is a multiple of a power of two (a dyadic fraction of a ms), so
 * a restart at T2 written as `for: T2 - T1` lands on T2 exactly in floating point.
 */
import { parseDocument, isMap, isScalar, isSeq } from 'yaml';
import type { NodeId } from '../runtime/context.js';
import { applyFault, type FaultSpec } from '../sim/nemesis.js';
import { diskFaultKinds, type DiskFaultKind } from '../sim/disk.js';
import { slowLinkName, type NodeStatus } from '../sim/world.js';
import { checkLabel, declaredMetrics, MetricCatalog, parseScenario, runVariant, VariantRun, withPeers, type Fault, type ResolvedVariant, type RunResult, type Scenario } from '../scenario/index.js';
import { Flights } from './flights.js';
import { roundTimeBetween } from './strike-time.js';

/** A story as the lab's server lists it: the file name and its text. */
export interface StoryFile {
  file: string;
  text: string;
}

export interface NodeView {
  id: NodeId;
  kind: 'server' | 'client';
  status: NodeStatus;
  /** What the node's Process says of itself (role, term, ...); absent while down. */
  state: Readonly<Record<string, unknown>> | undefined;
  /** Crashed, paused or its disk failed by hand, and not ended yet: the page offers to end it. */
  heldByHand: HandFaultKind | undefined;
  /** The disk fault struck by hand and not ended yet. */
  diskFault: DiskFaultKind | undefined;
  /** How far the node's clock is from true time now (ms; 0 unless a skew or drift moved it). */
  clockOffsetMs: number;
}

/**
 * What a hand strikes a server with and holds until a second click: a crash (ended by a restart), a
 * pause (ended by a resume), or a disk fault (ended by a repair: the node restarts, or its disk
 * stops failing). A clock skew is a jump, over as it strikes.
 */
export type HandFaultKind = 'crash' | 'pause' | 'disk';

/** What a line drawn by hand does to a link: cut it, or slow it. */
export type LinkFaultKind = 'cut' | 'slow';

/** A link between two servers that a partition cuts now. */
export interface CutView {
  from: NodeId;
  to: NodeId;
  /** Only from -> to is cut. */
  oneWay: boolean;
  /** A cut made by hand and not healed yet: a click on it heals it. */
  byHand: boolean;
}

/** A link between two servers that a slow link fault delays now. */
export interface SlowLinkView {
  from: NodeId;
  to: NodeId;
  /** Only from -> to is slowed. */
  oneWay: boolean;
  /** The latency added to from -> to (ms). */
  addedMs: number;
  /** A slow link made by hand and not ended yet: a click on it ends it. */
  byHand: boolean;
}

/** A check of the run as the page shows it while the run goes. */
export interface LiveCheck {
  name: string;
  /** Judged as the run goes: a failure so far is a failure for good (CheckEntry.failsForGood). */
  live: boolean;
  /** The judgement that first found it failed (virtual ms); undefined while it holds. */
  failedAtMs: number | undefined;
  /** What the checker said then: its witness (the operation it cannot place, the increment lost). */
  detail: string | undefined;
}

/**
 * How often (virtual ms) the checks that can fail for good are judged on the run so far: every
 * JUDGE_EVERY_MS_MIN, or less often in a long run, so that a run is judged JUDGEMENTS_MAX times at
 * most (each judgement reads the whole history so far: a linearizability check on it costs ms).
 */
export const JUDGE_EVERY_MS_MIN = 250;
export const JUDGEMENTS_MAX = 100;

/** Trace records kept in `recent`. */
const RECENT_RECORDS_KEPT = 12;

export class LabSession {
  readonly scenario: Scenario;
  readonly variant: ResolvedVariant;
  readonly seed: number;
  readonly run: VariantRun;
  /**
   * The messages in flight, each with how long a fault holds it back, as the world tells at its send.
   * The run's construction starts its processes, which send before `run` is set: no fault has struck
   * then (the schedule's first event has not run), so nothing is held back.
   */
  readonly flights = new Flights((from, to) => (this.run as VariantRun | undefined)?.world.holdBack(from, to));
  /** Who else reads the run's trace records (a tour's guide), after the lab's own reading. */
  private readonly listeners: ((r: Readonly<Record<string, unknown>>) => void)[] = [];
  /** The time the next hand fault strikes at, when it was chosen for two runs at once (strikeAt). */
  private pinnedStrikeMs: number | undefined;
  /** The faults struck by hand, in the order struck, as a scenario file writes them. */
  readonly handFaults: Fault[] = [];
  /** Hand faults on a server not yet ended: node -> (its kind, its fault, what ends it). */
  private readonly held = new Map<NodeId, { kind: HandFaultKind; fault: Fault; undo: () => void }>();
  /**
   * Links cut or slowed by hand and not ended yet: linkKey -> (its fault, what ends it). One carried
   * from an earlier session has no `undo` of its own: the run struck it (see endCarried).
   */
  private readonly heldLinks = new Map<string, { fault: Fault; undo: (() => void) | undefined }>();
  /** The last trace records, newest last: what the step before the pause did. */
  readonly recent: Readonly<Record<string, unknown>>[] = [];
  private result: RunResult | undefined;
  /** Every check of the variant, in its order, as judged so far. */
  readonly checks: LiveCheck[];
  /** The virtual ms between two judgements of the live checks. */
  readonly judgeEveryMs: number;
  /** The next instant the live checks are judged at: once every event at or before it has run. */
  private judgeAtMs: number;

  /**
   * `handFaults`: faults struck by hand in an earlier session (a shared address carries them); they
   * join the schedule from the start, as the exported file has them, so the run is that session's.
   */
  constructor(
    readonly story: StoryFile,
    variantName: string,
    seed: number,
    handFaults: readonly Fault[] = [],
    judgeEveryMs?: number,
  ) {
    this.scenario = parseScenario(story.text, story.file);
    const v = this.scenario.variants.find((x) => x.name === variantName);
    if (v === undefined) throw new Error(`${story.file}: no variant ${variantName} (${this.scenario.variants.map((x) => x.name).join(', ')})`);
    this.variant = v;
    this.seed = seed;
    // Variants this one compares with run first, whole and unseen, as `pillars run` runs them.
    const peers = new Map<string, Record<string, number>>();
    for (const p of withPeers(this.scenario, [v.name])) {
      if (p.name !== v.name) peers.set(p.name, runVariant(p, { seed, scenario: this.scenario.name, peers }).report.metrics);
    }
    const observe = (r: Readonly<Record<string, unknown>>) => {
      this.flights.observe(r);
      this.recent.push(r);
      if (this.recent.length > RECENT_RECORDS_KEPT) this.recent.shift();
      for (const l of this.listeners) l(r);
    };
    // Captured as the HTML report's run is, for the live charts (src/lab/live-charts.ts); a capture observes only.
    this.run = new VariantRun({ ...v, faults: [...v.faults, ...handFaults] }, { seed, scenario: this.scenario.name, peers, traceObserver: observe, capture: true });
    this.checks = v.checks.map((c) => ({ name: checkLabel(c as { name: string }), live: false, failedAtMs: undefined, detail: undefined }));
    this.judgeEveryMs = judgeEveryMs ?? Math.max(JUDGE_EVERY_MS_MIN, this.run.endMs / JUDGEMENTS_MAX);
    this.judgeAtMs = this.judgeEveryMs;
    for (const f of handFaults) {
      const fault = { ...f };
      const link = handLinkOf(fault);
      if (link !== undefined) {
        this.requireLink(link.from, link.to);
        this.handFaults.push(fault);
        // A cut or slow link that stays can still be ended by hand. The run's schedule strikes it (as
        // the exported file's does, so the two runs are one), and its handle is found by name when it ends.
        if (fault.for === undefined) this.heldLinks.set(linkKey(link.kind, link.from, link.to, link.oneWay), { fault, undo: undefined });
        continue;
      }
      const id = handNodeOf(fault);
      if (id === undefined) {
        throw new Error(
          `a fault by hand is a crash, a pause, a disk fault, a clock skew, or a cut or slow link: { at, crash, for? }, { at, pause, for? }, { at, disk: { node, fault }, for? }, { at, clock: { node, offsetMs } }, { at, partition: [[a], [b]], for? }, { at, oneWay: { from: [a], to: [b] }, for? } or { at, slowLink: { from: [a], to: [b], addedMs, oneWay? }, for? } (got ${JSON.stringify(f)})`,
        );
      }
      this.requireServer(id);
      this.handFaults.push(fault);
      // A fault that stays can still be ended by hand: what its `for` would run, a restart, a resume or a repair.
      const w = this.run.world;
      const disk = fault.disk?.fault;
      if (fault.for !== undefined || fault.clock !== undefined) continue;
      if (fault.crash !== undefined) this.held.set(id, { kind: 'crash', fault, undo: () => w.restart(id) });
      else if (fault.pause !== undefined) this.held.set(id, { kind: 'pause', fault, undo: () => w.resume(id) });
      else if (disk !== undefined) this.held.set(id, { kind: 'disk', fault, undo: () => w.endDiskFault(id, disk) });
    }
  }

  /** Read every trace record the run makes from now on; reading never steers the run. */
  listen(reader: (r: Readonly<Record<string, unknown>>) => void): void {
    this.listeners.push(reader);
  }

  /**
   * The open interval a hand fault may strike in now: after every event run, before every event
   * pending (the events pending at the current instant run first).
   */
  strikeWindow(): { afterMs: number; beforeMs: number } {
    this.settleNow();
    return { afterMs: this.run.world.now, beforeMs: this.run.world.scheduler.peekTime() };
  }

  /**
   * Strike what `act` does by hand (a crash, a pause, a cut, their ends) at `atMs`, a time inside
   * strikeWindow(): two runs side by side take the same fault at the same moment so.
   */
  strikeAt<T>(atMs: number, act: () => T): T {
    const { afterMs, beforeMs } = this.strikeWindow();
    if (!(atMs > afterMs && atMs < beforeMs)) throw new Error(`a fault at ${atMs} ms cannot strike here: the run stands between ${afterMs} and ${beforeMs} ms`);
    this.pinnedStrikeMs = atMs;
    try {
      return act();
    } finally {
      this.pinnedStrikeMs = undefined;
    }
  }

  get nowMs(): number {
    return this.run.world.now;
  }

  get events(): number {
    return this.run.world.events;
  }

  get ended(): boolean {
    return this.run.ended;
  }

  /**
   * Run `eventsMax` events, or fewer when the run reaches `untilMs` or its end; returns the events
   * run. `untilCheckFails`: stop too right after the judgement that finds a check failed (the moment
   * it turns red), with no event after that judgement's instant run.
   */
  advance(eventsMax: number, untilMs = Infinity, untilCheckFails = false): number {
    let ran = 0;
    const failedBefore = untilCheckFails ? this.checksFailed() : 0;
    while (ran < eventsMax && !this.run.ended) {
      ran += this.run.advance(eventsMax - ran, Math.min(untilMs, this.judgeAtMs));
      this.judgeDue();
      if (untilCheckFails && this.checksFailed() > failedBefore) break;
      if (this.run.world.now >= untilMs && this.run.world.scheduler.peekTime() > untilMs) break;
    }
    return ran;
  }

  /** How many checks have been found failed so far. */
  checksFailed(): number {
    let failed = 0;
    for (const c of this.checks) if (c.failedAtMs !== undefined) failed++;
    return failed;
  }

  /**
   * Judge the live checks at each instant due whose events have all run, so a check fails at the
   * same virtual time however the run was stepped; `beforeMs`: only those before a fault about to
   * strike, as a replay, which has the fault on its schedule, judges them. A check failed stays
   * failed: it is not judged again.
   */
  private judgeDue(beforeMs = Infinity): void {
    const w = this.run.world;
    // Never past the run's end: with nothing left on the schedule, peekTime is Infinity.
    while (!this.run.ended && w.scheduler.peekTime() > this.judgeAtMs && this.judgeAtMs < Math.min(beforeMs, this.run.endMs)) {
      const failed = new Set(this.checks.filter((c) => c.failedAtMs !== undefined).map((c) => c.name));
      for (const r of this.run.checksSoFar(failed)) {
        const c = this.checks.find((x) => x.name === r.name)!;
        c.live = true;
        // An undecided or inapplicable check proves nothing yet.
        if (!r.ok && r.unknown !== true && r.error !== true) [c.failedAtMs, c.detail] = [this.judgeAtMs, r.detail];
      }
      this.judgeAtMs += this.judgeEveryMs;
    }
  }

  /** The judged run, once it has ended. */
  finish(): RunResult {
    this.result ??= this.run.finish();
    return this.result;
  }

  /** Run until the next message is delivered or dropped (or the run ends); returns the events run. */
  advanceOneMessage(): number {
    const f = this.flights;
    const fates = f.delivered + f.dropped;
    let ran = 0;
    while (!this.run.ended && f.delivered + f.dropped === fates) ran += this.advance(1);
    return ran;
  }

  /**
   * The links between servers a partition cuts now: each pair once, `oneWay` when only from -> to is
   * cut. Servers are the world's first nodes, in order (VariantRun builds them so).
   */
  cutLinks(): CutView[] {
    const net = this.run.world.network;
    return this.linksWhere((i, j) => net.isBlocked(i, j), (from, to, back) => ({ from, to, oneWay: !back, byHand: this.heldByHandOn('cut', from, to, back) }));
  }

  /** The links between servers a slow link delays now: each pair once, `oneWay` when only from -> to is. */
  slowLinks(): SlowLinkView[] {
    const net = this.run.world.network;
    return this.linksWhere(
      (i, j) => net.addedLatencyMs(i, j) > 0,
      (from, to, back, i, j) => ({ from, to, oneWay: !back, addedMs: net.addedLatencyMs(i, j), byHand: this.heldByHandOn('slow', from, to, back) }),
    );
  }

  /** Each pair of servers once where `on` holds one way or both (`back`: both), as `view` tells it. */
  private linksWhere<T>(on: (i: number, j: number) => boolean, view: (from: NodeId, to: NodeId, back: boolean, i: number, j: number) => T): T[] {
    const servers = this.run.servers;
    const out: T[] = [];
    for (let i = 0; i < servers.length; i++) {
      for (let j = 0; j < servers.length; j++) {
        if (i === j || !on(i, j)) continue;
        const back = on(j, i);
        if (back && j < i) continue;
        out.push(view(servers[i], servers[j], back, i, j));
      }
    }
    return out;
  }

  /** Whether a hand fault of this kind holds the link from -> to (and back, when `back`). */
  private heldByHandOn(kind: LinkFaultKind, from: NodeId, to: NodeId, back: boolean): boolean {
    const has = (f: NodeId, t: NodeId, oneWay: boolean) => this.heldLinks.has(linkKey(kind, f, t, oneWay));
    return has(from, to, false) || has(from, to, true) || (back && has(to, from, true));
  }

  /** Every server, and the first `clientsMax` clients (a story may have thousands). */
  nodes(clientsMax = Infinity): NodeView[] {
    const w = this.run.world;
    const view = (id: NodeId, kind: 'server' | 'client'): NodeView => {
      const status = w.status(id);
      const held = this.held.get(id);
      return {
        id,
        kind,
        status,
        state: status === 'down' ? undefined : (w.process(id)?.describe?.() as Record<string, unknown> | undefined),
        heldByHand: held?.kind,
        diskFault: held?.fault.disk?.fault,
        clockOffsetMs: w.clock(id) - w.now,
      };
    };
    return [...this.run.servers.map((id) => view(id, 'server')), ...this.run.clients.slice(0, clientsMax).map((id) => view(id, 'client'))];
  }

  /** Crash a server now (losing what its disk had not synced), as a scenario's `crash` fault does. */
  crash(id: NodeId): Fault {
    this.requireServer(id);
    if (this.run.world.status(id) === 'down') throw new Error(`${id} is down already`);
    return this.hold(id, 'crash');
  }

  /** Pause a running server now (its messages and timers wait), as a scenario's `pause` fault does. */
  pause(id: NodeId): Fault {
    this.requireServer(id);
    const status = this.run.world.status(id);
    if (status !== 'up') throw new Error(`${id} is ${status}: only a running server can be paused`);
    return this.hold(id, 'pause');
  }

  /**
   * Jump a server's clock by `offsetMs` now (forward, or back when negative), as a scenario's
   * `clock: { node, offsetMs }` does. A jump is over as it strikes: nothing to end.
   */
  skew(id: NodeId, offsetMs: number): Fault {
    this.requireServer(id);
    if (!Number.isFinite(offsetMs) || offsetMs === 0) throw new Error(`a clock skew moves the clock by some ms (got ${offsetMs})`);
    const fault: Fault = { at: this.strikeTime(), clock: { node: id, offsetMs } };
    this.strike(fault.at, () => applyFault(this.run.world, fault as FaultSpec));
    this.handFaults.push(fault);
    return fault;
  }

  /**
   * Fail a running server's disk now, as a scenario's `disk: { node, fault }` does (src/sim/disk.ts):
   * damage to what it made durable or a torn write crashes it, EIO or ENOSPC fails its writes.
   */
  failDisk(id: NodeId, kind: DiskFaultKind): Fault {
    this.requireServer(id);
    if (!diskFaultKinds.includes(kind)) throw new Error(`a disk fault is one of ${diskFaultKinds.join(', ')} (got ${kind})`);
    const status = this.run.world.status(id);
    if (status !== 'up') throw new Error(`${id} is ${status}: only a running server's disk can be failed`);
    return this.hold(id, 'disk', { node: id, fault: kind });
  }

  /** Repair the disk of a server failed by hand: it restarts, or its disk stops failing. */
  repair(id: NodeId): Fault {
    return this.release(id, 'disk', 'failed on its disk', 'repaired');
  }

  /** Restart a server crashed by hand: its crash fault gets the duration that ends now. */
  restart(id: NodeId): Fault {
    return this.release(id, 'crash', 'crashed', 'restarted');
  }

  /** Resume a server paused by hand: its pause fault gets the duration that ends now. */
  resume(id: NodeId): Fault {
    return this.release(id, 'pause', 'paused', 'resumed');
  }

  /**
   * Cut the link between two servers now, both ways or only from -> to, as a scenario's `partition`
   * of two one-node groups or its `oneWay` does. Other links, and clients, are untouched.
   */
  cut(from: NodeId, to: NodeId, oneWay = false): Fault {
    return this.holdLink('cut', from, to, oneWay, (at) => (oneWay ? { at, oneWay: { from: [from], to: [to] } } : { at, partition: [[from], [to]] }));
  }

  /**
   * Heal the cut made by hand on the link between two servers (either way round): its fault gets
   * the duration that ends now. A cut both ways is healed first, then one from -> to, then to -> from.
   */
  heal(from: NodeId, to: NodeId): Fault {
    return this.releaseLink('cut', from, to);
  }

  /**
   * Slow the link between two servers now, both ways or only from -> to: every message sent on it
   * takes `addedMs` more, as a scenario's `slowLink` does. Messages already on their way keep their delay.
   */
  slow(from: NodeId, to: NodeId, addedMs: number, oneWay = false): Fault {
    if (!(addedMs > 0) || !Number.isFinite(addedMs)) throw new Error(`a slow link adds a positive number of ms (got ${addedMs})`);
    return this.holdLink('slow', from, to, oneWay, (at) => ({ at, slowLink: oneWay ? { from: [from], to: [to], addedMs, oneWay: true } : { from: [from], to: [to], addedMs } }));
  }

  /** End the slow link made by hand between two servers (either way round), as heal does a cut. */
  speedUp(from: NodeId, to: NodeId): Fault {
    return this.releaseLink('slow', from, to);
  }

  private holdLink(kind: LinkFaultKind, from: NodeId, to: NodeId, oneWay: boolean, make: (at: number) => Fault): Fault {
    this.requireLink(from, to);
    for (const key of oneWay ? [linkKey(kind, from, to, true), linkKey(kind, from, to, false)] : [linkKey(kind, from, to, false), linkKey(kind, from, to, true), linkKey(kind, to, from, true)]) {
      if (this.heldLinks.has(key)) throw new Error(`${describeLink(key)} is ${kind === 'cut' ? 'cut by hand already: heal' : 'slowed by hand already: speed up'} it first`);
    }
    const fault = make(this.strikeTime());
    let undo: () => void = () => {};
    this.strike(fault.at, () => (undo = applyFault(this.run.world, fault as FaultSpec)));
    this.handFaults.push(fault);
    this.heldLinks.set(linkKey(kind, from, to, oneWay), { fault, undo: () => undo() });
    return fault;
  }

  private releaseLink(kind: LinkFaultKind, from: NodeId, to: NodeId): Fault {
    const key = [linkKey(kind, from, to, false), linkKey(kind, from, to, true), linkKey(kind, to, from, true)].find((k) => this.heldLinks.has(k));
    if (key === undefined) throw new Error(kind === 'cut' ? `the link ${from} - ${to} was not cut by hand: only a hand cut can be healed by hand` : `the link ${from} - ${to} was not slowed by hand: only a hand slow link can be sped up by hand`);
    const open = this.heldLinks.get(key)!;
    this.settleNow();
    this.end(open.fault, open.undo ?? this.endCarried(open.fault), kind === 'cut' ? 'healed' : 'sped up');
    this.heldLinks.delete(key);
    return open.fault;
  }

  private hold(id: NodeId, kind: HandFaultKind, disk?: Fault['disk']): Fault {
    if (this.held.has(id)) throw new Error(`${id} is held by a ${this.held.get(id)!.kind} by hand already: end it first`);
    const at = this.strikeTime();
    const fault: Fault = kind === 'crash' ? { at, crash: id } : kind === 'pause' ? { at, pause: id } : { at, disk };
    let undo: () => void = () => {};
    this.strike(fault.at, () => (undo = applyFault(this.run.world, fault as FaultSpec)));
    this.handFaults.push(fault);
    this.held.set(id, { kind, fault, undo: () => undo() });
    return fault;
  }

  private release(id: NodeId, kind: HandFaultKind, struck: string, ended: string): Fault {
    const open = this.held.get(id);
    if (open === undefined || open.kind !== kind) throw new Error(`${id} was not ${struck} by hand: only a hand ${kind} can be ${ended} by hand`);
    this.end(open.fault, open.undo, ended);
    this.held.delete(id);
    return open.fault;
  }

  /** End a hand fault now: it gets the duration that ends at the strike time, and `undo` runs then. */
  private end(fault: Fault, undo: () => void, ended: string): void {
    const at = this.strikeTime();
    const forMs = at - fault.at;
    if (forMs <= 0) throw new Error(`a fault struck at ${fault.at} ms cannot be ${ended} at ${at} ms, before it strikes`);
    // Dyadic times make this exact; the replay schedules the end at at + for.
    if (fault.at + forMs !== at) throw new Error(`${ended} at ${at} ms written as for: ${forMs} would replay at ${fault.at + forMs} ms`);
    fault.for = forMs;
    this.strike(at, undo);
  }

  /**
   * The scenario file that replays this run: the story's own file with the seed fixed, the hand
   * faults added to this variant's, and only this variant and those it compares with.
   */
  exportYaml(): string {
    return scenarioYaml(this.story, this.scenario, this.seed, [this]);
  }

  /**
   * A time strictly after every event run and before every event pending, as round as it can be.
   * Events pending at the current instant run first, so that such a time exists.
   */
  private strikeTime(): number {
    this.settleNow();
    const t = this.pinnedStrikeMs ?? roundTimeBetween(this.run.world.now, this.run.world.scheduler.peekTime());
    this.judgeDue(t);
    return t;
  }

  /** Run the events pending at the current instant, so that a fault can strike strictly after them. */
  private settleNow(): void {
    if (this.run.ended) throw new Error('the run has ended: no more faults');
    const w = this.run.world;
    while (!this.run.ended && w.scheduler.peekTime() <= w.now) this.run.advance(Infinity, w.now);
    if (this.run.ended) throw new Error('the run has ended: no more faults');
  }

  /** Schedule `fn` at `at` and run the world to it, so the fault shows at once. */
  private strike(at: number, fn: () => void): void {
    const w = this.run.world;
    w.at(at, fn);
    while (!this.run.ended && w.now < at) this.run.advance(Infinity, at);
  }

  /**
   * What ends a cut or slow link the run's schedule struck: the one in force that bears its name. Two
   * alike (the story cuts the same single link at the same moment) cannot be told apart, and are refused.
   */
  private endCarried(fault: Fault): () => void {
    const w = this.run.world;
    const slow = fault.slowLink;
    const name =
      fault.partition !== undefined
        ? fault.partition.map((g) => g.join(',')).join(' | ')
        : fault.oneWay !== undefined
          ? `${fault.oneWay.from.join(',')} -/-> ${fault.oneWay.to.join(',')}`
          : slowLinkName(slow!.from, slow!.to, slow!.oneWay === true);
    const what = slow === undefined ? 'cut' : 'slow link';
    if (fault.at > w.now) throw new Error(`the ${what} ${name} strikes at ${fault.at} ms: it can be ended once it has (now ${w.now} ms)`);
    if (slow !== undefined) {
      const alike = w.network.slowLinksInForce.filter((h) => h.description === name && h.addedMs === slow.addedMs);
      if (alike.length !== 1) throw new Error(`the slow link ${name}: ${alike.length} slow links of that name are in force, and the hand one is not known among them`);
      return () => w.endSlowLinks(alike[0]);
    }
    const alike = w.network.partitions.filter((h) => h.description === name);
    if (alike.length !== 1) throw new Error(`the cut ${name}: ${alike.length} partitions of that name are in force, and the hand cut is not known among them`);
    return () => w.heal(alike[0]);
  }

  private requireLink(from: NodeId, to: NodeId): void {
    this.requireServer(from);
    this.requireServer(to);
    if (from === to) throw new Error(`a cut joins two servers (got ${from} to itself)`);
  }

  private requireServer(id: NodeId): void {
    if (!this.run.servers.includes(id)) throw new Error(`${id} is not a server of ${this.scenario.name} (${this.run.servers.join(', ')})`);
  }
}

/** The key of a link cut or slowed by hand: `cut:a>b` one way, `cut:a~b` (in name order) both ways. */
function linkKey(kind: LinkFaultKind, from: NodeId, to: NodeId, oneWay: boolean): string {
  if (oneWay) return `${kind}:${from}>${to}`;
  return from < to ? `${kind}:${from}~${to}` : `${kind}:${to}~${from}`;
}

function describeLink(key: string): string {
  const link = key.slice(key.indexOf(':') + 1);
  return link.includes('>') ? `the link ${link.replace('>', ' -> ')} (one way)` : `the link ${link.replace('~', ' - ')}`;
}

/**
 * The link a fault cuts or slows when it is one a hand makes: two one-server groups, or one server
 * to one (one way, or a slow link either way).
 */
function handLinkOf(f: Fault): { kind: LinkFaultKind; from: NodeId; to: NodeId; oneWay: boolean } | undefined {
  const only = (k: string) => Object.keys(f).every((x) => ['at', 'for', k].includes(x));
  if (f.partition !== undefined && only('partition') && f.partition.length === 2 && f.partition.every((g) => g.length === 1)) return { kind: 'cut', from: f.partition[0][0], to: f.partition[1][0], oneWay: false };
  if (f.oneWay !== undefined && only('oneWay') && f.oneWay.from.length === 1 && f.oneWay.to.length === 1) return { kind: 'cut', from: f.oneWay.from[0], to: f.oneWay.to[0], oneWay: true };
  const slow = f.slowLink;
  if (slow !== undefined && only('slowLink') && slow.from.length === 1 && slow.to.length === 1) return { kind: 'slow', from: slow.from[0], to: slow.to[0], oneWay: slow.oneWay === true };
  return undefined;
}

/** The server a fault a hand strikes on one node names: a crash, a pause, a disk fault, or a clock jump (no drift). */
function handNodeOf(f: Fault): NodeId | undefined {
  const only = (k: string) => Object.keys(f).every((x) => ['at', 'for', k].includes(x));
  if (f.crash !== undefined && only('crash')) return f.crash;
  if (f.pause !== undefined && only('pause')) return f.pause;
  if (f.disk !== undefined && only('disk')) return f.disk.node;
  if (f.clock !== undefined && only('clock') && f.for === undefined && f.clock.driftPpm === undefined && f.clock.offsetMs !== undefined) return f.clock.node;
  return undefined;
}

/** A variant of a story and the faults struck on it by hand: what an exported scenario file replays. */
export interface StruckVariant {
  readonly variant: ResolvedVariant;
  readonly handFaults: readonly Fault[];
}

/**
 * The scenario file that replays runs made in the lab: the story's own file with the seed fixed, each
 * struck variant's hand faults added to its own, and only those variants and the ones they compare
 * with. `pillars run <file> --variant V` replays each to the traceHash its run ended at.
 */
export function scenarioYaml(story: StoryFile, scenario: Scenario, seed: number, struck: readonly StruckVariant[]): string {
  if (struck.length === 0) throw new Error('a scenario file replays at least one variant');
  const doc = parseDocument(story.text);
  const names = struck.map((x) => x.variant.name);
  const kept = withPeers(scenario, names);
  const keep = new Set(kept.map((p) => p.name));
  doc.set('seed', seed);
  // The table's metrics another variant reports (split-brain's witness) would not load without it.
  const reported = new MetricCatalog();
  for (const p of kept) reported.add([...declaredMetrics(p).names, ...declaredMetrics(p).patterns]);
  for (const field of ['show', 'chart']) {
    const list = doc.getIn(['metrics', field]);
    if (isSeq(list)) list.items = list.items.filter((item) => reported.has(String(isScalar(item) ? item.value : item)));
  }
  const variants = doc.get('variants', true);
  if (isMap(variants)) {
    for (const item of [...variants.items]) {
      const name = String((item.key as { value?: unknown }).value ?? item.key);
      if (!keep.has(name)) variants.delete(item.key);
      else if (isMap(item.value)) item.value.delete('seed');
    }
    for (const { variant, handFaults } of struck) doc.setIn(['variants', variant.name, 'faults'], doc.createNode([...variant.faults, ...handFaults], { flow: true }));
  } else {
    // A story without variants has one run: its faults are the file's.
    if (struck.length !== 1) throw new Error(`${story.file} has no variants: one run to export, not ${struck.length}`);
    doc.set('faults', doc.createNode([...struck[0].variant.faults, ...struck[0].handFaults], { flow: true }));
  }
  const counts = [...new Set(struck.map((x) => x.handFaults.length))];
  // A side by side run's sides can differ: a side refuses a fault its variant has no server for.
  const made = counts.length === 1 ? `${counts[0] === 1 ? '1 fault' : `${counts[0]} faults`} by hand` : `faults by hand: ${struck.map((x) => `${x.handFaults.length} on ${x.variant.name}`).join(', ')}`;
  const which = names.length === 1 ? `variant ${names[0]}` : `variants ${names.join(' and ')} side by side`;
  doc.commentBefore = ` Made in the pillars lab: ${story.file}, ${which}, seed ${seed}, ${made}.\n Replay: ${names.map((n) => `pillars run <this file> --variant ${n}`).join('; ')}`;
  return doc.toString({ lineWidth: 120 });
}
