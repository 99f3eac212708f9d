// The control pillar in a plain Node HTTP service: GET /quote calls a pricing service through a retry
// with a retry budget, a circuit breaker and a timeout, and the route itself is rate limited.
//
//   node examples/services/control.js        (PORT=8080 for a fixed port; 0, the default, picks one)
//   curl localhost:PORT/quote                 200 {"price":...}, 503 while the breaker is open, 429 over the limit
//   curl -X POST localhost:PORT/pricing/down  the stand-in pricing service starts failing (and /pricing/up)
import http from 'node:http';
import { circuitBreaker, ConsecutiveFailures, exponentialBackoff, isBrokenCircuitError, retry, RetryBudget, timeout, tokenBucket, wrap } from 'pillars/control';
import { realEnvironment } from 'pillars/adapters/real-clock';

const real = realEnvironment();

// A stand-in for the pricing service this one depends on, so that the example runs alone.
let pricingDown = false;
const pricing = http.createServer((req, res) => {
  res.writeHead(pricingDown ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(pricingDown ? { error: 'down' } : { price: 42 }));
});
await new Promise((resolve) => pricing.listen(0, '127.0.0.1', resolve));
const pricingUrl = `http://127.0.0.1:${pricing.address().port}/price`;

// Outermost first: the retry asks the breaker again, within a budget of 10% extra calls (at least 5 a
// second), so that a pricing outage is not multiplied by three; the breaker counts timeouts as failures.
const breaker = circuitBreaker({ ...real, strategy: new ConsecutiveFailures(5), openMs: 2_000, jitter: 0.2 });
const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 5 }, real.clock);
const outgoing = wrap(retry({ maxAttempts: 3, backoff: exponentialBackoff({ initialMs: 20, maxMs: 200 }), budget, env: real }), breaker, timeout(500, real.timers));
// 50 quotes a second, bursts of 20: beyond that, 429 with the wait.
const quoteLimit = tokenBucket(50, 20, real.clock);

async function fetchPrice(signal) {
  const r = await fetch(pricingUrl, { signal });
  if (!r.ok) throw new Error(`pricing answered ${r.status}`);
  return (await r.json()).price;
}

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && (req.url === '/pricing/down' || req.url === '/pricing/up')) {
    pricingDown = req.url === '/pricing/down';
    return send(res, 200, { pricingDown });
  }
  if (req.url !== '/quote') return send(res, 404, { error: 'GET /quote' });
  const waitMs = quoteLimit.tryTake();
  if (waitMs > 0) return send(res, 429, { error: 'rate limited', retryAfterMs: Math.ceil(waitMs) });
  try {
    return send(res, 200, { price: await outgoing.execute(({ signal }) => fetchPrice(signal)) });
  } catch (e) {
    if (isBrokenCircuitError(e)) return send(res, 503, { error: 'pricing circuit open', retryAfterMs: Math.ceil(e.retryAfterMs), breaker: breaker.state.kind });
    return send(res, 502, { error: String(e.message ?? e), breaker: breaker.state.kind, retriesRefusedByBudget: budget.exhausted });
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
