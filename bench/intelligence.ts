/**
 * The intelligence pillar's hot paths, one section each, every figure against an anchor measured in
 * the same run. Median of ROUNDS rounds after a warm-up round.
 *
 * - detectors: points per second of each anomaly detector in the catalogue over the labelled series
 *   (14,400 five-minute points), against a bare loop summing the same points.
 *
 * - scalers: the cost of one scaling decision over 200 pods (threshold, HPA, guarded HPA, predictive),
 *   against a bare loop averaging the same pods' utilization (bench/scaling-cost.ts).
 *
 * The last line is the figure: the recommended detector's throughput as a fraction of the bare loop's.
 */
import { detectorCatalogue, generateLabelledSeries, labelledSeed, type LabelledSeries } from '../src/intelligence/anomaly/index.js';
import { RandomStreams } from '../src/sim/rng.js';
import { median } from './anchors.js';
import { measureScalingCost } from './scaling-cost.js';

const ROUNDS = 5;

interface SectionResult {
  title: string;
  /** name, value, unit */
  rows: [string, number, string][];
  /** The section's figure as a ratio against its anchor, and what it says. */
  ratio: number;
  ratioText: string;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Median over rounds (after a warm-up round) of run(), which returns points per second. */
function medianRate(run: () => number): number {
  const rates: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const rate = run();
    if (r > 0) rates.push(rate);
  }
  return median(rates);
}

/** The anchor: the cheapest loop that touches every point, summing its value and time. */
function bareLoop(series: readonly LabelledSeries[], repeats: number): number {
  let sink = 0;
  let points = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < repeats; k++) {
    for (const s of series) {
      const v = s.values;
      for (let i = 0; i < v.length; i++) sink += v[i] + s.timestampsMs[i];
      points += v.length;
    }
  }
  const rate = points / seconds(t0);
  if (!Number.isFinite(sink)) throw new Error('sink');
  return rate;
}

/** A fresh detector per series, every point fed in order. */
function detectorRate(make: () => { update(v: number, t: number): number }, series: readonly LabelledSeries[], repeats: number): number {
  let sink = 0;
  let points = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < repeats; k++) {
    for (const s of series) {
      const d = make();
      for (let i = 0; i < s.values.length; i++) sink += d.update(s.values[i], s.timestampsMs[i]);
      points += s.values.length;
    }
  }
  const rate = points / seconds(t0);
  if (!Number.isFinite(sink)) throw new Error('sink');
  return rate;
}

function detectorThroughput(): SectionResult {
  const series = generateLabelledSeries((name) => new RandomStreams(labelledSeed).stream(name));
  const bare = medianRate(() => bareLoop(series, 200));
  const rows: [string, number, string][] = [['bare loop (anchor)', bare, 'points/s']];
  for (const [name, make] of Object.entries(detectorCatalogue)) rows.push([name, medianRate(() => detectorRate(make, series, 3)), 'points/s']);
  const recommended = rows.find(([n]) => n === 'recommended')![1];
  return {
    title: 'anomaly detectors over the labelled series',
    rows,
    ratio: recommended / bare,
    ratioText: 'recommended detector points/s vs a bare loop summing the same points',
  };
}

function scalerDecisionCost(): SectionResult {
  const { rows, bareNs } = measureScalingCost();
  const hpa = rows.find((r) => r.name === 'hpa')!.nsPerDecision;
  return {
    title: 'scaling decisions over 200 pods',
    rows: [['bare mean (anchor)', bareNs, 'ns/decision'], ...rows.map((r): [string, number, string] => [r.name, r.nsPerDecision, 'ns/decision'])],
    ratio: hpa / bareNs,
    ratioText: 'HPA decision cost vs a bare mean over the same pods',
  };
}

function print(section: SectionResult): void {
  process.stdout.write(`${section.title}\n`);
  for (const [name, value, unit] of section.rows) {
    const ns = unit === 'points/s' ? `${(1e9 / value).toFixed(1).padStart(9)} ns/point` : '';
    process.stdout.write(`  ${name.padEnd(22)} ${Math.round(value).toLocaleString('en-US').padStart(14)} ${unit}${ns}\n`);
  }
}

// Sections in order; the first one's ratio is the benchmark's figure (the last line).
const sections = [detectorThroughput, scalerDecisionCost];
const results = sections.map((run) => {
  const r = run();
  print(r);
  return r;
});
process.stdout.write(`ratio ${results[0].ratio.toPrecision(3)} ${results[0].ratioText}\n`);
