/**
 * netflix-play.yaml: the seeds' 200 ms play path. While all is well the sequential path fits its
 * budget, each pillar within the seeds' share; when the personalisation service turns slow, the plays
 * that wait for it blow the budget, in sequence or in parallel, and only the commands with timeouts,
 * fallbacks and a breaker, with the artwork precomputed, keep every play within 200 ms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runner } from '../../testing/story-runner.js';
import { netflixPlayConfigSchema } from './config.js';

test('netflix-play.yaml: a slow dependency blows the sequential, unguarded play path; parallel commands with fallbacks keep every play within 200 ms', () => {
  const run = runner('netflix-play.yaml');
  const naive = run('naive');
  const parallel = run('parallel-unguarded');
  const fixed = run('fixed');
  assert.equal(naive.expect, 'fail');
  assert.equal(parallel.expect, 'fail');
  for (const r of [naive, parallel, fixed]) {
    assert.equal(r.met, true, r.variant);
    const m = r.metrics;
    // The same minute of plays, about 100 a second after the first second.
    assert.ok(m.plays > 5_600 && m.plays < 6_100, `${r.variant}: ${m.plays} plays`);
    // Truth: billing cancels subscriptions as plays go on; a play checked after a cancellation is refused.
    assert.ok(m.cancellations > 80, `${r.variant}: ${m.cancellations} cancellations`);
    assert.ok(m.plays_refused > 0, `${r.variant}: no play refused`);
    assert.equal(m.licences_after_cancellation, 0, r.variant);
    assert.equal(m.plays_failed, 0, r.variant);
    // Work: the gateway, the API's own handling and the hops: the seeds' 5 ms, at p99.
    assert.ok(m.work_ms_p99 <= 5, `${r.variant}: work p99 ${m.work_ms_p99}`);
    // Truth costs the same in every variant (a linearizable read, then the licence): within the seeds' 30 ms at p99.
    assert.ok(m.truth_ms_mean > 15 && m.truth_ms_p99 <= 30, `${r.variant}: truth mean ${m.truth_ms_mean}, p99 ${m.truth_ms_p99}`);
    // Steering: the ISP's appliance until it is nearly full, then the exchange's.
    assert.ok(m.steered_isp > 10 * m.steered_ixp && m.steered_ixp > 0, `${r.variant}: isp ${m.steered_isp}, ixp ${m.steered_ixp}`);
  }
  const n = naive.metrics;
  const p = parallel.metrics;
  const f = fixed.metrics;

  // naive: the seeds' order, one pillar after the other. Calm, it fits: state's QUORUM read waits for
  // us-west (the seeds' 50 ms), and the play's median is ~165 ms of the 200.
  assert.ok(n.state_ms_mean > 40 && n.state_ms_p99 <= 55, `naive state mean ${n.state_ms_mean}, p99 ${n.state_ms_p99}`);
  assert.ok(n.calm_plays_within_budget_pct >= 99, `naive calm ${n.calm_plays_within_budget_pct}%`);
  assert.ok(n.play_ms_p50 > 140 && n.play_ms_p50 < 200, `naive p50 ${n.play_ms_p50}`);
  // During the slowdown nearly every play waits for the artwork: the budget is blown, p99 near 2 s.
  assert.ok(n.incident_plays_within_budget_pct < 5, `naive incident ${n.incident_plays_within_budget_pct}%`);
  assert.ok(n.incident_play_ms_p99 > 1_500, `naive incident p99 ${n.incident_play_ms_p99}`);
  assert.ok(n.plays_within_budget_pct < 75, `naive ${n.plays_within_budget_pct}%`);
  assert.equal(n.artwork_personalised_pct, 100);

  // parallel-unguarded: the play waits for the slowest call instead of the sum, and the local replica
  // answers the history: calm plays take little more than the artwork's computation ...
  assert.ok(p.state_ms_p99 < 5, `parallel state p99 ${p.state_ms_p99}`);
  assert.ok(p.calm_plays_within_budget_pct === 100, `parallel calm ${p.calm_plays_within_budget_pct}%`);
  assert.ok(p.play_ms_p50 < 0.65 * n.play_ms_p50, `parallel p50 ${p.play_ms_p50} vs naive ${n.play_ms_p50}`);
  // ... but the slowest call is still the slow one: parallelism alone does not bound the play.
  assert.ok(p.incident_plays_within_budget_pct < 15, `parallel incident ${p.incident_plays_within_budget_pct}%`);
  assert.ok(p.plays_within_budget_pct < 75, `parallel ${p.plays_within_budget_pct}%`);

  // fixed: every play within the budget, the slowdown included.
  assert.equal(f.plays_within_budget_pct, 100);
  assert.equal(f.incident_plays_within_budget_pct, 100);
  assert.ok(f.play_ms_p99 < 150 && f.incident_play_ms_p99 < 150, `fixed p99 ${f.play_ms_p99}, incident ${f.incident_play_ms_p99}`);
  assert.ok(f.play_ms_p50 < 40, `fixed p50 ${f.play_ms_p50}`);
  // Intelligence off the path: ~95% of plays read the batch's artwork from the cache.
  assert.ok(f.artwork_cache_hits > 0.9 * f.plays, `fixed cache hits ${f.artwork_cache_hits} of ${f.plays}`);
  assert.ok(f.intelligence_ms_mean < 15, `fixed intelligence mean ${f.intelligence_ms_mean}`);
  // Control: the misses that reached the slow service timed out, the breaker opened and the rest
  // failed fast; those plays started with the default artwork, the price of staying within budget.
  assert.ok(f.artwork_timeouts > 0 && f.artwork_breaker_opened >= 1 && f.artwork_short_circuited > 0, `timeouts ${f.artwork_timeouts}, opened ${f.artwork_breaker_opened}, short-circuited ${f.artwork_short_circuited}`);
  assert.ok(f.artwork_short_circuited > f.artwork_timeouts, 'the breaker spared most misses the wait');
  // Every fallback shows in a started play's artwork, but for plays the licence then refused.
  assert.ok(f.plays_default_artwork <= f.artwork_fallbacks && f.plays_default_artwork >= f.artwork_fallbacks - f.plays_refused, `default artwork ${f.plays_default_artwork}, fallbacks ${f.artwork_fallbacks}`);
  assert.ok(f.artwork_personalised_pct > 97 && f.artwork_personalised_pct < 100, `fixed personalised ${f.artwork_personalised_pct}%`);
  assert.equal(f.licence_timeouts, 0);
});

test('netflix-play config: the licence has no fallback, and each part of the path needs its own node', () => {
  const base = {
    profiles: 10,
    gateway: { node: 'zuul' },
    apiServers: ['api1'],
    calls: 'parallel',
    viewingHistory: { replicas: ['vh1'], read: 'ONE' },
    entitlements: { licenceServer: 'licence', store: ['acct'] },
    personalisation: { node: 'recs' },
    artwork: 'precomputed',
    artworkCache: { node: 'cache' },
    steering: { node: 'steering', appliances: [{ node: 'oca', site: 'isp', capacityStreams: 10 }] },
  };
  const ok = netflixPlayConfigSchema.safeParse(base);
  assert.equal(ok.success, true);
  // The seeds' split is the default budget.
  assert.deepEqual(ok.data?.pillarBudgetsMs, { work: 5, state: 50, truth: 30, intelligence: 115 });
  assert.equal(ok.data?.budgetMs, 200);

  const failOpen = netflixPlayConfigSchema.safeParse({ ...base, guards: { licence: { timeoutMs: 100, fallback: true } } });
  assert.equal(failOpen.success, false);
  assert.deepEqual(failOpen.error?.issues[0].path, ['guards', 'licence', 'fallback']);

  const shared = netflixPlayConfigSchema.safeParse({ ...base, artworkCache: { node: 'recs' } });
  assert.equal(shared.success, false);
  assert.match(shared.error?.issues[0].message ?? '', /node recs has two parts/);
});
