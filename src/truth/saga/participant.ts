/**
 * A service's side of a saga: its local transactions, made idempotent by key. A synchronous core: the
 * host journals the record it returns and answers only once that record is durable.
 *
 * What a key buys (the Idempotency-Key of payment APIs, e.g. Stripe's): the service remembers what it
 * did with each key it saw, and a request carrying a key it knows gets the same answer again instead of
 * a second application. So the coordinator may ask as often as it likes: after a timeout, a duplicate
 * made by the network, or a restart from its log.
 *
 * A compensation carries the key of the step it undoes:
 * - the step applied: undo it (once, however often the compensation comes);
 * - the step was refused: nothing to undo;
 * - the key is new: the step has not arrived yet (it may still be in the network, or in a retry). The
 *   service keeps a tombstone, and refuses the step when it comes. Without it a step given up on
 *   could apply after its compensation and stay applied forever (Garcia-Molina and Salem assume a
 *   compensation follows its step; with messages that can be delayed, a tombstone restores that).
 *
 * Without a key (the naive design), every request is a new application, and a compensation undoes one
 * earlier application of the saga if there is one.
 */

/** The business state of a service: what each action does and how it is undone. */
export interface Ledger {
  /** Why the action cannot apply now (out of stock, card declined), or undefined when it can. */
  check(op: string, saga: string, data: unknown, random: () => number): string | undefined;
  apply(op: string, saga: string, data: unknown): void;
  /** Whether the saga holds an application of the action that `op` compensates. */
  undoable(op: string, saga: string, data: unknown): boolean;
  /** Undo one application of the action that `op` compensates (only called when undoable). */
  undo(op: string, saga: string, data: unknown): void;
  /** Per action, what each saga holds of it now (net of undos): units reserved, charges, shipments. */
  holdings(): Record<string, Record<string, number>>;
}

type KeyState = { state: 'applied' } | { state: 'refused'; reason: string } | { state: 'undone' } | { state: 'forbidden' };

export type ParticipantRecord =
  | { t: 'act'; op: string; saga: string; key?: string; data: unknown; ok: boolean; reason?: string }
  | { t: 'undo'; op: string; saga: string; key?: string; data: unknown; effect: UndoEffect };

/** undone: an application was reversed; forbidden: none had happened, and the step is now refused; none: nothing to do. */
export type UndoEffect = 'undone' | 'forbidden' | 'none';

export interface ActResult {
  ok: boolean;
  reason?: string;
  /** The key was known: this is the earlier answer, nothing changed. */
  duplicate: boolean;
  record?: ParticipantRecord;
}

export interface UndoResult {
  effect: UndoEffect;
  duplicate: boolean;
  record?: ParticipantRecord;
}

/**
 * How many keys a service remembers; the oldest are forgotten first. A real service keeps them for a
 * retention period longer than any retry (Stripe: 24 hours); a forgotten tombstone could let a very late
 * step apply.
 */
export const idempotencyKeysMax = 1_000_000;

export const cancelledReason = 'cancelled by its compensation';

export class SagaParticipant {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    readonly ledger: Ledger,
    private readonly random: () => number,
  ) {}

  act(op: string, saga: string, key: string | undefined, data: unknown): ActResult {
    if (key !== undefined) {
      const known = this.keys.get(key);
      if (known !== undefined) {
        if (known.state === 'applied') return { ok: true, duplicate: true };
        return { ok: false, reason: known.state === 'refused' ? known.reason : cancelledReason, duplicate: true };
      }
    }
    const reason = this.ledger.check(op, saga, data, this.random);
    const record: ParticipantRecord = reason === undefined ? { t: 'act', op, saga, data, ok: true } : { t: 'act', op, saga, data, ok: false, reason };
    if (key !== undefined) record.key = key;
    this.replay(record);
    return reason === undefined ? { ok: true, duplicate: false, record } : { ok: false, reason, duplicate: false, record };
  }

  undo(op: string, saga: string, key: string | undefined, data: unknown): UndoResult {
    let effect: UndoEffect;
    if (key === undefined) {
      if (!this.ledger.undoable(op, saga, data)) return { effect: 'none', duplicate: false };
      effect = 'undone';
    } else {
      const known = this.keys.get(key);
      if (known === undefined) effect = 'forbidden';
      else if (known.state === 'applied') effect = 'undone';
      else if (known.state === 'refused') return { effect: 'none', duplicate: false };
      else return { effect: 'none', duplicate: true };
    }
    const record: ParticipantRecord = key === undefined ? { t: 'undo', op, saga, data, effect } : { t: 'undo', op, saga, key, data, effect };
    this.replay(record);
    return { effect, duplicate: false, record };
  }

  /** Apply a journaled record: live (from act and undo) and when the service restarts. */
  replay(r: ParticipantRecord): void {
    if (r.t === 'act') {
      if (r.ok) this.ledger.apply(r.op, r.saga, r.data);
      if (r.key !== undefined) this.remember(r.key, r.ok ? { state: 'applied' } : { state: 'refused', reason: r.reason ?? 'refused' });
      return;
    }
    if (r.effect === 'undone') this.ledger.undo(r.op, r.saga, r.data);
    if (r.key !== undefined && r.effect !== 'none') this.remember(r.key, r.effect === 'undone' ? { state: 'undone' } : { state: 'forbidden' });
  }

  private remember(key: string, state: KeyState): void {
    this.keys.delete(key);
    this.keys.set(key, state);
    if (this.keys.size > idempotencyKeysMax) this.keys.delete(this.keys.keys().next().value!);
  }
}
