/**
 * truth-spectrum, six variants of nine servers each (Raft among them), on more than its shipped seed,
 * in a file of its own so that it runs beside the other truth stories. Each level's numbers hold on
 * every seed of the range.
 */
import assert from 'node:assert/strict';
import { storySeedTests } from '../../testing/story-seed-tests.js';
import { range } from '../../testing/story-seeds.js';

storySeedTests(
  'truth',
  {
    'truth-spectrum': (sweep) => {
      const r = (variant: string, metric: string) => range(sweep.reports.get(variant)!, metric);
      // LOCAL: a version per node that wrote the key, for good.
      assert.equal(r('naive', 'versions_per_key_max').min, 9);
      // EVENTUAL: a handful of siblings with contexts, dozens from blind writes.
      assert.ok(r('eventual', 'spectrum_siblings_max').max <= 5);
      assert.ok(r('eventual-blind', 'spectrum_siblings_max').min >= 40);
      // CAUSAL: a vector entry per origin on every write.
      assert.equal(r('causal', 'spectrum_vector_entries_max').min, 9);
      // CONSENSUS: every write sent to the cut-off region refused; TOTAL ORDER: everyone stops for the cut.
      assert.equal(r('fixed', 'cut_off_failed_rate').min, 1);
      assert.ok(r('total-order', 'stall_ms_max').min >= 2900);
      // Latency: nothing below consensus waits for another region.
      for (const v of ['naive', 'eventual', 'causal']) assert.ok(r(v, 'latency_ms_p50').max < 1, v);
      assert.ok(r('fixed', 'latency_ms_p50').min > 100);
      // Each level's latency ratio beside the seed's table (1 : 10 : 50 : 200 : 1000), and where it
      // differs: eventual and causal cost local latency, consensus 3x the seed's 200, total order a
      // third of the seed's 5x consensus.
      const seedSays = { eventual: 10, causal: 50, fixed: 200, 'total-order': 5 };
      for (const [variant, seed] of Object.entries(seedSays)) {
        for (const report of sweep.reports.get(variant)!) {
          const compare = report.checks.find((c) => c.name === 'compare:latency_ms_p50');
          assert.match(compare?.detail ?? '', new RegExp(`the seeds say ${seed}: measured [\\d.]+ times that, it differs`), `${variant} seed ${report.seed}`);
        }
      }
    },
  },
  'truth-spectrum',
);
