/**
 * A run's results folder, as Jepsen keeps its store: ROOT/<name>/<UTC time>/ holding what the run
 * produced and what reproduces it (the command and the scenario's text), with ROOT/<name>/latest and
 * ROOT/latest linking to the newest run. Large line files (histories, traces) are written gzipped,
 * up to a cap on their raw size: a simulated run is deterministic, so a file cut at its cap is
 * regenerated whole by the command it names (`--history FILE` or `--trace FILE`), byte for byte.
 */
import { closeSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The run's folder ROOT/<name>/<UTC time, colons left out>, created empty, with millisecond resolution. */
export function resultsDirFor(root: string, name: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/:/g, '');
  let dir = join(root, name, stamp);
  // Two runs in the same millisecond (a script, a test) get folders of their own.
  for (let n = 2; !createFresh(dir); n++) dir = join(root, name, `${stamp}-${n}`);
  return dir;
}

function createFresh(dir: string): boolean {
  mkdirSync(join(dir, '..'), { recursive: true });
  try {
    mkdirSync(dir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Point ROOT/<name>/latest and ROOT/latest at `dir`, relative links, so the store can move whole. */
export function linkLatest(root: string, name: string, dir: string): void {
  link(join(root, name, 'latest'), dir);
  link(join(root, 'latest'), dir);
}

function link(at: string, to: string): void {
  rmSync(at, { force: true });
  symlinkSync(relative(join(at, '..'), to), at);
}

/** What a capped line file holds once closed. */
export interface LineFileSummary {
  file: string;
  lines: number;
  rawBytes: number;
  /** Set when the cap was reached: the file holds the first `lines` lines only. */
  truncated: boolean;
}

/**
 * JSON lines written gzipped in blocks: each block is a gzip member of its own, and a file of
 * concatenated members is one gzip stream to gunzip and zcat. Writes are synchronous, as the
 * simulator that feeds them is.
 */
export class GzipLineFile {
  private readonly fd: number;
  private buf: string[] = [];
  private bufBytes = 0;
  private lines = 0;
  private rawBytes = 0;
  private truncated = false;
  private static readonly blockBytes = 1 << 20;

  constructor(
    readonly file: string,
    private readonly rawBytesMax: number,
  ) {
    this.fd = openSync(file, 'w');
  }

  line(s: string): void {
    if (this.truncated) return;
    const bytes = Buffer.byteLength(s) + 1;
    if (this.rawBytes + bytes > this.rawBytesMax) {
      this.truncated = true;
      return;
    }
    this.buf.push(s);
    this.bufBytes += bytes;
    this.rawBytes += bytes;
    this.lines++;
    if (this.bufBytes >= GzipLineFile.blockBytes) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, gzipSync(this.buf.join('\n') + '\n', { level: 1 }));
    this.buf = [];
    this.bufBytes = 0;
  }

  close(): LineFileSummary {
    this.flush();
    closeSync(this.fd);
    return { file: this.file, lines: this.lines, rawBytes: this.rawBytes, truncated: this.truncated };
  }
}

/** Series as CSV in long form (series,t_ms,value): every series keeps its own sample times. */
export function seriesCsv(series: Record<string, [number, number][]>): string {
  const rows = ['series,t_ms,value'];
  for (const name of Object.keys(series).sort()) for (const [t, v] of series[name]) rows.push(`${name},${t},${v}`);
  return rows.join('\n') + '\n';
}

/** Write a text file into the folder; returns its path. */
export function writeResult(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
