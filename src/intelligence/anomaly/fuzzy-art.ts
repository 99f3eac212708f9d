/**
 * Fuzzy ART with two vigilances (Carpenter, Grossberg & Rosen 1991, "Fuzzy ART"; the dual-vigilance
 * variant of da Silva, Elnabarawy & Wunsch 2019), as ARTime uses it: a set of categories, each a box in
 * feature space, that an input either resonates with or founds a new one.
 *
 * - An input x in [0, 1]^d is complement coded, [x, 1 - x], so a category's weight w (2d numbers) is
 *   the box [w_lo, 1 - w_hi] and |w| (L1) shrinks as the box grows.
 * - Its match with a category is |min(x, w)| / |w| (1 when x lies in the box), cubed, times the square
 *   of the same match on one chosen "energy" feature alone (ARTime: the newest value of the window), so
 *   a window of the right shape at the wrong level still matches poorly.
 * - Every category matching at or above the upper vigilance learns the input (w = min(w, x): its box
 *   grows to hold it). If none does, but the best reaches the lower vigilance, the input founds a new
 *   category next to it: a variation of something known, not an anomaly. If even the best falls
 *   below the lower vigilance, the input founds a new category unlike anything seen: a mismatch.
 *
 * Memory is bounded: at most `categoriesMax` categories; once full, a new one replaces the one that
 * resonated longest ago (the stream moved on from it).
 */
import { ConfigError } from '../../runtime/config-error.js';
import { pointCount } from './detector.js';

/** What one input did to the network. */
export interface ArtOutcome {
  /** The best category's match, in [0, 1]. */
  similarity: number;
  /** The best category's match on the energy feature alone, in [0, 1]. */
  energySimilarity: number;
  /** True when the best match fell below the lower vigilance: a new category unlike any. */
  mismatch: boolean;
}

export interface FuzzyArtOptions {
  /** Features per input, before complement coding. */
  features: number;
  /** Index of the feature whose match weighs in squared (the energy feature). */
  energyFeature: number;
  /** Categories kept (default 512). */
  categoriesMax?: number;
}

export class FuzzyArt {
  /** Below this, an input founds a category unlike any (a mismatch). */
  lowerVigilance = 0;
  /** At or above this, a category learns the input. */
  upperVigilance = 0;
  private readonly width: number;
  private readonly energyLow: number;
  private readonly energyHigh: number;
  private readonly categoriesMax: number;
  /** Category weights, `width` numbers each, complement coded. */
  private readonly weights: Float64Array;
  /** The weights' L1 norms, kept so a match costs one pass. */
  private readonly norms: Float64Array;
  /** The input count at which each category last learned or was founded. */
  private readonly lastUsed: Float64Array;
  private readonly matches: Float64Array;
  private readonly coded: Float64Array;
  private count = 0;
  private inputs = 0;

  constructor(opts: FuzzyArtOptions) {
    const features = pointCount('features', opts.features);
    if (!(Number.isInteger(opts.energyFeature) && opts.energyFeature >= 0 && opts.energyFeature < features)) {
      throw new ConfigError('energyFeature', `an index in [0, ${features})`, opts.energyFeature);
    }
    this.width = 2 * features;
    this.energyLow = opts.energyFeature;
    this.energyHigh = features + opts.energyFeature;
    this.categoriesMax = pointCount('categoriesMax', opts.categoriesMax ?? 512, 2);
    this.weights = new Float64Array(this.categoriesMax * this.width);
    this.norms = new Float64Array(this.categoriesMax);
    this.lastUsed = new Float64Array(this.categoriesMax);
    this.matches = new Float64Array(this.categoriesMax);
    this.coded = new Float64Array(this.width);
    // The first category is the whole space (all-ones weights), as ART starts: it matches everything
    // poorly, so the first real inputs found categories of their own.
    this.weights.fill(1, 0, this.width);
    this.norms[0] = this.width;
    this.count = 1;
  }

  get categories(): number {
    return this.count;
  }

  /** Presents one input (features in [0, 1]); learns from it when `learn` is set. */
  present(input: ArrayLike<number>, learn = true): ArtOutcome {
    const w = this.width;
    const half = w / 2;
    const x = this.coded;
    for (let i = 0; i < half; i++) {
      const v = Math.min(1, Math.max(0, input[i]));
      x[i] = v;
      x[half + i] = 1 - v;
    }
    this.inputs++;
    let bestMatch = -1;
    let bestEnergy = 0;
    const weights = this.weights;
    const lo = this.energyLow;
    const hi = this.energyHigh;
    for (let c = 0; c < this.count; c++) {
      const base = c * w;
      const energyWeight = weights[base + lo] + weights[base + hi];
      const energyOverlap = Math.min(x[lo], weights[base + lo]) + Math.min(x[hi], weights[base + hi]);
      const energy = energyWeight > 0 ? energyOverlap / energyWeight : 0;
      // The match is at most energy^2 (the feature part is at most 1): a category that can neither
      // learn this input nor beat the best so far needs no full pass. Most categories sit at other
      // levels, so this halves the work without changing any result.
      const bound = energy * energy;
      if (bound < this.upperVigilance && bound <= bestMatch) {
        this.matches[c] = -1;
        continue;
      }
      let overlap = 0;
      for (let i = 0; i < w; i++) {
        const a = x[i];
        const b = weights[base + i];
        overlap += a < b ? a : b;
      }
      const feature = overlap / (this.norms[c] || 0.001);
      const match = feature * feature * feature * bound;
      this.matches[c] = match;
      if (match > bestMatch) {
        bestMatch = match;
        bestEnergy = energy;
      }
    }
    const outcome: ArtOutcome = { similarity: bestMatch, energySimilarity: bestEnergy, mismatch: bestMatch < this.lowerVigilance };
    if (!learn) return outcome;
    let resonated = false;
    for (let c = 0; c < this.count; c++) {
      if (this.matches[c] < this.upperVigilance) continue;
      this.learn(c);
      resonated = true;
    }
    if (!resonated) this.found();
    return outcome;
  }

  /**
   * Features [from, to) of every category re-expressed as x * scale + offset (the input's frame for
   * them changed linearly): each box edge moves as the inputs will, so what was learned still matches.
   */
  reframe(from: number, to: number, scale: number, offset: number): void {
    const half = this.width / 2;
    for (let c = 1; c < this.count; c++) {
      const base = c * this.width;
      let norm = 0;
      for (let i = from; i < to; i++) {
        this.weights[base + i] = this.weights[base + i] * scale + offset;
        // The complement slot holds 1 - the box's upper edge.
        this.weights[base + half + i] = 1 - ((1 - this.weights[base + half + i]) * scale + offset);
      }
      for (let i = 0; i < this.width; i++) norm += this.weights[base + i];
      this.norms[c] = norm;
    }
  }

  /** The category's box grows to hold the input: w = min(w, x). */
  private learn(c: number): void {
    const base = c * this.width;
    let norm = 0;
    for (let i = 0; i < this.width; i++) {
      const v = Math.min(this.weights[base + i], this.coded[i]);
      this.weights[base + i] = v;
      norm += v;
    }
    this.norms[c] = norm;
    this.lastUsed[c] = this.inputs;
  }

  /** A new category holding exactly the input, in a free slot or the one that resonated longest ago. */
  private found(): void {
    let c = this.count;
    if (c < this.categoriesMax) this.count++;
    else {
      c = 1; // the whole-space category stays: it is what any input matches when nothing else does
      for (let k = 2; k < this.count; k++) if (this.lastUsed[k] < this.lastUsed[c]) c = k;
    }
    this.weights.set(this.coded, c * this.width);
    let norm = 0;
    for (let i = 0; i < this.width; i++) norm += this.coded[i];
    this.norms[c] = norm;
    this.lastUsed[c] = this.inputs;
  }
}
