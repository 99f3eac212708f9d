/**
 * The work stories on more than their shipped seed: every variant meets its expectation on every seed
 * of the range (a naive design breaks as its story says, a fixed one keeps every promise), and the
 * numbers its checks bound are printed as ranges over those seeds.
 */
import assert from 'node:assert/strict';
import { storySeedTests } from '../../testing/story-seed-tests.js';
import { range } from '../../testing/story-seeds.js';

storySeedTests('work', {
  // Dean and Ghemawat 2004: the sort took 44% longer without backup tasks. Here a machine 10x slow
  // costs 1.37-1.64x without them (1..100), and backups bring the job within 17% of a healthy cluster.
  mapreduce: (sweep) => {
    const naive = sweep.reports.get('naive')!;
    const fixed = sweep.reports.get('fixed')!;
    const crash = sweep.reports.get('crash')!;
    assert.ok(range(naive, 'job_ms_vs_fixed').min >= 1.3, `naive/fixed ${range(naive, 'job_ms_vs_fixed').text}`);
    assert.ok(range(naive, 'job_ms_vs_healthy').min >= 1.5, `naive/healthy ${range(naive, 'job_ms_vs_healthy').text}`);
    assert.ok(range(fixed, 'job_ms_vs_healthy').max <= 1.2, `fixed/healthy ${range(fixed, 'job_ms_vs_healthy').text}`);
    for (const r of [...naive, ...fixed, ...crash]) assert.equal(r.metrics.output_words_wrong, 0, `${r.variant} seed ${r.seed}`);
    // The dead worker's finished map tasks ran again, and backups cost machine time, not correctness.
    assert.ok(range(crash, 'maps_reexecuted').min >= 1);
    assert.ok(range(fixed, 'backup_tasks').min >= 1);
  },
});
