/**
 * A playback API server: for each play the gateway hands it, it gathers what the player needs to
 * start, one dependency per pillar:
 *
 *   state         the profile's viewing history (where to resume) from the replicated store
 *   truth         the licence, issued by the licence server after it checked the entitlement on the
 *                 source of truth
 *   intelligence  the profile's personalised artwork (computed per play, or precomputed and cached)
 *                 and the Open Connect appliance the steering service picks
 *
 * sequential calls them one after the other, as the seeds draw the path (state, then truth, then
 * intelligence): the play waits for the sum. parallel calls them at once: they do not depend on each
 * other, so the play waits for the slowest. Each call goes through a DependencyCommand; a failed call
 * with a fallback degrades the play (start from the beginning, default artwork, the default
 * appliance), one without fails it. The licence never falls back.
 *
 * The time of each pillar's hops is observed as <pillar>_ms (state_ms, truth_ms, intelligence_ms);
 * the reply tells the gateway how long the dependencies took, so that it can tell its own share
 * (work_ms) from theirs without comparing two nodes' clocks.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import { Caller } from '../ecommerce/caller.js';
import { DependencyCommand, type CommandOutcome } from './dependency-command.js';
import { dependencies, pillarOf, socketTimeoutMs, type Dependency, type NetflixPlayConfig } from './config.js';
import type { ApplianceChoice } from './steering.js';
import { applianceMsg } from './open-connect.js';

/** What the gateway learns from a play that started. */
export interface PlayAnswer {
  /** From the first dependency call to the end of the last. */
  dependencyMs: number;
  artwork: 'personalised' | 'default';
  resumeFrom: 'bookmark' | 'start' | 'start (history unavailable)';
  site: ApplianceChoice['site'] | 'default';
}

/** The reply's error when the licence server refuses the play: an answer, not a failure. */
export const refusedPrefix = 'refused: ';

interface Span {
  startMs: number;
  endMs: number;
}

interface Play {
  gateway: NodeId;
  req: ClientRequest;
  profile: string;
  spans: Partial<Record<Dependency, Span>>;
  answer: Partial<PlayAnswer>;
  /** The appliance the member will stream from, once steering (or its fallback) chose it. */
  appliance?: NodeId;
  outstanding: number;
  over: boolean;
}

export class PlaybackApi implements Process {
  private readonly caller: Caller;
  private readonly commands: Record<Dependency, DependencyCommand>;
  /** The dependencies in the order a sequential play calls them (the seeds' order of the pillars). */
  private readonly order: readonly Dependency[] = dependencies;

  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {
    this.caller = new Caller(ctx);
    const command = (d: Dependency) => new DependencyCommand(ctx, this.caller, d, c.guards[d]);
    this.commands = { history: command('history'), licence: command('licence'), artwork: command('artwork'), steering: command('steering') };
  }

  start(): void {
    const m = this.ctx.metrics;
    for (const d of dependencies) for (const k of ['timeouts', 'errors', 'short_circuited', 'fallbacks', 'breaker_opened']) m.count(`${d}_${k}`, 0);
    for (const k of ['artwork_cache_hits', 'artwork_cache_misses', 'licences_refused']) m.count(k, 0);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientReply(msg)) return void this.caller.onReply(msg);
    if (!isClientRequest(msg)) return;
    const play: Play = { gateway: from, req: msg, profile: msg.op.key ?? 'k0', spans: {}, answer: {}, outstanding: 0, over: false };
    // The handler's own work (decoding, the member's context) before any dependency is called.
    this.ctx.setTimer(sample(this.c.handlerMs, () => this.ctx.random()), () => this.begin(play));
  }

  private begin(play: Play): void {
    if (this.c.calls === 'parallel') {
      play.outstanding = this.order.length;
      for (const d of this.order) {
        this.step(play, d, () => {
          if (--play.outstanding === 0) this.finish(play);
        });
      }
      return;
    }
    const next = (i: number): void => {
      if (i === this.order.length) return this.finish(play);
      this.step(play, this.order[i], () => next(i + 1));
    };
    next(0);
  }

  /** Call dependency d for the play; `done` runs when the play may go on without waiting for it. */
  private step(play: Play, d: Dependency, done: () => void): void {
    const startMs = this.ctx.now();
    const finished = (ok: boolean, outcome?: CommandOutcome) => {
      if (play.over) return;
      play.spans[d] = { startMs, endMs: this.ctx.now() };
      if (ok) return done();
      if (this.commands[d].fallback) {
        this.ctx.metrics.count(`${d}_fallbacks`);
        this.fallBack(play, d);
        return done();
      }
      this.end(play, 'fail', undefined, `${d} failed: ${outcome?.ok === false ? outcome.error : 'no answer'}`);
    };
    switch (d) {
      case 'history':
        return this.commands.history.run(this.c.viewingHistory.replicas[0], { f: 'read', key: `history:${play.profile}`, consistency: this.c.viewingHistory.read }, (o) => {
          if (o.ok) play.answer.resumeFrom = o.value === null || o.value === undefined ? 'start' : 'bookmark';
          finished(o.ok, o);
        });
      case 'licence':
        return this.commands.licence.run(this.c.entitlements.licenceServer, { f: 'read', key: play.profile }, (o) => {
          if (o.ok && (o.value as { licence?: boolean } | undefined)?.licence === false) {
            this.ctx.metrics.count('licences_refused');
            return this.end(play, 'fail', undefined, `${refusedPrefix}${(o.value as { reason?: string }).reason ?? 'not entitled'}`);
          }
          finished(o.ok, o);
        });
      case 'artwork':
        return this.artwork(play, finished);
      case 'steering':
        return this.commands.steering.run(this.c.steering.node, { f: 'read', key: play.profile }, (o) => {
          if (o.ok) {
            const choice = o.value as ApplianceChoice;
            play.answer.site = choice.site;
            play.appliance = choice.node;
          }
          finished(o.ok, o);
        });
    }
  }

  /**
   * Computed: the personalisation service chooses the artwork now, on the play's path. Precomputed:
   * the offline batch's choice is read from the cache, and only a miss (a profile newer than the
   * batch) asks the service, whose answer then fills the cache for the next play (cache-aside).
   */
  private artwork(play: Play, finished: (ok: boolean, o?: CommandOutcome) => void): void {
    const compute = () =>
      this.commands.artwork.run(this.c.personalisation.node, { f: 'read', key: play.profile }, (o) => {
        if (o.ok) {
          play.answer.artwork = 'personalised';
          if (this.c.artwork === 'precomputed') this.caller.call(this.c.artworkCache.node, { f: 'write', key: play.profile, value: o.value }, socketTimeoutMs, () => {});
        }
        finished(o.ok, o);
      });
    if (this.c.artwork === 'computed') return compute();
    const m = this.ctx.metrics;
    this.caller.call(this.c.artworkCache.node, { f: 'read', key: play.profile }, this.c.guards.artwork?.timeoutMs ?? socketTimeoutMs, (r) => {
      if (r.status === 'ok' && r.value !== null && r.value !== undefined) {
        m.count('artwork_cache_hits');
        play.answer.artwork = 'personalised';
        return finished(true);
      }
      m.count('artwork_cache_misses');
      compute();
    });
  }

  private fallBack(play: Play, d: Dependency): void {
    if (d === 'history') play.answer.resumeFrom = 'start (history unavailable)';
    else if (d === 'artwork') play.answer.artwork = 'default';
    else if (d === 'steering') {
      // The last appliance in the list (the exchange's) always has the catalogue: stream from it.
      play.answer.site = 'default';
      play.appliance = this.c.steering.appliances[this.c.steering.appliances.length - 1].node;
    }
  }

  private finish(play: Play): void {
    if (play.over) return;
    const spans = Object.values(play.spans) as Span[];
    const first = Math.min(...spans.map((s) => s.startMs));
    const last = Math.max(...spans.map((s) => s.endMs));
    const m = this.ctx.metrics;
    const pillars: Partial<Record<string, Span>> = {};
    for (const d of dependencies) {
      const s = play.spans[d]!;
      const p = pillars[pillarOf[d]];
      pillars[pillarOf[d]] = p === undefined ? { ...s } : { startMs: Math.min(p.startMs, s.startMs), endMs: Math.max(p.endMs, s.endMs) };
    }
    for (const [pillar, s] of Object.entries(pillars)) m.observe(`${pillar}_ms`, s!.endMs - s!.startMs);
    const answer: PlayAnswer = { dependencyMs: last - first, artwork: play.answer.artwork ?? 'default', resumeFrom: play.answer.resumeFrom ?? 'start', site: play.answer.site ?? 'default' };
    // The play started: record it in the viewing history (the local replica acknowledges; the store
    // replicates it to the other regions off the play's path).
    this.caller.call(this.c.viewingHistory.replicas[0], { f: 'write', key: `history:${play.profile}`, value: { atMs: Math.round(this.ctx.now()) }, consistency: 'ONE' }, socketTimeoutMs, () => {});
    // The player starts streaming from the appliance steering chose.
    this.ctx.send(play.appliance!, applianceMsg.streamStart(sample(this.c.steering.streamMs, () => this.ctx.random())));
    this.end(play, 'ok', answer);
  }

  private end(play: Play, status: 'ok' | 'fail', answer?: PlayAnswer, error?: string): void {
    if (play.over) return;
    play.over = true;
    this.ctx.send(play.gateway, clientReply(play.req, status, answer, error));
  }
}
