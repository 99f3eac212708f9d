/**
 * The shapes of a network partition, after Jepsen's partition nemesis targets: not only a random
 * minority cut from a majority, but one node alone, two halves joined by a single bridge node (which
 * both sides still reach, so it hears two leaders), and a ring of overlapping majorities (every node
 * reaches a majority, no two the same one: elections that each "win" without agreeing). Each shape is
 * the node pairs it cuts, both ways, from a seeded order of the nodes.
 */

export const partitionShapes = ['halves', 'one', 'bridge', 'majorities-ring'] as const;
export type PartitionShape = (typeof partitionShapes)[number];

export interface Partition {
  shape: PartitionShape;
  /** For the fault timeline: who is cut from whom. */
  what: string;
  /** Node pairs that cannot reach each other, in either direction. */
  cut: [string, string][];
}

/** The shapes that mean something for n nodes: a bridge needs three, a ring of majorities five. */
export function shapesFor(n: number): PartitionShape[] {
  return partitionShapes.filter((s) => (s === 'bridge' ? n >= 3 : s === 'majorities-ring' ? n >= 5 : true));
}

/** The partition of `shape` over the nodes in `order` (a seeded shuffle). */
export function partitionOf(shape: PartitionShape, order: readonly string[]): Partition {
  const n = order.length;
  const across = (a: readonly string[], b: readonly string[]): [string, string][] => a.flatMap((x) => b.map((y): [string, string] => [x, y]));
  const list = (xs: readonly string[]) => [...xs].sort().join(',');
  switch (shape) {
    case 'halves': {
      const k = Math.max(1, Math.floor(n / 2));
      const minority = order.slice(0, k);
      const majority = order.slice(k);
      return { shape, what: `partition ${list(minority)} | ${list(majority)}`, cut: across(minority, majority) };
    }
    case 'one':
      return { shape, what: `partition ${order[0]} alone | ${list(order.slice(1))}`, cut: across(order.slice(0, 1), order.slice(1)) };
    case 'bridge': {
      const bridge = order[0];
      const rest = order.slice(1);
      const a = rest.slice(0, Math.floor(rest.length / 2));
      const b = rest.slice(a.length);
      return { shape, what: `partition ${list(a)} | ${list(b)}, bridged by ${bridge}`, cut: across(a, b) };
    }
    case 'majorities-ring': {
      // Each node keeps its `reach` nearest neighbours on each side of the ring: itself and 2 * reach
      // nodes make a majority.
      const reach = Math.ceil(Math.floor(n / 2) / 2);
      const cut: [string, string][] = [];
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          const distance = Math.min(j - i, n - (j - i));
          if (distance > reach) cut.push([order[i], order[j]]);
        }
      return { shape, what: `majorities ring ${order.join('-')} (each node reaches ${reach} on each side)`, cut };
    }
  }
}
