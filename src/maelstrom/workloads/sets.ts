/**
 * broadcast and g-set: values go in (broadcast a message, add an element) and reads return the set a
 * node holds. After the faults heal, every node must hold every acknowledged value (lost ones are
 * named); values that no one ever sent are an error too. Broadcast also tells each node its
 * neighbours first (the topology: grid, line, tree2, tree3, tree4, total, none).
 */
import type { WorkloadDefinition, WorkloadOptions } from '../workload.js';

export const topologies = ['grid', 'line', 'tree2', 'tree3', 'tree4', 'total', 'none'] as const;

/** Neighbours of each node in a named topology (Maelstrom's: a grid is as square as n allows). */
export function topologyOf(name: string, nodes: readonly string[]): Record<string, string[]> {
  const n = nodes.length;
  const out: Record<string, string[]> = Object.fromEntries(nodes.map((x) => [x, [] as string[]]));
  const link = (a: number, b: number) => {
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) return;
    if (!out[nodes[a]].includes(nodes[b])) out[nodes[a]].push(nodes[b]);
    if (!out[nodes[b]].includes(nodes[a])) out[nodes[b]].push(nodes[a]);
  };
  if (name === 'total') for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) link(i, j);
  else if (name === 'line') for (let i = 0; i + 1 < n; i++) link(i, i + 1);
  else if (name === 'grid') {
    const w = Math.ceil(Math.sqrt(n));
    for (let i = 0; i < n; i++) {
      if ((i + 1) % w !== 0) link(i, i + 1);
      link(i, i + w);
    }
  } else if (/^tree[2-4]$/.test(name)) {
    const k = Number(name.slice(4));
    for (let i = 1; i < n; i++) link(i, Math.floor((i - 1) / k));
  } else if (name !== 'none') throw new RangeError(`unknown topology ${name}: one of ${topologies.join(', ')}`);
  return out;
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
