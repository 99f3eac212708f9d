import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { MetricsRegistry } from './metrics.js';

test('a histogram reads as an HdrHistogram that recorded every observation, whatever their size, and read midway', () => {
  const value = fc.oneof(
    fc.double({ min: 0, max: 3, noNaN: true }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 1e12, noNaN: true }),
    fc.constantFrom(0, -1, 2.0475, 2.048, 4.095, 4.096, NaN, Infinity),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(value, fc.boolean()), { minLength: 1, maxLength: 400 }), (steps) => {
      const registry = new MetricsRegistry();
      const reference = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
      for (const [v, readNow] of steps) {
        registry.observe('latency_ms', v);
        reference.recordValue(Math.max(0, Math.round(v * 1000)));
        if (readNow) registry.histogram('latency_ms');
      }
      const got = registry.histogram('latency_ms')!;
      const at = (p: number) => reference.getValueAtPercentile(p) / 1000;
      assert.deepEqual([got.p50, got.p90, got.p99, got.p999], [at(50), at(90), at(99), at(99.9)]);
      assert.equal(got.count, steps.length);
    }),
    { numRuns: 300 },
  );
});
