/**
 * Raft's durable state on a Context disk: one append-only write-ahead log file of records, each a
 * line of JSON: `{"hs": HardState}` or `{"e": Entry[]}`. Replaying it rebuilds the state: the last
 * hard state wins, and entries at index i replace whatever was at i and after (a follower's log
 * truncated by a new leader is logged as the entries that replace the old ones).
 *
 * A torn last line (a crash in the middle of a real write) is ignored: it was never fsynced, so
 * nothing acknowledged depends on it.
 */
import type { Disk } from '../../runtime/context.js';
import type { Entry, HardState } from './types.js';

export const walFile = 'raft.wal';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Restored {
  hardState: HardState;
  entries: Entry[];
}

/** Append the records of one Ready to the WAL (not yet durable: the caller fsyncs). Returns whether anything was written. */
export function appendReady(disk: Disk, hardState: HardState | undefined, entries: readonly Entry[]): boolean {
  let text = '';
  if (entries.length > 0) text += JSON.stringify({ e: entries }) + '\n';
  if (hardState !== undefined) text += JSON.stringify({ hs: { ...hardState, vote: hardState.vote ?? null } }) + '\n';
  if (text === '') return false;
  disk.append(walFile, encoder.encode(text));
  return true;
}

/** Read the WAL back; undefined when the node has never written one. */
export function restore(disk: Disk): Restored | undefined {
  const bytes = disk.read(walFile);
  if (bytes === undefined) return undefined;
  let hardState: HardState = { term: 0, vote: undefined, commit: 0 };
  const entries: Entry[] = [];
  const lines = decoder.decode(bytes).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    let rec: { hs?: { term: number; vote: string | null; commit: number }; e?: Entry[] };
    try {
      rec = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) break; // torn tail
      throw new Error(`${walFile}: record ${i + 1} is corrupt`);
    }
    if (rec.hs !== undefined) hardState = { term: rec.hs.term, vote: rec.hs.vote ?? undefined, commit: rec.hs.commit };
    for (const e of rec.e ?? []) {
      entries.length = e.index - 1;
      entries.push(e);
    }
  }
  return { hardState, entries };
}
