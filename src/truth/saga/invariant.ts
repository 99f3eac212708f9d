/**
 * Invariants of the saga code, kept apart from expected errors. An expected error (out of stock, a
 * declined card, a timeout) is an answer the saga handles; a broken invariant is a bug in this code or
 * a damaged journal, and stops the node rather than let it act on a state that cannot be.
 */
export class SagaInvariantError extends Error {
  constructor(message: string) {
    super(`saga invariant broken: ${message}`);
    this.name = 'SagaInvariantError';
  }
}

export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new SagaInvariantError(message());
}
