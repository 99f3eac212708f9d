/**
 * The Raft log in memory: entries with their durability frontier (`stable`), the commit index and
 * the applied index. Index 0 is a sentinel of term 0, so every real entry has a predecessor.
 */
import { InvariantViolation } from '../../runtime/invariant.js';
import type { Entry } from './types.js';

export class RaftLog {
  /**
   * entries[i].index === first + i. entries[0] is a sentinel: index 0 of term 0 at the start, or the
   * last entry covered by the snapshot after compaction (its term is still needed to match appends).
   */
  private entries: Entry[] = [{ term: 0, index: 0, data: undefined }];
  private first = 0;
  /** Highest index known to be on disk. */
  stable = 0;
  committed = 0;
  applied = 0;

  /** Restore a log read from disk: a snapshot point (index 0 when none), then entries, all stable. */
  static restore(entries: readonly Entry[], commit: number, snapshot = { index: 0, term: 0 }): RaftLog {
    const log = new RaftLog();
    log.entries = [{ term: snapshot.term, index: snapshot.index, data: undefined }];
    log.first = snapshot.index;
    for (const e of entries) if (e.index > snapshot.index) log.entries.push(e);
    log.stable = log.lastIndex();
    log.applied = snapshot.index;
    log.committed = Math.max(snapshot.index, Math.min(commit, log.lastIndex()));
    return log;
  }

  /** The index covered by the snapshot (0 without one): entries up to it are gone from memory. */
  snapshotIndex(): number {
    return this.first;
  }

  lastIndex(): number {
    return this.first + this.entries.length - 1;
  }

  lastTerm(): number {
    return this.entries[this.entries.length - 1].term;
  }

  /** The term of entry i, or -1 when there is no such entry (or it was compacted away). */
  term(i: number): number {
    const k = i - this.first;
    return k >= 0 && k < this.entries.length ? this.entries[k].term : -1;
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term;
  }

  /** Entries [from, from + max) that exist; `from` must be past the snapshot. */
  slice(from: number, max: number): Entry[] {
    assert(from > this.first, () => `slice from ${from} reaches into the snapshot at ${this.first}`);
    const k = from - this.first;
    return this.entries.slice(k, Math.min(this.entries.length, k + max));
  }

  /** The leader appends new entries at the end. */
  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      assert(e.index === this.lastIndex() + 1, () => `append at ${e.index} to a log ending at ${this.lastIndex()}`);
      assert(e.term >= this.lastTerm(), () => `entry ${e.index} of term ${e.term} after one of term ${this.lastTerm()}`);
      this.entries.push(e);
    }
  }

  /**
   * A follower takes entries after (prevIndex, prevTerm): returns the last index now known to match
   * the leader, or -1 when the log does not contain prevIndex at prevTerm (§5.3). Conflicting entries
   * and all that follow them are deleted; entries already present are kept (a late, duplicated
   * append must not truncate what a newer one added). Entries inside the snapshot are committed, so
   * they match by definition.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number {
    if (prevIndex >= this.first && !this.matchTerm(prevIndex, prevTerm)) return -1;
    for (const e of entries) {
      if (e.index <= this.first) continue;
      const t = this.term(e.index);
      if (t === e.term) continue;
      if (t !== -1) {
        // Leader Completeness (§5.4): no leader ever holds a log that disagrees with a committed entry.
        assert(e.index > this.committed, () => `conflict at committed index ${e.index}`);
        this.entries.length = e.index - this.first;
        if (this.stable >= e.index) this.stable = e.index - 1;
      }
      this.entries.push(e);
    }
    return prevIndex + entries.length;
  }

  /** Entries not yet on disk, for the next Ready. */
  unstable(): Entry[] {
    return this.entries.slice(this.stable + 1 - this.first);
  }

  /** The host persisted entries up to i at term t (ignored if the log changed under it meanwhile). */
  stableTo(i: number, t: number): void {
    if (this.matchTerm(i, t) && i > this.stable) this.stable = i;
  }

  commitTo(i: number): void {
    if (i > this.committed) {
      assert(i <= this.lastIndex(), () => `commit ${i} beyond last index ${this.lastIndex()}`);
      this.committed = i;
    }
  }

  /** Committed entries not yet applied, up to the stable frontier (only what is on disk is applied), at most `max` of them. */
  toApply(max = Infinity): Entry[] {
    const hi = Math.min(this.committed, this.stable, this.applied + max);
    return hi > this.applied ? this.entries.slice(this.applied + 1 - this.first, hi + 1 - this.first) : [];
  }

  /** Whether toApply() has anything (without copying it out). */
  hasToApply(): boolean {
    return Math.min(this.committed, this.stable) > this.applied;
  }

  /** Whether a committed entry not yet applied is a membership change. */
  confChangeToApply(isConfChange: (data: unknown) => boolean): boolean {
    const hi = Math.min(this.committed, this.lastIndex());
    for (let i = Math.max(this.applied, this.first) + 1; i <= hi; i++) if (isConfChange(this.entries[i - this.first].data)) return true;
    return false;
  }

  appliedTo(i: number): void {
    if (i > this.applied) this.applied = i;
  }

  /** §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm() || (lastTerm === this.lastTerm() && lastIndex >= this.lastIndex());
  }

  /** Forget entries up to `index` (applied, and saved in a snapshot by the host). */
  compact(index: number): void {
    assert(index <= this.applied, () => `compact at ${index} beyond applied ${this.applied}`);
    if (index <= this.first) return;
    this.entries = this.entries.slice(index - this.first);
    this.entries[0] = { term: this.entries[0].term, index, data: undefined };
    this.first = index;
  }

  /** Replace the log by a snapshot received from the leader (§7): everything up to index is committed. */
  restoreSnapshot(index: number, term: number): void {
    this.entries = [{ term, index, data: undefined }];
    this.first = index;
    this.stable = index;
    this.committed = index;
    this.applied = index;
  }
}

/** An invariant of the protocol; violating it is a bug, never an expected error. The rule is said only when broken: checks run on every step. */
export function assert(cond: boolean, rule: () => string): asserts cond {
  if (!cond) throw new InvariantViolation('raft', rule());
}
