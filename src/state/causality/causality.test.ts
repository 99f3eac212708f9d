import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LamportClock } from './lamport.js';
import { compareVersions, descends, increment, mergeVersions } from './version-vector.js';
import { dvvMerge, dvvRead, dvvWrite, emptyDvvSet } from './dotted-version-vector.js';
import { HybridLogicalClock, compareHlc, type HlcTimestamp } from './hlc.js';

test('Lamport clocks: a receive moves past the sender; concurrent events may compare either way', () => {
  const a = new LamportClock();
  const b = new LamportClock();
  const sent = a.tick();
  b.tick();
  b.tick();
  assert.ok(b.receive(sent) > sent);
  assert.equal(b.time, 3);
});

test('version vectors: before, after, equal and concurrent; merge descends from both', () => {
  const v1 = increment({}, 'a');
  const v2 = increment(v1, 'a');
  const v3 = increment(v1, 'b');
  assert.equal(compareVersions(v1, v2), 'before');
  assert.equal(compareVersions(v2, v1), 'after');
  assert.equal(compareVersions(v2, v3), 'concurrent');
  assert.equal(compareVersions(v2, { ...v2 }), 'equal');
  const m = mergeVersions(v2, v3);
  assert.ok(descends(m, v2) && descends(m, v3));
  assert.equal(compareVersions({ a: 0 }, {}), 'equal', 'a zero entry is no entry');
});

test('dotted version vectors: concurrent writes are siblings; a write with the read context replaces exactly what was read', () => {
  let s = emptyDvvSet<string>();
  s = dvvWrite(s, 'server1', {}, 'v1'); // client A, blind write
  const readByB = dvvRead(s);
  s = dvvWrite(s, 'server1', {}, 'v2'); // client C, blind write: concurrent with v1
  assert.deepEqual(dvvRead(s).values, ['v1', 'v2']);
  s = dvvWrite(s, 'server1', readByB.context, 'v3'); // B saw only v1: replaces v1, v2 stays
  assert.deepEqual(dvvRead(s).values, ['v2', 'v3']);
  // Through one server, siblings do not pile up beyond the truly concurrent writes.
  const all = dvvRead(s);
  s = dvvWrite(s, 'server1', all.context, 'resolved');
  assert.deepEqual(dvvRead(s).values, ['resolved']);
});

test('dotted version vectors: a merge keeps what neither side superseded, and is commutative', () => {
  const base = dvvWrite(emptyDvvSet<string>(), 's1', {}, 'x');
  const left = dvvWrite(base, 's1', base.context, 'left'); // supersedes x on s1
  const right = dvvWrite(dvvMerge(emptyDvvSet<string>(), base), 's2', {}, 'right'); // blind, concurrent on s2
  const m1 = dvvMerge(left, right);
  const m2 = dvvMerge(right, left);
  assert.deepEqual(dvvRead(m1).values.sort(), ['left', 'right']);
  assert.deepEqual(m1, m2);
});

test('HLC: monotonic, ahead of every message it received, and within the skew of physical time', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ node: fc.integer({ min: 0, max: 2 }), advance: fc.integer({ min: 0, max: 20 }), send: fc.boolean(), to: fc.integer({ min: 0, max: 2 }) }), { maxLength: 100 }), (steps) => {
      let t = 0;
      const skew = [0, 50, -30];
      const clocks = skew.map((s) => new HybridLogicalClock(() => t + s));
      const last: HlcTimestamp[] = clocks.map(() => ({ l: -Infinity, c: 0 }));
      for (const st of steps) {
        t += st.advance;
        const sent = clocks[st.node].now();
        assert.ok(compareHlc(sent, last[st.node]) > 0, 'monotonic');
        last[st.node] = sent;
        if (st.send) {
          const got = clocks[st.to].receive(sent);
          assert.ok(compareHlc(got, sent) > 0, 'a receive is after its send');
          assert.ok(compareHlc(got, last[st.to]) > 0, 'monotonic');
          last[st.to] = got;
        }
        // l never runs ahead of the fastest physical clock.
        for (const l of last) if (l.l !== -Infinity) assert.ok(l.l <= t + 50);
      }
    }),
    { numRuns: 200, seed: 7 },
  );
});
