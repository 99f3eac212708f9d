/**
 * The acceptor of Paxos (Lamport, "Paxos Made Simple", 2001), for a log of slots: one promise covers
 * every slot from the one the prepare names (Multi-Paxos's phase 1 for all future slots at once; a
 * single-decree proposer simply runs it for its one slot). Pure: the host persists every change
 * (record()) and answers only once that record is on disk, because an acceptor that forgets a promise
 * after a crash can let two values be chosen.
 */
import { type Ballot, compareBallots, zeroBallot } from './ballot.js';

export interface Accepted<V> {
  ballot: Ballot;
  value: V;
}

export type PrepareAnswer<V> = { ok: true; accepted: [number, Accepted<V>][] } | { ok: false; promised: Ballot };
export type AcceptAnswer = { ok: true } | { ok: false; promised: Ballot };

/** What must be on disk before an answer leaves: the promise, and a value accepted in a slot. */
export type AcceptorRecord<V> = { promised: Ballot } | { slot: number; accepted: Accepted<V> };

export class Acceptor<V> {
  private promisedBallot: Ballot = zeroBallot;
  private readonly accepted = new Map<number, Accepted<V>>();

  get promised(): Ballot {
    return this.promisedBallot;
  }

  /** Phase 1b: promise to ignore every ballot below `b`, and tell what was accepted from `fromSlot` on. */
  prepare(b: Ballot, fromSlot: number, record: (r: AcceptorRecord<V>) => void): PrepareAnswer<V> {
    if (compareBallots(b, this.promisedBallot) < 0) return { ok: false, promised: this.promisedBallot };
    if (compareBallots(b, this.promisedBallot) > 0) {
      this.promisedBallot = b;
      record({ promised: b });
    }
    const accepted = [...this.accepted].filter(([slot]) => slot >= fromSlot).sort((x, y) => x[0] - y[0]);
    return { ok: true, accepted };
  }

  /** Phase 2b: accept `value` in `slot` unless a higher ballot has been promised since. */
  accept(b: Ballot, slot: number, value: V, record: (r: AcceptorRecord<V>) => void): AcceptAnswer {
    if (compareBallots(b, this.promisedBallot) < 0) return { ok: false, promised: this.promisedBallot };
    if (compareBallots(b, this.promisedBallot) > 0) this.promisedBallot = b;
    const a = { ballot: b, value };
    this.accepted.set(slot, a);
    record({ slot, accepted: a });
    return { ok: true };
  }

  /** Rebuild from the records on disk, in the order they were written. */
  restore(records: Iterable<AcceptorRecord<V>>): void {
    for (const r of records) {
      if ('promised' in r) {
        if (compareBallots(r.promised, this.promisedBallot) > 0) this.promisedBallot = r.promised;
      } else {
        this.accepted.set(r.slot, r.accepted);
        if (compareBallots(r.accepted.ballot, this.promisedBallot) > 0) this.promisedBallot = r.accepted.ballot;
      }
    }
  }
}
