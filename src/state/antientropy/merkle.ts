/**
 * A Merkle tree over a key space split into 2^depth buckets by key hash (as Dynamo and Cassandra
 * use for anti-entropy): a leaf is the hash of its bucket's (key, version) pairs, an inner node the
 * hash of its two children. Two replicas compare roots; where they differ they descend, and only
 * the buckets whose leaves differ need their keys exchanged. Identical replicas cost one hash.
 */
import { fmix32, hashString } from '../../runtime/hash.js';
import { positiveInt } from '../../runtime/config-error.js';

export class MerkleTree {
  /** levels[0] is the root level (one hash), levels[depth] the leaves. */
  readonly levels: Uint32Array[];

  private constructor(readonly depth: number, levels: Uint32Array[]) {
    this.levels = levels;
  }

  /** The bucket of a key. */
  static bucketOf(key: string, depth: number): number {
    return hashString(key) & ((1 << depth) - 1);
  }

  /** Build from (key, version) pairs; version is any string that changes when the value does. */
  static build(entries: Iterable<[string, string]>, depth = 6): MerkleTree {
    positiveInt('depth', depth);
    const leaves = new Uint32Array(1 << depth);
    // XOR of per-entry hashes: independent of the order entries come in.
    for (const [k, v] of entries) leaves[MerkleTree.bucketOf(k, depth)] ^= hashString(`${k}\u0000${v}`);
    const levels: Uint32Array[] = [leaves];
    for (let d = depth; d > 0; d--) {
      const below = levels[0];
      const above = new Uint32Array(below.length / 2);
      for (let i = 0; i < above.length; i++) above[i] = fmix32(below[2 * i] ^ Math.imul(below[2 * i + 1], 0x9e3779b1));
      levels.unshift(above);
    }
    return new MerkleTree(depth, levels);
  }

  /** A tree received from a peer (its levels as plain arrays). */
  static fromLevels(levels: readonly (readonly number[])[]): MerkleTree {
    if (levels.length < 1 || levels[0].length !== 1) throw new RangeError('a tree needs a root level of one hash');
    for (let d = 1; d < levels.length; d++) if (levels[d].length !== 2 * levels[d - 1].length) throw new RangeError(`level ${d} has ${levels[d].length} hashes, expected ${2 * levels[d - 1].length}`);
    return new MerkleTree(levels.length - 1, levels.map((l) => Uint32Array.from(l)));
  }

  get root(): number {
    return this.levels[0][0];
  }

  /** The buckets whose leaves differ, found by descending only into differing subtrees. */
  diff(other: MerkleTree): number[] {
    if (other.depth !== this.depth) throw new RangeError(`trees of depth ${this.depth} and ${other.depth}`);
    const out: number[] = [];
    const visit = (level: number, i: number) => {
      if (this.levels[level][i] === other.levels[level][i]) return;
      if (level === this.depth) {
        out.push(i);
        return;
      }
      visit(level + 1, 2 * i);
      visit(level + 1, 2 * i + 1);
    };
    visit(0, 0);
    return out;
  }
}
