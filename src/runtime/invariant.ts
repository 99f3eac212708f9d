/**
 * Invariants: what a protocol guarantees to itself, asserted where it is kept. A violation is a bug
 * in the protocol (or a deliberately broken variant showing one), never an expected error such as a
 * timeout or a refused request, so it is its own class: the simulator stops the run and reports the
 * seed, and a real node stops rather than go on from a state it cannot trust (as etcd panics).
 */
export class InvariantViolation extends Error {
  constructor(
    /** The protocol whose rule broke, e.g. "raft". */
    readonly protocol: string,
    /** The rule, said in words with the values that broke it. */
    readonly rule: string,
  ) {
    super(`${protocol} invariant violated: ${rule}`);
    this.name = 'InvariantViolation';
  }
}

export function isInvariantViolation(e: unknown): e is InvariantViolation {
  return e instanceof InvariantViolation;
}

/** Assert a protocol's invariant. */
export function invariant(protocol: string, cond: boolean, rule: () => string): asserts cond {
  if (!cond) throw new InvariantViolation(protocol, rule());
}
