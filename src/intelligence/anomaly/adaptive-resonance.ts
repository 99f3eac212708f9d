/**
 * Adaptive resonance on windows of the stream (after ARTime, Mark Hampton 2021, the best published
 * detector on NAB): the stream's shapes are learned as Fuzzy ART categories (fuzzy-art.ts), and a
 * window that fits no category, with a vigilance that adapts to how well this stream usually fits,
 * is an anomaly.
 *
 * 1. Downsample: every `stepPoints` points become one value, the step's most extreme point (the one
 *    farther from a moving average) when it is 10% away from the step's mean, else the mean. A spike
 *    survives downsampling; noise does not.
 * 2. Normalise into `levels` levels of a frame: the range seen while learning plus `rangeMargin` of it
 *    on each side, widened (again with a margin) when a value leaves it, and then everything learned
 *    is re-expressed in the wider frame. A level within `medianBand` of the running median level becomes
 *    the median (small wobbles around the usual level are one value).
 * 3. A window of the last `windowPoints` such values is the input: its Haar wavelet coefficients
 *    (the window rescaled to [0, 1] first, so they say its shape) and its levels (where it is).
 * 4. Learning: the first `learningWindows` windows' worth of values are only kept. Then the initial
 *    vigilance is found from them (they are ordered from least to most typical and fed to a probe
 *    network at vigilance 0.8; the mean match of the later half is how well this stream fits itself),
 *    and they train the network.
 * 5. Detecting: a window whose best match falls below the lower vigilance founds a new category and
 *    is an anomaly, unless it follows an anomaly or a new category closely (then it must match much
 *    worse than that anomaly did). Its score grows with how far below the vigilances it fell and how
 *    far its newest level is from the category's.
 * 6. The vigilances adapt every half learning period and after each anomaly: the upper one to the
 *    mean match so far, the lower one up towards the worst recent match, or down when matches have
 *    been falling short of the upper one (never below the anomalies' own matches).
 *
 * Differences from ARTime, so it runs on a live stream: ARTime is handed the file's minimum, maximum
 * and length up front (NAB gives them); here the frame comes from the values seen so far and the
 * downsampling step and learning period are fixed numbers of points, not fractions of a length nobody
 * knows yet. The network keeps a bounded number of categories (fuzzy-art.ts). On NAB, ARTime's own
 * rules (file range and length) give this implementation 72.9 alone; online, alone, it scores ≈61
 * (bench:nab), and its worth is as a member of the recommended detector.
 *
 * A point scores 0 except the last of a step whose window is an anomaly. Deterministic; memory is
 * bounded by the options.
 */
import { ConfigError, fraction, nonNegative } from '../../runtime/config-error.js';
import { pointCount, type AnomalyDetector } from './detector.js';
import { FuzzyArt } from './fuzzy-art.js';

export interface AdaptiveResonanceOptions {
  /** Points per downsampled value (default 4). */
  stepPoints?: number;
  /** Downsampled values per window, a power of two for the Haar transform (default 8). */
  windowPoints?: number;
  /** Windows' worth of downsampled values learned before detecting (default 13). */
  learningWindows?: number;
  /** Levels the range is cut into (default 80). */
  levels?: number;
  /** A level this close to the median level (a fraction of the range) becomes the median (default 0.075). */
  medianBand?: number;
  /** The probe network's vigilance when finding the initial one (default 0.8). */
  initialVigilance?: number;
  /** Categories kept (default 512). */
  categoriesMax?: number;
  /** Room left beyond the range seen, on each side, as a fraction of it (default 0.25). */
  rangeMargin?: number;
  /** The score of the surest anomaly: a window's confidence, in [0, 1], times this (default 1). */
  maxScore?: number;
}

/** The upper vigilance never exceeds this: a stream that fits itself perfectly still gets room. */
const upperVigilanceCap = 0.97;
/** How far the lower vigilance climbs towards the worst recent match per update. */
const lowerVigilanceClimb = 0.19;
/** Shortfalls below the upper vigilance smaller than this are noise when lowering the lower one. */
const shortfallFloor = 0.05;
/** A single shortfall counts at most this much. */
const shortfallCap = 0.37;
/** The lower vigilance falls by at least half of this per update. */
const minimumFall = 0.01;
/** After an anomaly, the next must match below this fraction of its match; later, below the second. */
const afterAnomalyScale = 0.9;
const afterCategoryScale = 0.7;
/** A step's extreme must be this far (a fraction of the step's mean) from it to stand for the step. */
const spikeFraction = 0.1;

export class AdaptiveResonance implements AnomalyDetector {
  readonly name = 'adaptive-resonance';
  private readonly stepPoints: number;
  private readonly windowPoints: number;
  private readonly learningPoints: number;
  private readonly levels: number;
  private readonly medianBand: number;
  private readonly initialVigilance: number;
  private readonly maskPoints: number;
  private readonly art: FuzzyArt;

  // Downsampling.
  private readonly step: Float64Array;
  private stepFill = 0;
  private movingAverage = Number.NaN;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly rangeMargin: number;
  private readonly maxScore: number;
  /** The range levels are cut from: the range seen plus a margin, widened (with a margin) when a value leaves it. */
  private frameLow = 0;
  private frameHigh = 0;
  /** Downsampled values (raw) while learning; released after. */
  private learning: number[] | undefined = [];

  // Levels and their running median.
  private readonly levelCounts: Int32Array;
  private levelsSeen = 0;
  private medianLevel = 0;
  private belowMedian = 0;
  private aboveMedian = 0;

  // The window and its features.
  private readonly window: Float64Array;
  private readonly shape: Float64Array;
  private readonly features: Float64Array;
  /** Downsampled values so far (1-based as the window index below). */
  private index = 0;

  // Vigilance and masking.
  private similaritySum = 0;
  private similarityCount = 0;
  /** Recent matches: the last learningPoints / 2 + 1. */
  private readonly recentMatches: Float64Array;
  /** Recent shortfalls below the upper vigilance: the last learningPoints + 1. */
  private readonly recentShortfalls: Float64Array;
  private lastAnomalyIndex = 0;
  private lastAnomalySimilarity = 0;
  private lastUpdateIndex = 0;
  private maskAfterCategory = false;
  private sinceNewCategory = 0;
  private anomalySimilaritySum = 0;
  private anomalies = 0;
  /** The lowest match while masked after the latest anomaly (it stands for that anomaly). */
  private latestAnomalyLowest = 0;

  constructor(opts: AdaptiveResonanceOptions = {}) {
    this.stepPoints = pointCount('stepPoints', opts.stepPoints ?? 4);
    const windowPoints = pointCount('windowPoints', opts.windowPoints ?? 8, 2);
    if ((windowPoints & (windowPoints - 1)) !== 0) throw new ConfigError('windowPoints', 'a power of two >= 2', windowPoints);
    this.windowPoints = windowPoints;
    this.learningPoints = windowPoints * pointCount('learningWindows', opts.learningWindows ?? 13, 2);
    this.levels = pointCount('levels', opts.levels ?? 80, 2);
    this.medianBand = fraction('medianBand', opts.medianBand ?? 0.075);
    this.initialVigilance = fraction('initialVigilance', opts.initialVigilance ?? 0.8);
    this.maskPoints = Math.floor(windowPoints * 1.5);
    this.rangeMargin = nonNegative('rangeMargin', opts.rangeMargin ?? 0.25);
    const maxScore = opts.maxScore ?? 1;
    if (!(typeof maxScore === 'number' && maxScore > 0 && maxScore <= 1)) throw new ConfigError('maxScore', 'a number in (0, 1]', maxScore);
    this.maxScore = maxScore;
    this.art = new FuzzyArt({ features: 2 * windowPoints, energyFeature: 2 * windowPoints - 1, categoriesMax: opts.categoriesMax });
    this.step = new Float64Array(this.stepPoints);
    this.levelCounts = new Int32Array(this.levels + 1);
    this.window = new Float64Array(windowPoints);
    this.shape = new Float64Array(windowPoints);
    this.features = new Float64Array(2 * windowPoints);
    this.recentMatches = new Float64Array((this.learningPoints >> 1) + 1).fill(1);
    this.recentShortfalls = new Float64Array(this.learningPoints + 1);
  }

  /** Categories the network holds now. */
  get categories(): number {
    return this.art.categories;
  }

  update(value: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.step[this.stepFill++] = value;
    if (this.stepFill < this.stepPoints) return 0;
    this.stepFill = 0;
    const sample = this.downsample();
    if (this.learning !== undefined) {
      this.learning.push(sample);
      if (this.learning.length === this.learningPoints) this.learnFirstWindows(this.learning);
      return 0;
    }
    return this.detect(this.nextFeatures(sample));
  }

  /** The step's most extreme point when it stands out from the step's mean, else the mean. */
  private downsample(): number {
    let sum = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.stepPoints; i++) {
      const v = this.step[i];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const mean = sum / this.stepPoints;
    this.movingAverage = Number.isNaN(this.movingAverage) ? mean : (this.movingAverage + mean) / 2;
    const extreme = Math.abs(hi - this.movingAverage) < Math.abs(lo - this.movingAverage) ? lo : hi;
    return Math.abs(extreme - mean) < spikeFraction * Math.abs(mean) ? mean : extreme;
  }

  /** The downsampled value as a level of the range so far, snapped to the median level when close; then the window's features. */
  private nextFeatures(sample: number): Float64Array | undefined {
    this.widenFrame();
    const range = this.frameHigh - this.frameLow;
    const level = Math.round((range > 0 ? Math.min(1, Math.max(0, (sample - this.frameLow) / range)) : 0) * this.levels);
    let normalised = level / this.levels;
    const median = this.trackMedian(level) / this.levels;
    if (Math.abs(normalised - median) < this.medianBand) normalised = median;
    this.index++;
    this.window.copyWithin(0, 1);
    this.window[this.windowPoints - 1] = normalised;
    if (this.index < this.windowPoints) return undefined;
    return this.windowFeatures();
  }

  /**
   * The frame holds every value seen, with a margin on the side a value left it by. What was learned in
   * the old frame is re-expressed in the new one (levels map linearly), so a wider range does not make
   * every known shape look new.
   */
  private widenFrame(): void {
    if (this.max <= this.frameHigh && this.min >= this.frameLow) return;
    const oldLow = this.frameLow;
    const oldSpan = this.frameHigh - this.frameLow;
    const span = Math.max(this.max, this.frameHigh) - Math.min(this.min, this.frameLow);
    if (this.max > this.frameHigh) this.frameHigh = this.max + this.rangeMargin * span;
    if (this.min < this.frameLow) this.frameLow = this.min - this.rangeMargin * span;
    const newSpan = this.frameHigh - this.frameLow;
    if (!(oldSpan > 0) || !(newSpan > 0)) return;
    const scale = oldSpan / newSpan;
    const offset = (oldLow - this.frameLow) / newSpan;
    for (let i = 0; i < this.windowPoints; i++) this.window[i] = this.window[i] * scale + offset;
    this.art.reframe(this.windowPoints, 2 * this.windowPoints, scale, offset);
    this.reframeLevels(scale, offset);
  }

  /** The level histogram in the new frame, and its median found afresh. */
  private reframeLevels(scale: number, offset: number): void {
    const counts = this.levelCounts;
    const old = Int32Array.from(counts);
    counts.fill(0);
    for (let l = 0; l <= this.levels; l++) {
      if (old[l] === 0) continue;
      counts[Math.min(this.levels, Math.max(0, Math.round(((l / this.levels) * scale + offset) * this.levels)))] += old[l];
    }
    const half = this.levelsSeen >> 1;
    let below = 0;
    let level = 0;
    while (level < this.levels && (counts[level] === 0 || below + counts[level] <= half)) below += counts[level++];
    this.medianLevel = level;
    this.belowMedian = below;
    this.aboveMedian = this.levelsSeen - below - counts[level];
  }

  /**
   * An approximate running median of the levels: a pointer into their histogram that moves one
   * occupied level at a time towards the middle. Bounded memory whatever the stream's length.
   */
  private trackMedian(level: number): number {
    const counts = this.levelCounts;
    counts[level]++;
    if (this.levelsSeen++ === 0) this.medianLevel = level;
    if (level < this.medianLevel) this.belowMedian++;
    else if (level > this.medianLevel) this.aboveMedian++;
    const half = this.levelsSeen >> 1;
    if (this.aboveMedian > half) {
      this.belowMedian += counts[this.medianLevel];
      do this.medianLevel++;
      while (counts[this.medianLevel] === 0);
      this.aboveMedian -= counts[this.medianLevel];
    } else if (this.belowMedian > half) {
      this.aboveMedian += counts[this.medianLevel];
      do this.medianLevel--;
      while (counts[this.medianLevel] === 0);
      this.belowMedian -= counts[this.medianLevel];
    }
    return this.medianLevel;
  }

  /** [Haar coefficients of the window rescaled to [0, 1], rescaled to [0, 1]; the window's levels]. */
  private windowFeatures(): Float64Array {
    const n = this.windowPoints;
    const s = this.shape;
    rescale(this.window, s);
    haar(s, this.features);
    rescale(this.features.subarray(0, n), this.features.subarray(0, n));
    this.features.set(this.window, n);
    return this.features;
  }

  /**
   * The end of learning: the kept values become windows (normalised by the range seen while learning),
   * the initial vigilance is found from them, and they train the network.
   */
  private learnFirstWindows(samples: readonly number[]): void {
    this.learning = undefined;
    const span = this.max - this.min;
    this.frameLow = this.min - this.rangeMargin * span;
    this.frameHigh = this.max + this.rangeMargin * span;
    const windows: Float64Array[] = [];
    for (const sample of samples) {
      const f = this.nextFeatures(sample);
      if (f !== undefined) windows.push(Float64Array.from(f));
    }
    const vigilance = this.probeVigilance(windows);
    this.art.lowerVigilance = vigilance;
    this.art.upperVigilance = vigilance;
    this.index = this.windowPoints - 1;
    for (const w of windows) {
      this.index++;
      this.detect(w);
    }
  }

  /**
   * How well this stream's windows fit each other: the windows ordered from least to most typical
   * (summed cosine similarity to all the others) train a probe network at the initial vigilance; the
   * mean best match over the later half is the vigilance to start from.
   */
  private probeVigilance(windows: readonly Float64Array[]): number {
    const n = windows.length;
    const typicality = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const s = cosine(windows[i], windows[j]);
        typicality[i] += s;
        typicality[j] += s;
      }
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => typicality[a] - typicality[b] || a - b);
    const probe = new FuzzyArt({ features: 2 * this.windowPoints, energyFeature: 2 * this.windowPoints - 1, categoriesMax: n + 1 });
    probe.lowerVigilance = this.initialVigilance;
    probe.upperVigilance = this.initialVigilance;
    let sum = 0;
    let count = 0;
    order.forEach((k, rank) => {
      const { similarity } = probe.present(windows[k]);
      if (rank >= n >> 1) {
        sum += similarity;
        count++;
      }
    });
    return count > 0 ? sum / count : this.initialVigilance;
  }

  /** One window through the network; its anomaly score (0 while learning or when it fits). */
  private detect(features: Float64Array | undefined): number {
    if (features === undefined) return 0;
    const i = this.index;
    const learned = i > this.learningPoints;
    const sinceAnomaly = i - this.lastAnomalyIndex;
    const updateAfterAnomaly = sinceAnomaly === this.maskPoints;
    const updateForTrend = i - this.lastUpdateIndex >= this.learningPoints >> 1;
    const maskAfterAnomaly = sinceAnomaly <= this.maskPoints;
    if (i > this.learningPoints + this.maskPoints && this.maskAfterCategory && this.sinceNewCategory >= this.maskPoints) this.maskAfterCategory = false;

    const { similarity, energySimilarity, mismatch } = this.art.present(features);
    this.sinceNewCategory = mismatch ? 0 : this.sinceNewCategory + 1;
    this.similaritySum += similarity;
    this.similarityCount++;
    push(this.recentMatches, similarity);
    push(this.recentShortfalls, this.art.upperVigilance - similarity);
    if (sinceAnomaly < this.maskPoints && this.anomalies > 0 && similarity < this.latestAnomalyLowest) {
      this.anomalySimilaritySum += similarity - this.latestAnomalyLowest;
      this.latestAnomalyLowest = similarity;
    }

    const masked = this.maskAfterCategory || maskAfterAnomaly;
    const farBelowLast = similarity < this.lastAnomalySimilarity * (maskAfterAnomaly ? afterAnomalyScale : afterCategoryScale);
    let score = 0;
    if (learned && mismatch && (!masked || farBelowLast)) {
      score = this.confidence(similarity, energySimilarity);
      this.anomalies++;
      this.anomalySimilaritySum += similarity;
      this.latestAnomalyLowest = similarity;
      this.lastAnomalySimilarity = similarity;
      this.lastAnomalyIndex = i;
    }
    if (mismatch) this.maskAfterCategory = true;
    if (learned && (updateAfterAnomaly || updateForTrend)) this.adaptVigilance(i);
    return score;
  }

  /** How far below the vigilances the window fell, plus how far its newest level is from the category's. */
  private confidence(similarity: number, energySimilarity: number): number {
    const miss = 1 - Math.min(0.999, similarity);
    const belowUpper = (miss - (1 - this.art.upperVigilance)) / miss;
    const belowLower = (miss - (1 - this.art.lowerVigilance)) / miss;
    const s = belowUpper * 0.35 + belowLower * 0.65 + (1 - energySimilarity) * 1.5;
    return this.maxScore * Math.min(1, Math.max(0, s));
  }

  private adaptVigilance(i: number): void {
    let worstRecent = Number.POSITIVE_INFINITY;
    for (const m of this.recentMatches) if (m < worstRecent) worstRecent = m;
    const upper = Math.min(upperVigilanceCap, this.similaritySum / this.similarityCount);
    const previous = this.art.lowerVigilance;
    let lower: number;
    if (previous <= worstRecent) lower = previous + (worstRecent - previous) * lowerVigilanceClimb;
    else {
      let fall = 0;
      if (i > 2 * this.learningPoints) {
        let sum = 0;
        let n = 0;
        for (const d of this.recentShortfalls) {
          if (d <= shortfallFloor) continue;
          sum += Math.min(shortfallCap, d);
          n++;
        }
        if (n > 0) fall = sum / n;
      }
      lower = previous - Math.max(minimumFall, fall) / 2;
      if (this.anomalies > 0) lower = Math.max(this.anomalySimilaritySum / this.anomalies, lower);
    }
    this.art.lowerVigilance = Math.min(upper, lower);
    this.art.upperVigilance = upper;
    this.lastUpdateIndex = i;
    this.maskAfterCategory = true;
  }
}

/** Shifts `a` left by one and puts `v` last. */
function push(a: Float64Array, v: number): void {
  a.copyWithin(0, 1);
  a[a.length - 1] = v;
}

/** `from` mapped linearly onto [0, 1] into `to` (all zeros when flat). */
function rescale(from: Float64Array, to: Float64Array): void {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of from) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  for (let i = 0; i < from.length; i++) to[i] = span > 0 ? (from[i] - lo) / span : 0;
}

/**
 * The full orthonormal Haar transform of `x` (length a power of two, overwritten) into the first
 * x.length slots of `out`: the overall average first, then the differences from the coarsest scale to
 * the finest.
 */
function haar(x: Float64Array, out: Float64Array): void {
  const n = x.length;
  const work = x; // overwritten: the averages of each scale go where the scale's inputs were
  for (let len = n; len > 1; len >>= 1) {
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const a = work[2 * k];
      const b = work[2 * k + 1];
      out[half + k] = (a - b) * Math.SQRT1_2;
      work[k] = (a + b) * Math.SQRT1_2;
    }
  }
  out[0] = work[0];
}

/** Cosine similarity; against a zero vector, 1 minus the other's length (as ARTime's). */
function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0) return 1 - Math.sqrt(nb);
  if (nb === 0) return 1 - Math.sqrt(na);
  return dot / Math.sqrt(na * nb);
}
