/**
 * Authentication, modelled: digests, MACs and signatures for PBFT (Castro & Liskov, OSDI 1999, §2
 * "system model": a faulty node cannot impersonate a correct one, because it cannot produce its MAC
 * or signature; §5.1: MACs for the common case, signatures where a message is shown to third parties).
 *
 * No real cryptography is needed in a simulator, only its two properties:
 *   - a digest identifies content (two different requests never share a digest in practice);
 *   - a node cannot produce a tag another node would produce.
 *
 * The model:
 *   - digest(x): a 64-bit hash of the canonical JSON of x (keys sorted), as two 32-bit FNV/murmur
 *     hashes with different seeds. Enough to make accidental collisions negligible in a run.
 *   - MAC: every pair of nodes shares a key derived from the cluster secret and the two node ids
 *     (keys are set up out of band, as the paper assumes). The tag is HMAC-shaped:
 *     H(k, "o", H(k, "i", d)). Only the two ends of a pair can compute or check it.
 *   - signature: each node has a signing key derived from the secret and its id; verification
 *     recomputes the tag. In the model every Keyring can verify anyone's signature (the role of a
 *     public key) but can sign only as the node it belongs to.
 *
 * The boundary that makes the model honest: a Keyring is built for one node id and holds the secret
 * in a private field; it signs and MACs only as that node. Byzantine behaviours (byzantine.ts) are
 * given the Keyring of the node they corrupt and nothing else, so a liar can sign its own lies, but a
 * message it claims came from another replica fails verification and is dropped.
 */
import type { NodeId } from '../../runtime/context.js';
import { hashString } from '../../runtime/hash.js';
import { canonical } from '../../runtime/canonical.js';

export { canonical } from '../../runtime/canonical.js';

export type Digest = string;

/** Seeds of the two halves of a digest (FNV-1a offset bases; any two different values do). */
const digestSeedHigh = 0x811c9dc5;
const digestSeedLow = 0x01000193;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** A 64-bit digest of a string, as 16 hex digits. */
export function digestText(s: string): Digest {
  return hex8(hashString(s, digestSeedHigh)) + hex8(hashString(s, digestSeedLow));
}

/** The digest of any plain value (by its canonical JSON). */
export function digestOf(x: unknown): Digest {
  return digestText(canonical(x));
}

/** HMAC-shaped keyed hash of a digest. */
function keyedTag(key: string, d: Digest): string {
  return digestText(`o|${key}|${digestText(`i|${key}|${d}`)}`);
}

/**
 * One node's keys. It can MAC to any node and check MACs from any node (pairwise keys that include
 * itself), sign as itself and check anyone's signature; it can produce no other node's tag.
 */
export class Keyring {
  readonly #secret: string;
  readonly #pairKeys = new Map<NodeId, string>();
  readonly #signKeys = new Map<NodeId, string>();

  constructor(
    readonly id: NodeId,
    clusterSecret: string,
  ) {
    this.#secret = clusterSecret;
  }

  #pairKey(other: NodeId): string {
    let k = this.#pairKeys.get(other);
    if (k === undefined) {
      const [a, b] = this.id < other ? [this.id, other] : [other, this.id];
      k = digestText(`pair|${this.#secret}|${a}|${b}`);
      this.#pairKeys.set(other, k);
    }
    return k;
  }

  #signKey(who: NodeId): string {
    let k = this.#signKeys.get(who);
    if (k === undefined) {
      k = digestText(`sign|${this.#secret}|${who}`);
      this.#signKeys.set(who, k);
    }
    return k;
  }

  /** The MAC of digest d for node `to` (only `to` and this node can compute it). */
  mac(to: NodeId, d: Digest): string {
    return keyedTag(this.#pairKey(to), d);
  }

  /** An authenticator (§5.1): one MAC per receiver, so one multicast message can be checked by each. */
  authenticator(to: readonly NodeId[], d: Digest): Record<NodeId, string> {
    const out: Record<NodeId, string> = {};
    for (const r of to) out[r] = this.mac(r, d);
    return out;
  }

  /** Did `from` compute this MAC of d for this node? */
  checkMac(from: NodeId, d: Digest, tag: string | undefined): boolean {
    return tag !== undefined && tag === keyedTag(this.#pairKey(from), d);
  }

  /** This node's signature of d. */
  sign(d: Digest): string {
    return keyedTag(this.#signKey(this.id), d);
  }

  /** Did `signer` sign d? (The model's public-key verification.) */
  checkSignature(signer: NodeId, d: Digest, sig: string | undefined): boolean {
    return sig !== undefined && sig === keyedTag(this.#signKey(signer), d);
  }
}
