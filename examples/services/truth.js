// The truth pillar in a plain Node HTTP service: a lock service that hands out leases with fencing
// tokens, and a store that refuses a write carrying a token older than one it has seen. A client
// paused past its lease (a GC pause, a swapped-out process) can no longer overwrite the work of the
// client that took the lock after it (Kleppmann, "How to do distributed locking"). The two roles
// share a process here to keep the example short; in production they are separate services.
//
//   node examples/services/truth.js                           (PORT=8080 for a fixed port; LEASE_MS=10000)
//   curl -X POST 'localhost:PORT/locks/report?holder=a'         {"granted":true,"token":1,"expiresInMs":10000}
//   curl -X PUT  'localhost:PORT/files/report?token=1' -d text  200, or 409 once a newer token has written
//   curl localhost:PORT/files/report
import http from 'node:http';
import { FencedStore, LeaseLock } from 'pillars/truth';
import { realClock } from 'pillars/adapters/real-clock';

const clock = realClock();
const locks = new LeaseLock(Number(process.env.LEASE_MS ?? 10_000));
const files = new FencedStore();

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const bodyOf = async (req) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const [, kind, name] = /^\/(locks|files)\/([^/]+)$/.exec(url.pathname) ?? [];
  if (kind === 'locks' && req.method === 'POST') {
    const holder = url.searchParams.get('holder');
    if (holder === null) return send(res, 400, { error: 'holder: expected ?holder=NAME' });
    const now = clock.now();
    // Lease times are on this process's monotonic clock: tell the client how long, not until when.
    const { expiresMs, ...answer } = locks.acquire(name, holder, now);
    return send(res, answer.granted ? 200 : 409, { ...answer, expiresInMs: Math.round(expiresMs - now) });
  }
  if (kind === 'files' && req.method === 'PUT') {
    const token = Number(url.searchParams.get('token'));
    if (!Number.isInteger(token) || token <= 0) return send(res, 400, { error: 'token: expected ?token=N, the fencing token of a lease' });
    const written = files.write(name, await bodyOf(req), token);
    return written.ok ? send(res, 200, { written: name, token }) : send(res, 409, { error: written.error.message, tokenSeen: written.error.tokenSeen });
  }
  if (kind === 'files' && req.method === 'GET') return send(res, 200, { name, value: files.peek(name) ?? null, tokenSeen: files.tokenSeen(name) });
  return send(res, 404, { error: 'POST /locks/NAME?holder=H, PUT /files/NAME?token=N, GET /files/NAME' });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
