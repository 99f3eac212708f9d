/**
 * The numbers the README's "The stories so far" quotes, each beside what the story measures on the
 * seed its file names (every story file sets `seed`), in the unit the README writes and within the
 * tolerance stated with it. The runs behind them are cachedRunner's: a story's variant runs once
 * however many of its numbers are checked. A quote read from a story's runs on its own seed is checked
 * by the test that sweeps the story (src/testing/story-seed-tests.ts), on the runs of its sweep; the
 * README test checks the rest (quotesOfNoStory).
 *
 * Not checked here, on purpose:
 * - claims over a range of seeds ("19-34/s on seeds 1..200", "100 of 100 seeds", medians over seeds
 *   such as mapreduce's 16.7 s): the stories' expectations are what hold on every seed, and npm test
 *   runs each story over seeds 1..10 only, 1..5 or 1..3 for the heavier ones (src/testing/story-seeds.ts); the full ranges are measured
 *   by `pillars stories --seeds` and `pillars sweep`, which no test runs (minutes each);
 * - the heaviest runs (queueing, two-phase-commit, raft-chaos, lease-reads, membership, disk-faults,
 *   byzantine-liar, event-sourcing, black-friday's hpa, netflix-encoding's curve: 1-7 s each), not quoted
 *   here; stories.test.ts bounds their numbers instead;
 * - numbers the README writes as words ("charged twice").
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/load.js';
import { runVariants } from '../scenario/runner.js';
import { cachedRunner, scenarioFile } from './story-runner.js';
import { asRounded, withinAbs, withinRatio, type Quote, type Tolerance } from './readme-quotes.js';

/** A variant's metric, as its report has it (a metric it does not report is an error, not NaN). */
type Measure = (variant: string, metric: string) => number;

/** The USL's relative capacity C(N) = N / (1 + alpha (N - 1) + beta N (N - 1)). */
const uslCapacity = (n: number, alpha: number, beta: number) => n / (1 + alpha * (n - 1) + beta * n * (n - 1));

/** The quotes of one story's README row, measured lazily: listing them runs nothing. */
function story(file: string, quotes: (m: Measure) => [RegExp, () => number, Tolerance][], line = `| \`scenarios/${file}\``): Quote[] {
  const run = cachedRunner(file);
  const m: Measure = (variant, metric) => {
    const value = run(variant).metrics[metric];
    if (value === undefined) throw new Error(`${file} ${variant} reports no metric ${metric}`);
    return value;
  };
  return quotes(m).map(([at, measured, within]) => ({ line, at, measured, within, story: file }));
}

export const storyQuotes: Quote[] = [
  ...story('anti-entropy.yaml', (m) => [
    [/\*\*(\d+) of [\d,]+ keys\*\*/, () => m('naive', 'divergent_keys'), asRounded],
    [/\*\*\d+ of ([\d,]+) keys\*\*/, () => m('naive', 'keys_replicated'), asRounded],
    [/([\d,]+) keys repaired/, () => m('fixed', 'anti_entropy_repairs'), asRounded],
    [/repaired, \*\*(\d+)\*\* differ/, () => m('fixed', 'divergent_keys'), asRounded],
  ]),
  ...story('atm-race.yaml', (m) => [
    [/balance \*\*(-\$[\d,]+)\*\*/, () => m('naive', 'final_balance'), asRounded],
    [/balance \*\*\$([\d,]+)\*\*/, () => m('fixed', 'final_balance'), asRounded],
  ]),
  ...story('bad-deploy.yaml', (m) => [
    [/no check\): \*\*([\d,]+)\*\* failed/, () => m('naive', 'ops_fail'), asRounded],
    [/`rolling` \(two at a time\) \*\*([\d,]+)\*\*/, () => m('rolling', 'ops_fail'), asRounded],
    [/`fixed` \(canary: one server first\) \*\*([\d,]+)\*\*/, () => m('fixed', 'ops_fail'), asRounded],
    [/flip back\) \*\*([\d,]+)\*\*/, () => m('blue-green', 'ops_fail'), asRounded],
  ]),
  ...story('black-friday.yaml', (m) => [
    [/\*\*(\d+) s \/ \d+ s late\*\*/, () => -m('naive', 'capacity_lead_ms') / 1000, asRounded],
    [/late\*\*, (\d+) minutes over the SLO/, () => m('naive', 'spike_slo_violation_minutes'), asRounded],
    [/(\d+) nodes ready \*\*/, () => m('fixed', 'spike_ready_at_start'), asRounded],
    [/ready \*\*(\d+) s before\*\*/, () => m('fixed', 'capacity_lead_ms') / 1000, asRounded],
    [/\*\*(\d+)\*\* minutes over the SLO/, () => m('fixed', 'spike_slo_violation_minutes'), asRounded],
    [/node-hours \(([\d.]+)\)/, () => m('fixed', 'node_hours'), asRounded],
    [/node-hours \(([\d.]+)\)/, () => m('naive', 'node_hours'), withinAbs(0.5)],
    [/forecast's error \(([\d.]+)%\)/, () => m('fixed', 'forecast_error_pct'), asRounded],
  ]),
  ...story('batching.yaml', (m) => [
    [/\*\*([\d,]+) round trips\*\*, the last/, () => m('naive', 'round_trips'), asRounded],
    [/done after \*\*([\d.]+) s\*\*/, () => m('naive', 'latency_ms_max') / 1000, asRounded],
    [/\*\*(\d+) round trips\*\* \(/, () => m('fixed', 'round_trips'), asRounded],
    [/\((\d+)x fewer\)/, () => m('naive', 'round_trips') / m('fixed', 'round_trips'), asRounded],
    [/all done within \*\*(\d+) ms\*\*/, () => m('fixed', 'latency_ms_max'), asRounded],
  ]),
  ...story('broadcast.yaml', (m) => [
    [/\(≈(\d+) values,/, () => m('naive', 'lost_values'), withinRatio(0.05)],
    [/≈([\d,]+) node-deliveries/, () => m('naive', 'lost_deliveries'), withinRatio(0.05)],
    [/at ≈([\d.]+) instead of/, () => m('fixed', 'messages_per_broadcast'), asRounded],
    [/instead of (\d+) messages per broadcast/, () => m('naive', 'messages_per_broadcast'), asRounded],
    [/worst-case delivery of ≈(\d+) s/, () => m('fixed', 'delivery_ms_max') / 1000, withinRatio(0.05)],
  ]),
  ...story('cascade.yaml', (m) => [
    [/fill \((\d+) of 20\)/, () => m('naive', 'threads_busy_max_n3'), asRounded],
    [/get \*\*(\d+)\/s\*\*/, () => m('naive', 'goodput_write_per_sec'), asRounded],
    [/\(([\d,]+) refused by the open breaker/, () => m('fixed', 'calls_failed_fast'), asRounded],
    [/breaker, (\d+) timeouts\)/, () => m('fixed', 'calls_timed_out'), asRounded],
    [/run at \*\*(\d+)\/s\*\*/, () => m('fixed', 'goodput_write_per_sec'), asRounded],
    [/offered, p99 (\d+) ms/, () => m('fixed', 'latency_ms_p99'), asRounded],
  ]),
  ...story('cells.yaml', (m) => [
    [/\*\*(\d+) of \d+\*\* other customers down/, () => m('naive', 'customers_down'), asRounded],
    [/\*\*\d+ of (\d+)\*\* other customers down/, () => m('naive', 'customers'), asRounded],
    [/\(four cells of two\): \*\*(\d+)\*\* down/, () => m('cells', 'customers_down'), asRounded],
    [/1\/C\(8,2\) = ([\d.]+)%/, () => m('fixed', 'expected_same_pct'), asRounded],
    [/disjoint 15\/28 = ([\d.]+)%/, () => m('fixed', 'expected_disjoint_pct'), asRounded],
    [/99\/28 = ([\d.]+) customers expected/, () => m('fixed', 'expected_customers_sharing_all_servers'), asRounded],
  ]),
  ...story('commit-wait.yaml', (m) => [
    [/\*\*([\d,]+) of [\d,]+\*\* pairs invert/, () => m('naive', 'inversions'), asRounded],
    [/\*\*[\d,]+ of ([\d,]+)\*\* pairs invert/, () => m('naive', 'pairs'), asRounded],
    [/epsilon 20 ms\): \*\*(\d+)\*\*/, () => m('fixed', 'inversions'), asRounded],
    [/at \*\*(\d+) ms\*\* more per transaction/, () => m('fixed', 'commit_wait_ms_mean'), asRounded],
    [/error\): (\d+)% invert again/, () => 100 * m('epsilon-too-small', 'inversion_rate'), asRounded],
    [/\(epsilon 2 ms\): (\d+), at/, () => m('atomic-clocks', 'inversions'), asRounded],
    [/\(epsilon 2 ms\): \d+, at (\d+) ms/, () => m('atomic-clocks', 'commit_wait_ms_mean'), asRounded],
  ]),
  ...story('consistency-spectrum.yaml', (m) => [
    [/`naive` \(ONE\): p50 (\d+) ms/, () => m('naive', 'latency_ms_p50'), asRounded],
    [/`naive` \(ONE\): p50 \d+ ms, availability ([\d.]+)%/, () => 100 * m('naive', 'availability'), asRounded],
    [/\*\*(\d+) stale reads\*\*\. `fixed`/, () => m('naive', 'stale_reads'), asRounded],
    [/`fixed` \(QUORUM\): p50 (\d+) ms/, () => m('fixed', 'latency_ms_p50'), asRounded],
    [/`fixed` \(QUORUM\): p50 \d+ ms, availability ([\d.]+)%/, () => 100 * m('fixed', 'availability'), asRounded],
    [/the ([\d.]+)% lost are those sent to the cut-off node/, () => 100 * m('fixed', 'cut_cost'), asRounded],
    [/`all` \(ALL\): p50 (\d+) ms/, () => m('all', 'latency_ms_p50'), asRounded],
    [/availability \*\*([\d.]+)%\*\*, 0 stale/, () => 100 * m('all', 'availability'), asRounded],
    [/the primary cut off\): availability ([\d.]+)%/, () => 100 * m('async', 'availability'), asRounded],
    [/\*\*(\d+) stale reads\*\*\. `causal`/, () => m('async', 'stale_reads'), asRounded],
    [/p50 and p99 \*\*(\d+) ms\*\*/, () => m('causal', 'latency_ms_p50'), asRounded],
    [/p50 and p99 \*\*(\d+) ms\*\*/, () => m('causal', 'latency_ms_p99'), asRounded],
    [/availability \*\*(\d+)%\*\* \(the cut-off/, () => 100 * m('causal', 'availability'), asRounded],
  ]),
  ...story('control-hierarchy.yaml', (m) => [
    [/flat, \*\*(\d+)\*\* breaker trips/, () => m('naive', 'breaker_trips'), asRounded],
    [/trips, \*\*(\d+)\*\* scale-ins while refusing, availability/, () => m('naive', 'scale_downs_while_refusing'), asRounded],
    [/scale-ins while refusing, availability \*\*([\d.]+)%\*\*; the/, () => 100 * m('naive', 'availability'), asRounded],
    [/the hierarchy, \*\*(\d+)\*\* trips/, () => m('fixed', 'breaker_trips'), asRounded],
    [/trips, \*\*(\d+)\*\* scale-ins while refusing, (\d+) shed/, () => m('fixed', 'scale_downs_while_refusing'), asRounded],
    [/refusing, (\d+) shed at the door, availability/, () => m('fixed', 'shed_at_door'), asRounded],
    [/shed at the door, availability \*\*([\d.]+)%\*\*\. \|/, () => 100 * m('fixed', 'availability'), asRounded],
  ]),
  ...story('coordination.yaml', (m) => [
    [/\): (\d+), \d+, \*\*\d+\*\* and \*\*\d+\*\* tasks\/s/, () => m('naive', 'throughput_n1'), asRounded],
    [/\): \d+, (\d+), \*\*\d+\*\* and \*\*\d+\*\* tasks\/s/, () => m('naive', 'throughput_n8'), asRounded],
    [/\): \d+, \d+, \*\*(\d+)\*\* and \*\*\d+\*\* tasks\/s/, () => m('naive', 'throughput_n16'), asRounded],
    [/\): \d+, \d+, \*\*\d+\*\* and \*\*(\d+)\*\* tasks\/s/, () => m('naive', 'throughput_n32'), asRounded],
    [/to the curve: α ([\d.]+),/, () => m('naive', 'fitted_alpha'), asRounded],
    [/\*\*β ([\d.]+)\*\*/, () => m('naive', 'fitted_beta'), asRounded],
    [/\*\*, N\* ([\d.]+) \(the law/, () => m('naive', 'fitted_n_star'), asRounded],
    [/\(cells of 4\): \*\*([\d,]+)\*\* at 32/, () => m('fixed', 'throughput_n32'), asRounded],
    [/at 32, (\d+)% of linear/, () => (100 * m('fixed', 'throughput_n32')) / (32 * m('fixed', 'throughput_n1')), asRounded],
    [/of linear, ([\d.]+)x naive/, () => m('fixed', 'throughput_n32_vs_naive'), asRounded],
    // The law at beta = 0.1 ms / 20 ms, alpha 0: C(N) = N / (1 + beta N (N - 1)), times one worker's 50 tasks/s.
    [/\(the law: (\d+) and \d+\)/, () => m('naive', 'throughput_n1') * uslCapacity(16, 0, 0.005), asRounded],
    [/\(the law: \d+ and (\d+)\)/, () => m('naive', 'throughput_n1') * uslCapacity(32, 0, 0.005), asRounded],
    [/\(the law: 0, 0\.005, ([\d.]+)\)/, () => Math.sqrt(1 / 0.005), asRounded],
  ]),
  ...story(
    'coordination.yaml',
    (m) => [
      [/all-to-all workers lose ([\d.]+)% of their capacity at 32/, () => 100 * (1 - m('naive', 'throughput_n32') / (32 * m('naive', 'throughput_n1'))), asRounded],
      [/\(the formula at β 0\.005: ([\d.]+)%\)/, () => 100 * (1 - uslCapacity(32, 0, 0.005) / 32), asRounded],
    ],
    '**The coordination law.**',
  ),
  ...story('correlated-models.yaml', (m) => [
    [/`naive` errors correlate \*\*([\d.]+)\*\*/, () => m('naive', 'error_correlation'), asRounded],
    [/all five wrong on \*\*([\d.]+)%\*\*, \*\*/, () => m('naive', 'all_wrong_pct'), asRounded],
    [/\*\*([\d.]+)%\*\* of the fraud after the shift approved; `diverse-vote`/, () => m('naive', 'fraud_missed_after_pct'), asRounded],
    [/approved; `diverse-vote` \*\*([\d.]+)%\*\*/, () => m('diverse-vote', 'fraud_missed_after_pct'), asRounded],
    [/`diverse-vote` \*\*[\d.]+%\*\*; `fixed` \*\*([\d.]+)%\*\*/, () => m('fixed', 'fraud_missed_after_pct'), asRounded],
    [/\*\*([\d.]+)%\*\* reviewed\. \|/, () => m('fixed', 'review_pct'), asRounded],
  ]),
  ...story('deadlock.yaml', (m) => [
    [/after (\d+) jobs the three hold/, () => m('naive', 'jobs_done'), asRounded],
    [/goodput \*\*(\d+)\/s\*\*/, () => m('naive', 'goodput_per_sec'), asRounded],
    [/lock timeouts\): \*\*(\d+)\/s\*\*/, () => m('timeout', 'goodput_per_sec'), asRounded],
    [/as it closes\): \*\*(\d+)\/s\*\*/, () => m('fixed', 'goodput_per_sec'), asRounded],
    [/(\d+) deadlocks broken/, () => m('fixed', 'deadlocks_broken'), asRounded],
  ]),
  ...story('flash-crash.yaml', (m) => [
    [/\*\*−([\d.]+)% in [\d.]+ s\*\*/, () => m('naive', 'fall_pct'), asRounded],
    [/\*\*−[\d.]+% in ([\d.]+) s\*\*/, () => m('naive', 'fall_duration_ms') / 1000, asRounded],
    [/\(([\d,]+) → [\d,]+\)/, () => m('naive', 'price_low') + m('naive', 'fall_points'), asRounded],
    [/\([\d,]+ → ([\d,]+)\)/, () => m('naive', 'price_low'), asRounded],
    [/halts at −([\d.]+)%/, () => m('market-breaker', 'fall_pct'), asRounded],
    [/halts at −[\d.]+% after ([\d.]+) s/, () => m('market-breaker', 'time_to_halt_ms') / 1000, asRounded],
    [/who react \(r ([\d.]+)\)/, () => m('fixed', 'acted_correlation_at_halt'), asRounded],
    [/hold-out group \((−[\d.]+)\)/, () => m('fixed', 'holdout_correlation_at_halt'), asRounded],
    [/halted after \*\*([\d.]+) s\*\*/, () => m('fixed', 'time_to_halt_ms') / 1000, asRounded],
    [/fall \*\*([\d.]+)%\*\*/, () => m('fixed', 'fall_pct'), asRounded],
  ]),
  ...story('flp.yaml', (m) => [
    [/~(\d+) rounds each/, () => m('naive', 'flp_rounds') / 5, withinRatio(0.01)],
    [/all (\d+) decide, by round/, () => m('fixed', 'flp_decided_nodes'), asRounded],
    [/all (\d+) decide in/, () => m('failure-detector', 'flp_decided_nodes'), asRounded],
    [/decide in \*\*round (\d+)\*\*/, () => m('failure-detector', 'flp_decision_round_max'), asRounded],
  ]),
  ...story('gray-failure.yaml', (m) => [
    [/full share, p99 \*\*(\d+) ms\*\*/, () => m('naive', 'latency_ms_p99'), asRounded],
    [/full share, p99 \*\*(\d+) ms\*\*/, () => m('phi', 'latency_ms_p99'), asRounded],
    [/p99 \*\*(\d+) ms\*\* against/, () => m('fixed', 'latency_ms_p99'), asRounded],
    [/against (\d+) ms for the `healthy`/, () => m('healthy', 'latency_ms_p99'), asRounded],
  ]),
  ...story('head-of-line.yaml', (m) => [
    [/\*\*([\d,]+)\*\* time out/, () => m('naive', 'ops_info'), asRounded],
    [/work stealing\): \*\*(\d+)\*\* lost/, () => m('fixed', 'ops_info') + m('fixed', 'ops_fail'), asRounded],
    [/work stealing\): \*\*(\d+)\*\* lost/, () => m('shared', 'ops_info') + m('shared', 'ops_fail'), asRounded],
    [/lost, p99 ≈(\d+) ms/, () => m('fixed', 'latency_ms_p99'), withinRatio(0.1)],
    [/lost, p99 ≈(\d+) ms/, () => m('shared', 'latency_ms_p99'), withinRatio(0.1)],
    [/busy, wait p99 \*\*([\d.]+) ms\*\* with the 2x rule/, () => m('busy-steal-2x', 'wait_ms_p99'), asRounded],
    [/against \*\*([\d.]+) ms\*\* stealing when empty \(/, () => m('busy-steal-when-empty', 'wait_ms_p99'), asRounded],
    [/stealing when empty \(\*\*([\d.]+)\*\* of it\)/, () => m('busy-steal-2x', 'wait_ms_p99_vs_busy-steal-when-empty'), asRounded],
  ]),
  ...story('herd-stampede.yaml', (m) => [
    [/error \*\*(\d+)%\*\*/, () => m('naive', 'error_after_pct'), asRounded],
    [/error \*\*(\d+)%\*\*/, () => m('alike-median', 'error_after_pct'), asRounded],
    [/(\d+) of 5 members wrong/, () => m('naive', 'members_failing_after'), asRounded],
    [/`diverse-mean`: ([\d.]+)%/, () => m('diverse-mean', 'error_after_pct'), asRounded],
    [/by median\): \*\*([\d.]+)%\*\*/, () => m('fixed', 'error_after_pct'), asRounded],
    [/for ([\d.]+)% instead of/, () => m('fixed', 'error_before_pct'), asRounded],
    [/instead of ([\d.]+)% in normal times/, () => m('naive', 'error_before_pct'), asRounded],
  ]),
  ...story('hierarchical-shards.yaml', (m) => [
    [/of ≈([\d,]+)\*\* requests cross regions/, () => m('naive', 'ops_invoked'), withinRatio(0.01)],
    [/busiest shard \d+\/s\): \*\*(\d+)\*\* cross-region/, () => m('fixed', 'cross_region_requests'), asRounded],
    [/\*\*(\d+)\*\* shards serving both tiers/, () => m('fixed', 'shards_mixing_tiers'), asRounded],
  ]),
  ...story('hinted-handoff.yaml', (m) => [
    [/writes during the split \*\*([\d.]+)\/s\*\*/, () => m('naive', 'goodput_write_per_sec'), asRounded],
    [/sloppy quorum: (\d+) hinted writes/, () => m('fixed', 'hinted_writes'), asRounded],
    [/every 500 ms\): \*\*([\d.]+)\/s\*\*/, () => m('fixed', 'goodput_write_per_sec'), asRounded],
    [/acknowledged write \((\d+) stale\)/, () => m('fixed', 'stale_reads'), asRounded],
    [/with anti-entropy, (\d+) keys differ/, () => m('fixed', 'divergent_keys'), asRounded],
  ]),
  ...story('hot-shard.yaml', (m) => [
    [/takes ≈(\d+)% of/, () => (100 * m('naive', 'requests_to_n2')) / m('naive', 'ops_invoked'), asRounded],
    [/of ([\d,]+) requests\/s\./, () => m('naive', 'ops_invoked') / 30, withinRatio(0.01)],
    [/saturates, goodput \*\*([\d,]+)\/s\*\*/, () => m('naive', 'goodput_per_sec'), asRounded],
    [/least busy shard\): (\d+) splits/, () => m('fixed', 'range_splits'), asRounded],
    [/from 20 s \*\*(\d+)%\*\*/, () => 100 * m('fixed', 'served_fraction'), asRounded],
    [/\*\* \(([\d,]+)\/s; `naive`/, () => m('fixed', 'goodput_per_sec'), asRounded],
    [/`naive` (\d+)%\)/, () => 100 * m('naive', 'served_fraction'), asRounded],
  ]),
  ...story('kill-switch.yaml', (m) => [
    [/last work at \*\*([\d.]+) s\*\*/, () => m('naive', 'last_work_ms') / 1000, asRounded],
    [/stops by \*\*([\d.]+) s\*\*/, () => m('fixed', 'last_work_ms') / 1000, asRounded],
    [/stopped at ([\d.]+) s, before/, () => m('fail-closed', 'last_work_ms') / 1000, asRounded],
  ]),
  ...story('knight-capital.yaml', (m) => [
    [/\*\*\$([\d.]+) M\*\* lost/, () => m('naive', 'loss_usd') / 1e6, asRounded],
    [/\*\*\$([\d.]+) M a minute\*\*/, () => m('naive', 'loss_per_minute_usd') / 1e6, asRounded],
    [/stopped in \*\*(\d+) ms\*\*/, () => m('rate-kill-switch', 'time_to_stop_ms'), asRounded],
    [/ms\*\*, \$([\d,]+)\./, () => m('rate-kill-switch', 'loss_usd'), asRounded],
    [/a minute\): \*\*([\d.]+) s\*\*/, () => m('budget-kill-switch', 'time_to_stop_ms') / 1000, asRounded],
    [/s\*\*, \$([\d,]+)\. `fixed`/, () => m('budget-kill-switch', 'loss_usd'), asRounded],
    [/both switches\): \*\*\$(\d+)\*\*/, () => m('fixed', 'loss_usd'), asRounded],
  ]),
  ...story('lease-pause.yaml', (m) => [
    [/; (\d+) on seed 1\)/, () => m('naive', 'lost_acked_increments'), asRounded],
  ]),
  ...story('load-balancers.yaml', (m) => {
    // Random routing splits the Poisson arrivals into ten M/G/1 queues: Wq = lambda E[S^2] / (2 (1 - rho)),
    // plus the mean service and 1.4 ms of network (client 0.5 ms and link 0.2 ms, each way).
    const mu = Math.log(5);
    const sigma = 1.2;
    const es = Math.exp(mu + sigma ** 2 / 2);
    const lambda = 776 / 10 / 1000;
    const pollaczekKhinchine = (lambda * Math.exp(2 * mu + 2 * sigma ** 2)) / (2 * (1 - lambda * es)) + es + 1.4;
    return [
      [/\(mean ([\d.]+) ms, sigma/, () => m('naive', 'service_ms_mean'), withinAbs(0.1)],
      [/`naive` \(random\) \*\*(\d+) ms\*\*/, () => m('naive', 'latency_ms_p99'), asRounded],
      [/`round-robin` \*\*(\d+)\*\*/, () => m('round-robin', 'latency_ms_p99'), asRounded],
      [/`least-outstanding` \*\*(\d+)\*\*/, () => m('least-outstanding', 'latency_ms_p99'), asRounded],
      [/\(power of two choices\) \*\*(\d+)\*\*/, () => m('fixed', 'latency_ms_p99'), asRounded],
      [/`peak-ewma` \*\*(\d+)\*\*/, () => m('peak-ewma', 'latency_ms_p99'), asRounded],
      [/Random's mean, ([\d.]+) ms/, () => m('naive', 'latency_ms_mean'), asRounded],
      [/M\/G\/1 value \(([\d.]+) ms/, () => pollaczekKhinchine, asRounded],
      [/M\/G\/1 value \([^)]*\) within (\d+)%/, () => Math.ceil((100 * Math.abs(m('naive', 'latency_ms_mean') - pollaczekKhinchine)) / pollaczekKhinchine), withinAbs(0)],
    ];
  }),
  ...story('mapreduce.yaml', (m) => [
    [/it: healthy \*\*([\d.]+) s\*\*/, () => m('healthy', 'job_ms') / 1000, asRounded],
    [/it: healthy \*\*[\d.]+ s\*\*, `naive` \*\*([\d.]+) s\*\*/, () => m('naive', 'job_ms') / 1000, asRounded],
    [/, `fixed` \*\*([\d.]+) s\*\* \(naive/, () => m('fixed', 'job_ms') / 1000, asRounded],
    [/\(naive \*\*([\d.]+)x\*\* fixed\)/, () => m('naive', 'job_ms_vs_fixed'), asRounded],
    [/`crash` \*\*([\d.]+)x\*\* healthy with/, () => m('crash', 'job_ms_vs_healthy'), asRounded],
    [/healthy with \*\*(\d+)\*\* map tasks run again/, () => m('crash', 'maps_reexecuted'), asRounded],
  ]),
  ...story('metastable.yaml', (m) => [
    [/goodput \*\*(\d+)\/s\*\*/, () => m('naive', 'goodput_per_sec'), asRounded],
    [/back at \*\*(\d+)\/s\*\*/, () => m('fixed', 'goodput_per_sec'), asRounded],
  ]),
  ...story('model-drift.yaml', (m) => [
    [/error \*\*([\d.]+)% → [\d.]+%\*\*/, () => m('naive', 'error_before_pct'), asRounded],
    [/error \*\*[\d.]+% → ([\d.]+)%\*\*/, () => m('naive', 'error_after_pct'), asRounded],
    [/([\d,]+) bad decisions\. `drift-alert`/, () => m('naive', 'bad_decisions'), asRounded],
    [/PSI ([\d.]+) flags/, () => m('drift-alert', 'psi_at_detect'), asRounded],
    [/flags the inputs after (\d+) requests/, () => m('drift-alert', 'drift_requests_to_detect'), asRounded],
    [/falls back after \*\*(\d+) requests\*\*/, () => m('breaker-only', 'requests_to_detect'), asRounded],
    [/requests\*\*, error ([\d.]+)%/, () => m('breaker-only', 'error_after_pct'), asRounded],
    [/error \*\*([\d.]+)%\*\* \(/, () => m('fixed', 'error_after_pct'), asRounded],
    [/\(([\d.]+)% after switching back\)/, () => m('fixed', 'error_after_restore_pct'), asRounded],
    [/back\), (\d+) bad decisions/, () => m('fixed', 'bad_decisions'), asRounded],
  ]),
  ...story('netflix-encoding.yaml', (m) => [
    [/`naive` \(all at once\): \*\*(\d+)\/s\*\*/, () => m('naive', 'throughput_n720'), asRounded],
    [/\(a limit of 44\): \*\*([\d,]+)\/s\*\*/, () => m('fixed', 'throughput_n720'), asRounded],
    [/from latency alone\): \*\*([\d,]+)\/s\*\*/, () => m('gradient', 'throughput_n720'), asRounded],
    [/\*\* at a limit of (\d+);/, () => m('gradient', 'concurrency_limit'), asRounded],
    [/50 ms latency\): \*\*([\d,]+)\/s\*\*/, () => m('aimd', 'throughput_n720'), asRounded],
  ]),
  ...story('objective-monster.yaml', (m) => [
    [/unguarded, watch time \*\*\+(\d+)%\*\*/, () => 100 * m('naive', 'proxy_lift'), asRounded],
    [/watch time \*\*\+\d+%\*\*, true value \*\*(-\d+)%\*\*/, () => 100 * m('naive', 'true_lift'), asRounded],
    [/\*\*(\d+)%\*\* clickbait, the gap/, () => 100 * m('naive', 'clickbait_share'), asRounded],
    [/the gap \*\*([\d.]+)\*\* at the end/, () => m('naive', 'objective_gap'), asRounded],
    [/guarded, \*\*(\d+)\*\* trip, /, () => m('fixed', 'guard_trips'), asRounded],
    [/trip, true value \*\*(-[\d.]+)%\*\*/, () => 100 * m('fixed', 'true_lift'), asRounded],
    [/the gap \*\*([\d.]+)\*\*\. \|/, () => m('fixed', 'objective_gap'), asRounded],
  ]),
  ...story('paxos.yaml', (m) => [
    [/\*\*exactly (\d+) round trips\*\*/, () => m('single-proposer', 'paxos_round_trips_max'), withinAbs(0)],
    [/\*\*exactly (\d+) round trips\*\*/, () => m('single-proposer', 'paxos_round_trips_p50'), withinAbs(0)],
    [/\*\*(\d+) round trip\*\*/, () => m('multi-paxos', 'paxos_round_trips_max'), withinAbs(0)],
    [/`naive` \*\*([\d,]+)\*\* rounds, /, () => m('naive', 'paxos_rounds'), asRounded],
    [/rounds, \*\*(\d+)\*\* writes decided; /, () => m('naive', 'paxos_decisions'), asRounded],
    [/`fixed` \*\*([\d.]+)\*\* round trips per write/, () => m('fixed', 'paxos_round_trips_mean'), asRounded],
    [/round trips per write, p50 \*\*([\d.]+) ms\*\* \(/, () => m('fixed', 'latency_ms_p50'), asRounded],
    [/\(\*\*([\d.]+)x\*\* Raft's\)/, () => m('fixed', 'latency_ms_p50_vs_raft'), asRounded],
    [/`multi-paxos` p50 \*\*([\d.]+) ms\*\*, /, () => m('multi-paxos', 'latency_ms_p50'), asRounded],
    [/ms\*\*, \*\*([\d.]+)x\*\* Raft's, /, () => m('multi-paxos', 'latency_ms_p50_vs_raft'), asRounded],
    [/\*\*([\d,]+)\*\* messages against Raft's/, () => m('multi-paxos', 'net_sent'), asRounded],
    [/messages against Raft's \*\*([\d,]+)\*\*/, () => m('raft', 'net_sent'), asRounded],
  ]),
  ...story('quorum-staleness.yaml', (m) => [
    [/\*\*(\d+) stale reads\*\*/, () => m('naive', 'stale_reads'), asRounded],
    [/stale reads\*\* \(([\d.]+)%/, () => 100 * m('naive', 'stale_read_rate'), asRounded],
    [/the value before it\), p50 (\d+) ms/, () => m('naive', 'latency_ms_p50'), asRounded],
    [/R = 2\): \*\*(\d+)\*\*/, () => m('fixed', 'stale_reads'), asRounded],
    [/R = 2\): \*\*\d+\*\*, p50 (\d+) ms/, () => m('fixed', 'latency_ms_p50'), asRounded],
    [/asking for QUORUM\): \*\*(\d+)\*\*/, () => m('per-operation', 'stale_reads'), asRounded],
  ]),
  ...story('rebalance.yaml', (m) => [
    [/joins ten holding ([\d,]+) keys/, () => m('naive', 'keys_at_join'), asRounded],
    [/\*\*([\d,]+) keys move\*\*/, () => m('naive', 'keys_moved'), asRounded],
    [/keys move\*\* \((\d+)%/, () => (100 * m('naive', 'keys_moved')) / m('naive', 'keys_at_join'), asRounded],
    [/100 virtual nodes\): \*\*([\d,]+)\*\*/, () => m('fixed', 'keys_moved'), asRounded],
    [/\*\* \(([\d.]+)%, theory 1\/11\)/, () => (100 * m('fixed', 'keys_moved')) / m('fixed', 'keys_at_join'), asRounded],
    [/`rendezvous`: \*\*([\d,]+)\*\*/, () => m('rendezvous', 'keys_moved'), asRounded],
    [/`rendezvous`: \*\*[\d,]+\*\* \(([\d.]+)%\)/, () => (100 * m('rendezvous', 'keys_moved')) / m('rendezvous', 'keys_at_join'), asRounded],
  ]),
  ...story('resharding.yaml', (m) => [
    [/`naive` \*\*(\d+)\*\* ranges at the end/, () => m('naive', 'ranges'), asRounded],
    [/; `fixed` \*\*(\d+)\*\* \(at most/, () => m('fixed', 'ranges'), asRounded],
    [/\(at most \*\*(\d+)\*\* on the way/, () => m('fixed', 'ranges_max'), asRounded],
    [/on the way, \*\*(\d+)\*\* merges/, () => m('fixed', 'range_merges'), asRounded],
    [/merges, \*\*(\d+)\*\* flaps\)/, () => m('fixed', 'reshard_flaps'), asRounded],
    [/`eager` \*\*(\d+)\*\* flaps\. \|/, () => m('eager', 'reshard_flaps'), asRounded],
  ]),
  ...story('runaway-autoscaling.yaml', (m) => [
    [/\*\*(\d+) nodes\*\* \(the budget\)/, () => m('naive', 'replicas'), asRounded],
    [/\(the budget\), (\d+) scale-ups/, () => m('naive', 'scale_ups'), asRounded],
    [/scale-ups, ([\d,]+) failed requests/, () => m('naive', 'requests_failed'), asRounded],
    [/failed requests, ([\d.]+) node-hours/, () => m('naive', 'node_hours'), asRounded],
    [/\*\*(\d+) nodes\*\*, \d+ failed/, () => m('fixed', 'replicas'), asRounded],
    [/\*\*\d+ nodes\*\*, (\d+) failed/, () => m('fixed', 'requests_failed'), asRounded],
    [/failed, ([\d.]+) node-hours \(/, () => m('fixed', 'node_hours'), asRounded],
    [/node-hours \(([\d.]+)× no-autoscaler's/, () => m('fixed', 'node_hours_vs_no-autoscaler'), asRounded],
    [/`no-autoscaler`: (\d+) nodes ride it out/, () => m('no-autoscaler', 'replicas'), asRounded],
    [/ride it out \((\d+) node-hours\)/, () => m('no-autoscaler', 'node_hours'), asRounded],
  ]),
  ...story('saga-payment.yaml', (m) => [
    [/for ([\d,]+) orders;/, () => m('naive', 'orders_placed'), asRounded],
    [/\*\*(\d+) units leaked\*\*/, () => m('naive', 'units_leaked'), asRounded],
    [/\*\*(\d+) double charges\*\*/, () => m('naive', 'double_charges'), asRounded],
    [/\(compensations only\): (\d+) and \d+/, () => m('no-keys', 'units_leaked'), asRounded],
    [/\(compensations only\): \d+ and (\d+)/, () => m('no-keys', 'double_charges'), asRounded],
    [/\*\*(\d+) and \d+\*\* \(/, () => m('fixed', 'units_leaked') + m('choreographed', 'units_leaked'), asRounded],
    [/\*\*\d+ and (\d+)\*\* \(/, () => m('fixed', 'double_charges') + m('choreographed', 'double_charges'), asRounded],
  ]),
  ...story('self-healing.yaml', (m) => [
    [/a node holding (\d+) shards dies/, () => m('naive', 'under_replicated_shards'), asRounded],
    [/still (\d+) shards under-replicated/, () => m('naive', 'under_replicated_shards'), asRounded],
    [/\*\*(\d+) live nodes declared dead\*\*/, () => m('unlimited', 'nodes_wrongly_declared_dead'), asRounded],
    [/\*\*(\d+) shards lost\*\*/, () => m('unlimited', 'shards_lost'), asRounded],
    [/shards lost\*\*, ([\d,]+) failed requests/, () => m('unlimited', 'requests_failed'), asRounded],
    [/full replication in \*\*([\d.]+) s\*\*/, () => m('fixed', 'time_to_full_replication_ms') / 1000, asRounded],
    [/\*\*, (\d+) shards lost, \d+ failed/, () => m('fixed', 'shards_lost'), asRounded],
    [/shards lost, (\d+) failed requests \(as with/, () => m('fixed', 'requests_failed'), asRounded],
    [/shards lost, (\d+) failed requests \(as with/, () => m('naive', 'requests_failed'), asRounded],
    [/drained \((\d+) failed\)/, () => m('gray-drained', 'requests_failed'), asRounded],
    [/instead of ignored \(([\d,]+)\)/, () => m('gray-ignored', 'requests_failed'), asRounded],
  ]),
  ...story('shopping-cart.yaml', (m) => [
    [/\*\*([\d,]+) of [\d,]+\*\* acknowledged adds missing/, () => m('naive', 'lost_adds'), asRounded],
    [/\*\*[\d,]+ of ([\d,]+)\*\* acknowledged adds missing/, () => m('naive', 'adds'), asRounded],
    [/each update\): (\d+) adds lost/, () => m('mv', 'lost_adds'), asRounded],
    [/up to (\d+) siblings/, () => m('mv', 'siblings_max'), asRounded],
    [/siblings \(mean ([\d.]+)\)/, () => m('mv', 'siblings_mean'), asRounded],
    [/\((\d+) distinct removals/, () => m('mv', 'removes'), asRounded],
    [/\*\*(\d+) lost, \d+ resurrected\*\*/, () => m('fixed', 'lost_adds'), asRounded],
    [/\*\*\d+ lost, (\d+) resurrected\*\*/, () => m('fixed', 'zombie_items'), asRounded],
    [/resurrected\*\*, (\d+) removals/, () => m('fixed', 'removes'), asRounded],
  ]),
  ...story('social-comments.yaml', (m) => [
    [/\*\*(\d+) of \d+\*\* replies seen before/, () => m('naive', 'social_anomalies'), asRounded],
    [/\*\*\d+ of (\d+)\*\* replies seen before/, () => m('naive', 'social_replies_read'), asRounded],
    [/its dependencies\): \*\*(\d+)\*\*/, () => m('fixed', 'social_anomalies'), asRounded],
    [/still local \((\d+) ms\)/, () => m('fixed', 'social_write_ms_max') + m('fixed', 'social_read_ms_max'), asRounded],
    [/one copy at a leader in us\): (\d+) anomalies/, () => m('linearizable', 'social_anomalies'), asRounded],
    [/the poster's writes \*\*(\d+) ms\*\*/, () => m('linearizable', 'social_write_ms_p50'), asRounded],
    [/the reader's reads \*\*(\d+) ms\*\*/, () => m('linearizable', 'social_read_ms_p50'), asRounded],
  ]),
  ...story('split-brain.yaml', (m) => [
    [/\*\*≈([\d,]+) of ≈[\d,]+\*\* acknowledged increments/, () => m('naive', 'lost_acked_increments'), withinRatio(0.05)],
    [/\*\*≈[\d,]+ of ≈([\d,]+)\*\* acknowledged increments/, () => m('naive', 'acked_increments'), withinRatio(0.05)],
    [/\(availability ([\d.]+)%: that is how/, () => 100 * m('naive', 'availability'), asRounded],
    [/takes over after ≈\d+ s \((\d+) promotion\)/, () => m('witness', 'promotions'), asRounded],
    [/\*\*(\d+) lost\*\* of/, () => m('witness', 'lost_acked_increments'), asRounded],
    [/which refuses; p99 (\d+) ms/, () => m('witness', 'latency_ms_p99'), asRounded],
  ]),
  ...story('starvation.yaml', (m) => [
    [/\(strict priorities\): reads p50 (\d+) ms/, () => m('naive', 'wait_ms_read_p50'), asRounded],
    [/writes p99 \*\*([\d.]+) s\*\*/, () => m('naive', 'wait_ms_write_p99') / 1000, asRounded],
    [/`fifo`: everyone p99 ≈(\d+) ms/, () => m('fifo', 'wait_ms_read_p99'), withinRatio(0.05)],
    [/`fifo`: everyone p99 ≈(\d+) ms/, () => m('fifo', 'wait_ms_write_p99'), withinRatio(0.05)],
    [/≈\d+ ms, reads p50 (\d+) ms/, () => m('fifo', 'wait_ms_read_p50'), asRounded],
    [/one class\): reads p50 (\d+) ms/, () => m('fixed', 'wait_ms_read_p50'), asRounded],
    [/writes p99 \*\*(\d+) ms\*\*/, () => m('fixed', 'wait_ms_write_p99'), asRounded],
    [/\*\*, max (\d+) ms;/, () => m('fixed', 'wait_ms_write_max'), asRounded],
    [/the same ([\d,]+) jobs in every variant/, () => m('naive', 'jobs_done'), asRounded],
    [/the same ([\d,]+) jobs in every variant/, () => m('fifo', 'jobs_done'), asRounded],
    [/the same ([\d,]+) jobs in every variant/, () => m('fixed', 'jobs_done'), asRounded],
  ]),
  ...story('synchronized-breakers.yaml', (m) => [
    [/after the restart \*\*(\d+)\/s\*\*/, () => m('naive', 'goodput_per_sec'), asRounded],
    [/no fall-over, \*\*(\d+)\/s\*\*/, () => m('fixed', 'goodput_per_sec'), asRounded],
  ]),
  ...story('thundering-herd.yaml', (m) => [
    [/\*\*(\d+) of [\d,]+\*\* jobs never done/, () => m('naive', 'ops_info'), asRounded],
    [/\*\*\d+ of ([\d,]+)\*\* jobs never done/, () => m('naive', 'ops_invoked'), asRounded],
    [/the database runs ([\d,]+) queries/, () => m('naive', 'jobs_done'), asRounded],
    [/\*\*all ([\d,]+)\*\* done/, () => m('fixed', 'ops_ok'), asRounded],
    [/\*\* done within ([\d.]+) s/, () => m('fixed', 'latency_ms_max') / 1000, asRounded],
  ]),
  ...story('time-partitioned.yaml', (m) => [
    [/\*\*([\d.]+)\*\* of them on the busiest/, () => m('naive', 'hottest_shard_write_share'), asRounded],
    [/backlog of \*\*([\d,]+)\*\*/, () => m('naive', 'shard_backlog_max'), asRounded],
    [/`naive` .*?write p99 \*\*([\d,.]+) ms\*\*/, () => m('naive', 'write_ms_p99'), asRounded],
    [/busiest shard \*\*([\d.]+)\*\*/, () => m('fixed', 'hottest_shard_write_share'), asRounded],
    [/`fixed` .*?write p99 \*\*([\d,.]+) ms\*\*/, () => m('fixed', 'write_ms_p99'), asRounded],
    [/\*\*0\*\* of ([\d,]+) acknowledged rows missing/, () => m('fixed', 'scan_rows_expected'), asRounded],
    [/\*\*([\d,]+) of [\d,]+\*\* rows missing/, () => m('no-fan-out', 'scan_rows_missing'), asRounded],
    [/\*\*[\d,]+ of ([\d,]+)\*\* rows missing/, () => m('no-fan-out', 'scan_rows_expected'), asRounded],
  ]),
  ...story('time-traitors.yaml', (m) => [
    [/\*\*(\d+) of [\d,]+\*\* acknowledged writes/, () => m('naive', 'newer_writes_dropped'), asRounded],
    [/\*\*\d+ of ([\d,]+)\*\* acknowledged writes/, () => m('naive', 'writes_acked'), asRounded],
    [/\(multi-value register\): \*\*(\d+)\*\*/, () => m('fixed', 'newer_writes_dropped'), asRounded],
    [/\(multi-value register\): \*\*(\d+)\*\*/, () => m('version-vector', 'newer_writes_dropped'), asRounded],
  ]),
  ...story('truth-spectrum.yaml', (m) => [
    [/`naive` LOCAL \*\*([\d.]+) ms\*\*/, () => m('naive', 'latency_ms_p50'), asRounded],
    [/`eventual` \*\*([\d.]+) ms\*\*/, () => m('eventual', 'latency_ms_p50'), asRounded],
    [/`causal` \*\*([\d.]+) ms\*\*/, () => m('causal', 'latency_ms_p50'), asRounded],
    [/elsewhere: p50 (\d+) ms eventual/, () => m('eventual', 'spectrum_visible_ms_p50'), asRounded],
    [/LOCAL \*\*(\d+) versions\*\*/, () => m('naive', 'versions_per_key_max'), asRounded],
    [/a vector of \*\*(\d+) entries\*\*/, () => m('causal', 'spectrum_vector_entries_max'), asRounded],
    [/entries\*\* \((\d+) bytes\)/, () => m('causal', 'spectrum_metadata_bytes_max'), asRounded],
    [/CONSENSUS \*\*(\d+)%\*\* of the writes/, () => 100 * m('fixed', 'cut_off_failed_rate'), asRounded],
  ]),
  ...story('usl.yaml', (m) => [
    [/\*\*alpha ([\d.]+), beta/, () => m('fixed', 'fitted_alpha'), asRounded],
    [/, beta ([\d.]+), N\*/, () => m('fixed', 'fitted_beta'), asRounded],
    [/N\* ([\d.]+)\*\*/, () => m('fixed', 'fitted_n_star'), asRounded],
    // Relative capacity C(32): the rate at 32 in flight over the store's rate for one, 1,000/s.
    [/measured \*\*([\d.]+)x\*\*/, () => m('fixed', 'throughput_n32') / 1000, asRounded],
    [/\(the formula: ([\d.]+)x\)/, () => 32 / (1 + 0.05 * 31 + 0.001 * 32 * 31), asRounded],
  ]),
  ...story('version-drift.yaml', (m) => [
    [/serves \*\*([\d,]+)\*\* requests with it/, () => m('naive', 'requests_served_off_version'), asRounded],
    [/drift found and redeployed, \*\*(\d+)\*\*/, () => m('fixed', 'requests_served_off_version'), asRounded],
  ]),
  ...story('work-affinity.yaml', (m) => {
    /** The busiest worker's requests over the mean of the four. */
    const busiest = (variant: string) => {
      const counts = ['n2', 'n3', 'n4', 'n5'].map((n) => m(variant, `requests_to_${n}`));
      return Math.max(...counts) / (counts.reduce((a, b) => a + b, 0) / counts.length);
    };
    return [
      [/one worker takes ~([\d.]+)x the mean/, () => busiest('naive'), withinRatio(0.05)],
      [/one worker takes ~([\d.]+)x the mean/, () => busiest('consistent-hash'), withinRatio(0.06)],
      [/p99 \*\*([\d.]+) s\*\* and/, () => m('naive', 'latency_ms_p99') / 1000, asRounded],
      [/\*\* and \*\*(\d+) ms\*\*/, () => m('consistent-hash', 'latency_ms_p99'), asRounded],
      [/hash mod 4 also loses ([\d,]+) requests to timeouts/, () => m('naive', 'ops_info'), asRounded],
      [/max ([\d.]+)x the mean/, () => busiest('fixed'), asRounded],
      [/max [\d.]+x the mean, p99 \*\*(\d+) ms\*\*/, () => m('fixed', 'latency_ms_p99'), asRounded],
    ];
  }),
];

const overriddenRuns = new Map<string, Record<string, number>>();
/** A variant's metrics when run with `--set` overrides (and on `seed`), once per process. */
function overriddenRun(file: string, variant: string, set: string[], seed?: number): Record<string, number> {
  const key = JSON.stringify([file, variant, set, seed]);
  let metrics = overriddenRuns.get(key);
  if (metrics === undefined) {
    const s = parseScenario(readFileSync(scenarioFile(file), 'utf8'), file, { set });
    metrics = runVariants(s, [variant], () => ({ seed })).get(variant)!.report.metrics;
    overriddenRuns.set(key, metrics);
  }
  return metrics;
}

/** Numbers the README's prose quotes from a story run outside the stories' table. */
export const proseQuotes: Quote[] = [
  ...story(
    'netflix-play.yaml',
    (m) => [
      [/unguarded\) \*\*(\d+)%\*\* of plays/, () => m('naive', 'plays_within_budget_pct'), asRounded],
      [/200 ms \(p99 ([\d.]+) s\)/, () => m('naive', 'latency_ms_p99') / 1000, asRounded],
      [/`parallel-unguarded` (\d+)%/, () => m('parallel-unguarded', 'plays_within_budget_pct'), asRounded],
      [/\*\*(\d+)%\*\* \(p99 \d+ ms\)/, () => m('fixed', 'plays_within_budget_pct'), asRounded],
      [/\*\*\d+%\*\* \(p99 (\d+) ms\)/, () => m('fixed', 'latency_ms_p99'), asRounded],
    ],
    '- `pillars run scenarios/netflix-play.yaml`',
  ),
  // The lab's hand-cut link, as its export replays it (src/lab/lab.browser.test.ts draws the same line in the page).
  {
    line: 'Draw a line from one server to another',
    at: /and ≈(\d+) acknowledged\s+increments are lost at the heal/,
    measured: () => overriddenRun('split-brain.yaml', 'naive', ['faults=[{at: 2000, for: 18000, partition: [[n1], [n4]]}]'], 2).lost_acked_increments,
    within: withinRatio(0.05),
  },
  // split-brain's witness with the witness on the east's side of the cut, as the row's --set writes it.
  {
    line: '| `scenarios/split-brain.yaml`',
    at: /its side serves \(availability (\d+)%\)/,
    measured: () => 100 * overriddenRun('split-brain.yaml', 'witness', ['variants.witness.faults=[{at: 5000, for: 43000, partition: [[n1, n2, n3], [n4, n5]]}]']).availability,
    within: asRounded,
  },
  {
    line: '| `scenarios/resharding.yaml`',
    at: /on seed 1 (\d+)% fewer requests served than `fixed`/,
    measured: () => 100 * (1 - cachedRunner('resharding.yaml')('eager').metrics.ops_ok / cachedRunner('resharding.yaml')('fixed').metrics.ops_ok),
    within: asRounded,
    story: 'resharding.yaml',
  },
];

/** Every quote read from a story's runs on its own seed, by the story's file: its seed test checks them. */
export const quotesOfStory = (file: string): Quote[] => [...storyQuotes, ...proseQuotes].filter((q) => q.story === file);

/** The quotes that need runs of their own (a changed setting, another seed): the README test checks them. */
export const quotesOfNoStory: Quote[] = [...storyQuotes, ...proseQuotes].filter((q) => q.story === undefined);
