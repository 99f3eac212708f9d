// The state pillar's quorum store in plain Node HTTP services: three replicas of QuorumStore (the
// Dynamo-style Process the simulator tests), each behind node:http. A client reads and writes any
// replica with a consistency level per request, as Cassandra clients do: ONE, QUORUM (2 of 3) or ALL.
// W + R > N (QUORUM and QUORUM) makes every read see the last acknowledged write.
//
//   node examples/services/state-quorum.js      three replicas on free ports (one process: a local cluster)
//   curl -X PUT 'localhost:PORT/kv/cart?consistency=QUORUM' -d book   {"status":"ok"}
//   curl 'localhost:PORT/kv/cart?consistency=ALL'                       {"status":"ok","value":"book"}
//   curl -X POST localhost:PORT/admin/isolate     this replica drops every message from and to its peers
//   curl localhost:PORT/cluster                   the replicas and their URLs
import http from 'node:http';
import { QuorumStore, quorumStoreConfigSchema } from 'pillars/state';

const ids = ['r1', 'r2', 'r3'];
const config = quorumStoreConfigSchema.parse({ n: 3, r: 'QUORUM', w: 'QUORUM', timeoutMs: 1_500 });
const urls = {};
const isolated = new Set();
const noMetrics = { count() {}, observe() {}, gauge() {} };

/**
 * The Context a Process talks through (pillars/runtime), opened on HTTP: peers get messages by POST
 * /peer, a client's reply goes to the waiting HTTP request. The store keeps its data in memory, so
 * it has no disk. Time is the wall clock: replicas on different hosts compare timestamps (HLC).
 */
function httpContext(id, replyToClient) {
  const timers = new Map();
  let nextTimer = 1;
  return {
    id,
    peers: ids.filter((p) => p !== id),
    now: () => Date.now(),
    random: Math.random,
    send(to, msg) {
      if (!(to in urls)) return replyToClient(to, msg);
      if (isolated.has(id) || isolated.has(to)) return;
      // A message that does not arrive is lost, as the network may lose it; the store copes.
      fetch(`${urls[to]}/peer`, { method: 'POST', body: JSON.stringify({ from: id, msg }) }).catch(() => {});
    },
    setTimer(ms, fn) {
      const timer = nextTimer++;
      timers.set(timer, setTimeout(() => timers.delete(timer) && fn(), ms));
      return timer;
    },
    clearTimer(timer) {
      clearTimeout(timers.get(timer));
      timers.delete(timer);
    },
    metrics: noMetrics,
    log() {},
  };
}

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const bodyOf = async (req) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
};
const httpStatus = { ok: 200, fail: 503, info: 504 };

async function startReplica(id) {
  const waiting = new Map();
  const store = new QuorumStore(
    httpContext(id, (client, reply) => waiting.get(reply.id)?.(reply)),
    config,
  );
  let nextRequest = 1;
  /** One client operation through this replica as coordinator: resolves with the store's reply. */
  const coordinate = (op) =>
    new Promise((resolve) => {
      const request = { type: 'client_request', id: nextRequest++, op };
      waiting.set(request.id, (reply) => waiting.delete(request.id) && resolve(reply));
      store.onMessage(`client-of-${id}`, request);
    });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const key = /^\/kv\/([^/]+)$/.exec(url.pathname)?.[1];
    const consistency = url.searchParams.get('consistency') ?? undefined;
    if (consistency !== undefined && !['ONE', 'QUORUM', 'ALL'].includes(consistency)) return send(res, 400, { error: 'consistency: expected ONE, QUORUM or ALL' });
    if (req.method === 'POST' && url.pathname === '/peer') {
      const { from, msg } = JSON.parse(await bodyOf(req));
      if (!isolated.has(id)) store.onMessage(from, msg);
      return send(res, 202, {});
    }
    if (req.method === 'POST' && url.pathname === '/admin/isolate') return send(res, 200, { isolated: [...isolated.add(id)] });
    if (req.method === 'GET' && url.pathname === '/cluster') return send(res, 200, urls);
    if (key === undefined || (req.method !== 'GET' && req.method !== 'PUT')) return send(res, 404, { error: 'GET or PUT /kv/KEY?consistency=ONE|QUORUM|ALL' });
    const op = req.method === 'PUT' ? { f: 'write', key, value: await bodyOf(req), consistency } : { f: 'read', key, consistency };
    const reply = await coordinate(op);
    return send(res, httpStatus[reply.status], { status: reply.status, value: reply.value, error: reply.error });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  urls[id] = `http://127.0.0.1:${server.address().port}`;
  return store;
}

const stores = [];
for (const id of ids) stores.push(await startReplica(id));
stores.forEach((s) => s.start());
console.log(`listening on ${urls.r1}`);
