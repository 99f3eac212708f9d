/**
 * g-counter and pn-counter: clients add deltas (non-negative for g-counter) and read. Once the faults
 * heal, every node must read the same value, between the sum of the acknowledged adds and that sum
 * plus the adds whose outcome is unknown (Maelstrom's counter checker).
 */
import type { WorkloadDefinition, WorkloadOptions } from '../workload.js';

function counter(name: 'g-counter' | 'pn-counter', o: WorkloadOptions) {
  const draw = () => {
    const d = Math.floor(o.random.next() * 5);
    return name === 'pn-counter' && o.random.next() < 0.5 ? -d : d;
  };
  return {
    next: () => {
      if (o.random.next() < 0.5) {
        const delta = draw();
        return { f: 'add', body: { type: 'add', delta }, value: delta };
      }
      return { f: 'read', body: { type: 'read' } };
    },
    complete: (op: { f: string; value?: unknown }, reply: { type: string; value?: unknown }) => {
      if (op.f === 'add') return reply.type === 'add_ok' ? { type: 'ok' as const, value: op.value } : { type: 'fail' as const, error: `expected add_ok, got ${JSON.stringify(reply)}` };
      return reply.type === 'read_ok' && typeof reply.value === 'number' ? { type: 'ok' as const, value: reply.value } : { type: 'fail' as const, error: `expected read_ok with a number value, got ${JSON.stringify(reply)}` };
    },
    final: () => o.nodes.map((node) => ({ node, op: { f: 'final-read', body: { type: 'read' } } })),
    check(history: readonly { type: string; f: string; value?: unknown; node?: string }[]) {
      let lower = 0;
      let upper = 0;
      let negativeUnknown = 0;
      for (const e of history) {
        if (e.f !== 'add' || typeof e.value !== 'number') continue;
        if (e.type === 'ok') {
          lower += e.value;
          upper += e.value;
        } else if (e.type === 'info') {
          if (e.value >= 0) upper += e.value;
          else negativeUnknown += e.value;
        }
      }
      lower += negativeUnknown;
      const finals = history.filter((e) => e.f === 'final-read' && e.type === 'ok');
      const adds = history.filter((e) => e.f === 'add' && e.type === 'ok').length;
      const stats = { acknowledgedAdds: adds, lower, upper, finalReads: finals.length };
      if (finals.length < o.nodes.length) return { valid: 'unknown' as const, summary: `only ${finals.length} of ${o.nodes.length} nodes answered the final read`, stats };
      const values = [...new Set(finals.map((e) => e.value as number))];
      if (values.length > 1) return { valid: false, summary: `the nodes disagree at the end: ${finals.map((e) => `${e.node} reads ${e.value}`).join(', ')}`, witness: `after every fault healed, ${finals.map((e) => `${e.node} read ${e.value}`).join('; ')}`, stats };
      const v = values[0];
      if (v < lower || v > upper) return { valid: false, summary: `the final value ${v} is outside [${lower}, ${upper}]`, witness: `the acknowledged adds sum to ${lower}${upper > lower ? ` (${upper} with every add whose outcome is unknown)` : ''}, but every node reads ${v}`, stats };
      return { valid: true, summary: `every node reads ${v}, within [${lower}, ${upper}]`, stats };
    },
  };
}

export const gCounterWorkload: WorkloadDefinition = { name: 'g-counter', description: 'add (delta >= 0) and read; every node ends at the sum', services: ['seq-kv'], make: (o) => counter('g-counter', o) };
export const pnCounterWorkload: WorkloadDefinition = { name: 'pn-counter', description: 'add (any delta) and read; every node ends at the sum', services: ['seq-kv'], make: (o) => counter('pn-counter', o) };
