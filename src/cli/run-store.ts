/**
 * The results folder of `pillars run`, `demo`, `sweep` and `stories` (runs/<name>/<time>/, `latest`
 * linking to the newest): the reports, each variant's history and trace (gzipped, capped), the time
 * series as CSV, and what reproduces the run: the exact command and the scenario's text. `--out DIR`
 * puts the store elsewhere; `--no-store` keeps none.
 */
import { basename } from 'node:path';
import { linkLatest, resultsDirFor, writeResult, type LineFileSummary } from '../adapters/results-folder.js';
import { ScenarioError } from '../scenario/error.js';

/** The --out and --no-store options of every command that keeps a results folder. */
export interface StoreFlags {
  /** Commander's --no-store: false when the run keeps no results folder. */
  store?: boolean;
  out?: string;
}

/** The store's root when no --out is given, relative to the working directory, as Jepsen's store/. */
export const RUNS_ROOT = 'runs';
/**
 * A stored history or trace keeps at most this many raw bytes (about 2-4 MB gzipped). Past it the
 * file holds the run's first lines, and the manifest says how to regenerate the whole: the same
 * command with --history or --trace, which a deterministic run reproduces byte for byte.
 */
export const STORED_LINES_BYTES_MAX = 32 * 1024 * 1024;

export interface RunStore {
  root: string;
  name: string;
  dir: string;
  command: string;
  startedAt: Date;
  files: LineFileSummary[];
  /** Results folders of the runs this one is made of (each story of `stories`), relative to this one. */
  folders: string[];
}

/** The command line as typed, quoted where a shell would need it. */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  return ['pillars', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}

/**
 * Create the run's folder and write what reproduces it (the command, and the scenario's text when
 * the run has one scenario); bad --out is exit 2 naming the folder. `command` is this process's
 * command line unless a caller that is not the command line (a test) names the command it stands for.
 */
export function openRunStore(root: string, name: string, scenarioText: string | undefined, command = commandLine()): RunStore {
  const startedAt = new Date();
  let dir: string;
  try {
    dir = resultsDirFor(root, name, startedAt);
  } catch (e) {
    throw new ScenarioError(root, '--out', `a folder the results can be written into (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  writeResult(dir, 'command.txt', command + '\n');
  if (scenarioText !== undefined) writeResult(dir, 'scenario.yaml', scenarioText);
  return { root, name, dir, command, startedAt, files: [], folders: [] };
}

/**
 * Write the report (report.json; a sweep's summary is sweep.json) and the manifest, then point
 * `latest` at the folder.
 */
export function closeRunStore(store: RunStore, report: unknown, reportFile = 'report.json'): void {
  writeResult(store.dir, reportFile, JSON.stringify(report, null, 2) + '\n');
  const manifest = {
    command: store.command,
    startedAt: store.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(store.folders.length > 0 ? { folders: store.folders } : {}),
    files: store.files.map((f) => ({
      file: basename(f.file),
      lines: f.lines,
      rawBytes: f.rawBytes,
      truncated: f.truncated,
      ...(f.truncated ? { whole: `the first ${f.lines} lines only; ${store.command} --${basename(f.file).split('.')[0]} FILE writes them all (the run is deterministic)` } : {}),
    })),
  };
  writeResult(store.dir, 'manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  linkLatest(store.root, store.name, store.dir);
}
