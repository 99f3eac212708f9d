/**
 * How data is split across nodes, behind one interface: which node owns a key. Each partitioner
 * can be rebuilt for a new membership, so that what moves when a node joins or leaves can be
 * measured: hash mod n moves almost everything ((n - 1)/n of the keys when one node joins n - 1),
 * consistent hashing and rendezvous hashing about 1/n.
 *
 * - hash-mod-n: hash(key) mod n.
 * - consistent-hash: a ring with virtual nodes (the work pillar's ConsistentHash).
 * - rendezvous: highest random weight (Thaler and Ravishankar 1998): the node with the largest
 *   hash(key, node) owns the key; no ring, the same 1/n movement.
 * - range: sorted split points (keys compare as strings); a hot or large range can be split, and
 *   two cold neighbours merged.
 * - geographic: a key's region prefix ("eu:...") picks the region's nodes; a hash picks among them.
 * - time: a key's time bucket ("2026-11-23/...": the part before the first "/") picks a node, so
 *   one period's data stays together (and yesterday's can be archived as a unit); with salts, a
 *   hash of the rest of the key spreads the period over that many nodes.
 */
import { fmix32, hashString } from '../../runtime/hash.js';
import { ConsistentHash } from '../../work/index.js';
import { ConfigError } from '../../runtime/config-error.js';

export interface Partitioner {
  readonly name: string;
  readonly nodes: readonly string[];
  owner(key: string): string;
  /** The same strategy over another membership. */
  withNodes(nodes: readonly string[]): Partitioner;
}

function check(nodes: readonly string[]): void {
  if (nodes.length === 0) throw new ConfigError('nodes', 'at least one node', nodes);
}

export class HashModN implements Partitioner {
  readonly name = 'hash-mod-n';
  constructor(readonly nodes: readonly string[]) {
    check(nodes);
  }
  owner(key: string): string {
    return this.nodes[hashString(key) % this.nodes.length];
  }
  withNodes(nodes: readonly string[]): HashModN {
    return new HashModN(nodes);
  }
}

export class ConsistentHashPartitioner implements Partitioner {
  readonly name = 'consistent-hash';
  private readonly ring: ConsistentHash;
  constructor(
    readonly nodes: readonly string[],
    readonly vnodes = 100,
  ) {
    check(nodes);
    this.ring = new ConsistentHash(nodes, vnodes);
  }
  owner(key: string): string {
    return this.ring.owner(key);
  }
  withNodes(nodes: readonly string[]): ConsistentHashPartitioner {
    return new ConsistentHashPartitioner(nodes, this.vnodes);
  }
}

export class Rendezvous implements Partitioner {
  readonly name = 'rendezvous';
  private readonly seeds: number[];
  constructor(readonly nodes: readonly string[]) {
    check(nodes);
    this.seeds = nodes.map((n) => hashString(n));
  }
  owner(key: string): string {
    // One string hash per lookup, mixed with each node's seed: the weight of (key, node).
    const h = hashString(key);
    let best = 0;
    let bestW = -1;
    for (let i = 0; i < this.nodes.length; i++) {
      const w = fmix32(h ^ this.seeds[i]);
      if (w > bestW) {
        bestW = w;
        best = i;
      }
    }
    return this.nodes[best];
  }
  withNodes(nodes: readonly string[]): Rendezvous {
    return new Rendezvous(nodes);
  }
}

export class RangePartitioner implements Partitioner {
  readonly name = 'range';
  /** splits[i] is the first key of range i + 1; range i belongs to owners[i]. */
  constructor(
    readonly splits: readonly string[],
    readonly owners: readonly string[],
  ) {
    if (owners.length !== splits.length + 1) throw new ConfigError('owners', `one owner per range (${splits.length + 1})`, owners.length);
    for (let i = 1; i < splits.length; i++) if (!(splits[i - 1] < splits[i])) throw new ConfigError(`splits[${i}]`, 'split points in increasing order', splits[i]);
  }
  get nodes(): readonly string[] {
    return [...new Set(this.owners)];
  }
  /** The index of the range holding key. */
  rangeOf(key: string): number {
    let lo = 0;
    let hi = this.splits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.splits[mid] <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  owner(key: string): string {
    return this.owners[this.rangeOf(key)];
  }
  /** Split range i at `at` and give the upper part to `newOwner`: the fix for a hot range. */
  split(i: number, at: string, newOwner: string): RangePartitioner {
    const lo = i === 0 ? '' : this.splits[i - 1];
    const hi = i === this.splits.length ? undefined : this.splits[i];
    if (!(at > lo) || (hi !== undefined && !(at < hi))) throw new ConfigError('at', `a key inside range ${i}`, at);
    return new RangePartitioner([...this.splits.slice(0, i), at, ...this.splits.slice(i)], [...this.owners.slice(0, i + 1), newOwner, ...this.owners.slice(i + 1)]);
  }
  /** Merge range i with range i + 1 under `owner`: the fix for ranges the load has left. */
  merge(i: number, owner: string): RangePartitioner {
    if (!(Number.isInteger(i) && i >= 0 && i < this.splits.length)) throw new ConfigError('i', `a range with a right neighbour (0..${this.splits.length - 1})`, i);
    return new RangePartitioner([...this.splits.slice(0, i), ...this.splits.slice(i + 1)], [...this.owners.slice(0, i), owner, ...this.owners.slice(i + 2)]);
  }
  /** Membership changes keep the ranges and deal them out again, round robin. */
  withNodes(nodes: readonly string[]): RangePartitioner {
    check(nodes);
    return new RangePartitioner(this.splits, this.owners.map((_, i) => nodes[i % nodes.length]));
  }
}

export class GeoPartitioner implements Partitioner {
  readonly name = 'geographic';
  constructor(readonly regions: Readonly<Record<string, readonly string[]>>) {
    for (const [r, ns] of Object.entries(regions)) if (ns.length === 0) throw new ConfigError(`regions.${r}`, 'at least one node', ns);
  }
  get nodes(): readonly string[] {
    return Object.values(this.regions).flat();
  }
  owner(key: string): string {
    const region = key.slice(0, key.indexOf(':'));
    const ns = this.regions[region];
    if (ns === undefined) throw new RangeError(`no region "${region}" for key "${key}" (regions: ${Object.keys(this.regions).join(', ')})`);
    return ns[hashString(key) % ns.length];
  }
  withNodes(nodes: readonly string[]): GeoPartitioner {
    return new GeoPartitioner(Object.fromEntries(Object.entries(this.regions).map(([r, ns]) => [r, ns.filter((n) => nodes.includes(n))])));
  }
}

export class TimePartitioner implements Partitioner {
  readonly name = 'time';
  /**
   * salts = 1: the bucket alone picks the node, so every write of the current period lands on one
   * node (the hot spot of time-series stores). salts = s > 1: the rest of the key, hashed, picks one
   * of s consecutive nodes from the bucket's home, so a period's writes spread over s nodes and a
   * query over the period asks those s (ownersOf).
   */
  constructor(
    readonly nodes: readonly string[],
    readonly salts = 1,
  ) {
    check(nodes);
    if (!(Number.isInteger(salts) && salts >= 1 && salts <= nodes.length)) throw new ConfigError('salts', `a whole number from 1 to the ${nodes.length} nodes`, salts);
  }
  /** The bucket of a key: the part before the first "/". */
  static bucketOf(key: string): string {
    return key.slice(0, Math.max(0, key.indexOf('/')));
  }
  private home(bucket: string): number {
    return hashString(bucket) % this.nodes.length;
  }
  owner(key: string): string {
    const bucket = TimePartitioner.bucketOf(key);
    const salt = this.salts === 1 ? 0 : hashString(key.slice(bucket.length + 1)) % this.salts;
    return this.nodes[(this.home(bucket) + salt) % this.nodes.length];
  }
  /** Every node that may hold a key of this bucket: where a query over the period must look. */
  ownersOf(bucket: string): string[] {
    const home = this.home(bucket);
    return Array.from({ length: this.salts }, (_, salt) => this.nodes[(home + salt) % this.nodes.length]);
  }
  withNodes(nodes: readonly string[]): TimePartitioner {
    return new TimePartitioner(nodes, Math.min(this.salts, nodes.length));
  }
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, and back (Hinnant's civil-calendar
 * algorithms): time buckets named as people name days, with no clock or Date involved.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const msPerDay = 86_400_000;

/** The UTC day of a time in ms since 1970, as "YYYY-MM-DD": the bucket of a daily time partition. */
export function utcDay(epochMs: number): string {
  const { year, month, day } = civilFromDays(Math.floor(epochMs / msPerDay));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "YYYY-MM-DDTHH:MM:SS(.sss)Z" as ms since 1970; undefined for anything else. */
export function parseUtc(iso: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/.exec(iso);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const days = daysFromCivil(year, month, day);
  // 2026-02-30 would silently become March 2: a date that does not round-trip does not exist.
  const back = civilFromDays(days);
  if (back.month !== month || back.day !== day) return undefined;
  return days * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + Number((m[7] ?? '0').padEnd(3, '0'));
}

/**
 * Consistent hashing with bounded loads for a known set of keys (Mirrokni, Thorup, Zadimoghaddam
 * 2018): keys are placed one by one on the ring, and a node already holding ceil((1 + epsilon) * m /
 * n) of the m keys sends the next one clockwise to a node with room. No node holds more than the
 * bound; most keys stay where plain consistent hashing puts them, so a join still moves few.
 */
export class BoundedLoadPartitioner implements Partitioner {
  readonly name = 'bounded-load';
  private readonly assignment = new Map<string, string>();
  private readonly ring: ConsistentHash;

  constructor(
    readonly nodes: readonly string[],
    readonly keys: readonly string[],
    readonly epsilon = 0.25,
    readonly vnodes = 100,
  ) {
    check(nodes);
    if (!(epsilon > 0)) throw new ConfigError('epsilon', 'a positive number', epsilon);
    this.ring = new ConsistentHash(nodes, vnodes);
    const capacity = Math.ceil(((1 + epsilon) * keys.length) / nodes.length);
    const load = new Map(nodes.map((n) => [n, 0]));
    for (const k of keys) {
      const owner = this.ring.preferenceList(k, nodes.length).find((n) => load.get(n)! < capacity)!;
      load.set(owner, load.get(owner)! + 1);
      this.assignment.set(k, owner);
    }
  }

  /** The most keys one node may hold. */
  get capacity(): number {
    return Math.ceil(((1 + this.epsilon) * this.keys.length) / this.nodes.length);
  }

  owner(key: string): string {
    return this.assignment.get(key) ?? this.ring.owner(key);
  }

  withNodes(nodes: readonly string[]): BoundedLoadPartitioner {
    return new BoundedLoadPartitioner(nodes, this.keys, this.epsilon, this.vnodes);
  }
}

/** How even a partitioner is over these keys: the busiest node's keys over the mean. */
export function balance(p: Partitioner, keys: readonly string[]): number {
  const counts = new Map<string, number>(p.nodes.map((n) => [n, 0]));
  for (const k of keys) counts.set(p.owner(k), (counts.get(p.owner(k)) ?? 0) + 1);
  return Math.max(...counts.values()) / (keys.length / counts.size);
}

/** The fraction of keys whose owner differs between two partitioners. */
export function movedFraction(before: Partitioner, after: Partitioner, keys: readonly string[]): number {
  let moved = 0;
  for (const k of keys) if (before.owner(k) !== after.owner(k)) moved++;
  return moved / keys.length;
}
