/**
 * Seeded randomness, split into independent named streams.
 *
 * One root seed; every consumer (a node, a link, a workload, the nemesis) asks for a stream by name and
 * gets a generator seeded from hash(root seed, name). Adding a node or a link creates new streams and
 * leaves every existing stream's draws unchanged, so a change to one part of a scenario does not
 * reshuffle the randomness of every other part.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, 128-bit state, passes
 * PractRand); it is written here because it sits on the simulator's hottest path.
 */
import { fmix32, hashString } from '../runtime/hash.js';

export { fmix32, hashString };

export interface RandomStream {
  /** Uniform in [0, 1), in steps of 2^-32. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The raw 32-bit output. */
  u32(): number;
}

const TWO_POW_32 = 4294967296;

export class Sfc32 implements RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    // Discard the first outputs so that similar seeds diverge (as the reference implementation does).
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const a = this.a, b = this.b, c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = ((c << 21) | (c >>> 11)) + t | 0;
    return t >>> 0;
  }

  next(): number {
    // 32 bits of resolution: one generator step per draw, which the simulator's hot path needs.
    return this.u32() / TWO_POW_32;
  }

  int(n: number): number {
    return Math.floor((this.u32() / TWO_POW_32) * n);
  }
}

/** splitmix32: expands one 32-bit value into a sequence of well-mixed words for seeding. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The root of a run's randomness. Streams are created on first use and cached by name. */
export class RandomStreams {
  readonly seed: number;
  private readonly streams = new Map<string, Sfc32>();

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    this.seed = seed;
  }

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      // Fold both halves of the seed (it may exceed 32 bits) and the name into the splitmix state.
      const lo = this.seed % TWO_POW_32;
      const hi = Math.floor(this.seed / TWO_POW_32);
      const st = { s: hashString(name, fmix32(lo ^ fmix32(hi + 0x632be5ab))) };
      s = new Sfc32(splitmix32(st), splitmix32(st), splitmix32(st), splitmix32(st));
      this.streams.set(name, s);
    }
    return s;
  }
}
