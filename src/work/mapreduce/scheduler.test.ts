import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapReduceScheduler } from './scheduler.js';
import { mapSplit, reducePartition } from './cluster.js';

test('reduce tasks wait for every map; a backup goes to the longest-running task and the loser is cancelled, its output ignored', () => {
  const s = new MapReduceScheduler({ mapTasks: 2, reduceTasks: 1, backupTasks: true }, ['a', 'b', 'c']);
  const first = s.dispatch(0);
  // Two map tasks to a and b; c's map slot gets a backup of the older one, no reduce runs yet.
  assert.deepEqual(first.map((x) => [x.worker, x.phase, x.index, x.backup]), [['a', 'map', 0, false], ['b', 'map', 1, false], ['c', 'map', 0, true]]);
  assert.equal(s.completed('b', 'map', 1).accepted, true);
  const won = s.completed('c', 'map', 0);
  assert.deepEqual(won, { accepted: true, cancel: ['a'] });
  // The primary's late completion is not a second output.
  assert.equal(s.completed('a', 'map', 0).accepted, false);
  assert.deepEqual(s.mapOutputLocations(), ['c', 'b']);
  const reduce = s.dispatch(10);
  assert.equal(reduce[0].phase, 'reduce');
  assert.equal(s.backupsStarted, 2); // the reduce task got a backup too: no idle task was left
});

test('without backups a straggler is waited for; a dead worker takes its finished map outputs with it', () => {
  const s = new MapReduceScheduler({ mapTasks: 2, reduceTasks: 1, backupTasks: false }, ['a', 'b', 'c']);
  assert.equal(s.dispatch(0).length, 2);
  assert.equal(s.completed('a', 'map', 0).accepted, true);
  assert.equal(s.dispatch(1).length, 0); // b is slow: nobody helps
  assert.equal(s.completed('b', 'map', 1).accepted, true);
  assert.equal(s.dispatch(2)[0].phase, 'reduce');
  s.workerFailed('a');
  assert.equal(s.mapsReexecuted, 1);
  assert.equal(s.mapsDone, false);
  const again = s.dispatch(3);
  assert.deepEqual(again.map((x) => [x.phase, x.index]), [['map', 0]]);
  assert.notEqual(again[0].worker, 'a');
  assert.equal(s.completed(again[0].worker, 'map', 0).accepted, true);
  assert.equal(s.mapsDone, true);
});

test('word count: map partitions by hash with a combiner, reduce sums every partition', () => {
  const parts = mapSplit(['x', 'y', 'x', 'z'], 3);
  assert.equal(parts.length, 3);
  assert.deepEqual(parts.flat().sort(), [['x', 2], ['y', 1], ['z', 1]]);
  assert.deepEqual(reducePartition([[['x', 2]], [['x', 3], ['y', 1]]]), [['x', 5], ['y', 1]]);
});
