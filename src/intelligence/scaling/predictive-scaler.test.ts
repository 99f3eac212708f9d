import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictiveScaler, type Forecaster } from './predictive-scaler.js';
import type { Autoscaler } from './autoscaler.js';
import { HoltWinters } from '../forecast/holt-winters.js';

/** A forecaster that says whatever the test sets. */
const fixedForecast = (perSec: number): Forecaster & { value: number } => ({ value: perSec, ready: true, update() {}, forecast() { return this.value; } });
const reactiveSays = (replicas: number): Autoscaler => ({ name: 'reactive', decide: () => ({ replicas, reason: 'observed' }) });
const obs = (replicas: number) => ({ nowMs: 0, replicas, pods: [], demandPerSec: 10 });

test('the forecast adds capacity ahead of the reactive scaler', () => {
  const p = new PredictiveScaler({ forecaster: fixedForecast(50), stepMs: 300_000, perReplicaPerSec: 10, leadMs: 300_000, reactive: reactiveSays(2), maxReplicas: 20 });
  assert.equal(p.decide(obs(2)).replicas, 5);
  assert.equal(p.forecastLed, 1);
});

test('a low forecast never removes capacity: only the reactive scaler scales in', () => {
  const low = fixedForecast(10);
  // Reactive wants 6 (observed load), the forecast 1: keep 6.
  assert.equal(new PredictiveScaler({ forecaster: low, stepMs: 300_000, perReplicaPerSec: 10, leadMs: 0, reactive: reactiveSays(6), maxReplicas: 20 }).decide(obs(6)).replicas, 6);
  // Reactive wants 2 but the forecast still needs 4: scale in only to 4.
  const mid = fixedForecast(40);
  assert.equal(new PredictiveScaler({ forecaster: mid, stepMs: 300_000, perReplicaPerSec: 10, leadMs: 0, reactive: reactiveSays(2), maxReplicas: 20 }).decide(obs(6)).replicas, 4);
});

test('forecast-only mode logs the forecast and lets the reactive scaler decide', () => {
  const p = new PredictiveScaler({ forecaster: fixedForecast(80), stepMs: 300_000, perReplicaPerSec: 10, leadMs: 0, reactive: reactiveSays(3), maxReplicas: 20, mode: 'forecast-only' });
  const d = p.decide(obs(3));
  assert.equal(d.replicas, 3);
  assert.match(d.reason, /forecast only: forecast 80.0\/s/);
  assert.equal(p.log.at(-1)!.replicas, 8);
});

test('with Holt-Winters on a repeating day, the forecast leads the daily peak by the lead time', () => {
  // Steps of 5 minutes, a 24-step "day": demand 10/s, except 60/s at steps 18-19.
  const day = (i: number) => (i % 24 === 18 || i % 24 === 19 ? 60 : 10);
  const p = new PredictiveScaler({ forecaster: new HoltWinters({ alpha: 0.3, beta: 0.01, gamma: 0.5, seasonLength: 24 }), stepMs: 300_000, perReplicaPerSec: 10, leadMs: 600_000, reactive: reactiveSays(1), maxReplicas: 20 });
  p.train(Array.from({ length: 48 }, (_, i) => day(i)));
  // Day three, step 16 (10 minutes before the peak): the forecast already asks for the peak's capacity.
  let replicas = 1;
  let at16 = 0;
  for (let i = 0; i <= 16; i++) {
    replicas = p.decide({ nowMs: (48 + i) * 300_000, replicas, pods: [], demandPerSec: day(48 + i) }).replicas;
    if (i === 16) at16 = replicas;
  }
  assert.ok(at16 >= 6, `at step 16: ${at16} replicas`);
  assert.ok(p.forecastErrorPct! < 5, `error ${p.forecastErrorPct}%`);
});

test('bad options are named', () => {
  const f = fixedForecast(1);
  assert.throws(() => new PredictiveScaler({ forecaster: f, stepMs: 0, perReplicaPerSec: 1, leadMs: 0, reactive: reactiveSays(1), maxReplicas: 2 }), /stepMs/);
  assert.throws(() => new PredictiveScaler({ forecaster: f, stepMs: 1, perReplicaPerSec: 1, leadMs: 0, reactive: reactiveSays(1), maxReplicas: 2, mode: 'yolo' as never }), /mode: expected forecast-and-scale or forecast-only/);
});
