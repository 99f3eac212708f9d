/**
 * Fast, well-mixed 32-bit hashes of strings, shared by the simulator (stream seeds, trace tags) and
 * the hashing balancers. Not cryptographic.
 */

/** 32-bit FNV-1a of a string, then a murmur3 finalizer for avalanche. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
