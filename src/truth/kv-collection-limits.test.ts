/**
 * The cap on one collection's size, and SPOP's picks, as every replica applies them: the cap travels
 * with the write (Operation.membersMax) and the pick with the leader's draw (KvCommand.random).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvStateMachine, needsRandom, type KvCommand } from './kv.js';
import { collectionTooLargeError } from './kv-collections.js';
import type { Operation } from '../runtime/client-protocol.js';

const apply = (kv: KvStateMachine, op: Operation, random?: number) => kv.apply({ op, nowMs: 0, random } satisfies KvCommand);

test('a write that would grow a collection past membersMax is refused whole, and one that stays within it applies', () => {
  const kv = new KvStateMachine();
  const max = 3;
  assert.deepEqual(apply(kv, { f: 'sadd', key: 's', value: ['a', 'b'], membersMax: max }), { ok: true, value: 2 });
  // Two new members and one already there: four in all, one above the cap; nothing is added.
  assert.deepEqual(apply(kv, { f: 'sadd', key: 's', value: ['b', 'c', 'd'], membersMax: max }), { ok: false, error: collectionTooLargeError(4, max) });
  assert.deepEqual(apply(kv, { f: 'scard', key: 's' }), { ok: true, value: 2 });
  // Members already present do not count: this one ends at exactly the cap.
  assert.deepEqual(apply(kv, { f: 'sadd', key: 's', value: ['a', 'b', 'c', 'c'], membersMax: max }), { ok: true, value: 1 });

  assert.equal(apply(kv, { f: 'rpush', key: 'l', value: ['1', '2', '3', '4'], membersMax: max }).ok, false);
  assert.deepEqual(apply(kv, { f: 'exists', value: ['l'] }), { ok: true, value: 0 });
  assert.deepEqual(apply(kv, { f: 'zadd', key: 'z', value: { pairs: [['1', 'a'], ['2', 'b'], ['3', 'c']] }, membersMax: max }), { ok: true, value: 3 });
  assert.equal(apply(kv, { f: 'zincrby', key: 'z', value: ['1', 'd'], membersMax: max }).ok, false);
  // Changing the scores of members already there adds none.
  assert.equal(apply(kv, { f: 'zincrby', key: 'z', value: ['1', 'a'], membersMax: max }).ok, true);
  assert.equal(apply(kv, { f: 'hset', key: 'h', value: [['f1', 'v'], ['f2', 'v'], ['f3', 'v'], ['f4', 'v']], membersMax: max }).ok, false);
  assert.deepEqual(apply(kv, { f: 'hlen', key: 'h' }), { ok: true, value: 0 });

  apply(kv, { f: 'sadd', key: 't', value: ['x', 'y'] });
  // A union of 3 + 2 distinct members stored in a key is above the cap: the destination is untouched.
  assert.deepEqual(apply(kv, { f: 'sunionstore', key: 'd', value: ['s', 't'], membersMax: max }), { ok: false, error: collectionTooLargeError(5, max) });
  assert.deepEqual(apply(kv, { f: 'exists', value: ['d'] }), { ok: true, value: 0 });
  // Without a cap (the simulator's stories) nothing is refused.
  assert.deepEqual(apply(kv, { f: 'sunionstore', key: 'd', value: ['s', 't'] }), { ok: true, value: 5 });
});

test('SPOP pops what the leader\'s draw picks: the same members on every replica, other members for other draws', () => {
  const members = Array.from({ length: 20 }, (_, i) => `m${i}`);
  const popped = new Set<string>();
  for (let draw = 0; draw < 10; draw++) {
    const random = (draw * 0x9e3779b9) >>> 0;
    const replicas = [new KvStateMachine(), new KvStateMachine()];
    const answers = replicas.map((kv) => {
      apply(kv, { f: 'sadd', key: 's', value: members });
      return [apply(kv, { f: 'spop', key: 's', value: {} }, random), apply(kv, { f: 'spop', key: 's', value: { count: 5 } }, random)];
    });
    assert.deepEqual(answers[0], answers[1], 'both replicas pop the same members');
    const [one, five] = answers[0];
    const all = [one.ok && one.value, ...(five.ok ? (five.value as string[]) : [])] as string[];
    assert.equal(new Set(all).size, 6, 'six distinct members popped');
    assert.deepEqual(apply(replicas[0], { f: 'scard', key: 's' }), { ok: true, value: 14 });
    popped.add(String(one.ok && one.value));
  }
  assert.ok(popped.size >= 5, `ten draws pop one of at least five different members (${[...popped].join(' ')})`);
  assert.equal(needsRandom({ f: 'spop', key: 's' }), true);
  assert.equal(needsRandom({ f: 'multi', value: { ops: [{ f: 'sadd', key: 's', value: ['a'] }, { f: 'spop', key: 's', value: {} }] } }), true);
  assert.equal(needsRandom({ f: 'sadd', key: 's', value: ['a'] }), false, 'other commands draw nothing, so the simulator\'s draws are unchanged');
});
