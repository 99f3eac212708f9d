// The intelligence pillar in a plain Node HTTP service: delivery-time estimates from a model, behind an
// ML circuit breaker. Callers report the real delivery time later; when the model's recent accuracy
// falls below 80% (the world changed: roads closed, a new courier fleet), the guard serves a simple
// heuristic instead, and probes the model in the shadow before trusting it again.
//
//   node examples/services/intelligence.js          (PORT=8080 for a fixed port)
//   curl 'localhost:PORT/eta?km=10'                   {"id":1,"minutes":25,"by":"model"}
//   curl -X POST 'localhost:PORT/outcome?id=1&minutes=41'   the real time, scored against the answer given
import http from 'node:http';
import { MlCircuitBreaker, withinRelative } from 'pillars/intelligence';
import { realEnvironment } from 'pillars/adapters/real-clock';

const real = realEnvironment();
// The "model": trained when a kilometre took 2 minutes. The heuristic: 3 minutes a kilometre, plus 5.
const model = ({ km }) => 5 + 2 * km;
const heuristic = ({ km }) => 5 + 3 * km;

const eta = new MlCircuitBreaker({
  model,
  fallback: heuristic,
  correct: withinRelative(0.2),
  accuracyMin: 0.8,
  windowMs: 60_000,
  minimumScored: 5,
  openMs: 30_000,
  clock: real.clock,
  random: real.random,
});
/** Answers waiting for their outcome, by id (a real service would expire them). */
const tickets = new Map();
let nextId = 1;

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === '/eta') {
    const km = Number(url.searchParams.get('km'));
    if (!(km > 0)) return send(res, 400, { error: 'km: expected a positive number of kilometres' });
    const ticket = eta.predict({ km });
    const id = nextId++;
    tickets.set(id, ticket);
    return send(res, 200, { id, minutes: ticket.value, by: ticket.by });
  }
  if (req.method === 'POST' && url.pathname === '/outcome') {
    const ticket = tickets.get(Number(url.searchParams.get('id')));
    const minutes = Number(url.searchParams.get('minutes'));
    if (ticket === undefined || !(minutes > 0)) return send(res, 400, { error: 'expected ?id=ID of an estimate and minutes=the real time' });
    tickets.delete(Number(url.searchParams.get('id')));
    eta.observe(ticket, minutes);
    return send(res, 200, { guard: eta.state });
  }
  return send(res, 404, { error: 'GET /eta?km=N, POST /outcome?id=ID&minutes=M' });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
