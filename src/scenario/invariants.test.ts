/**
 * A protocol that breaks its own invariant stops the run: the report says which rule broke, when,
 * and on which seed, and the variant fails whatever it expected of its checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Context, Process } from '../runtime/context.js';
import { invariant } from '../runtime/invariant.js';
import { parseScenario } from './load.js';
import { processes } from './processes.js';
import { runVariant } from './runner.js';

/** Counts up on a timer and breaks "the count never goes back" at breakAtMs. */
class Countdown implements Process {
  private count = 0;
  constructor(
    private readonly ctx: Context,
    private readonly breakAtMs: number,
  ) {}
  start(): void {
    const tick = () => {
      const next = this.ctx.now() >= this.breakAtMs ? this.count - 1 : this.count + 1;
      invariant('counter', next > this.count, () => `count went back from ${this.count} to ${next}`);
      this.count = next;
      this.ctx.metrics.count('ticks');
      this.ctx.setTimer(100, tick);
    };
    this.ctx.setTimer(100, tick);
  }
  onMessage(): void {}
}

processes['test/countdown'] = {
  description: 'a counter that breaks its own invariant at breakAtMs',
  config: z.object({ breakAtMs: z.number() }).strict(),
  factory: (ctx: Context, c: { breakAtMs: number }) => new Countdown(ctx, c.breakAtMs),
  metrics: () => ['ticks'],
};

const yaml = (breakAtMs: number) => `
name: countdown
seed: 3
topology: { nodes: 1 }
system: { process: test/countdown, config: { breakAtMs: ${breakAtMs} } }
workload: { type: closed, clients: 1, durationMs: 5000, ops: { read: 1 }, timeoutMs: 100 }
checks: [{ name: metric, metric: ticks, min: 1 }]
variants:
  fixed: { expect: pass }
  naive: { expect: { fail: [metric:ticks] } }
`;

test('a broken invariant stops the run at that moment and fails the variant, naming the rule and the seed', () => {
  const s = parseScenario(yaml(2_050), 'countdown.yaml');
  for (const v of s.variants) {
    const { report } = runVariant(v);
    assert.equal(report.met, false, v.name);
    const broken = report.checks.find((c) => c.name === 'invariants');
    assert.ok(broken !== undefined && !broken.ok, JSON.stringify(report.checks));
    assert.match(broken.detail, /counter invariant violated: count went back from 20 to 19, at 2100 ms of seed 3/);
    assert.ok(report.virtualMs < 3_000, `stopped at ${report.virtualMs} ms`);
  }
  // The same run without the break goes to the end and meets its expectation.
  const whole = runVariant(parseScenario(yaml(1e9), 'countdown.yaml').variants.find((v) => v.name === 'fixed')!).report;
  assert.equal(whole.met, true);
  assert.equal(whole.checks.some((c) => c.name === 'invariants'), false);
});
