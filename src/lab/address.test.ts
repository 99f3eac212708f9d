import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressProblem, faultsFromAddress, LAB_SPEEDS } from './address.js';

const stories = [
  { name: 'raft-chaos', variants: ['naive', 'fixed'] },
  { name: 'split-brain', variants: ['naive', 'fencing', 'fixed'] },
];
const problem = (query: string) => addressProblem(new URLSearchParams(query), stories, ['split-brain']);

test('an address the page offers has no problem', () => {
  assert.equal(problem(''), undefined);
  assert.equal(problem('story=raft-chaos&variant=fixed&seed=12&speed=2&mode=compare&with=naive&pauseOnRed=1'), undefined);
  assert.equal(problem('tour=split-brain&speed=max'), undefined);
  for (const s of LAB_SPEEDS) assert.equal(problem(`speed=${s.value}`), undefined);
});

test('an address that asks for what the page does not offer names the field, what was expected and what it got', () => {
  assert.equal(problem('story=raft-choas&seed=1'), 'story: one of the 2 stories of scenarios/, e.g. raft-chaos, split-brain (got "raft-choas")');
  assert.equal(problem('story=raft-chaos&variant=fenced'), 'variant: a variant of raft-chaos: naive, fixed (got "fenced")');
  assert.equal(problem('story=split-brain&variant=naive&mode=compare&with=raft'), 'with: a variant of split-brain: naive, fencing, fixed (got "raft")');
  assert.equal(problem('story=raft-chaos&seed=-3'), 'seed: a whole number >= 0 (got "-3")');
  assert.equal(problem('story=raft-chaos&seed=1.5'), 'seed: a whole number >= 0 (got "1.5")');
  assert.match(problem('speed=fast')!, /^speed: one of 2, 10, 50, 250, 1000, 5000, max .*\(got "fast"\)$/);
  assert.equal(problem('mode=side'), 'mode: one or compare (got "side")');
  assert.equal(problem('pauseOnRed=yes'), 'pauseOnRed: 1 (pause when a check turns red) or 0 (got "yes")');
  assert.equal(problem('tour=raft'), 'tour: one of split-brain (got "raft")');
});

test('the faults an address carries are checked as a scenario file checks them', () => {
  assert.deepEqual(faultsFromAddress(null), []);
  assert.deepEqual(faultsFromAddress('[{"at":1250,"crash":"n1","for":750}]'), [{ at: 1250, crash: 'n1', for: 750 }]);
  assert.throws(() => faultsFromAddress('[{"at":1250,"crash":'), /^Error: faults in the address: a JSON list of faults/);
  assert.throws(() => faultsFromAddress('[{"crash":"n1"}]'), /^Error: faults in the address: 0\.at: /);
});
