import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPeriods, ParameterBoard } from './hierarchy.js';

test('a higher level sets a lower level’s parameter; the owner and the levels below it may not', () => {
  const board = new ParameterBoard();
  board.declare('admissionPerReplica', 0, 4);
  board.declare('minReplicas', 2, 1);
  board.set('admissionPerReplica', 3, 2, 1000);
  board.set('minReplicas', 2, 4, 2000);
  assert.equal(board.get('admissionPerReplica'), 3);
  assert.equal(board.get('minReplicas'), 2);
  assert.throws(() => board.set('minReplicas', 5, 2, 3000), /level 2 \(operational\) may not set minReplicas/);
  assert.throws(() => board.set('minReplicas', 5, 1, 3000), /only a level above it may/);
  assert.deepEqual(
    board.changes.map((c) => `${c.by}:${c.name}=${c.to}`),
    ['2:admissionPerReplica=3', '4:minReplicas=2'],
  );
  assert.throws(() => board.declare('minReplicas', 2, 1), /declared once/);
  assert.throws(() => board.get('nope'), /no parameter/);
});

test('each level must loop slower than the one below it', () => {
  checkPeriods([2000, 15_000, 60_000, 300_000]);
  assert.throws(() => checkPeriods([2000, 15_000, 15_000, 300_000]), /periodsMs\[2\].*longer than level 2/);
});
