/**
 * queueing, the heaviest work story, on more than its shipped seed (in a file of its own so that it
 * runs beside the other work stories): every variant meets its expectation, and the simulator agrees
 * with theory on every seed.
 */
import assert from 'node:assert/strict';
import { storySeedTests } from '../../testing/story-seed-tests.js';

storySeedTests(
  'work',
  {
    // The simulator itself against theory, on every seed: Erlang C inside each run's 99.9% batch-means
    // interval, an interval a few percent wide at most, and enough customers for it.
    queueing: (sweep) => {
      for (const [name, reports] of sweep.reports) {
        for (const { seed, metrics: m } of reports) {
          assert.ok(m.mean_wait_off_ci < 1 && m.p_wait_off_ci < 1, `${name} seed ${seed}: theory ${m.mean_wait_off_ci}, ${m.p_wait_off_ci} half-widths off`);
          assert.ok(m.mean_wait_ci_half_width < 0.2 && m.p_wait_ci_half_width < 0.05, `${name} seed ${seed}: half-widths ${m.mean_wait_ci_half_width}, ${m.p_wait_ci_half_width}`);
          assert.ok(m.jobs_done > 300_000, `${name} seed ${seed}: ${m.jobs_done} customers`);
        }
      }
      assert.ok(sweep.reports.get('c10-a9')!.every((r) => r.metrics.erlang_c_p_wait === 0.668732));
      assert.ok(sweep.reports.get('c2-a1')!.every((r) => Math.abs(r.metrics.erlang_c_p_wait - 1 / 3) < 1e-6));
    },
  },
  'queueing',
);
