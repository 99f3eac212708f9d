/**
 * lin-kv: read, write and compare-and-set on a few keys, checked for linearizability key by key with
 * the Truth pillar's checker (Wing and Gong's search, with Jepsen's treatment of info operations).
 */
import { checkLinearizable, describeViolation, fromMaelstromLinKv, kvModel, type HistoryEvent } from '../../check/index.js';
import type { WorkloadDefinition, WorkloadRun } from '../workload.js';

export const linKvWorkload: WorkloadDefinition = {
  name: 'lin-kv',
  description: 'read, write, cas on a few keys; the history must be linearizable',
  services: ['lin-kv'],
  // One operation on one key at a time: linearizability is strict serializability here (Maelstrom's default).
  consistencyModels: ['linearizable', 'strict-serializable'],
  make(o): WorkloadRun {
    let next = 1;
    const key = () => Math.floor(o.random.next() * o.keyCount);
    return {
      next: () => {
        const k = key();
        const dice = o.random.next();
        if (dice < 0.4) return { f: 'read', body: { type: 'read', key: k }, value: { key: k, value: null } };
        if (dice < 0.8) {
          const v = next++;
          return { f: 'write', body: { type: 'write', key: k, value: v }, value: { key: k, value: v } };
        }
        const from = Math.max(1, next - 1 - Math.floor(o.random.next() * 3));
        const to = next++;
        return { f: 'cas', body: { type: 'cas', key: k, from, to }, value: { key: k, value: [from, to] } };
      },
      complete(op, reply) {
        const v = op.value as { key: number; value: unknown };
        switch (op.f) {
          case 'read':
            if (reply.type === 'read_ok') return { type: 'ok', value: { key: v.key, value: reply.value ?? null } };
            break;
          case 'write':
            if (reply.type === 'write_ok') return { type: 'ok', value: v };
            break;
          case 'cas':
            if (reply.type === 'cas_ok') return { type: 'ok', value: v };
            break;
        }
        return { type: 'fail', error: `expected ${op.f}_ok, got ${JSON.stringify(reply).slice(0, 200)}` };
      },
      check(history) {
        // A read of a key that does not exist is a read of nil (Maelstrom's error 20 on read).
        const events = fromMaelstromLinKv(history as HistoryEvent[]);
        const r = checkLinearizable(events, kvModel);
        const stats = { operations: r.operations, keys: r.keys, searchSteps: r.steps };
        if (r.unknown) return { valid: 'unknown', summary: `the search gave up on key ${r.unknownKey} after ${r.steps} steps`, stats };
        if (!r.ok) return { valid: false, summary: 'not linearizable', witness: describeViolation(r.violation!), stats };
        return { valid: true, summary: `linearizable: ${r.operations} operations over ${r.keys} keys`, stats };
      },
    };
  },
};
