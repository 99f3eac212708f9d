/**
 * A node's HTTP admin API, for operators, load balancers and Prometheus:
 *
 *   GET  /health    200 while the process runs (liveness)
 *   GET  /ready     200 when this node can serve: its Raft member runs, is not repairing a lost log, and a leader is known; 503 and why otherwise
 *   GET  /status    JSON: role, term, leader, commit and applied index, peers and their connections, lag
 *   GET  /metrics   Prometheus text (prom-client): request rates and latencies, Raft term, commit lag...
 *   POST /admin/transfer-leadership?to=n2   needs `Authorization: Bearer <cluster secret>`
 *   POST /admin/backup   the leader's consistent copy of the store, as a snapshot file's bytes (secret too)
 *   GET  /members        the membership this node applied: voters, learners, peer addresses, leader
 *   POST /admin/members?op=add-learner|add-voter|remove-voter&id=n4[&address=host:port]   one change through the log (secret too)
 *
 * Nothing here changes data, and the operations on the cluster need the cluster secret: an open
 * admin port must not be a way around the peers' authentication.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { PeerAddress } from '../adapters/tcp-transport.js';
import { encodeSnapshotFile, type Snapshot } from '../truth/index.js';
import { isMemberChangeError, NodeStartError, parseHostPort, type KvNode } from './kv-node.js';

/** The operations that touch the cluster need its secret: `Authorization: Bearer <secret>`. */
function authorized(node: KvNode, req: IncomingMessage): boolean {
  const auth = req.headers.authorization ?? '';
  return node.secretMatches(auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '');
}

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2) + '\n';
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

export async function startAdminHttp(node: KvNode, address: PeerAddress): Promise<PeerAddress> {
  const server = createServer((req, res) => {
    handle(node, req, res).catch((e) => send(res, 500, { error: String((e as Error).message) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new NodeStartError(`--http ${address.host}:${address.port}: cannot listen (${(e as NodeJS.ErrnoException).code})`)));
    server.listen(address.port, address.host, () => resolve());
  });
  node.httpServer = {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const a = server.address();
  const bound = typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : address;
  node.addresses.http = bound;
  return bound;
}

async function handle(node: KvNode, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://node');
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /health':
      return send(res, 200, { ok: true, node: node.id });
    case 'GET /ready': {
      const s = node.status();
      const why = !s.up
        ? (s.failure ?? 'the Raft member is stopped')
        : s.repairing
          ? `repairing: lost log entries it had acknowledged, catching up to index ${s.repairUntil} from the leader (last index ${s.lastIndex})`
          : s.leader === undefined
            ? 'no leader known'
            : !s.inContact
              ? s.role === 'leader'
                ? 'no majority: no quorum of the voters answered within an election timeout'
                : `no word from the leader ${s.leader} within an election timeout`
              : node.writesRefused();
      return send(res, why === undefined ? 200 : 503, why === undefined ? { ready: true, node: node.id, role: s.role, leader: s.leader } : { ready: false, node: node.id, reason: why });
    }
    case 'GET /status':
      // The process id lets an operator (and the launcher) tell this node from another on the same port.
      return send(res, 200, { ...node.status(), pid: process.pid });
    case 'GET /metrics':
      return send(res, 200, await node.metrics.text(), node.metrics.contentType);
    case 'GET /members':
      return send(res, 200, node.members());
    case 'POST /admin/members': {
      if (!authorized(node, req)) return send(res, 401, { error: 'the cluster secret is required: Authorization: Bearer <secret>' });
      const op = url.searchParams.get('op') ?? '';
      const id = url.searchParams.get('id') ?? '';
      const address = url.searchParams.get('address') ?? undefined;
      if (op !== 'add-learner' && op !== 'add-voter' && op !== 'remove-voter') return send(res, 400, { error: `op: add-learner, add-voter or remove-voter (got "${op}")` });
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) return send(res, 400, { error: `id: a node id of letters, digits, _ . - (got "${id}")` });
      if (address !== undefined && parseHostPort(address) === undefined) return send(res, 400, { error: `address: host:port of the node's peer port (got "${address}")` });
      try {
        await node.changeMember(address === undefined ? { type: op, node: id } : { type: op, node: id, address });
      } catch (e) {
        return send(res, 409, { error: (e as Error).message, leader: isMemberChangeError(e) ? (e.leader ?? null) : null });
      }
      return send(res, 200, { ok: true, ...node.members() });
    }
    case 'POST /admin/backup': {
      if (!authorized(node, req)) return send(res, 401, { error: 'the cluster secret is required: Authorization: Bearer <secret>' });
      let snap: Snapshot;
      try {
        snap = await node.backup();
      } catch (e) {
        return send(res, 409, { error: `no backup: ${(e as Error).message}`, leader: node.status().leader ?? null });
      }
      const bytes = encodeSnapshotFile(snap);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store', 'x-pillars-index': String(snap.index), 'x-pillars-term': String(snap.term) });
      res.end(bytes);
      return;
    }
    case 'POST /admin/transfer-leadership': {
      if (!authorized(node, req)) return send(res, 401, { error: 'the cluster secret is required: Authorization: Bearer <secret>' });
      const to = url.searchParams.get('to') ?? '';
      const ok = node.transferLeadership(to);
      return send(res, ok ? 202 : 409, ok ? { transferring: true, to } : { error: `cannot transfer leadership to "${to}": this node must lead and "${to}" must be a peer` });
    }
    default:
      if (['/health', '/ready', '/status', '/metrics', '/members', '/admin/transfer-leadership', '/admin/backup', '/admin/members'].includes(url.pathname)) return send(res, 405, { error: `${req.method} is not allowed on ${url.pathname}` });
      return send(res, 404, { error: `no such endpoint: ${url.pathname} (try /health, /ready, /status, /metrics)` });
  }
}
