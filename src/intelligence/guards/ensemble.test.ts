import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, median, trimmedMean } from './combiners.js';
import { ModelEnsemble, NoPredictionError, type EnsembleMember } from './ensemble.js';

const constant = (name: string, v: number): EnsembleMember<number> => ({ name, predict: () => v });
const failing = (name: string): EnsembleMember<number> => ({
  name,
  predict: () => {
    throw new Error('feature missing');
  },
});

test('combiners: median and trimmed mean as scipy.stats computes them', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  // scipy.stats.trim_mean([1, 2, 3, 4, 100], 0.2) = 3.0; ([1..9, 1000], 0.1) = 5.5; 0.25 cuts 2 a side: 5.5.
  assert.equal(trimmedMean([1, 2, 3, 4, 100], 0.2), 3);
  assert.equal(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 0.1), 5.5);
  assert.equal(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 0.25), 5.5);
  assert.equal(trimmedMean([1, 2, 3], 0), 2);
  assert.throws(() => trimmedMean([1, 2], 0.5), /proportionToCut: expected a proportion in \[0, 0.5\)/);
  assert.ok(Number.isNaN(median([])));
});

test('median of five survives two arbitrarily wrong members; the mean does not survive one', () => {
  const good = [100, 102, 98];
  for (const bad of [[1e6, 1e6], [-1e6, 1e6], [0, 1e9]]) {
    const m = median([...good, ...bad]);
    assert.ok(m >= 98 && m <= 102, `median ${m} with bad members ${bad}`);
  }
  assert.ok(mean([...good, 1e6, 100]) > 1e5);
  // Three bad members out of five break the median: its breakdown point is below one half.
  assert.ok(median([100, 102, 1e6, 1e6, 1e6]) === 1e6);
  // A trimmed mean cutting one a side survives one bad member on each side.
  const t = new ModelEnsemble({ members: [constant('a', 100), constant('b', 102), constant('c', 98), constant('low', -1e6), constant('high', 1e6)], combiner: { kind: 'trimmed-mean', proportionToCut: 0.2 } });
  assert.equal(t.predict(0).value, 100);
});

test('failing members are skipped and counted; too few answers is a NoPredictionError', () => {
  const e = new ModelEnsemble({ members: [constant('a', 10), failing('b'), constant('c', 30), { name: 'nan', predict: () => NaN }], minimumAnswers: 2 });
  const p = e.predict(0);
  assert.equal(p.value, 20);
  assert.equal(p.answered, 2);
  assert.deepEqual(p.answers, [10, undefined, 30, undefined]);
  assert.deepEqual(e.failures, [0, 1, 0, 1]);
  const lonely = new ModelEnsemble({ members: [failing('x'), constant('y', 1)], minimumAnswers: 2 });
  assert.throws(() => lonely.predict(0), (err: unknown) => err instanceof NoPredictionError && err.answered === 1 && /x: feature missing/.test(err.message));
});

test('bad configuration: an ensemble of zero members, a bad proportion, more answers needed than members', () => {
  assert.throws(() => new ModelEnsemble<number>({ members: [] }), /members: expected at least one member, got 0/);
  assert.throws(() => new ModelEnsemble({ members: [constant('a', 1)], combiner: { kind: 'trimmed-mean', proportionToCut: 0.6 } }), /combiner.proportionToCut/);
  assert.throws(() => new ModelEnsemble({ members: [constant('a', 1)], minimumAnswers: 2 }), /minimumAnswers: expected at most the number of members \(1\)/);
  assert.throws(() => new ModelEnsemble({ members: [constant('a', 1)], minimumAnswers: 0 }), /minimumAnswers: expected a positive integer/);
});
