import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectiveGuard } from './objective-guard.js';

const metrics = [
  { name: 'satisfaction', better: 'higher' as const },
  { name: 'complaint', better: 'lower' as const },
];

function window(g: ObjectiveGuard, treatment: { satisfaction: number; complaint: number }, holdout: { satisfaction: number; complaint: number }, n = 60) {
  for (let i = 0; i < n; i++) {
    g.record('treatment', 'satisfaction', treatment.satisfaction);
    g.record('treatment', 'complaint', treatment.complaint);
    g.record('holdout', 'satisfaction', holdout.satisfaction);
    g.record('holdout', 'complaint', holdout.complaint);
  }
}

test('the guard trips when the treatment falls behind the hold-out two windows in a row, on either metric', () => {
  const g = new ObjectiveGuard({ metrics, windowMs: 1000, minSamples: 50, margin: 0.05 }, 0);
  window(g, { satisfaction: 0.5, complaint: 0.1 }, { satisfaction: 0.5, complaint: 0.1 });
  assert.equal(g.assess(500).kind, 'waiting');
  assert.equal(g.assess(1000).kind, 'pass');
  // One bad window is a suspicion, not a verdict.
  window(g, { satisfaction: 0.4, complaint: 0.1 }, { satisfaction: 0.5, complaint: 0.1 });
  assert.equal(g.assess(2000).kind, 'suspect');
  window(g, { satisfaction: 0.5, complaint: 0.2 }, { satisfaction: 0.5, complaint: 0.1 });
  const v = g.assess(3000);
  assert.equal(v.kind, 'trip');
  assert.deepEqual(v.kind === 'trip' ? v.worse.map((w) => w.name) : [], ['complaint']);
});

test('a good window resets the streak, and too few samples are no verdict', () => {
  const g = new ObjectiveGuard({ metrics, windowMs: 1000, minSamples: 50, margin: 0.05 }, 0);
  window(g, { satisfaction: 0.4, complaint: 0.1 }, { satisfaction: 0.5, complaint: 0.1 });
  assert.equal(g.assess(1000).kind, 'suspect');
  window(g, { satisfaction: 0.5, complaint: 0.1 }, { satisfaction: 0.5, complaint: 0.1 });
  assert.equal(g.assess(2000).kind, 'pass');
  window(g, { satisfaction: 0.4, complaint: 0.1 }, { satisfaction: 0.5, complaint: 0.1 });
  assert.equal(g.assess(3000).kind, 'suspect');
  window(g, { satisfaction: 0.5, complaint: 0.1 }, { satisfaction: 0.5, complaint: 0.1 }, 10);
  assert.equal(g.assess(4000).kind, 'insufficient');
  assert.throws(() => g.record('treatment', 'watch_minutes', 30), /not watched/);
});
