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
import { parseDocument, isMap } from 'yaml';
import type { NodeId } from '../runtime/context.js';
import { applyFault, type FaultSpec } from '../sim/nemesis.js';
import type { NodeStatus } from '../sim/world.js';
import { parseScenario, runVariant, VariantRun, withPeers, type Fault, type ResolvedVariant, type RunResult, type Scenario } from '../scenario/index.js';
import { Flights } from './flights.js';

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
  /** Crashed by hand and not restarted yet: the page offers a restart. */
  crashedByHand: boolean;
}

/** Trace records kept in `recent`. */
const RECENT_RECORDS_KEPT = 12;
/** Finest fraction of a ms a hand fault's time is rounded to: 2^-FAULT_TIME_BITS_MAX. */
const FAULT_TIME_BITS_MAX = 40;

export class LabSession {
  readonly scenario: Scenario;
  readonly variant: ResolvedVariant;
  readonly seed: number;
  readonly run: VariantRun;
  readonly flights = new Flights();
  /** The faults struck by hand, in the order struck, as a scenario file writes them. */
  readonly handFaults: Fault[] = [];
  /** Hand crashes not yet restarted: node -> (its fault, what restarts it). */
  private readonly openCrashes = new Map<NodeId, { fault: Fault; undo: () => void }>();
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
    };
    this.run = new VariantRun({ ...v, faults: [...v.faults, ...handFaults] }, { seed, scenario: this.scenario.name, peers, traceObserver: observe });
    for (const f of handFaults) {
      const fault = { ...f };
      if (fault.crash === undefined || Object.keys(fault).some((k) => !['at', 'for', 'crash'].includes(k))) throw new Error(`a fault by hand is a crash: { at, crash, for? } (got ${JSON.stringify(f)})`);
      this.requireServer(fault.crash);
      this.handFaults.push(fault);
      // A crash that stays can still be ended by hand: what its `for` would run, a restart.
      if (fault.crash !== undefined && fault.for === undefined) this.openCrashes.set(fault.crash, { fault, undo: () => this.run.world.restart(fault.crash!) });
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
  cutLinks(): { from: NodeId; to: NodeId; oneWay: boolean }[] {
    const net = this.run.world.network;
    const servers = this.run.servers;
    const out: { from: NodeId; to: NodeId; oneWay: boolean }[] = [];
    for (let i = 0; i < servers.length; i++) {
      for (let j = 0; j < servers.length; j++) {
        if (i === j || !net.isBlocked(i, j)) continue;
        const back = net.isBlocked(j, i);
        if (back && j < i) continue;
        out.push({ from: servers[i], to: servers[j], oneWay: !back });
      }
    }
    return out;
  }

  /** Every server, and the first `clientsMax` clients (a story may have thousands). */
  nodes(clientsMax = Infinity): NodeView[] {
    const w = this.run.world;
    const view = (id: NodeId, kind: 'server' | 'client'): NodeView => {
      const status = w.status(id);
      return { id, kind, status, state: status === 'down' ? undefined : (w.process(id)?.describe?.() as Record<string, unknown> | undefined), crashedByHand: this.openCrashes.has(id) };
    };
    return [...this.run.servers.map((id) => view(id, 'server')), ...this.run.clients.slice(0, clientsMax).map((id) => view(id, 'client'))];
  }

  /** Crash a server now (losing what its disk had not synced), as a scenario's `crash` fault does. */
  crash(id: NodeId): Fault {
    this.requireServer(id);
    if (this.run.world.status(id) === 'down') throw new Error(`${id} is down already`);
    const fault: Fault = { at: this.strikeTime(), crash: id };
    let undo: () => void = () => {};
    this.strike(fault.at, () => (undo = applyFault(this.run.world, fault as FaultSpec)));
    this.handFaults.push(fault);
    this.openCrashes.set(id, { fault, undo: () => undo() });
    return fault;
  }

  /** Restart a server crashed by hand: its crash fault gets the duration that ends now. */
  restart(id: NodeId): Fault {
    const open = this.openCrashes.get(id);
    if (open === undefined) throw new Error(`${id} was not crashed by hand: only a hand crash can be restarted by hand`);
    const at = this.strikeTime();
    const forMs = at - open.fault.at;
    // Dyadic times make this exact; the replay schedules the restart at at + for.
    if (open.fault.at + forMs !== at) throw new Error(`a restart at ${at} ms written as for: ${forMs} would replay at ${open.fault.at + forMs} ms`);
    open.fault.for = forMs;
    this.openCrashes.delete(id);
    this.strike(at, open.undo);
    return open.fault;
  }

  /**
   * The scenario file that replays this run: the story's own file with the seed fixed, the hand
   * faults added to this variant's, and only this variant and those it compares with.
   */
  exportYaml(): string {
    const doc = parseDocument(this.story.text);
    const v = this.variant;
    const faults = [...v.faults, ...this.handFaults];
    const keep = new Set(withPeers(this.scenario, [v.name]).map((p) => p.name));
    doc.set('seed', this.seed);
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
    if (this.run.ended) throw new Error('the run has ended: no more faults');
    const w = this.run.world;
    while (!this.run.ended && w.scheduler.peekTime() <= w.now) this.run.advance(Infinity, w.now);
    if (this.run.ended) throw new Error('the run has ended: no more faults');
    const now = w.now;
    const next = w.scheduler.peekTime();
    for (let bits = 0; bits <= FAULT_TIME_BITS_MAX; bits++) {
      const unit = 2 ** -bits;
      const t = (Math.floor(now / unit) + 1) * unit;
      if (t > now && t < next) return t;
    }
    throw new Error(`no time between ${now} and ${next} ms to strike at`);
  }

  /** Schedule `fn` at `at` and run the world to it, so the fault shows at once. */
  private strike(at: number, fn: () => void): void {
    const w = this.run.world;
    w.at(at, fn);
    while (!this.run.ended && w.now < at) this.run.advance(Infinity, at);
  }

  private requireServer(id: NodeId): void {
    if (!this.run.servers.includes(id)) throw new Error(`${id} is not a server of ${this.scenario.name} (${this.run.servers.join(', ')})`);
  }
}
