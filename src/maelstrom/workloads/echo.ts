/** echo: every request comes back with the same `echo` payload (Maelstrom's smoke test). */
import type { CheckResult, WorkloadDefinition, WorkloadRun } from '../workload.js';

export const echoWorkload: WorkloadDefinition = {
  name: 'echo',
  description: 'echo -> echo_ok carrying the same payload',
  make(): WorkloadRun {
    let n = 0;
    return {
      next: () => {
        const echo = `please echo ${++n}`;
        return { f: 'echo', body: { type: 'echo', echo }, value: echo };
      },
      complete: (op, reply) => (reply.type === 'echo_ok' && reply.echo === op.value ? { type: 'ok', value: reply.echo } : { type: 'fail', value: reply.echo, error: `expected echo_ok with ${JSON.stringify(op.value)}, got ${JSON.stringify(reply)}` }),
      check(history): CheckResult {
        const ok = history.filter((e) => e.type === 'ok').length;
        const wrong = history.filter((e) => e.type === 'fail' && e.error?.startsWith('expected echo_ok'));
        if (wrong.length > 0) return { valid: false, summary: `${wrong.length} wrong echoes`, witness: wrong[0].error, stats: { ok, wrong: wrong.length } };
        if (ok === 0) return { valid: false, summary: 'no echo came back', stats: { ok } };
        return { valid: true, summary: `${ok} echoes came back intact`, stats: { ok } };
      },
    };
  },
};
