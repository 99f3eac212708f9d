/**
 * How long a preempted Paxos proposer waits before it tries again with a higher ballot. A fixed wait
 * keeps two dueling proposers in step: each one's new prepare lands inside the other's round and
 * preempts it, for ever. A randomised, growing wait breaks the symmetry: sooner or later one round
 * runs alone from prepare to accepted.
 */
import { z } from 'zod';

export const retryPolicySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), retryMs: z.number().nonnegative() }).strict(),
  z.object({ kind: z.literal('random-backoff'), baseMs: z.number().positive(), maxMs: z.number().positive() }).strict(),
]);
export type RetryPolicyConfig = z.infer<typeof retryPolicySchema>;

/** The wait before retry number `attempt` (1 for the first retry); `random` is a uniform draw in [0, 1). */
export function retryDelayMs(policy: RetryPolicyConfig, attempt: number, random: () => number): number {
  if (policy.kind === 'fixed') return policy.retryMs;
  const ceilingMs = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return random() * ceilingMs;
}
