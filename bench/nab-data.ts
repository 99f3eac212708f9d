/**
 * Reads the Numenta Anomaly Benchmark's files (data/, labels/combined_windows.json, config/, results/)
 * into the shapes src/intelligence/anomaly/nab-scorer.ts scores. The scorer is pure; the files are here.
 * The repository keeps NAB's CSVs gzipped (data/nab/README.md); a plain .csv, as in a checkout of NAB
 * itself, is read as well.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { NabProfileName, NabSeries } from '../src/intelligence/anomaly/index.js';

/** The repository's data/nab, seen from dist/bench/. */
export const defaultNabDir = new URL('../../data/nab', import.meta.url).pathname;

export interface NabFile extends NabSeries {
  /** e.g. realKnownCause/nyc_taxi.csv */
  name: string;
  timestampsMs: Float64Array;
  values: Float64Array;
}

/** The directory holds NAB's data and labels. */
export function nabDataPresent(dir: string): boolean {
  return existsSync(join(dir, 'data')) && existsSync(join(dir, 'labels', 'combined_windows.json'));
}

/** "2014-04-10 07:15:00" or "2014-04-10 07:15:00.000000", read as UTC milliseconds. */
export function parseNabTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(s.trim());
  if (m === null) throw new RangeError(`not a NAB timestamp: ${JSON.stringify(s)}`);
  const ms = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + ms;
}

const gzipSuffix = '.gz';

/** The text of `path`, or of `path`.gz unzipped when only that exists. */
function readMaybeGzipped(path: string): string {
  if (!existsSync(path) && existsSync(path + gzipSuffix)) return gunzipSync(readFileSync(path + gzipSuffix)).toString('utf8');
  return readFileSync(path, 'utf8');
}

/** A CSV with a header into columns by name (NAB's files have no quoted fields); `path`.gz is read when `path` is absent. */
export function readCsvColumns(path: string): Map<string, string[]> {
  const lines = readMaybeGzipped(path).split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const columns = header.map(() => [] as string[]);
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r].split(',');
    for (let c = 0; c < header.length; c++) columns[c].push(cells[c]);
  }
  return new Map(header.map((h, c) => [h, columns[c]]));
}

function column(cols: Map<string, string[]>, name: string, path: string): string[] {
  const c = cols.get(name);
  if (c === undefined) throw new RangeError(`${path}: no column ${name}`);
  return c;
}

/** The 58 files, sorted by name, with their windows. */
export function loadNabCorpus(dir: string): NabFile[] {
  const windows = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const files: NabFile[] = [];
  for (const category of readdirSync(join(dir, 'data')).sort()) {
    const catDir = join(dir, 'data', category);
    const csvNames = readdirSync(catDir).map((f) => (f.endsWith(`.csv${gzipSuffix}`) ? f.slice(0, -gzipSuffix.length) : f));
    for (const f of [...new Set(csvNames)].sort()) {
      if (!f.endsWith('.csv')) continue;
      const name = `${category}/${f}`;
      const w = windows[name];
      if (w === undefined) throw new RangeError(`${join(dir, 'labels', 'combined_windows.json')}: no windows for ${name}`);
      const cols = readCsvColumns(join(catDir, f));
      files.push({
        name,
        timestampsMs: Float64Array.from(column(cols, 'timestamp', name), parseNabTime),
        values: Float64Array.from(column(cols, 'value', name), Number),
        windows: w.map(([a, b]) => [parseNabTime(a), parseNabTime(b)] as const),
      });
    }
  }
  return files;
}

/** A published detector's anomaly scores per file, from results/<detector>/<category>/<detector>_<file>. */
export function loadNabResults(dir: string, detector: string, files: readonly NabFile[]): { scores: Float64Array; perRow: Map<NabProfileName, Float64Array> }[] {
  return files.map((file) => {
    const [category, f] = file.name.split('/');
    const path = join(dir, 'results', detector, category, `${detector}_${f}`);
    const cols = readCsvColumns(path);
    const perRow = new Map<NabProfileName, Float64Array>();
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const) {
      const c = cols.get(`S(t)_${p}`);
      if (c !== undefined) perRow.set(p, Float64Array.from(c, Number));
    }
    return { scores: Float64Array.from(column(cols, 'anomaly_score', path), Number), perRow };
  });
}

/** config/thresholds.json: the threshold each published detector used, per profile. */
export function loadNabThresholds(dir: string): Record<string, Record<NabProfileName, { threshold: number; score: number }>> {
  return JSON.parse(readFileSync(join(dir, 'config', 'thresholds.json'), 'utf8'));
}

/** results/final_results.json: the published normalised scores. */
export function loadNabFinalResults(dir: string): Record<string, Record<NabProfileName, number>> {
  return JSON.parse(readFileSync(join(dir, 'results', 'final_results.json'), 'utf8'));
}

/** results/<detector>/<detector>_<profile>_scores.csv: the published score per file, and the Totals row as "Totals". */
export function loadNabScoreTable(dir: string, detector: string, profile: NabProfileName): Map<string, { score: number; tp: number; fp: number }> {
  const path = join(dir, 'results', detector, `${detector}_${profile}_scores.csv`);
  const cols = readCsvColumns(path);
  const detectors = column(cols, 'Detector', path);
  const files = column(cols, 'File', path);
  const score = column(cols, 'Score', path);
  const tp = column(cols, 'TP', path);
  const fp = column(cols, 'FP', path);
  return new Map(files.map((f, i) => [detectors[i] === 'Totals' ? 'Totals' : f, { score: Number(score[i]), tp: Number(tp[i]), fp: Number(fp[i]) }]));
}
