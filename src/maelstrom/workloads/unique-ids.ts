/** unique-ids: every generate_ok id is unique across the whole cluster, even under partitions. */
import type { CheckResult, WorkloadDefinition, WorkloadRun } from '../workload.js';

export const uniqueIdsWorkload: WorkloadDefinition = {
  name: 'unique-ids',
  description: 'generate -> generate_ok with an id no other generate_ok ever returned',
  make(): WorkloadRun {
    return {
      next: () => ({ f: 'generate', body: { type: 'generate' } }),
      complete: (_op, reply) => (reply.type === 'generate_ok' && reply.id !== undefined ? { type: 'ok', value: reply.id } : { type: 'fail', error: `expected generate_ok with an id, got ${JSON.stringify(reply)}` }),
      check(history): CheckResult {
        const seen = new Map<string, number>();
        let duplicates = 0;
        let first: string | undefined;
        for (const e of history) {
          if (e.type !== 'ok') continue;
          const k = JSON.stringify(e.value);
          const n = (seen.get(k) ?? 0) + 1;
          seen.set(k, n);
          if (n === 2) {
            duplicates++;
            first ??= `id ${k} was returned twice (the second time by ${e.node})`;
          }
        }
        const ok = [...seen.values()].reduce((a, b) => a + b, 0);
        if (duplicates > 0) return { valid: false, summary: `${duplicates} ids returned more than once`, witness: first, stats: { ids: ok, duplicates } };
        if (ok === 0) return { valid: false, summary: 'no id was generated', stats: { ids: 0 } };
        return { valid: true, summary: `${ok} ids, all unique`, stats: { ids: ok, duplicates: 0 } };
      },
    };
  },
};
