/**
 * The naive coordinator's durable state, on its own disk and nowhere else: Gray's coordinator log.
 * A commit decision is appended and fsynced before any participant hears it (so a restarted
 * coordinator still knows it), an end record after every participant acknowledged (not fsynced:
 * losing it only means telling them again). Aborts are not logged: presumed abort (R*), a
 * coordinator with no record of a transaction answers abort.
 *
 * A restart also needs transaction ids that were never used before: `coord.epoch` counts this node's
 * incarnations, fsynced before the first transaction of a new one begins.
 *
 * Records are framed as the Raft WAL's (src/runtime/records.ts): a torn tail, never fsynced and so
 * never acted on, is cut off; corruption with data after it is refused.
 */
import { Packr } from 'msgpackr';
import type { Disk } from '../../runtime/context.js';
import { encodeRecord, scanRecords } from '../../runtime/records.js';
import type { Part } from './records.js';

export const decisionLogFile = 'coord.decisions';
export const epochFile = 'coord.epoch';

/** Plain maps, not msgpackr's records: a log must read back the same whatever wrote it. */
const packr = new Packr({ useRecords: false });

type LogRecord = { txn: string; commit?: Part[]; end?: true };

export interface RestoredDecisions {
  /** Commit decisions, by transaction, with their participants. */
  commits: Map<string, Part[]>;
  /** Transactions every participant has acknowledged. */
  ended: Set<string>;
  /** This incarnation's number (one more than the last one's). */
  epoch: number;
}

export class DecisionLogCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file}: corrupt at byte ${offset} (${reason})`);
    this.name = 'DecisionLogCorruptError';
  }
}

export class DecisionLog {
  constructor(
    private readonly disk: Disk,
    private readonly warn: (event: string, fields: Record<string, unknown>) => void = () => {},
  ) {}

  /** Read the decisions back and start a new epoch (written, not yet durable: fsync epochFile). */
  restore(): RestoredDecisions {
    const commits = new Map<string, Part[]>();
    const ended = new Set<string>();
    const bytes = this.disk.read(decisionLogFile);
    if (bytes !== undefined) {
      const scan = scanRecords(bytes);
      if (scan.bad?.kind === 'corrupt') throw new DecisionLogCorruptError(decisionLogFile, scan.bad.offset, scan.bad.reason);
      if (scan.bad !== undefined) {
        this.warn('decision_log_torn_tail_truncated', { offset: scan.bad.offset, reason: scan.bad.reason });
        this.disk.truncate(decisionLogFile, scan.validBytes);
      }
      for (const payload of scan.records) {
        const r = packr.unpack(payload) as LogRecord;
        if (r.commit !== undefined) commits.set(r.txn, r.commit);
        if (r.end === true) ended.add(r.txn);
      }
    }
    const saved = this.disk.read(epochFile);
    const epoch = (saved === undefined ? 0 : Number(new TextDecoder().decode(saved))) + 1;
    this.disk.write(epochFile, new TextEncoder().encode(String(epoch)));
    return { commits, ended, epoch };
  }

  /** Append a commit decision; `durable` runs once it survives a crash. */
  commit(txn: string, parts: readonly Part[], durable: () => void): void {
    this.disk.append(decisionLogFile, encodeRecord(packr.pack({ txn, commit: [...parts] } satisfies LogRecord)));
    this.disk.fsync(decisionLogFile, durable);
  }

  /** Every participant has the decision (no fsync: a lost end record costs a resend, nothing else). */
  end(txn: string): void {
    this.disk.append(decisionLogFile, encodeRecord(packr.pack({ txn, end: true } satisfies LogRecord)));
  }
}
