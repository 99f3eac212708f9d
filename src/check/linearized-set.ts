/**
 * The search state of the linearizability checker: the set of operations linearized so far, and the
 * memo of (set, model state) pairs already explored (Lowe's memoisation, kept as Porcupine keeps it:
 * a hash of the bitset and the state into buckets, compared by equality).
 *
 * Two choices keep it small and fast on long histories:
 * - Operations are numbered in invocation order, so a linearized set is always "every operation
 *   below `lo`" plus a few beyond it, up to `hi`: operations whose completion came early must be placed
 *   before any that began later. The memo stores only the words of that window, not the whole bitset,
 *   so an entry costs a few words whether the history has 1,000 operations or 1,000,000.
 * - The set's hash is Zobrist's: a random 64-bit value per operation, XORed in and out as bits flip,
 *   so hashing a candidate costs O(1) instead of a pass over the bitset.
 */
import { fmix32 } from '../runtime/hash.js';
import { IntBuffer } from './int-buffer.js';

export class LinearizedSet {
  private readonly words: Uint32Array;
  /** Every operation below lo is linearized, and operation lo is not (lo = size when all are). */
  lo = 0;
  /** No operation at or above hi is linearized. */
  hi = 0;
  /** The Zobrist hash of the set, two 32-bit halves. */
  hashHigh = 0;
  hashLow = 0;
  private readonly zobristHigh: Int32Array;
  private readonly zobristLow: Int32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size >>> 5) + 1);
    this.zobristHigh = new Int32Array(size);
    this.zobristLow = new Int32Array(size);
    // Fixed seeds: the same history always searches the same way (and reports the same witness).
    for (let i = 0; i < size; i++) {
      this.zobristHigh[i] = fmix32(2 * i + 0x9e3779b9);
      this.zobristLow[i] = fmix32(2 * i + 1 + 0x7f4a7c15);
    }
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
    this.hashHigh ^= this.zobristHigh[i];
    this.hashLow ^= this.zobristLow[i];
    if (i >= this.hi) this.hi = i + 1;
    if (i === this.lo) {
      let lo = i + 1;
      while (lo < this.size) {
        const w = this.words[lo >>> 5];
        if ((lo & 31) === 0 && w === 0xffffffff) lo += 32;
        else if ((w & (1 << (lo & 31))) !== 0) lo++;
        else break;
      }
      this.lo = Math.min(lo, this.size);
    }
  }

  delete(i: number): void {
    this.words[i >>> 5] &= ~(1 << (i & 31));
    this.hashHigh ^= this.zobristHigh[i];
    this.hashLow ^= this.zobristLow[i];
    if (i < this.lo) this.lo = i;
    if (i === this.hi - 1) {
      let hi = i;
      while (hi > 0 && !this.has(hi - 1)) hi--;
      this.hi = hi;
    }
  }

  /** The words that hold the window [lo, hi): everything else is implied by lo and hi. */
  windowStart(): number {
    return this.lo >>> 5;
  }
  windowEnd(): number {
    return this.hi > this.lo ? ((this.hi - 1) >>> 5) + 1 : this.lo >>> 5;
  }
  word(w: number): number {
    return this.words[w];
  }
}

/** The (linearized set, model state) pairs already explored: a second visit cannot succeed either. */
export class ExploredMemo {
  /** Open addressing: slot -> entry index + 1 (0 is empty). */
  private slots: Int32Array;
  private used = 0;
  private readonly hashHigh: IntBuffer;
  private readonly hashLow: IntBuffer;
  private readonly state: IntBuffer;
  private readonly lo: IntBuffer;
  private readonly hi: IntBuffer;
  private readonly wordsAt: IntBuffer;
  private readonly words: IntBuffer;

  /** Sized for about `expected` entries at first (it grows): many small groups stay cheap. */
  constructor(expected = 1024) {
    const entries = Math.max(16, expected);
    this.slots = new Int32Array(2 ** Math.ceil(Math.log2(2 * entries)));
    this.hashHigh = new IntBuffer(entries);
    this.hashLow = new IntBuffer(entries);
    this.state = new IntBuffer(entries);
    this.lo = new IntBuffer(entries);
    this.hi = new IntBuffer(entries);
    this.wordsAt = new IntBuffer(entries);
    this.words = new IntBuffer(entries);
  }

  /** Records (set, stateId) and returns true, or returns false when it was explored already. */
  addIfNew(set: LinearizedSet, stateId: number): boolean {
    const high = set.hashHigh ^ fmix32(stateId + 0x2545f491);
    const low = set.hashLow ^ fmix32(stateId ^ 0x6a09e667);
    const mask = this.slots.length - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    for (;;) {
      const e = this.slots[slot] - 1;
      if (e < 0) break;
      if (this.hashHigh.data[e] === high && this.hashLow.data[e] === low && this.equals(e, set, stateId)) return false;
      slot = (slot + 1) & mask;
    }
    const e = this.used++;
    this.slots[slot] = e + 1;
    this.hashHigh.push(high);
    this.hashLow.push(low);
    this.state.push(stateId);
    this.lo.push(set.lo);
    this.hi.push(set.hi);
    this.wordsAt.push(this.words.length);
    for (let w = set.windowStart(); w < set.windowEnd(); w++) this.words.push(set.word(w));
    if (this.used * 2 > this.slots.length) this.grow();
    return true;
  }

  private equals(e: number, set: LinearizedSet, stateId: number): boolean {
    if (this.state.data[e] !== stateId || this.lo.data[e] !== set.lo || this.hi.data[e] !== set.hi) return false;
    let at = this.wordsAt.data[e];
    for (let w = set.windowStart(); w < set.windowEnd(); w++) if (this.words.data[at++] !== (set.word(w) | 0)) return false;
    return true;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.used; e++) {
      let slot = (this.hashLow.data[e] ^ Math.imul(this.hashHigh.data[e], 0x9e3779b1)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}
