/**
 * The Raft log in memory: entries with their durability frontier (`stable`), the commit index and
 * the applied index. Index 0 is a sentinel of term 0, so every real entry has a predecessor.
 */
import type { Entry } from './types.js';

export class RaftLog {
  /** entries[i].index === i; entries[0] is the sentinel. */
  private entries: Entry[] = [{ term: 0, index: 0, data: undefined }];
  /** Highest index known to be on disk. */
  stable = 0;
  committed = 0;
  applied = 0;

  /** Restore a log read from disk: every entry is stable. */
  static restore(entries: readonly Entry[], commit: number): RaftLog {
    const log = new RaftLog();
    for (const e of entries) log.entries.push(e);
    log.stable = log.lastIndex();
    log.committed = Math.min(commit, log.lastIndex());
    return log;
  }

  lastIndex(): number {
    return this.entries.length - 1;
  }

  lastTerm(): number {
    return this.entries[this.entries.length - 1].term;
  }

  /** The term of entry i, or -1 when there is no such entry. */
  term(i: number): number {
    return i >= 0 && i < this.entries.length ? this.entries[i].term : -1;
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term;
  }

  /** Entries [from, from + max) that exist. */
  slice(from: number, max: number): Entry[] {
    return this.entries.slice(from, Math.min(this.entries.length, from + max));
  }

  /** The leader appends new entries at the end. */
  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      assert(e.index === this.entries.length, `append at ${e.index} to a log ending at ${this.lastIndex()}`);
      this.entries.push(e);
    }
  }

  /**
   * A follower takes entries after (prevIndex, prevTerm): returns the last index now known to match
   * the leader, or -1 when the log does not contain prevIndex at prevTerm (§5.3). Conflicting entries
   * and all that follow them are deleted; entries already present are kept (a late, duplicated
   * append must not truncate what a newer one added).
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    for (const e of entries) {
      const t = this.term(e.index);
      if (t === e.term) continue;
      if (t !== -1) {
        assert(e.index > this.committed, `conflict at committed index ${e.index}`);
        this.entries.length = e.index;
        if (this.stable >= e.index) this.stable = e.index - 1;
      }
      this.entries.push(e);
    }
    return prevIndex + entries.length;
  }

  /** Entries not yet on disk, for the next Ready. */
  unstable(): Entry[] {
    return this.entries.slice(this.stable + 1);
  }

  /** The host persisted entries up to i at term t (ignored if the log changed under it meanwhile). */
  stableTo(i: number, t: number): void {
    if (this.matchTerm(i, t) && i > this.stable) this.stable = i;
  }

  commitTo(i: number): void {
    if (i > this.committed) {
      assert(i <= this.lastIndex(), `commit ${i} beyond last index ${this.lastIndex()}`);
      this.committed = i;
    }
  }

  /** Committed entries not yet applied, up to the stable frontier (only what is on disk is applied). */
  toApply(): Entry[] {
    const hi = Math.min(this.committed, this.stable);
    return hi > this.applied ? this.entries.slice(this.applied + 1, hi + 1) : [];
  }

  appliedTo(i: number): void {
    if (i > this.applied) this.applied = i;
  }

  /** §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm() || (lastTerm === this.lastTerm() && lastIndex >= this.lastIndex());
  }

  /** Index of the first entry of `term` at or before i, for fast backtracking of nextIndex. */
  firstIndexOfTermAt(i: number): number {
    const t = this.term(i);
    while (i > 1 && this.term(i - 1) === t) i--;
    return i;
  }
}

/** An invariant of the protocol; violating it is a bug, never an expected error. */
export function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`raft invariant violated: ${message}`);
}
