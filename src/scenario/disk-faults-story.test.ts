/**
 * disk-faults.yaml tells its story in numbers: trusting a damaged log loses acknowledged writes;
 * protocol-aware recovery repairs every node that lost some, and stays linearizable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runner } from '../testing/story-runner.js';

test('disk-faults.yaml: a node that trusts a log cut in the middle loses acknowledged writes; one that repairs from its peers loses none', () => {
  const run = runner('disk-faults.yaml');
  const naive = run('naive');
  const fixed = run('fixed');
  const realNode = run('real-node');
  assert.equal(naive.metrics.linearizable, 0);
  assert.equal(naive.metrics.raft_repairs_started, undefined, 'trust never knows what it lost');
  for (const r of [fixed, realNode]) {
    assert.equal(r.met, true, r.variant);
    assert.equal(r.metrics.linearizable, 1, r.variant);
    // The scheduled cut of n2 at least, and the nemesis's damage after it: each one repaired by the end.
    assert.ok(r.metrics.raft_repairs_started >= 2, `${r.variant}: ${r.metrics.raft_repairs_started} repairs`);
    assert.equal(r.metrics.raft_repairs_done, r.metrics.raft_repairs_started, r.variant);
    assert.ok(r.metrics.disk_failures >= 1, `${r.variant}: EIO or ENOSPC stopped a node`);
  }
});
