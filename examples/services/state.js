// The state pillar in a plain Node HTTP service: a shopping cart kept as an observed-remove set (a
// CRDT), one replica per service instance. Each instance takes writes alone, even cut off from the
// others; instances exchange whole states and merge them, and all converge to the same cart. A
// concurrent add and remove of one item keep it (add wins), as Amazon's cart did.
//
//   REPLICA=us node examples/services/state.js                     (PORT=8080 for a fixed port)
//   REPLICA=eu PEERS=http://127.0.0.1:8080 node examples/services/state.js   pulls from its peers every SYNC_MS (1000)
//   curl -X POST localhost:PORT/cart/book      curl -X DELETE localhost:PORT/cart/book      curl localhost:PORT/cart
//   curl -X POST 'localhost:PORT/sync?from=http://127.0.0.1:8080'  merge one peer's state now
import http from 'node:http';
import { orSet } from 'pillars/state';

const replica = process.env.REPLICA ?? `replica-${process.pid}`;
const peers = (process.env.PEERS ?? '').split(',').filter((p) => p !== '');
let cart = orSet.empty();

/** Anti-entropy by pull: fetch a peer's whole state and merge it into ours (idempotent, any order). */
async function pullFrom(peer) {
  const r = await fetch(new URL('/state', peer));
  if (!r.ok) throw new Error(`${peer} answered ${r.status}`);
  cart = orSet.merge(cart, await r.json());
}
setInterval(() => peers.forEach((p) => pullFrom(p).catch(() => {})), Number(process.env.SYNC_MS ?? 1000)).unref();

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const item = /^\/cart\/([^/]+)$/.exec(url.pathname)?.[1];
  if (req.method === 'GET' && url.pathname === '/state') return send(res, 200, cart);
  if (req.method === 'GET' && url.pathname === '/cart') return send(res, 200, { replica, items: orSet.value(cart) });
  if (req.method === 'POST' && item !== undefined) cart = orSet.add(cart, replica, decodeURIComponent(item));
  else if (req.method === 'DELETE' && item !== undefined) cart = orSet.remove(cart, decodeURIComponent(item));
  else if (req.method === 'POST' && url.pathname === '/sync' && url.searchParams.has('from')) {
    try {
      await pullFrom(url.searchParams.get('from'));
    } catch (e) {
      return send(res, 502, { error: String(e.message ?? e) });
    }
  } else return send(res, 404, { error: 'GET /cart, POST or DELETE /cart/ITEM, POST /sync?from=URL, GET /state' });
  return send(res, 200, { replica, items: orSet.value(cart) });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
