/**
 * Where a customer's requests may go, three ways (Amazon's cell-based architecture; shuffle sharding
 * as in Route 53, MacCárthaigh 2014):
 *
 * - shared: every server serves every customer. A request that kills its server can reach them all.
 * - cells: the servers are cut into cells of `cellSize`; a customer lives in one, assigned in turn
 *   as customers arrive (a cell router's mapping table, which keeps cells even where a hash would
 *   not). What kills servers kills one cell, and the customers of that cell with it.
 * - shuffle sharding: each customer gets its own random `shardSize` servers of the n. Another
 *   customer loses all its servers only if its shard is the same set; with n = 8 and k = 2 that is 1
 *   in C(8, 2) = 28, where a cell of 2 would be 1 in 4.
 */
import { ConfigError } from '../../runtime/config-error.js';

export type PlacementKind = 'shared' | 'cells' | 'shuffle-sharding';

/** n choose k, exactly for the sizes of a fleet. */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/**
 * The servers a customer may use. `arrival` is the customer's number in order of arrival (0, 1, ...);
 * `random` draws a shuffle shard (seeded by the caller).
 */
export function place(kind: PlacementKind, servers: readonly string[], arrival: number, size: number, random: () => number): string[] {
  if (kind === 'shared') return [...servers];
  if (!(Number.isInteger(size) && size >= 1 && size <= servers.length)) throw new ConfigError('size', `a whole number of servers from 1 to ${servers.length} (the fleet's servers)`, size);
  if (kind === 'cells') {
    const cells = Math.floor(servers.length / size);
    const cell = arrival % cells;
    return servers.slice(cell * size, cell * size + size);
  }
  // A uniform k-subset: a partial Fisher-Yates shuffle of the fleet.
  const pool = [...servers];
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, size);
}

/**
 * The chance that two independent shuffle shards of k servers out of n share exactly m servers
 * (hypergeometric): C(k, m) C(n - k, k - m) / C(n, k). m = k: the same shard, 1 / C(n, k).
 */
export function overlapProbability(n: number, k: number, m: number): number {
  return (choose(k, m) * choose(n - k, k - m)) / choose(n, k);
}

/** How many pairs of the given shards share exactly m servers, for m = 0..k. */
export function overlapCounts(shards: readonly (readonly string[])[], k: number): number[] {
  const counts = new Array<number>(k + 1).fill(0);
  for (let a = 0; a < shards.length; a++) {
    const set = new Set(shards[a]);
    for (let b = a + 1; b < shards.length; b++) counts[shards[b].filter((s) => set.has(s)).length]++;
  }
  return counts;
}
