/**
 * The host's promise behind every vote and acknowledgement (Raft §5.1, Figure 2 "respond after
 * persisting"): nothing is promised to a peer before the disk holds it. A follower on a slow disk
 * must stay silent until its fsync completes, in every profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualContext } from '../../testing/manual-context.js';
import { RaftKv, raftKvConfigSchema, raftKvProfiles, type RaftKvProfile } from './host.js';
import type { Message } from './types.js';

const fsyncMs = 30;

function follower(profile: RaftKvProfile, unsafeAckBeforeFsync = false) {
  const sent: { at: number; to: string; msg: Message }[] = [];
  const { ctx, clock } = manualContext({ id: 'n2', peers: ['n1', 'n3'], fsyncMs, send: (to, msg) => sent.push({ at: clock.now(), to, msg: msg as Message }) });
  const kv = new RaftKv(ctx, raftKvConfigSchema.parse({ voters: ['n1', 'n2', 'n3'], profile, unsafeAckBeforeFsync }));
  kv.start();
  return { kv, clock, sent };
}

for (const profile of Object.keys(raftKvProfiles) as RaftKvProfile[]) {
  test(`${profile}: a vote and an append are answered only once the fsync that holds them completes`, () => {
    const { kv, clock, sent } = follower(profile);
    // With protocol-aware recovery the durable mark (storage.ts) is fsynced after the log, before any answer.
    const answerMs = raftKvProfiles[profile].recovery === 'repair' ? 2 * fsyncMs : fsyncMs;
    kv.onMessage('n1', { type: 'vote', term: 1, lastLogIndex: 0, lastLogTerm: 0 });
    const vote = () => sent.find((s) => s.msg.type === 'vote_resp');
    assert.equal(vote(), undefined, 'no vote before the vote is on disk');
    clock.advance(fsyncMs);
    if (answerMs > fsyncMs) {
      assert.equal(vote(), undefined, 'no vote before the mark of it is on disk');
      clock.advance(answerMs - fsyncMs);
    }
    assert.deepEqual([vote()?.at, (vote()?.msg as { reject: boolean }).reject], [answerMs, false]);

    const entries = [1, 2, 3].map((index) => ({ term: 1, index, data: undefined }));
    kv.onMessage('n1', { type: 'append', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries, commit: 0 });
    const ack = () => sent.find((s) => s.msg.type === 'append_resp' && !s.msg.reject && s.msg.index === 3);
    assert.equal(ack(), undefined, 'no acknowledgement before the entries are on disk');
    clock.advance(answerMs);
    assert.equal(ack()?.at, 2 * answerMs);
  });
}

test('the deliberately unsafe host answers at once, before its disk holds anything (what raft-chaos naive breaks)', () => {
  const { kv, sent } = follower('textbook', true);
  kv.onMessage('n1', { type: 'vote', term: 1, lastLogIndex: 0, lastLogTerm: 0 });
  assert.equal(sent.find((s) => s.msg.type === 'vote_resp')?.at, 0);
});

test('a client that answers each reply at once with its next request (a pipelined real client) gets each entry applied once', () => {
  for (const profile of Object.keys(raftKvProfiles) as RaftKvProfile[]) {
    const results: unknown[] = [];
    let kv: RaftKv | undefined;
    const request = (id: number) => kv!.onMessage('c/1', { type: 'client_request', id, op: { f: 'incr', key: 'k', value: 1 }, attempt: 1, ackedBelow: id });
    const { ctx, clock } = manualContext({
      id: 'n1',
      fsyncMs,
      send: (_to, msg) => {
        const reply = msg as { type: string; id: number; value: unknown };
        if (reply.type !== 'client_reply') return;
        results.push(reply.value);
        // Synchronously, as a RESP connection does with the next command of a pipeline.
        if (reply.id < 5) request(reply.id + 1);
      },
    });
    kv = new RaftKv(ctx, raftKvConfigSchema.parse({ voters: ['n1'], profile, sessions: false }));
    kv.start();
    clock.advance(2_000);
    request(1);
    clock.advance(1_000);
    assert.deepEqual(results, [1, 2, 3, 4, 5], profile);
  }
});
