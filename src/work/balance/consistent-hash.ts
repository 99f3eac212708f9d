/**
 * Consistent hashing (Karger et al. 1997) with virtual nodes, and optionally with bounded loads
 * (Mirrokni, Thorup, Zadimoghaddam 2018). Each backend owns `vnodes` points on a 32-bit ring; a key
 * goes to the owner of the first point clockwise from its hash. When a backend joins or leaves,
 * only the keys of the arcs it gains or loses move: about 1/n of them, against almost all of them
 * for hash mod n.
 *
 * With `epsilon`, no backend takes more than ceil((1 + epsilon) * (m + 1) / n) of the m requests in
 * flight: a key whose backend is full walks on clockwise to the next one with room. A hot key
 * (a celebrity user) then spills onto its neighbours instead of drowning one backend, while every
 * other key stays where it was.
 */
import { hashString } from '../../runtime/hash.js';
import { positive, positiveInt } from '../../runtime/config-error.js';
import { checkBackends, Outstanding, type Balancer } from './balancer.js';

export class ConsistentHash implements Balancer {
  readonly name: string;
  private readonly points: Uint32Array;
  private readonly owners: string[];
  readonly load: Outstanding;
  private total = 0;

  constructor(
    readonly backends: readonly string[],
    readonly vnodes = 100,
    /** Bounded loads: the allowed excess over the mean (none: plain consistent hashing). */
    readonly epsilon?: number,
  ) {
    checkBackends(backends);
    positiveInt('vnodes', vnodes);
    if (epsilon !== undefined) positive('epsilon', epsilon);
    this.name = epsilon === undefined ? 'consistent-hash' : 'consistent-hash-bounded';
    const ring: [number, string][] = [];
    for (const b of backends) for (let i = 0; i < vnodes; i++) ring.push([hashString(`${b}#${i}`), b]);
    ring.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
    this.points = Uint32Array.from(ring.map(([h]) => h));
    this.owners = ring.map(([, b]) => b);
    this.load = new Outstanding(backends);
  }

  /** The index of the first ring point clockwise from h. */
  private first(h: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  /** The backend a key maps to on the ring, ignoring load. */
  owner(key: string): string {
    return this.owners[this.first(hashString(key))];
  }

  /**
   * The first n distinct backends clockwise from the key: its replicas, in order (Dynamo's
   * preference list).
   */
  preferenceList(key: string, n: number): string[] {
    const out: string[] = [];
    let i = this.first(hashString(key));
    for (let step = 0; step < this.owners.length && out.length < Math.min(n, this.backends.length); step++, i = (i + 1) % this.owners.length) {
      if (!out.includes(this.owners[i])) out.push(this.owners[i]);
    }
    return out;
  }

  /** The most requests one backend may hold now (bounded loads), for the next one. */
  capacity(): number {
    return this.epsilon === undefined ? Infinity : Math.ceil(((1 + this.epsilon) * (this.total + 1)) / this.backends.length);
  }

  pick(key = ''): string {
    let i = this.first(hashString(key));
    if (this.epsilon === undefined) return this.owners[i];
    const cap = this.capacity();
    for (let step = 0; step < this.owners.length; step++, i = (i + 1) % this.owners.length) {
      if (this.load.of(this.owners[i]) < cap) return this.owners[i];
    }
    return this.owners[i];
  }

  onStart(b: string): void {
    this.load.start(b);
    this.total++;
  }

  onEnd(b: string): void {
    this.load.end(b);
    this.total = Math.max(0, this.total - 1);
  }
}
