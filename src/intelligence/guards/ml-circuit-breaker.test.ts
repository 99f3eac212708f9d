import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import { RandomStreams } from '../../sim/rng.js';
import { MlCircuitBreaker, withinRelative, type MlCircuitBreakerOptions, type MlTicket, type MlTransition } from './ml-circuit-breaker.js';

/**
 * A world on a manual clock: a request every 100 ms, its outcome known 1 s later (the label delay).
 * The truth is `factor * x`; the model predicts x; the fallback predicts `fallbackValue`.
 */
function world(overrides: Partial<MlCircuitBreakerOptions<number>> = {}) {
  const clock = new ManualClock();
  const transitions: MlTransition[] = [];
  const r = new RandomStreams(7).stream('probes');
  const b = new MlCircuitBreaker<number>({
    model: (x) => x,
    fallback: () => 100,
    correct: withinRelative(0.1),
    accuracyMin: 0.8,
    windowMs: 10_000,
    minimumScored: 20,
    openMs: 5_000,
    onTransition: (t) => transitions.push(t),
    clock,
    random: () => r.next(),
    ...overrides,
  });
  let factor = 1;
  let requests = 0;
  const pending: { at: number; ticket: MlTicket; outcome: number }[] = [];
  const step = () => {
    const x = 100 + (requests++ % 7);
    const ticket = b.predict(x);
    pending.push({ at: clock.now() + 1000, ticket, outcome: factor * x });
    clock.advance(100);
    while (pending.length > 0 && pending[0].at <= clock.now()) {
      const p = pending.shift()!;
      b.observe(p.ticket, p.outcome);
    }
    return ticket;
  };
  return { b, clock, transitions, step, setFactor: (f: number) => (factor = f), get requests() { return requests; } };
}

test('an accurate model keeps serving; when the world changes the breaker falls back within label delay + window', () => {
  const w = world();
  for (let i = 0; i < 300; i++) assert.equal(w.step().by, 'model');
  assert.equal(w.b.state, 'closed');
  assert.equal(w.b.accuracy(), 1);
  w.setFactor(2); // every prediction is now off by half
  let detectedAfter = 0;
  while (w.b.state === 'closed') {
    w.step();
    detectedAfter++;
  }
  // 10 requests are in flight (1 s of delay); then 26 wrong outcomes bring 100 scored in the window below 80% right.
  assert.ok(detectedAfter >= 30 && detectedAfter <= 40, `detected after ${detectedAfter} requests`);
  assert.equal(w.transitions.at(-1)!.to, 'open');
  assert.match(w.transitions.at(-1)!.reason, /accuracy 0\.7\d\d over \d+ predictions \(min 0.8\)/);
  assert.equal(w.step().by, 'fallback');
});

test('half-open: the stale model is scored in the shadow and stays out; a retrained one is probed and switched back', () => {
  const w = world();
  w.setFactor(2);
  while (w.b.state === 'closed') w.step();
  const openedAt = w.clock.now();
  // 5 s on the fallback, then probing: the old model is still wrong, so it opens again.
  while (w.clock.now() < openedAt + 5_000) assert.equal(w.step().by, 'fallback');
  assert.equal(w.b.state, 'half-open');
  const t = w.step();
  assert.equal(t.by, 'fallback');
  assert.ok(t.modelAnswer !== undefined, 'the model answered in the shadow');
  while (w.b.state === 'half-open') w.step();
  assert.equal(w.b.state, 'open');
  assert.match(w.transitions.at(-1)!.reason, /shadow predictions/);
  // A retrained model arrives: probed at once, 20 right shadow answers later it serves again.
  w.b.replaceModel((x) => 2 * x);
  assert.equal(w.b.state, 'half-open');
  let probes = 0;
  while (w.b.state === 'half-open') {
    assert.equal(w.step().by, 'fallback');
    probes++;
  }
  assert.equal(w.b.state, 'closed');
  assert.ok(probes >= 20 && probes <= 31, `closed after ${probes} probes`);
  assert.equal(w.step().by, 'model');
  assert.deepEqual(w.transitions.map((x) => x.to), ['open', 'half-open', 'open', 'half-open', 'closed']);
});

test('outcomes of predictions made before a state change are ignored', () => {
  const w = world();
  const stale = w.b.predict(100);
  w.b.replaceModel((x) => x);
  for (let i = 0; i < 50; i++) w.b.observe(stale, 1); // wrong, but from the old generation
  assert.equal(w.b.state, 'closed');
  assert.ok(Number.isNaN(w.b.accuracy()));
});

test('a model that throws or answers NaN counts as wrong and the fallback answers that request', () => {
  const w = world({ model: () => { throw new Error('feature store down'); } });
  const t = w.step();
  assert.equal(t.by, 'fallback');
  assert.equal(t.value, 100);
  for (let i = 0; i < 19; i++) w.step();
  assert.equal(w.b.state, 'open');
  assert.equal(w.b.modelErrors, 20);
  const nan = world({ model: () => NaN });
  for (let i = 0; i < 20; i++) nan.step();
  assert.equal(nan.b.state, 'open');
});

test('probeFraction: about that share of half-open requests is scored in the shadow', () => {
  const w = world({ probeFraction: 0.25, openMs: 1_000 });
  w.setFactor(2);
  while (w.b.state !== 'half-open') w.step();
  // Scored shadow answers are wrong: half-open ends after minimumScored of them; count until then.
  let shadowed = 0;
  let requests = 0;
  for (; w.b.state === 'half-open'; requests++) if (w.step().modelAnswer !== undefined) shadowed++;
  assert.ok(shadowed >= 20 && shadowed / requests > 0.15 && shadowed / requests < 0.35, `${shadowed} of ${requests} shadow-scored`);
});

test('bad configuration names the option', () => {
  const base = world().b;
  assert.ok(base);
  const opts = (o: Partial<MlCircuitBreakerOptions<number>>) => () => world(o);
  assert.throws(opts({ accuracyMin: 0 }), /accuracyMin: expected a number in \(0, 1\], got 0/);
  assert.throws(opts({ accuracyMin: 1.2 }), /accuracyMin: expected a number in \(0, 1\], got 1.2/);
  assert.throws(opts({ windowMs: 0 }), /windowMs: expected a positive number, got 0/);
  assert.throws(opts({ minimumScored: 0 }), /minimumScored: expected a positive integer/);
  assert.throws(opts({ openMs: -1 }), /openMs: expected a positive number/);
  assert.throws(opts({ probeFraction: 0 }), /probeFraction: expected a number in \(0, 1\]/);
});
