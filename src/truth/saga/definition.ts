/**
 * A saga definition (Garcia-Molina and Salem, "Sagas", SIGMOD 1987): a long-lived transaction written
 * as a sequence of local transactions T1..Tn, each committed by one service on its own, with
 * compensating transactions C1..Cn such that the system guarantees either T1..Tn, or T1..Tj followed by
 * Cj..C1 (§1; the paper's backward recovery). Nothing is locked across services: other sagas may see T1's effect
 * before Tn commits (sagas give up isolation, §1), which is why each Ci must undo Ti semantically
 * (release the reserved units, refund the charge) rather than restore bytes.
 *
 * The rule for compensations, checked when the scenario loads (a violation is a schema error naming
 * the step, so `pillars run` exits 2):
 *
 * - A step is compensatable unless it is the pivot or comes after it. A compensatable step must name
 *   its compensation.
 * - At most one step is marked `pivot: true`: the point of no return (what Richardson calls the pivot
 *   transaction). It needs no compensation: if it fails it committed nothing, and once it succeeds the
 *   saga only goes forward. The paper's last step Tn is the common case: its Cn never runs (§1).
 * - The steps after the pivot are retriable: retried with their idempotency key until they succeed.
 *   They are never undone, so a compensation named for one would never run: that is refused too.
 * - Without a pivot every step, the last one included, names a compensation.
 *
 * Why the pivot and what follows cannot be given up on: a step whose reply never came has an unknown
 * outcome. Giving up on it means undoing it whether or not it happened, which its compensation, sent
 * with the step's idempotency key, does (it undoes the step if it applied, and forbids it if it had
 * not). A step without a compensation can only be asked again, with the same key, until it answers.
 */
import { z } from 'zod';

/** The actions a service performs as saga steps, and the ones that undo them. */
export interface ServiceActions {
  actions: readonly string[];
  compensations: readonly string[];
}
export type ActionCatalog = Readonly<Record<string, ServiceActions>>;

export const sagaStepSchema = z
  .object({
    /** Unique within the saga; with the order it makes the step's idempotency key. */
    name: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case step name of letters, digits and -'),
    /** The service that runs this step's local transaction. */
    service: z.string(),
    /** The local transaction. */
    action: z.string(),
    /** The local transaction that undoes it; required before the pivot (see the rule above). */
    compensation: z.string().optional(),
    /** The point of no return: needs no compensation; it and the steps after it are never given up on. */
    pivot: z.boolean().default(false),
  })
  .strict();
export type SagaStep = z.infer<typeof sagaStepSchema>;

export interface SagaDefinition {
  name: string;
  steps: SagaStep[];
}

/** The schema of a saga over the services of a catalog; every rule of the file comment is a refinement. */
export function sagaDefinitionSchema(catalog: ActionCatalog) {
  const services = Object.keys(catalog);
  return z
    .object({
      name: z.string().default('saga'),
      steps: z.array(sagaStepSchema).min(1, 'at least one step'),
    })
    .strict()
    .superRefine((def, ctx) => {
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: ['steps', ...path], message });
      const pivot = def.steps.findIndex((s) => s.pivot);
      const names = new Set<string>();
      def.steps.forEach((s, i) => {
        if (names.has(s.name)) issue([i, 'name'], `step names are unique (step "${s.name}" appears twice)`);
        names.add(s.name);
        const actions = catalog[s.service];
        if (actions === undefined) return issue([i, 'service'], `step "${s.name}": one of ${services.join(', ')} (got "${s.service}")`);
        if (!actions.actions.includes(s.action)) issue([i, 'action'], `step "${s.name}": an action of ${s.service}: ${actions.actions.join(', ')} (got "${s.action}")`);
        if (s.pivot && i !== pivot) issue([i, 'pivot'], `step "${s.name}": at most one pivot (step "${def.steps[pivot].name}" is already the pivot)`);
        const compensatable = pivot < 0 || i < pivot;
        if (compensatable && s.compensation === undefined) {
          issue(
            [i, 'compensation'],
            `step "${s.name}" has no compensation: name the action that undoes it (one of ${actions.compensations.join(', ')}), or mark it pivot: true if it is the point of no return (steps after the pivot are retried until they succeed and need none)`,
          );
        } else if (!compensatable && s.compensation !== undefined) {
          issue([i, 'compensation'], `step "${s.name}" ${i === pivot ? 'is the pivot' : `comes after the pivot "${def.steps[pivot].name}"`}: it is never undone, so its compensation would never run; remove it`);
        } else if (s.compensation !== undefined && !actions.compensations.includes(s.compensation)) {
          issue([i, 'compensation'], `step "${s.name}": a compensation of ${s.service}: ${actions.compensations.join(', ')} (got "${s.compensation}")`);
        }
      });
    });
}

/** The index of the pivot, or the number of steps when every step is compensatable. */
export function pivotIndex(def: SagaDefinition): number {
  const i = def.steps.findIndex((s) => s.pivot);
  return i < 0 ? def.steps.length : i;
}

/** Whether a step may be given up on (and then compensated): it comes before the pivot. */
export function isCompensatable(def: SagaDefinition, step: number): boolean {
  return step < pivotIndex(def);
}

/**
 * The idempotency key of one step of one saga. The compensation carries the same key as its step:
 * the service then knows which application it undoes, and refuses the step if it comes later.
 */
export function stepKey(sagaId: string, step: SagaStep): string {
  return `${sagaId}/${step.name}`;
}
