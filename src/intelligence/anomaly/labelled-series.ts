/**
 * Labelled series this project generates, one per kind of anomaly a detector here is built for, each
 * also built to defeat a static threshold. Ten days of 5-minute points; the first three days are quiet
 * (detectors learn there, the static threshold takes its band from there); every anomaly comes later
 * and is labelled as a window of points (label 1) in which an alarm counts as a detection.
 *
 * - spike-in-noise: single-point spikes of ~9 sigma on a level that wanders slowly over days (for the
 *   EWMA z-score): a band wide enough for the wander is blind to the spikes.
 * - level-shift: the level steps by 2 sigma for half a day, then back (for CUSUM): too small for a
 *   three-sigma band to see at once, and it alarms on noise meanwhile.
 * - season-break: a daily peak at noon; one day it does not come, one night it comes at 2 a.m., one day
 *   it comes three hours late (for Holt-Winters residuals and seasonal ESD): every value stays inside
 *   the range of a normal day.
 * - slow-drift: the level creeps up by 3 sigma over a day, later back down (for CUSUM).
 * - heavy-tailed: Student-t noise with 2 degrees of freedom (no variance) and hour-long bursts at
 *   +7 scale units (for the median/MAD detector): the mean/variance detector false-alarms on the tails.
 *
 * Randomness comes from the caller (one named stream per series), so the same streams give the same
 * series: data/labelled/*.csv are this function's output, and a test keeps them equal.
 */

export interface LabelledSeries {
  name: string;
  /** The detectors this series was designed for. */
  designedFor: readonly string[];
  stepMs: number;
  timestampsMs: Float64Array;
  values: Float64Array;
  labels: Uint8Array;
  /** Points at the start with no anomaly: for learning, and for a static threshold's band. */
  quietPoints: number;
}

/** A uniform [0, 1) source; src/sim/rng.ts's streams have this shape. */
export interface UniformSource {
  next(): number;
}

/** The seed of the shipped series (data/labelled/). */
export const labelledSeed = 2024;
export const labelledStepMs = 300_000;
/** 2024-01-01T00:00:00Z. */
export const labelledStartMs = 1_704_067_200_000;
const pointsPerDay = 288;
const days = 10;
const quietDays = 3;
const decimals = 1000;

function gaussian(r: UniformSource): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** Student's t with 2 degrees of freedom: Z / sqrt(chi2_2 / 2), chi2_2 = -2 ln U. */
function studentT2(r: UniformSource): number {
  return gaussian(r) / Math.sqrt(-Math.log(1 - r.next()));
}

/** A point of the day (0..287) at hour h. */
const at = (day: number, hour: number) => day * pointsPerDay + Math.round(hour * 12);

class Builder {
  readonly values = new Float64Array(days * pointsPerDay);
  readonly labels = new Uint8Array(days * pointsPerDay);
  label(from: number, to: number): void {
    for (let i = from; i <= to; i++) this.labels[i] = 1;
  }
  build(name: string, designedFor: readonly string[]): LabelledSeries {
    const n = this.values.length;
    return {
      name,
      designedFor,
      stepMs: labelledStepMs,
      timestampsMs: Float64Array.from({ length: n }, (_, i) => labelledStartMs + i * labelledStepMs),
      values: this.values.map((v) => Math.round(v * decimals) / decimals),
      labels: this.labels,
      quietPoints: quietDays * pointsPerDay,
    };
  }
}

function spikeInNoise(r: UniformSource): LabelledSeries {
  const b = new Builder();
  for (let i = 0; i < b.values.length; i++) b.values[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / (3.5 * pointsPerDay)) + gaussian(r);
  for (const [day, hour] of [[3.5, 4], [4, 15], [5, 9.5], [6, 20], [7.5, 2], [8, 13], [9, 7]] as const) {
    const i = at(day, hour);
    b.values[i] += 8 + 2 * r.next();
    b.label(i, i);
  }
  return b.build('spike-in-noise', ['ewma-z', 'ensemble']);
}

function levelShift(r: UniformSource): LabelledSeries {
  const b = new Builder();
  const shifts: [number, number, number][] = [[at(4, 6), at(4, 18), 2], [at(7, 0), at(7, 12), -2]];
  for (let i = 0; i < b.values.length; i++) {
    const shift = shifts.find(([from, to]) => i >= from && i < to);
    b.values[i] = 100 + 2 * ((shift?.[2] ?? 0) + gaussian(r));
  }
  // The change is the anomaly: each step (into the shift and back out) is found within two hours or missed.
  for (const [from, to] of shifts) {
    b.label(from, from + 24);
    b.label(to, to + 24);
  }
  return b.build('level-shift', ['cusum']);
}

/** 100 + 40 at noon, falling off over a couple of hours either side, centred at hour `peak`. */
const dailyPeak = (hourOfDay: number, peak = 12) => 100 + 40 * Math.exp(-((hourOfDay - peak) ** 2) / 4);

function seasonBreak(r: UniformSource): LabelledSeries {
  const b = new Builder();
  for (let i = 0; i < b.values.length; i++) {
    const day = Math.floor(i / pointsPerDay);
    const hour = (i % pointsPerDay) / 12;
    let v = dailyPeak(hour);
    if (day === 4) v = 100; // the peak never comes
    if (day === 6 && hour >= 1 && hour < 3) v = dailyPeak(hour, 2); // a peak at 2 a.m.
    if (day === 8) v = dailyPeak(hour, 15); // three hours late
    b.values[i] = v + 2 * gaussian(r);
  }
  // From when the normal day would start to differ until the day is back to normal.
  b.label(at(4, 8), at(4, 16));
  b.label(at(6, 0.5), at(6, 3.5));
  b.label(at(8, 8), at(8, 18));
  return b.build('season-break', ['holt-winters', 'seasonal-esd', 'ensemble']);
}

function slowDrift(r: UniformSource): LabelledSeries {
  const b = new Builder();
  const up = [at(4, 0), at(5, 0)];
  const down = [at(7, 0), at(8, 0)];
  for (let i = 0; i < b.values.length; i++) {
    let level = 0;
    if (i >= up[0]) level = 3 * Math.min(1, (i - up[0]) / (up[1] - up[0]));
    if (i >= down[0]) level = 3 - 3 * Math.min(1, (i - down[0]) / (down[1] - down[0]));
    b.values[i] = 20 + level + gaussian(r);
  }
  // Found while it drifts, or missed.
  b.label(up[0], up[1]);
  b.label(down[0], down[1]);
  return b.build('slow-drift', ['cusum']);
}

function heavyTailed(r: UniformSource): LabelledSeries {
  const b = new Builder();
  for (let i = 0; i < b.values.length; i++) b.values[i] = 50 + studentT2(r);
  for (const [day, hour] of [[3.5, 10], [5, 3], [6.5, 16], [8, 8], [9, 20]] as const) {
    const i = at(day, hour);
    for (let j = i; j < i + 12; j++) b.values[j] += 7;
    b.label(i, i + 11);
  }
  return b.build('heavy-tailed', ['median-mad']);
}

const generators: [string, (r: UniformSource) => LabelledSeries][] = [
  ['spike-in-noise', spikeInNoise],
  ['level-shift', levelShift],
  ['season-break', seasonBreak],
  ['slow-drift', slowDrift],
  ['heavy-tailed', heavyTailed],
];

/** Every labelled series; `stream(name)` gives the random source of the series called name. */
export function generateLabelledSeries(stream: (name: string) => UniformSource): LabelledSeries[] {
  return generators.map(([name, make]) => make(stream(name)));
}

/** timestamp,value,label: the shipped CSV form of a series. */
export function labelledCsv(s: LabelledSeries): string {
  const lines = ['timestamp,value,label'];
  for (let i = 0; i < s.values.length; i++) lines.push(`${s.timestampsMs[i]},${s.values[i]},${s.labels[i]}`);
  return `${lines.join('\n')}\n`;
}
