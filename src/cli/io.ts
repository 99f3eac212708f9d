/**
 * The CLI's edge with the real world: reading scenario files, writing reports, histories and traces.
 * Every failure to read input becomes a ScenarioError (exit code 2), never a stack trace.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeSync, writeFileSync } from 'node:fs';
import { parseScenario, ScenarioError, type Scenario } from '../scenario/index.js';
import type { ResolvedVariant } from '../scenario/schema.js';

export function loadScenarioFile(file: string, set: readonly string[] = [], opts: { checkMetricNames?: boolean } = {}): { scenario: Scenario; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new ScenarioError(file, '', `a readable scenario file (${why})`);
  }
  return { scenario: parseScenario(text, file, { set, ...opts }), text };
}

/** The file names in a folder given on the command line, or a ScenarioError naming the option. */
export function readableDir(dir: string, option: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(dir, option, `a readable folder (${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (code ?? String((e as Error).message))})`);
  }
}

/** The variants named by --variant (all when absent); an unknown name is a ScenarioError. */
export function selectVariants(s: Scenario, name: string | undefined): ResolvedVariant[] {
  if (name === undefined) return s.variants;
  const v = s.variants.find((x) => x.name === name);
  if (v === undefined) throw new ScenarioError(s.file, '--variant', `one of ${s.variants.map((x) => x.name).join(', ')} (got "${name}")`);
  return [v];
}

/** Fail before a long run, not after it, when an output file cannot be written. */
export function writableFile(file: string, write: () => void): void {
  try {
    write();
  } catch (e) {
    throw new ScenarioError(file, '', `a writable output file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Parse a non-negative integer option, or fail with exit code 2. */
export function parseSeed(text: string, option: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new ScenarioError('(command line)', option, `a non-negative integer (got "${text}")`);
  return Number(text);
}

/** A buffered line writer on a file, for traces and histories that may be large. */
export class LineWriter {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;
  private static readonly flushBytesMin = 1 << 16;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, 'w');
    } catch (e) {
      throw new ScenarioError(file, '', `a writable output file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= LineWriter.flushBytesMin) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export function writeJson(file: string, value: unknown): void {
  try {
    writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  } catch (e) {
    throw new ScenarioError(file, '', `a writable output file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** `x.jsonl` + variant `naive` -> `x.naive.jsonl`, used when one file option serves several variants. */
export function perVariantFile(file: string, variant: string, several: boolean): string {
  if (!several) return file;
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/') ? `${file.slice(0, dot)}.${variant}${file.slice(dot)}` : `${file}.${variant}`;
}
