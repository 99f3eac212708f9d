/**
 * raft-chaos on the 30 seeds after those its story test sweeps (35 in all): the real node's profile, alone and
 * behind the real node's client layer, under the random nemesis and its disk faults, stays
 * linearizable. Breaking a rule of the paper shows up here, not only in the
 * core's tables: a vote given without the up-to-date check (§5.4.1) loses acknowledged writes on
 * seeds of this range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeLines, sweepStory, testSeedCount, testSeedCountOf, unmet } from '../../testing/story-seeds.js';

const first = (testSeedCountOf['raft-chaos'] ?? testSeedCount) + 1;
const last = first + 29;

test(`raft-chaos.yaml: fixed (the real node's profile) and real-node (its client layer too) stay linearizable on seeds ${first}..${last}`, (t) => {
  const sweep = sweepStory('raft-chaos.yaml', first, last, ['fixed', 'real-node']);
  for (const line of rangeLines(sweep, ['ops_ok', 'availability', 'crashes', 'disk_failures', 'raft_repairs_started', 'raft_snapshots'])) t.diagnostic(line);
  assert.deepEqual(unmet(sweep), [], `raft-chaos over seeds ${first}..${last}`);
  // The nemesis really happened, and the cluster really served: a run that did nothing proves nothing.
  for (const r of [...sweep.reports.get('fixed')!, ...sweep.reports.get('real-node')!]) {
    const stops = (r.metrics.crashes ?? 0) + (r.metrics.disk_failures ?? 0);
    assert.ok(stops >= 1 && r.metrics.ops_ok >= 500, `seed ${r.seed}: ${stops} crashes and disk failures, ${r.metrics.ops_ok} ok`);
  }
  // The disks failed too: EIO and ENOSPC stopped members, damaged logs were repaired from peers.
  for (const variant of ['fixed', 'real-node']) {
    const runs = sweep.reports.get(variant)!;
    const total = (metric: string) => runs.reduce((n, r) => n + (r.metrics[metric] ?? 0), 0);
    assert.ok(total('disk_failures') > 0 && total('raft_repairs_started') > 0, `${variant}: ${total('disk_failures')} disk failures, ${total('raft_repairs_started')} repairs`);
    assert.equal(total('raft_repairs_done'), total('raft_repairs_started'), `${variant}: every repair finished`);
  }
  // The client layer did its work: requests held by their node were sent again across the faults.
  const resent = sweep.reports.get('real-node')!.reduce((n, r) => n + (r.metrics.requests_resent ?? 0), 0);
  assert.ok(resent > 0, `${resent} requests resent by the real node's client layer`);
});

test('raft-chaos.yaml fixed, seed 297: a client request the network copied, refused as "no leader" and then applied, is not what the real node faces', () => {
  // The real node's profile handles each client frame once: TCP and its client layer deliver one.
  // With the workload's clients on a duplicating network, the copy applied after the refusal.
  const sweep = sweepStory('raft-chaos.yaml', 297, 297, ['fixed']);
  assert.deepEqual(unmet(sweep), []);
});
