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
import type { NodeStatus } from '../sim/world.js';
import { declaredMetrics, MetricCatalog, parseScenario, runVariant, VariantRun, withPeers, type Fault, type ResolvedVariant, type RunResult, type Scenario } from '../scenario/index.js';
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
  /** Crashed or paused by hand and not restarted or resumed yet: the page offers to end it. */
  heldByHand: HandFaultKind | undefined;
}

/** What a hand strikes a server with: a crash (ended by a restart) or a pause (ended by a resume). */
export type HandFaultKind = 'crash' | 'pause';

/** A link between two servers that a partition cuts now. */
export interface CutView {
  from: NodeId;
  to: NodeId;
  /** Only from -> to is cut. */
  oneWay: boolean;
  /** A cut made by hand and not healed yet: a click on it heals it. */
  byHand: boolean;
}

/** Trace records kept in `recent`. */
const RECENT_RECORDS_KEPT = 12;

export class LabSession {
  readonly scenario: Scenario;
  readonly variant: ResolvedVariant;
  readonly seed: number;
  readonly run: VariantRun;
  readonly flights = new Flights();
  /** Who else reads the run's trace records (a tour's guide), after the lab's own reading. */
  private readonly listeners: ((r: Readonly<Record<string, unknown>>) => void)[] = [];
  /** The time the next hand fault strikes at, when it was chosen for two runs at once (strikeAt). */
  private pinnedStrikeMs: number | undefined;
  /** The faults struck by hand, in the order struck, as a scenario file writes them. */
  readonly handFaults: Fault[] = [];
  /** Hand faults on a server not yet ended: node -> (its kind, its fault, what ends it). */
  private readonly held = new Map<NodeId, { kind: HandFaultKind; fault: Fault; undo: () => void }>();
  /**
   * Links cut by hand and not healed yet: cutKey -> (its fault, what heals it). A cut carried from an
   * earlier session has no `undo` of its own: the run struck it (see healCarried).
   */
  private readonly heldCuts = new Map<string, { fault: Fault; undo: (() => void) | undefined }>();
  /** The last trace records, newest last: what the step before the pause did. */
  readonly recent: Readonly<Record<string, unknown>>[] = [];
  private result: RunResult | undefined;

  /**
   * `handFaults`: faults struck by hand in an earlier session (a shared address carries them); they
   * join the schedule from the start, as the exported file has them, so the run is that session's.
   */
  constructor(
    readonly story: StoryFile,
    variantName: string,
    seed: number,
    handFaults: readonly Fault[] = [],
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
    for (const f of handFaults) {
      const fault = { ...f };
      const link = handCutOf(fault);
      if (link !== undefined) {
        this.requireLink(link.from, link.to);
        this.handFaults.push(fault);
        // A cut that stays can still be healed by hand: its handle is the one its `for` would heal.
        // A cut that stays can still be healed by hand. The run's schedule strikes it (as the exported
        // file's does, so the two runs are one), and its handle is found by name when it is healed.
        if (fault.for === undefined) this.heldCuts.set(cutKey(link.from, link.to, link.oneWay), { fault, undo: undefined });
        continue;
      }
      const kind: HandFaultKind | undefined = fault.crash !== undefined ? 'crash' : fault.pause !== undefined ? 'pause' : undefined;
      const id = fault.crash ?? fault.pause;
      if (kind === undefined || id === undefined || Object.keys(fault).some((k) => !['at', 'for', kind].includes(k))) {
        throw new Error(`a fault by hand is a crash, a pause or a cut link: { at, crash, for? }, { at, pause, for? }, { at, partition: [[a], [b]], for? } or { at, oneWay: { from: [a], to: [b] }, for? } (got ${JSON.stringify(f)})`);
      }
      this.requireServer(id);
      this.handFaults.push(fault);
      // A fault that stays can still be ended by hand: what its `for` would run, a restart or a resume.
      const w = this.run.world;
      if (fault.for === undefined) this.held.set(id, { kind, fault, undo: kind === 'crash' ? () => w.restart(id) : () => w.resume(id) });
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

  /** Run `eventsMax` events, or fewer when the run reaches `untilMs` or its end; returns the events run. */
  advance(eventsMax: number, untilMs = Infinity): number {
    let ran = 0;
    while (ran < eventsMax && !this.run.ended) {
      ran += this.run.advance(eventsMax - ran, untilMs);
      if (this.run.world.now >= untilMs && this.run.world.scheduler.peekTime() > untilMs) break;
    }
    return ran;
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
    const servers = this.run.servers;
    const out: CutView[] = [];
    for (let i = 0; i < servers.length; i++) {
      for (let j = 0; j < servers.length; j++) {
        if (i === j || !net.isBlocked(i, j)) continue;
        const back = net.isBlocked(j, i);
        if (back && j < i) continue;
        const [from, to] = [servers[i], servers[j]];
        const byHand = this.heldCuts.has(cutKey(from, to, false)) || this.heldCuts.has(cutKey(from, to, true)) || (back && this.heldCuts.has(cutKey(to, from, true)));
        out.push({ from, to, oneWay: !back, byHand });
      }
    }
    return out;
  }

  /** Every server, and the first `clientsMax` clients (a story may have thousands). */
  nodes(clientsMax = Infinity): NodeView[] {
    const w = this.run.world;
    const view = (id: NodeId, kind: 'server' | 'client'): NodeView => {
      const status = w.status(id);
      return { id, kind, status, state: status === 'down' ? undefined : (w.process(id)?.describe?.() as Record<string, unknown> | undefined), heldByHand: this.held.get(id)?.kind };
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
    this.requireLink(from, to);
    for (const key of oneWay ? [cutKey(from, to, true), cutKey(from, to, false)] : [cutKey(from, to, false), cutKey(from, to, true), cutKey(to, from, true)]) {
      if (this.heldCuts.has(key)) throw new Error(`${describeCut(key)} is cut by hand already: heal it first`);
    }
    const at = this.strikeTime();
    const fault: Fault = oneWay ? { at, oneWay: { from: [from], to: [to] } } : { at, partition: [[from], [to]] };
    let undo: () => void = () => {};
    this.strike(at, () => (undo = applyFault(this.run.world, fault as FaultSpec)));
    this.handFaults.push(fault);
    this.heldCuts.set(cutKey(from, to, oneWay), { fault, undo: () => undo() });
    return fault;
  }

  /**
   * Heal the cut made by hand on the link between two servers (either way round): its fault gets
   * the duration that ends now. A cut both ways is healed first, then one from -> to, then to -> from.
   */
  heal(from: NodeId, to: NodeId): Fault {
    const key = [cutKey(from, to, false), cutKey(from, to, true), cutKey(to, from, true)].find((k) => this.heldCuts.has(k));
    if (key === undefined) throw new Error(`the link ${from} - ${to} was not cut by hand: only a hand cut can be healed by hand`);
    const open = this.heldCuts.get(key)!;
    this.settleNow();
    this.end(open.fault, open.undo ?? this.healCarried(open.fault), 'healed');
    this.heldCuts.delete(key);
    return open.fault;
  }

  private hold(id: NodeId, kind: HandFaultKind): Fault {
    const fault: Fault = kind === 'crash' ? { at: this.strikeTime(), crash: id } : { at: this.strikeTime(), pause: id };
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
    const doc = parseDocument(this.story.text);
    const v = this.variant;
    const faults = [...v.faults, ...this.handFaults];
    const kept = withPeers(this.scenario, [v.name]);
    const keep = new Set(kept.map((p) => p.name));
    doc.set('seed', this.seed);
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
      doc.setIn(['variants', v.name, 'faults'], doc.createNode(faults, { flow: true }));
    } else {
      doc.set('faults', doc.createNode(faults, { flow: true }));
    }
    const made = this.handFaults.length === 1 ? '1 fault' : `${this.handFaults.length} faults`;
    doc.commentBefore = ` Made in the pillars lab: ${this.story.file}, variant ${v.name}, seed ${this.seed}, ${made} by hand.\n Replay: pillars run <this file> --variant ${v.name}`;
    return doc.toString({ lineWidth: 120 });
  }

  /**
   * A time strictly after every event run and before every event pending, as round as it can be.
   * Events pending at the current instant run first, so that such a time exists.
   */
  private strikeTime(): number {
    this.settleNow();
    if (this.pinnedStrikeMs !== undefined) return this.pinnedStrikeMs;
    return roundTimeBetween(this.run.world.now, this.run.world.scheduler.peekTime());
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
   * What heals a cut the run's schedule struck: the one partition in force that bears its name. Two
   * alike (the story cuts the same single link at the same moment) cannot be told apart, and are refused.
   */
  private healCarried(fault: Fault): () => void {
    const w = this.run.world;
    const name = fault.partition !== undefined ? fault.partition.map((g) => g.join(',')).join(' | ') : `${fault.oneWay!.from.join(',')} -/-> ${fault.oneWay!.to.join(',')}`;
    if (fault.at > w.now) throw new Error(`the cut ${name} strikes at ${fault.at} ms: it can be healed once it has (now ${w.now} ms)`);
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

/** The key of a link cut by hand: `a>b` one way, `a~b` (in name order) both ways. */
function cutKey(from: NodeId, to: NodeId, oneWay: boolean): string {
  if (oneWay) return `${from}>${to}`;
  return from < to ? `${from}~${to}` : `${to}~${from}`;
}

function describeCut(key: string): string {
  return key.includes('>') ? `the link ${key.replace('>', ' -> ')} (one way)` : `the link ${key.replace('~', ' - ')}`;
}

/** The link a fault cuts when it is a cut a hand makes: two one-server groups, or one server to one, one way. */
function handCutOf(f: Fault): { from: NodeId; to: NodeId; oneWay: boolean } | undefined {
  const only = (k: string) => Object.keys(f).every((x) => ['at', 'for', k].includes(x));
  if (f.partition !== undefined && only('partition') && f.partition.length === 2 && f.partition.every((g) => g.length === 1)) return { from: f.partition[0][0], to: f.partition[1][0], oneWay: false };
  if (f.oneWay !== undefined && only('oneWay') && f.oneWay.from.length === 1 && f.oneWay.to.length === 1) return { from: f.oneWay.from[0], to: f.oneWay.to[0], oneWay: true };
  return undefined;
}
