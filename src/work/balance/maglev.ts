/**
 * Maglev hashing (Eisenbud et al., NSDI 2016, §3.4): a lookup table of M slots (M prime, much
 * larger than the number of backends) filled so that every backend owns M/n slots, give or take
 * one. Each backend has its own permutation of the slots (an offset and a skip from two hashes of
 * its name); backends take turns claiming their next preferred free slot until the table is full.
 * A lookup is one hash and one array read; when a backend leaves, most slots keep their owner.
 */
import { hashString } from '../../runtime/hash.js';
import { ConfigError } from '../../runtime/config-error.js';
import { checkBackends, type Balancer } from './balancer.js';

/** The default table size: a prime, 65537 as in the paper's examples. */
export const maglevTableSizeDefault = 65537;

export class Maglev implements Balancer {
  readonly name = 'maglev';
  readonly table: Int32Array;

  constructor(
    readonly backends: readonly string[],
    readonly tableSize = maglevTableSizeDefault,
  ) {
    checkBackends(backends);
    if (!isPrime(tableSize) || tableSize < backends.length) throw new ConfigError('tableSize', `a prime of at least ${backends.length}`, tableSize);
    const m = tableSize;
    const n = backends.length;
    const offset = backends.map((b) => hashString(b, 0x9747b28c) % m);
    const skip = backends.map((b) => (hashString(b, 0x2545f491) % (m - 1)) + 1);
    const next = new Array<number>(n).fill(0);
    this.table = new Int32Array(m).fill(-1);
    let filled = 0;
    for (;;) {
      for (let i = 0; i < n; i++) {
        let c = (offset[i] + next[i] * skip[i]) % m;
        while (this.table[c] >= 0) {
          next[i]++;
          c = (offset[i] + next[i] * skip[i]) % m;
        }
        this.table[c] = i;
        next[i]++;
        if (++filled === m) return;
      }
    }
  }

  pick(key = ''): string {
    return this.backends[this.table[hashString(key) % this.tableSize]];
  }
}

function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
