// The work pillar in a plain Node HTTP service: GET /search spreads its calls over three replicas of a
// search backend with Peak EWMA (Finagle's balancer: latency estimate x outstanding, best of two), and
// hedges a call that is slower than 50 ms with a second one to another replica (at most 20% extra).
//
//   node examples/services/work.js            (PORT=8080 for a fixed port)
//   curl localhost:PORT/search                 {"result":...,"backend":"b1","hedged":false}
//   curl localhost:PORT/stats                  calls per replica: the slow one is soon avoided
import http from 'node:http';
import { Hedge, PeakEwma } from 'pillars/work';
import { realEnvironment } from 'pillars/adapters/real-clock';

const real = realEnvironment();

// Stand-ins for the search replicas, so that the example runs alone: b3 answers in 200 ms, the others in 5.
const replicaDelayMs = { b1: 5, b2: 5, b3: 200 };
const replicaUrls = {};
for (const [name, ms] of Object.entries(replicaDelayMs)) {
  const replica = http.createServer((req, res) => setTimeout(() => res.end(JSON.stringify({ result: `hits from ${name}` })), ms));
  await new Promise((resolve) => replica.listen(0, '127.0.0.1', resolve));
  replicaUrls[name] = `http://127.0.0.1:${replica.address().port}/search`;
}

const balancer = new PeakEwma(Object.keys(replicaUrls), real.random, real.clock);
const hedge = new Hedge({ delayMs: 50, maxExtraRatio: 0.2, ...real });
const callsPerReplica = Object.fromEntries(Object.keys(replicaUrls).map((b) => [b, 0]));

/** One attempt: the balancer picks a replica and hears how long it took. */
async function attempt({ signal }) {
  const backend = balancer.pick();
  callsPerReplica[backend]++;
  balancer.onStart(backend);
  const started = real.clock.now();
  let ok = false;
  try {
    const r = await fetch(replicaUrls[backend], { signal });
    const body = await r.json();
    ok = r.ok;
    return { ...body, backend };
  } finally {
    balancer.onEnd(backend, real.clock.now() - started, ok);
  }
}

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const server = http.createServer(async (req, res) => {
  if (req.url === '/stats') return send(res, 200, { callsPerReplica, hedges: hedge.hedges, hedgeWins: hedge.hedgeWins });
  if (req.url !== '/search') return send(res, 404, { error: 'GET /search or /stats' });
  const hedgesBefore = hedge.hedgeWins;
  try {
    const answer = await hedge.execute(attempt);
    return send(res, 200, { ...answer, hedged: hedge.hedgeWins > hedgesBefore });
  } catch (e) {
    return send(res, 502, { error: String(e.message ?? e) });
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
