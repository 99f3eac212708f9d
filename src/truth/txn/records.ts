/**
 * The coordinators' transaction records as a deterministic state machine, replicated by the
 * coordinator group's Raft log: CockroachDB's transaction record (Taft et al., "CockroachDB: The
 * Resilient Geo-Distributed SQL Database", SIGMOD 2020, §3.2), and the role Spanner gives the
 * coordinator leader's Paxos group (Corbett et al., "Spanner", OSDI 2012, §4.2.1): the decision is
 * in a replicated log before any participant hears it, so no single coordinator node is needed to
 * learn it afterwards.
 *
 * A record is begun (pending, with the participants and their operations) as the prepares go out,
 * so a new leader knows the transactions its predecessor had in flight (all but those whose begin had
 * not committed yet: their shards ask, and hear a presumed abort). The first decision
 * applied wins: a leader's late commit and its successor's abort of the same transaction cannot both
 * take effect, whichever order the log puts them in, and everyone who asks learns the one that did.
 * A decision for a transaction with no record (a participant asking about one whose begin never
 * committed) creates the record: presumed abort (Mohan, Lindsay & Obermarck, "Transaction Management
 * in the R* Distributed Database Management System", TODS 1986).
 */
import type { TransferOp } from './shard.js';

export type Decision = 'commit' | 'abort';

/** One participant of a transaction: a shard and what it is asked to do. */
export interface Part {
  shard: number;
  ops: readonly TransferOp[];
}

export interface TxnRecord {
  txn: string;
  status: 'pending' | 'committed' | 'aborted';
  parts: Part[];
  reason?: string;
  /** Every participant acknowledged the decision: nothing is left to deliver. */
  ended: boolean;
}

export type RecordCommand =
  | { kind: 'begin'; txn: string; parts: readonly Part[] }
  | { kind: 'decide'; txn: string; decision: Decision; reason?: string }
  | { kind: 'end'; txn: string };

/** The record after the command (a copy). */
export type RecordResult = TxnRecord;

export interface RecordsSnapshot {
  records: TxnRecord[];
}

const copy = (r: TxnRecord): TxnRecord => ({ ...r, parts: r.parts.map((p) => ({ shard: p.shard, ops: p.ops.map((o) => ({ ...o })) })) });

export class TxnRecordMachine {
  private readonly records = new Map<string, TxnRecord>();

  apply(cmd: RecordCommand): RecordResult {
    const r = this.records.get(cmd.txn);
    switch (cmd.kind) {
      case 'begin': {
        // An id is begun once; a record that exists already (decided first) stays as it is.
        if (r !== undefined) return copy(r);
        const created: TxnRecord = { txn: cmd.txn, status: 'pending', parts: cmd.parts.map((p) => ({ shard: p.shard, ops: p.ops.map((o) => ({ ...o })) })), ended: false };
        this.records.set(cmd.txn, created);
        return copy(created);
      }
      case 'decide': {
        if (r === undefined) {
          const created: TxnRecord = { txn: cmd.txn, status: cmd.decision === 'commit' ? 'committed' : 'aborted', parts: [], ended: false };
          if (cmd.reason !== undefined) created.reason = cmd.reason;
          this.records.set(cmd.txn, created);
          return copy(created);
        }
        // The first decision wins.
        if (r.status === 'pending') {
          r.status = cmd.decision === 'commit' ? 'committed' : 'aborted';
          if (cmd.reason !== undefined) r.reason = cmd.reason;
        }
        return copy(r);
      }
      case 'end': {
        if (r === undefined) return { txn: cmd.txn, status: 'aborted', parts: [], ended: true };
        if (r.status !== 'pending') r.ended = true;
        return copy(r);
      }
    }
  }

  get(txn: string): TxnRecord | undefined {
    const r = this.records.get(txn);
    return r === undefined ? undefined : copy(r);
  }

  /** Records not ended, oldest first: what a new leader must finish. */
  unfinished(): TxnRecord[] {
    const out: TxnRecord[] = [];
    for (const r of this.records.values()) if (!r.ended) out.push(copy(r));
    return out;
  }

  get size(): number {
    return this.records.size;
  }

  snapshot(): RecordsSnapshot {
    return { records: [...this.records.values()].map(copy) };
  }

  restore(s: RecordsSnapshot): void {
    this.records.clear();
    for (const r of s.records) this.records.set(r.txn, copy(r));
  }
}
