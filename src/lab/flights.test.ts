import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registerCatalog } from '../cli/catalog.js';
import { heldBackMs } from './flights.js';
import { LabSession } from './session.js';

registerCatalog();

test('the hold of a message: a slow link adds its ms, a slow sender stretches the rest of the flight', () => {
  assert.equal(heldBackMs(3, { addedMs: 0, slowFactor: 1 }), 0, 'a healthy link from a healthy node holds nothing back');
  assert.equal(heldBackMs(43, { addedMs: 40, slowFactor: 1 }), 40);
  // 1.5 ms of latency times 4 is 6: 4.5 of them are the slowness.
  assert.equal(heldBackMs(6, { addedMs: 0, slowFactor: 4 }), 4.5);
  assert.equal(heldBackMs(46, { addedMs: 40, slowFactor: 4 }), 44.5);
});

test('messages a gray failure holds back say so, and by how much; the others do not', () => {
  const file = 'cascade.yaml';
  const lab = new LabSession({ file, text: readFileSync(fileURLToPath(new URL(`../../../scenarios/${file}`, import.meta.url)), 'utf8') }, 'naive', 1);
  // n4 is 500 times slower from 10 s to 30 s.
  lab.advance(Infinity, 9_990);
  assert.equal(lab.flights.delayed, 0, 'nothing held back before the fault');
  const held = new Map<string, number[]>();
  for (let t = 10_005; t <= 10_400; t += 5) {
    lab.advance(Infinity, t);
    for (const f of lab.flights.list()) {
      if (f.sentMs < 10_000) continue;
      const travel = f.dueMs - f.sentMs;
      if (f.from === 'n4') assert.ok(Math.abs(f.heldMs - travel * (1 - 1 / 500)) < 1e-9, `n4's message held ${f.heldMs} of ${travel} ms`);
      held.set(f.from, [...(held.get(f.from) ?? []), f.heldMs]);
    }
  }
  assert.ok((held.get('n4') ?? []).length > 0 && held.get('n4')!.every((ms) => ms > 100), `n4's messages held back: ${held.get('n4')?.slice(0, 3)}`);
  for (const [from, ms] of held) if (from !== 'n4') assert.ok(ms.every((x) => x === 0), `${from} is healthy`);
  assert.ok(lab.flights.delayed > 0);
});
