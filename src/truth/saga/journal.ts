/**
 * A node's journal: JSON records appended to one file in the framing of src/runtime/records.ts, and
 * the rule "durable before acting". Each commit appends its records and asks for an fsync; what the
 * caller does about them (send the next step, reply to the client, acknowledge an event) runs only
 * once an fsync issued after them has completed. Commits act in the order they were made, also those
 * with no records of their own: an action decided from state that an earlier commit changed waits for
 * that commit to be durable.
 *
 * Without `durable` the journal keeps nothing and acts at once: the naive in-memory coordinator.
 */
import type { Context } from '../../runtime/context.js';
import { encodeRecord, scanRecords } from '../../runtime/records.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Journal<R> {
  private appendedSeq = 0;
  private durableSeq = 0;
  private readonly waiting: { seq: number; act: () => void }[] = [];
  /** Set when the file holds a damaged record followed by data: the node must not serve from it. */
  readonly corrupt: string | undefined;
  /** The records the file held when the node started (after a crash: those that were synced). */
  readonly replayed: R[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly file: string,
    private readonly durable: boolean,
  ) {
    this.corrupt = undefined;
    if (!durable) return;
    const bytes = ctx.disk.read(file);
    if (bytes === undefined) return;
    const scan = scanRecords(bytes);
    if (scan.bad?.kind === 'corrupt') this.corrupt = `${file}: ${scan.bad.reason} at offset ${scan.bad.offset}`;
    else if (scan.bad !== undefined) {
      // A torn tail: the last append never reached an fsync, so nothing was acted on from it.
      ctx.log('journal_torn_tail', { file, offset: scan.bad.offset, reason: scan.bad.reason });
      ctx.disk.truncate(file, scan.validBytes);
    }
    this.replayed = scan.records.map((r) => JSON.parse(decoder.decode(r)) as R);
  }

  /** Append `records`, then run `act` once they (and everything committed before) are durable. */
  commit(records: readonly R[], act: () => void): void {
    if (!this.durable) return act();
    if (records.length > 0) {
      for (const r of records) this.ctx.disk.append(this.file, encodeRecord(encoder.encode(JSON.stringify(r))));
      const seq = ++this.appendedSeq;
      this.ctx.disk.fsync(this.file, () => {
        this.durableSeq = Math.max(this.durableSeq, seq);
        this.flush();
      });
    }
    this.waiting.push({ seq: this.appendedSeq, act });
    this.flush();
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.waiting[0].seq <= this.durableSeq) this.waiting.shift()!.act();
  }
}
