/**
 * persisted(rd, { markPending }) and marked(rd): a host that makes the durable mark of a Ready's
 * entries durable after the entries themselves (RaftHost's pipelineDurableMark) lets the core take
 * the next Ready meanwhile, but a leader must not count its own copy toward a commit until the mark
 * is durable too: a log that loses those entries later would otherwise look like a torn tail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, defaultRaftConfig } from './raft.js';
import type { Message, Ready } from './types.js';

type Outbox = { from: string; to: string; msg: Message }[];

function node(id: string, voters: string[]): Raft {
  let x = id.charCodeAt(0);
  const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000) / 1000;
  return new Raft({ ...defaultRaftConfig, id, voters, random });
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

test('a leader counts its own entries toward a commit only once their mark is durable', () => {
  const ids = ['a', 'b', 'c'];
  const nodes = new Map(ids.map((id) => [id, node(id, ids)]));
  const out: Outbox = [];
  const a = nodes.get('a')!;
  a.campaign();
  drain(a, 'a', out);
  deliverAll(nodes, out);
  assert.equal(a.role, 'leader');
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
