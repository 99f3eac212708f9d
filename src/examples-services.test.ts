/**
 * Every example of examples/services/ runs: each starts as a user would start it (`node
 * examples/services/X.js`, an ephemeral port), gets a few requests and answers what its comment says.
 * The examples import the package by its name (`pillars/control`), which Node resolves to this
 * repository's build through package.json `exports`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const examples = fileURLToPath(new URL('../../examples/services/', import.meta.url));

/** Start an example; resolves with its base URL once it prints the line `listening on URL`. */
async function start(t: { after(fn: () => void): void }, name: string, env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [`${examples}${name}.js`], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${name}.js exited (${code}) before listening: ${stderr}`);
  });
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      const url = /^listening on (http:\/\/\S+)$/.exec(line)?.[1];
      if (url !== undefined) return url;
    }
    throw new Error(`${name}.js closed its output without a listening line: ${stderr}`);
  })();
  return Promise.race([listening, exited]);
}

async function call(url: string, method = 'GET', body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method, body });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

test('control: a quote through retry, retry budget, breaker and timeout; the breaker opens on a failing dependency; the route is rate limited', async (t) => {
  const base = await start(t, 'control');
  assert.deepEqual(await call(`${base}/quote`), { status: 200, json: { price: 42 } });
  await call(`${base}/pricing/down`, 'POST');
  const failing = [];
  for (let i = 0; i < 3; i++) failing.push(await call(`${base}/quote`));
  assert.equal(failing[0].status, 502, 'the first call fails after its retries');
  assert.ok(failing.some((r) => r.status === 503 && r.json.error === 'pricing circuit open'), JSON.stringify(failing));
  const startedMs = performance.now();
  const burst = await Promise.all(Array.from({ length: 40 }, () => call(`${base}/quote`)));
  const elapsedMs = performance.now() - startedMs;
  const limited = burst.filter((r) => r.status === 429).length;
  // A bucket of 20 that refills 50 a second lets through 20 and what refilled while the burst lasted.
  const admittedMax = 20 + Math.ceil((50 * elapsedMs) / 1000);
  assert.ok(limited >= 40 - admittedMax, `${limited} of 40 simultaneous quotes refused in ${Math.round(elapsedMs)} ms by a bucket of 20 refilling 50/s`);
});

test('work: searches spread by Peak EWMA, which soon avoids the slow replica', async (t) => {
  const base = await start(t, 'work');
  for (let i = 0; i < 30; i++) {
    const r = await call(`${base}/search`);
    assert.equal(r.status, 200);
    assert.match(String(r.json.result), /^hits from b[123]$/);
  }
  const { json } = await call(`${base}/stats`);
  const calls = json.callsPerReplica as Record<string, number>;
  assert.ok(calls.b3 < calls.b1 + calls.b2, `the 200 ms replica got ${calls.b3} calls, the 5 ms ones ${calls.b1} and ${calls.b2}`);
});

test('state: two cart replicas take writes alone and converge on merging; a concurrent add and remove keep the item', async (t) => {
  const [us, eu] = await Promise.all([start(t, 'state', { REPLICA: 'us' }), start(t, 'state', { REPLICA: 'eu' })]);
  await call(`${us}/cart/book`, 'POST');
  await call(`${eu}/cart/pen`, 'POST');
  assert.deepEqual((await call(`${eu}/sync?from=${us}`, 'POST')).json.items, ['book', 'pen']);
  await call(`${eu}/cart/book`, 'DELETE');
  await call(`${us}/cart/book`, 'POST');
  await call(`${eu}/sync?from=${us}`, 'POST');
  await call(`${us}/sync?from=${eu}`, 'POST');
  assert.deepEqual((await call(`${us}/cart`)).json, { replica: 'us', items: ['book', 'pen'] });
  assert.deepEqual((await call(`${eu}/cart`)).json, { replica: 'eu', items: ['book', 'pen'] });
});

test('state: a quorum store over HTTP; ALL fails with a replica cut off, QUORUM goes on, and ONE may read stale data', async (t) => {
  const r1 = await start(t, 'state-quorum');
  const { r2, r3 } = (await call(`${r1}/cluster`)).json as Record<string, string>;
  assert.deepEqual((await call(`${r1}/kv/cart?consistency=ALL`, 'PUT', 'book')).json, { status: 'ok' });
  assert.equal((await call(`${r2}/kv/cart?consistency=ONE`)).json.value, 'book');
  await call(`${r3}/admin/isolate`, 'POST');
  const all = await call(`${r1}/kv/cart?consistency=ALL`, 'PUT', 'pen');
  assert.deepEqual([all.status, all.json.error], [504, '2 of 3 acknowledgements'], 'the write may or may not stay: unknown');
  assert.equal((await call(`${r1}/kv/cart?consistency=QUORUM`, 'PUT', 'pen')).status, 200);
  assert.equal((await call(`${r2}/kv/cart?consistency=QUORUM`)).json.value, 'pen', 'W + R > N: the read quorum meets the write quorum');
  assert.equal((await call(`${r3}/kv/cart?consistency=ONE`)).json.value, 'book', 'W + R = N: the cut-off replica answers alone, stale');
  assert.equal((await call(`${r3}/kv/cart?consistency=QUORUM`)).status, 503);
});

test('truth: a holder paused past its lease cannot overwrite the next holder: its fencing token is refused', async (t) => {
  const base = await start(t, 'truth', { LEASE_MS: '300' });
  const a = await call(`${base}/locks/report?holder=a`, 'POST');
  assert.equal(a.json.token, 1);
  assert.equal((await call(`${base}/locks/report?holder=b`, 'POST')).status, 409, 'a holds it');
  await sleep(400);
  const b = await call(`${base}/locks/report?holder=b`, 'POST');
  assert.equal(b.json.token, 2, 'a new lease, a larger token');
  assert.equal((await call(`${base}/files/report?token=2`, 'PUT', 'by b')).status, 200);
  const late = await call(`${base}/files/report?token=1`, 'PUT', 'by a');
  assert.equal(late.status, 409);
  assert.equal(late.json.tokenSeen, 2);
  assert.equal((await call(`${base}/files/report`)).json.value, 'by b');
});

test('intelligence: once the model is wrong often enough, the guard answers with the heuristic', async (t) => {
  const base = await start(t, 'intelligence');
  for (let i = 0; i < 5; i++) {
    const estimate = await call(`${base}/eta?km=10`);
    assert.deepEqual(estimate.json, { id: i + 1, minutes: 25, by: 'model' });
    await call(`${base}/outcome?id=${estimate.json.id}&minutes=41`, 'POST');
  }
  assert.deepEqual((await call(`${base}/eta?km=10`)).json, { id: 6, minutes: 35, by: 'fallback' });
});
