/**
 * Runs one variant of a scenario in the simulated world and judges it.
 *
 * Timeline: the workload issues operations during [0, durationMs); faults and the random nemesis act
 * on their schedules and are all healed by durationMs; final reads (when asked) go out at
 * durationMs + settleMs / 2; the run ends at durationMs + settleMs, when operations still pending are
 * recorded as info.
 */
import { History, type HistoryEvent } from '../check/history.js';
import { MetricsRegistry, round } from '../sim/metrics.js';
import { randomFaults, scheduleFaults } from '../sim/nemesis.js';
import type { NetworkConfig, LinkOverride } from '../sim/network.js';
import { World, type NodeOptions } from '../sim/world.js';
import { checks, type RunFacts } from './checks.js';
import { checkLabel, serverNames, withPeers, type Scenario } from './load.js';
import { processes } from './processes.js';
import type { ResolvedVariant } from './schema.js';
import { KeyPicker, WorkloadClient, type ClientConfig, type ClientHarness } from './workload.js';
import type { Context, NodeId } from '../runtime/context.js';
import type { TraceObserver } from '../sim/trace.js';
import { isInvariantViolation, type InvariantViolation } from '../runtime/invariant.js';
import { REPORT_SCHEMA_VERSION, type CheckReport, type VariantReport } from './report.js';
import { scheduledEvents } from './schedule.js';
import { Capture, type CaptureOptions, type CaptureSoFar, type RunCapture } from './capture.js';

export interface RunOptions {
  /** Overrides the variant's seed. */
  seed?: number;
  /** Record the client history even if no check needs it; each event is also passed to historySink. */
  recordHistory?: boolean;
  historySink?: (e: HistoryEvent) => void;
  /** Every trace record as a JSON line. */
  traceSink?: (line: string) => void;
  /** Every trace record as an object, for a live view (src/lab); it observes and never steers. */
  traceObserver?: TraceObserver;
  /** Called now and then with the virtual time reached and the end time. */
  progress?: (virtualMs: number, endMs: number) => void;
  /** Scenario name for the report. */
  scenario?: string;
  /**
   * Keep what the HTML report shows (dense series, faults, message sequences around the first faults)
   * in RunResult.capture; the report, traceHash and event count stay those of a run without it.
   */
  capture?: CaptureOptions | true;
  /** The flat metrics of other variants run on the same seed, for compare checks. */
  peers?: ReadonlyMap<string, Record<string, number>>;
}

export interface RunResult {
  report: VariantReport;
  history: History | undefined;
  metrics: MetricsRegistry;
  /** Present when RunOptions.capture was given. */
  capture?: RunCapture;
}

/**
 * The run is judged between PROGRESS_STEPS equal slices of virtual time (event budget, progress): a
 * run stepped in smaller pieces stops at the same boundaries, so it ends exactly as an unstepped one.
 */
const PROGRESS_STEPS = 50;
/** Samples over a run when a chart is asked for and no sampling interval is given. */
const CHART_POINTS = 56;

export function runVariant(v: ResolvedVariant, opts: RunOptions = {}): RunResult {
  const run = new VariantRun(v, opts);
  while (!run.ended) run.advance(Infinity);
  return run.finish();
}

/**
 * One variant's run, built and started, that its owner advances piece by piece (a page that draws
 * between pieces, a debugger stepping one event) and then judges. However it is stepped, it runs the
 * same events in the same order as runVariant, so its traceHash is the same.
 */
type CheckLabelled = { name: string; id?: string; metric?: unknown };

export class VariantRun {
  readonly world: World;
  readonly seed: number;
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
  /** Virtual time at which the run ends. */
  readonly endMs: number;
  private readonly history: History | undefined;
  private readonly metrics = new MetricsRegistry();
  private readonly capture: Capture | undefined;
  /** The next slice boundary, 1..PROGRESS_STEPS. */
  private stepIndex = 1;
  private overBudget = false;
  // A protocol that breaks its own invariant stops the run there: what follows would build on a state
  // the protocol itself says cannot happen.
  private violation: { error: InvariantViolation; atMs: number } | undefined;
  private finished: RunResult | undefined;

  constructor(
    readonly variant: ResolvedVariant,
    private readonly opts: RunOptions = {},
  ) {
    const v = variant;
    const seed = (this.seed = opts.seed ?? v.seed);
    const servers = serverNames(v);
    this.servers = servers;
    const w = v.workload;
    const clients = Array.from({ length: w.clients }, (_, i) => `c${i + 1}`);
    this.clients = clients;
    const needsHistory = opts.recordHistory === true || opts.historySink !== undefined || v.checks.some((c) => checks[c.name].needsHistory);
    const history = (this.history = needsHistory ? new History(opts.historySink) : undefined);
    const metrics = this.metrics;

    let world: World | undefined;
    let valueNext = 0;
    let processNext = 0;
    const freeProcesses: number[] = [];
    const harness: ClientHarness = {
      workload: w,
      servers: w.servers ?? servers,
      history,
      trueNowMs: () => world!.now,
      nextValue: () => valueNext++,
      takeProcess: () => (freeProcesses.length > 0 ? freeProcesses.pop()! : processNext++),
      releaseProcess: (p) => freeProcesses.push(p),
      keyPicker: new KeyPicker(w.keys),
    };

    const regionOf = new Map<string, string>();
    for (const [r, ids] of Object.entries(v.topology.regions ?? {})) for (const id of ids) regionOf.set(id, r);
    const proc = processes[v.system.process];
    const nodes: NodeOptions<any>[] = [
      ...servers.map((id) => ({
        id,
        kind: 'server' as const,
        region: regionOf.get(id),
        factory: proc.factory,
        config: v.system.config,
        clock: v.topology.clocks?.[id],
        cpuMsPerMessage: v.topology.cpuMsPerMessage,
      })),
      ...clients.map((id, index) => ({ id, kind: 'client' as const, factory: (ctx: Context, cfg: ClientConfig) => new WorkloadClient(ctx, cfg), config: { index, harness } })),
    ];

    const { clientLatency, ...net } = v.network;
    const links: LinkOverride[] = [...(net.links ?? [])];
    if (clientLatency !== undefined) for (const c of clients) for (const s of servers) links.push({ from: c, to: s, latency: clientLatency });
    const network: Partial<NetworkConfig> = { ...net, links, codec: net.codec ?? proc.codec?.(v.system.config ?? {}) ?? 'none' };
    const endMs = (this.endMs = w.durationMs + w.settleMs);
    const capture = (this.capture = opts.capture === undefined ? undefined : new Capture(opts.capture === true ? {} : opts.capture, endMs, { servers, clients }));
    // Exporting the trace costs a JSON line per record: a capture taps it only when faults are scheduled.
    // A live view observes every record as an object already, and faults may be struck by its hand at
    // any time: its capture reads the faults from those records, and skips the JSON.
    const userObserver = opts.traceObserver;
    const tap = capture !== undefined && userObserver === undefined && (v.faults.length > 0 || v.nemesis !== undefined) ? capture.tap.line : undefined;
    const userSink = opts.traceSink;
    const traceSink = tap === undefined ? userSink : userSink === undefined ? tap : (line: string) => (userSink(line), tap(line));
    const traceObserver: TraceObserver | undefined = capture === undefined || userObserver === undefined ? userObserver : (r) => (capture.tap.record(r), userObserver(r));
    world = this.world = new World({ seed, nodes, network, disk: v.disk, trace: traceSink, traceObserver, metrics });

    scheduleFaults(world, v.faults);
    if (v.nemesis !== undefined) {
      const n = v.nemesis;
      const schedule = randomFaults(world.rng.stream('nemesis'), { ...n, stopMs: n.stopMs ?? w.durationMs }, n.nodes ?? servers);
      scheduleFaults(world, schedule);
    }
    if (w.finalKeyReads) {
      world.at(w.durationMs + w.settleMs / 2, () => (world!.process(clients[0]) as WorkloadClient | undefined)?.finalKeyReads());
    }
    if (w.finalReads) {
      world.at(w.durationMs + w.settleMs / 2, () => (world!.process(clients[0]) as WorkloadClient | undefined)?.finalReads());
    }
    // Sampled when a series is asked for (report.series then holds them, see finish).
    const sampleEvery = v.metrics.sampleEveryMs ?? (v.metrics.chart !== undefined ? endMs / CHART_POINTS : undefined);
    if (sampleEvery !== undefined) {
      const sampleAt = (t: number) => world!.at(t, () => {
        metrics.sample(t);
        if (t + sampleEvery <= endMs) sampleAt(t + sampleEvery);
      });
      sampleAt(0);
    }
    world.start();
  }

  /** True once the run has reached its end, blown its event budget or broken an invariant. */
  get ended(): boolean {
    return this.stepIndex > PROGRESS_STEPS || this.overBudget || this.violation !== undefined;
  }

  /** What the capture holds so far (RunOptions.capture), for a live view; undefined without one. */
  get captured(): CaptureSoFar | undefined {
    return this.capture?.soFar();
  }

  /** The invariant violation that stopped the run, if one did. */
  get stoppedBy(): string | undefined {
    return this.violation?.error.message;
  }

  /**
   * Run at most `eventsMax` events, none later than `untilMs` (default: the end), stopping at the next
   * slice boundary. Returns the events run. A run with a capture stops at its sample times on the
   * way (see Capture.runTo), however small the pieces.
   */
  advance(eventsMax: number, untilMs = Infinity): number {
    if (this.ended) return 0;
    const world = this.world;
    const boundaryMs = this.stepIndex === PROGRESS_STEPS ? this.endMs : (this.endMs / PROGRESS_STEPS) * this.stepIndex;
    const toMs = Math.min(boundaryMs, untilMs);
    const before = world.events;
    let sliceDone: boolean;
    try {
      if (this.capture !== undefined) this.capture.runTo(world, toMs, eventsMax);
      else world.scheduler.runUntil(toMs, eventsMax);
      // The slice is done when nothing is left at or before its boundary, and the caller let the run
      // reach it: a clock moved past untilMs would put a fault struck by hand at untilMs in the past.
      sliceDone = world.scheduler.peekTime() > boundaryMs && untilMs >= boundaryMs;
      // As World.run does at the end of a slice: the clock moves on to the boundary.
      if (sliceDone && world.now < boundaryMs) world.scheduler.runUntil(boundaryMs);
    } catch (e) {
      if (!isInvariantViolation(e)) throw e;
      this.violation = { error: e, atMs: world.now };
      sliceDone = true;
    }
    if (sliceDone) {
      this.opts.progress?.(world.now, this.endMs);
      this.overBudget = world.events > this.variant.eventsMax;
      this.stepIndex++;
    }
    return world.events - before;
  }

  /**
   * The checks a run can fail for good before it ends (CheckEntry.failsForGood), judged on what has
   * happened so far, each with its label; the others are left out. `skip` names labels not to judge
   * again (one failed for good stays failed). Judging reads the run and never steers it.
   */
  checksSoFar(skip: ReadonlySet<string> = new Set()): CheckReport[] {
    const v = this.variant;
    const candidates = v.checks.filter((c) => !skip.has(checkLabel(c as CheckLabelled)) && checks[c.name].failsForGood !== undefined);
    if (candidates.length === 0) return [];
    const facts = this.factsNow();
    return candidates.filter((c) => checks[c.name].failsForGood!(c, this.metrics)).map((c) => {
      const out = checks[c.name].run(facts, c);
      const name = checkLabel(c as CheckLabelled);
      if (out.error === true) return { name, ok: false, error: true, detail: out.detail };
      return out.unknown ? { name, ok: false, unknown: true, detail: out.detail } : { name, ok: out.ok, detail: out.detail };
    });
  }

  /**
   * What the checks read of the run now: the flat metrics, what each server says of itself, the
   * history. The first two are taken when first read, so a judgement of the history alone (the live
   * checks of a run under way) does not pay for them.
   */
  private factsNow(): RunFacts {
    const { world, variant: v, metrics, history, servers, opts } = this;
    let flat: Record<string, number> | undefined;
    let described: RunFacts['described'];
    return {
      variant: v,
      servers: [...servers],
      history,
      metrics,
      peers: opts.peers,
      get flat() {
        if (flat !== undefined) return flat;
        flat = metrics.flatten();
        const invoked = metrics.counter('ops_invoked');
        if (invoked > 0) {
          flat.messages_per_op = round(metrics.counter('net_sent') / invoked);
          // Jepsen's availability: the fraction of operations that certainly succeeded.
          flat.availability = round(metrics.counter('ops_ok') / invoked);
        }
        return flat;
      },
      get described() {
        described ??= new Map(servers.map((id) => [id, world.status(id) === 'down' ? undefined : world.process(id)?.describe?.()]));
        return described;
      },
    };
  }

  /** Abandon what clients still wait for, judge the run and report. Called once the run has ended. */
  finish(): RunResult {
    if (this.finished !== undefined) return this.finished;
    if (!this.ended) throw new Error('VariantRun.finish: the run has not ended; advance it first');
    const { world, variant: v, metrics, history, seed, clients, opts } = this;
    for (const c of clients) (world.process(c) as WorkloadClient | undefined)?.abandon();

    const facts = this.factsNow();
    const flat = facts.flat;
    const results: CheckReport[] = v.checks.map((c) => {
      const entry = checks[c.name];
      const out = entry.run(facts, c);
      if (out.metrics !== undefined) for (const [k, x] of Object.entries(out.metrics)) flat[k] = x;
      const name = checkLabel(c as CheckLabelled);
      if (out.error === true) return { name, ok: false, error: true, detail: out.detail };
      const verdict: CheckReport = out.unknown ? { name, ok: false, unknown: true, detail: out.detail } : { name, ok: out.ok, detail: out.detail };
      const metric = entry.verdictMetric(c);
      if (metric !== undefined && flat[metric] !== undefined) verdict.metric = metric;
      return verdict;
    });
    const violation = this.violation;
    if (violation !== undefined) {
      results.push({ name: 'invariants', ok: false, detail: `${violation.error.message}, at ${round(violation.atMs)} ms of seed ${seed}; the run stopped there` });
    }
    if (this.overBudget) {
      // A run that exceeds its budget is a finding (a message storm, a livelock), not a hang.
      results.push({ name: 'event-budget', ok: false, error: true, detail: `stopped at ${round(world.now)} ms of ${this.endMs} after ${world.events} events (eventsMax ${v.eventsMax}): a storm or livelock` });
    }
    const { met, why } = judge(v, results);

    const report: VariantReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      scenario: opts.scenario ?? '',
      variant: v.name,
      seed,
      expect: v.expect.kind === 'pass' ? 'pass' : 'fail',
      met,
      virtualMs: round(world.now),
      events: world.events,
      traceHash: world.trace.hash(),
      checks: results,
      metrics: flat,
    };
    if (v.expect.kind !== 'pass') report.expectFail = v.expect.checks;
    if (v.expect.kind === 'search') report.search = { caught: v.expect.caught, seeds: v.expect.seeds };
    if (why !== undefined) report.why = why;
    if (v.overrides !== undefined) report.overrides = v.overrides;
    if (v.metrics.sampleEveryMs !== undefined || v.metrics.chart !== undefined) {
      report.series = Object.fromEntries([...metrics.series].map(([k, pts]) => [k, pts.map((p) => [p.t, p.v] as [number, number])]));
    }
    this.finished = { report, history, metrics, capture: this.capture?.result(scheduledEvents(v)) };
    return this.finished;
  }
}

/**
 * Whether a run showed what its variant promised. pass: every check held. fail: each check the
 * story names failed for sure (an undecided check proves nothing), and nothing else went wrong.
 * search: one of the named checks caught the failure on this seed. A check that could not be
 * applied at all (a metric nobody reported) or a blown event budget fails every expectation.
 */
export function judge(v: ResolvedVariant, results: readonly CheckReport[]): { met: boolean; why?: string } {
  const broken = results.filter((r) => r.error === true);
  if (broken.length > 0) return { met: false, why: `${broken.map((r) => r.name).join(', ')} could not be judged: ${broken[0].detail}` };
  const e = v.expect;
  if (e.kind === 'pass') {
    const failed = results.filter((r) => !r.ok);
    return failed.length === 0 ? { met: true } : { met: false, why: `${failed.map((r) => r.name).join(', ')} did not hold` };
  }
  const failedForSure = (label: string) => results.some((r) => r.name === label && !r.ok && r.unknown !== true);
  if (e.kind === 'fail') {
    const held = e.checks.filter((l) => !failedForSure(l));
    return held.length === 0 ? { met: true } : { met: false, why: `expected ${held.join(', ')} to fail; ${held.length === 1 ? 'it' : 'they'} did not` };
  }
  if (e.checks.some(failedForSure)) return { met: true };
  return { met: false, why: `a search: not caught on this seed (${e.checks.join(', ')} held); it catches the failure on ${e.caught} of seeds ${e.seeds[0]}..${e.seeds[1]}` };
}

/**
 * Run the variants `names` of a scenario on one seed, with the variants they compare with run
 * first (on the same seed) so that every comparison sees its peer. Returns every run, named ones and
 * peers alike, in the order they ran. `optsFor` gives each run its options (sinks, progress).
 */
export function runVariants(s: Scenario, names: readonly string[], optsFor: (v: ResolvedVariant) => RunOptions = () => ({})): Map<string, RunResult> {
  const done = new Map<string, RunResult>();
  const peers = new Map<string, Record<string, number>>();
  for (const v of withPeers(s, names)) {
    const r = runVariant(v, { scenario: s.name, ...optsFor(v), peers });
    done.set(v.name, r);
    peers.set(v.name, r.report.metrics);
  }
  return done;
}
