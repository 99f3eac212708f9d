import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantBackoff, Retry } from '../control/index.js';
import { realClock, realEnvironment } from './real-clock.js';

test('a retry on the real environment waits a real backoff and succeeds', async () => {
  let n = 0;
  const r = new Retry({ maxAttempts: 3, backoff: constantBackoff(5), env: realEnvironment() });
  const started = realClock().now();
  const v = await r.execute(async () => {
    if (n++ < 2) throw new Error('flaky');
    return 'ok';
  });
  assert.equal(v, 'ok');
  assert.equal(n, 3);
  assert.ok(realClock().now() - started >= 9, 'two backoffs of 5 ms were waited on the real timers');
});
