/**
 * The node as `pillars node` runs it, in the simulator: when its disk fails, the member's supervisor
 * stops the member and the node's client layer answers what waited on it at once; once the disk works
 * again the member comes back from its disk with everything it acknowledged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientReply, Operation } from '../../runtime/client-protocol.js';
import type { Context, Process } from '../../runtime/context.js';
import { supervisorDefaults } from '../../runtime/member-supervisor.js';
import { World } from '../../sim/world.js';
import { raftNode, raftNodeConfigSchema, type RaftNode } from './raft-node.js';

/** A client that sends requests to n1 and keeps the replies. */
class Client implements Process {
  readonly replies: ClientReply[] = [];
  private nextId = 1;
  constructor(readonly ctx: Context) {}
  send(op: Operation): number {
    const id = this.nextId++;
    this.ctx.send('n1', { type: 'client_request', id, op, attempt: 1, ackedBelow: id });
    return id;
  }
  reply(id: number): ClientReply | undefined {
    return this.replies.find((r) => r.id === id);
  }
  onMessage(_from: string, msg: unknown): void {
    this.replies.push(msg as ClientReply);
  }
}

test('a disk that fails under the real node stops its member, answers its waiting clients at once, and the member comes back from its disk', () => {
  const config = raftNodeConfigSchema.parse({ voters: ['n1'] });
  const w = new World({
    seed: 1,
    nodes: [
      { id: 'n1', factory: raftNode, config },
      { id: 'c1', kind: 'client', factory: (ctx: Context) => new Client(ctx) },
    ],
  });
  w.run(2_000);
  const client = w.process('c1') as Client;
  const node = () => w.process('n1') as RaftNode;
  assert.equal(node().member?.raft.role, 'leader');
  const first = client.send({ f: 'write', key: 'x', value: 1 });
  w.run(w.now + 200);
  assert.equal(client.reply(first)?.status, 'ok');

  const heal = w.diskFault('n1', 'enospc-append');
  const lost = client.send({ f: 'write', key: 'x', value: 2 });
  w.run(w.now + 20);
  // Not a timeout ten seconds later: the node's client layer hears that its member stopped.
  assert.deepEqual(client.reply(lost), { type: 'client_reply', id: lost, status: 'info', error: 'disk full: append raft.wal.1 (ENOSPC)', attempt: 1 });
  assert.equal(node().member, undefined, 'the member is stopped; the node runs on');
  assert.equal(w.status('n1'), 'up');
  const refused = client.send({ f: 'read', key: 'x' });
  w.run(w.now + 20);
  assert.equal(client.reply(refused)?.status, 'fail', 'a read while the member is stopped fails at once');
  w.run(w.now + 5 * supervisorDefaults.restartCheckMs);
  assert.equal(node().member, undefined, 'no restart while appends still fail');

  heal();
  w.run(w.now + supervisorDefaults.restartCheckMs + 2_000);
  assert.equal(node().member?.raft.role, 'leader', 'restarted from its disk, and leading again');
  const read = client.send({ f: 'read', key: 'x' });
  w.run(w.now + 200);
  assert.equal(client.reply(read)?.status, 'ok');
  assert.ok([1, 2].includes(client.reply(read)?.value as number), `read ${String(client.reply(read)?.value)}: the acknowledged write survived`);
  assert.equal(w.metrics.counter('disk_failures'), 1);
});
