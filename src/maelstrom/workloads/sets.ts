/**
 * broadcast and g-set: values go in (broadcast a message, add an element) and reads return the set a
 * node holds. After the faults heal, every node must hold every acknowledged value (lost ones are
 * named); values that no one ever sent are an error too. Broadcast also tells each node its
 * neighbours first (the topology: grid, line, tree (tree2), tree2, tree3, tree4, total, none).
 */
import type { WorkloadDefinition, WorkloadOptions } from '../workload.js';

import { topologies } from '../options.js';

export { topologies };

/** Children per node of each tree topology; Maelstrom's plain `tree` is its tree2. */
const treeBranching: Record<string, number> = { tree: 2, tree2: 2, tree3: 3, tree4: 4 };

/**
 * Neighbours of each node in a named topology, as Maelstrom's broadcast workload computes them, in
 * its order too (a node that only talks to its first neighbour sees the same network here):
 * - grid: rows of ceil(sqrt n) nodes; below, above, right, left;
 * - line: left, right;
 * - treeB: tiers of 1, B, B^2 ... nodes, each tier's nodes handed out B at a time to the tier
 *   above's in order (node i's parent is (i - 1) / B, rounded down); parent first, then children;
 * - total: every other node; none: no neighbours (ours: for nodes that ignore the topology).
 */
export function topologyOf(name: string, nodes: readonly string[]): Record<string, string[]> {
  const n = nodes.length;
  const at = (i: number) => (i >= 0 && i < n ? [nodes[i]] : []);
  const each = (neighbours: (i: number) => string[]) => Object.fromEntries(nodes.map((x, i) => [x, neighbours(i)]));
  if (name === 'total') return each((i) => nodes.filter((_, j) => j !== i));
  if (name === 'line') return each((i) => [...at(i - 1), ...at(i + 1)]);
  if (name === 'grid') {
    const side = Math.ceil(Math.sqrt(n));
    const cell = (row: number, col: number) => (row >= 0 && col >= 0 && col < side ? at(row * side + col) : []);
    return each((i) => {
      const [row, col] = [Math.floor(i / side), i % side];
      return [...cell(row + 1, col), ...cell(row - 1, col), ...cell(row, col + 1), ...cell(row, col - 1)];
    });
  }
  const branching = treeBranching[name];
  if (branching !== undefined) {
    return each((i) => {
      const parent = i === 0 ? [] : [nodes[Math.floor((i - 1) / branching)]];
      const children = Array.from({ length: branching }, (_, c) => i * branching + 1 + c).flatMap(at);
      return [...parent, ...children];
    });
  }
  if (name === 'none') return each(() => []);
  throw new RangeError(`unknown topology ${name}: one of ${topologies.join(', ')}`);
}

function setWorkload(kind: 'broadcast' | 'g-set', o: WorkloadOptions) {
  let next = 0;
  const add = kind === 'broadcast' ? (v: number) => ({ type: 'broadcast', message: v }) : (v: number) => ({ type: 'add', element: v });
  const addOk = kind === 'broadcast' ? 'broadcast_ok' : 'add_ok';
  const readOf = (reply: Record<string, unknown>) => (kind === 'broadcast' ? reply.messages : reply.value);
  const readField = kind === 'broadcast' ? 'messages' : 'value';
  return {
    setup: () => (kind === 'broadcast' ? o.nodes.map((node) => ({ node, body: { type: 'topology', topology: topologyOf(o.topology ?? 'grid', o.nodes) }, replyType: 'topology_ok' })) : []),
    next: () => {
      if (o.random.next() < 0.5) {
        const v = next++;
        return { f: 'add', body: add(v), value: v };
      }
      return { f: 'read', body: { type: 'read' } };
    },
    complete: (op: { f: string; value?: unknown }, reply: Record<string, unknown> & { type: string }) => {
      if (op.f === 'add') return reply.type === addOk ? { type: 'ok' as const, value: op.value } : { type: 'fail' as const, error: `expected ${addOk}, got ${JSON.stringify(reply)}` };
      const values = readOf(reply);
      return reply.type === 'read_ok' && Array.isArray(values) ? { type: 'ok' as const, value: values } : { type: 'fail' as const, error: `expected read_ok with a list "${readField}", got ${JSON.stringify(reply).slice(0, 200)}` };
    },
    final: () => o.nodes.map((node) => ({ node, op: { f: 'final-read', body: { type: 'read' } } })),
    check(history: readonly { type: string; f: string; value?: unknown; node?: string; time: number }[]) {
      const acked = new Set<number>();
      const attempted = new Set<number>();
      for (const e of history) {
        if (e.f !== 'add') continue;
        if (e.type === 'invoke') attempted.add(e.value as number);
        if (e.type === 'ok') acked.add(e.value as number);
      }
      const finals = history.filter((e) => e.f === 'final-read' && e.type === 'ok');
      const stats: Record<string, number> = { acknowledged: acked.size, attempted: attempted.size, finalReads: finals.length };
      if (finals.length < o.nodes.length) return { valid: 'unknown' as const, summary: `only ${finals.length} of ${o.nodes.length} nodes answered the final read`, stats };
      const problems: string[] = [];
      let lost = 0;
      let unexpected = 0;
      for (const f of finals) {
        const held = new Set((f.value as unknown[]).map(Number));
        const missing = [...acked].filter((v) => !held.has(v)).sort((a, b) => a - b);
        const extra = [...held].filter((v) => !attempted.has(v));
        lost += missing.length;
        unexpected += extra.length;
        if (missing.length > 0) problems.push(`${f.node} lacks ${missing.length} acknowledged ${missing.length === 1 ? 'value' : 'values'}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`);
        if (extra.length > 0) problems.push(`${f.node} holds ${extra.length} values nobody sent: ${extra.slice(0, 10).join(', ')}`);
      }
      stats.lost = lost;
      stats.unexpected = unexpected;
      // How long a value took to be read everywhere: from its add's invocation to the first read of each node holding it.
      const invokedAt = new Map<number, number>();
      for (const e of history) if (e.f === 'add' && e.type === 'invoke') invokedAt.set(e.value as number, e.time);
      const seenAt = new Map<number, Map<string, number>>();
      for (const e of history) {
        if ((e.f !== 'read' && e.f !== 'final-read') || e.type !== 'ok' || e.node === undefined) continue;
        for (const v of e.value as number[]) {
          let m = seenAt.get(Number(v));
          if (m === undefined) seenAt.set(Number(v), (m = new Map()));
          if (!m.has(e.node)) m.set(e.node, e.time);
        }
      }
      const stable: number[] = [];
      for (const v of acked) {
        const m = seenAt.get(v);
        if (m === undefined || m.size < o.nodes.length) continue;
        stable.push((Math.max(...m.values()) - invokedAt.get(v)!) / 1e6);
      }
      stable.sort((a, b) => a - b);
      if (stable.length > 0) {
        stats.stableLatencyMsP50 = Math.round(stable[Math.floor(stable.length / 2)]);
        stats.stableLatencyMsMax = Math.round(stable[stable.length - 1]);
      }
      if (problems.length > 0) return { valid: false, summary: `${lost} acknowledged values lost, ${unexpected} unexpected`, witness: problems.join('; '), stats };
      return { valid: true, summary: `all ${acked.size} acknowledged values on every node`, stats };
    },
  };
}

export const broadcastWorkload: WorkloadDefinition = { name: 'broadcast', description: 'broadcast a message, read every message a node has seen; every node ends with every acknowledged one', make: (o) => setWorkload('broadcast', o) };
export const gSetWorkload: WorkloadDefinition = { name: 'g-set', description: 'add an element, read the set; every node ends with every acknowledged element', make: (o) => setWorkload('g-set', o) };
