/**
 * What the core does for the real node's profile, on a hand-driven network.
 *
 * persisted(rd, { markPending }) and marked(rd): a host that makes the durable mark of a Ready's
 * entries durable after the entries themselves (RaftHost's pipelineDurableMark) lets the core take
 * the next Ready meanwhile, but a leader must not count its own copy toward a commit until the mark
 * is durable too: a log that loses those entries later would otherwise look like a torn tail.
 *
 * commitRidesAlong: a commit index that moved alone waits for the next append or heartbeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, defaultRaftConfig, type RaftConfig } from './raft.js';
import type { Message, Ready } from './types.js';

type Outbox = { from: string; to: string; msg: Message }[];

function node(id: string, voters: string[], extra: Partial<RaftConfig> = {}): Raft {
  let x = id.charCodeAt(0);
  const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000) / 1000;
  return new Raft({ ...defaultRaftConfig, id, voters, random, ...extra });
}

/** One Ready of `r`, its storage reported durable (the mark pending when asked), its messages queued. */
function drain(r: Raft, id: string, out: Outbox, markPending = false): Ready[] {
  const done: Ready[] = [];
  while (r.hasReady()) {
    const rd = r.ready();
    r.persisted(rd, { markPending });
    if (rd.committed.length > 0) r.applied(rd.committed[rd.committed.length - 1].index);
    for (const o of rd.messages) out.push({ from: id, to: o.to, msg: o.msg });
    done.push(rd);
  }
  return done;
}

function deliverAll(nodes: Map<string, Raft>, out: Outbox, keep: (o: Outbox[number]) => boolean = () => true): void {
  while (out.length > 0) {
    const o = out.shift()!;
    if (!keep(o)) continue;
    const r = nodes.get(o.to)!;
    r.step(o.from, o.msg);
    drain(r, o.to, out);
  }
}

/** Three nodes a, b, c, with a elected leader and every message of the election delivered. */
function electA(extra: Partial<RaftConfig> = {}): { nodes: Map<string, Raft>; a: Raft; out: Outbox } {
  const ids = ['a', 'b', 'c'];
  const nodes = new Map(ids.map((id) => [id, node(id, ids, extra)]));
  const out: Outbox = [];
  const a = nodes.get('a')!;
  a.campaign();
  drain(a, 'a', out);
  deliverAll(nodes, out);
  assert.equal(a.role, 'leader');
  return { nodes, a, out };
}

test('a leader counts its own entries toward a commit only once their mark is durable', () => {
  const { nodes, a, out } = electA();
  const before = a.log.committed;

  // a's entry is on its disk, its mark is not yet; c hears nothing, b stores and answers.
  assert.equal(a.propose('x').ok, true);
  const readies = drain(a, 'a', out, true);
  const entryIndex = a.log.lastIndex();
  assert.equal(a.log.stable, entryIndex, 'the entry is stable: the next Ready may go to storage');
  deliverAll(nodes, out, (o) => o.to !== 'c' && o.from !== 'c');
  assert.equal(a.log.committed, before, 'one follower and a leader copy without its mark are not a majority');

  // The mark is durable: a's copy counts, and with b's the entry commits.
  for (const rd of readies) a.marked(rd);
  assert.equal(a.log.committed, entryIndex);
});

test('a mark completed for entries since replaced does not count the entries that replaced them', () => {
  const ids = ['a'];
  const a = node('a', ids);
  const out: Outbox = [];
  a.campaign();
  const first = drain(a, 'a', out, true);
  const noop = a.log.lastIndex();
  assert.equal(a.role, 'leader');
  assert.equal(a.log.committed, 0, 'a lone voter commits nothing before its mark is durable');
  // A Ready whose entries the log no longer holds at that term counts nothing.
  const stale = { ...first[first.length - 1], entries: [{ index: noop, term: a.term + 1, data: undefined }] };
  a.marked(stale);
  assert.equal(a.log.committed, 0);
  for (const rd of first) a.marked(rd);
  assert.equal(a.log.committed, noop);
});

/** Elects a among a, b, c, then has it commit one proposal; returns the appends that carried no entry. */
function commitOne(extra: Partial<RaftConfig>): { nodes: Map<string, Raft>; emptyAppends: number } {
  const { nodes, a, out } = electA(extra);
  a.propose('x');
  drain(a, 'a', out);
  let emptyAppends = 0;
  deliverAll(nodes, out, (o) => {
    if (o.msg.type === 'append' && o.msg.entries.length === 0) emptyAppends++;
    return true;
  });
  assert.equal(a.log.committed, a.log.lastIndex());
  return { nodes, emptyAppends };
}

test('commitRidesAlong: a commit sends no empty append; followers learn it from the next heartbeat', () => {
  const plain = commitOne({});
  assert.ok(plain.emptyAppends >= 2, `without it the commit index goes out alone (${plain.emptyAppends} empty appends)`);

  const { nodes, emptyAppends } = commitOne({ commitRidesAlong: true });
  assert.equal(emptyAppends, 0);
  const a = nodes.get('a')!;
  for (const id of ['b', 'c']) assert.ok(nodes.get(id)!.log.committed < a.log.committed, `${id} has not heard the commit yet`);
  const out: Outbox = [];
  for (let i = 0; i < defaultRaftConfig.heartbeatTicks; i++) a.tick();
  drain(a, 'a', out);
  deliverAll(nodes, out);
  for (const id of ['b', 'c']) assert.equal(nodes.get(id)!.log.committed, a.log.committed, `${id} learns the commit from the heartbeat`);
});
