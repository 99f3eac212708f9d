/**
 * The nemesis: faults on a schedule. Scheduled faults come from a scenario file ("at t, for d");
 * random faults come from a seeded schedule drawn from the `nemesis` stream, so they replay exactly.
 * A fault with a duration is undone when it ends: partitions heal, crashed nodes restart, paused
 * nodes resume, slow nodes recover, slow links speed up, clocks jump back, extra loss stops.
 *
 * crash, pause, isolate, slow, clock and disk may aim at "leader": the node that claims to lead (its
 * Process's describe().role) when the fault strikes; the undo acts on that same node.
 */
import type { NodeId } from '../runtime/context.js';
import { diskFaultKinds, type DiskFaultKind } from './disk.js';
import type { RandomStream } from './rng.js';
import type { World } from './world.js';

/** A fault target that names no node but whichever node leads when the fault strikes. */
export const LEADER = 'leader';

export interface FaultSpec {
  at: number;
  for?: number;
  partition?: NodeId[][];
  oneWay?: { from: NodeId[]; to: NodeId[] };
  crash?: NodeId;
  /** Crash several nodes at the same instant (e.g. a power loss in one rack). */
  crashMany?: NodeId[];
  pause?: NodeId;
  /** Cut one node off from every other server; clients still reach it (Jepsen's isolated leader). */
  isolate?: NodeId;
  slow?: { node: NodeId; factor: number };
  clock?: { node: NodeId; offsetMs?: number; driftPpm?: number };
  loss?: number;
  /** Added latency on the links from -> to, both ways unless oneWay: a slow link (a congested or long path). */
  slowLink?: { from: NodeId[]; to: NodeId[]; addedMs: number; oneWay?: boolean };
  /** A fault of one node's disk (disk.ts): torn or reordered writes at a crash, EIO or ENOSPC, damaged data. */
  disk?: { node: NodeId; fault: DiskFaultKind };
}

/** The random nemesis names a disk fault `disk-<kind>`, e.g. disk-cut-log. */
export const diskNemesisKinds = diskFaultKinds.map((k) => `disk-${k}` as const);
export type DiskNemesisKind = (typeof diskNemesisKinds)[number];

export type NemesisKind = 'partition' | 'one-way' | 'crash' | 'crash-majority' | 'pause' | 'slow' | 'clock' | 'loss' | DiskNemesisKind;

export interface RandomNemesisConfig {
  faults: readonly NemesisKind[];
  intervalMs: number;
  durationMs: number;
  startMs: number;
  stopMs: number;
  slowFactor: number;
  clockOffsetMsMax: number;
  lossProbability: number;
}

/** Put every fault on the world's schedule. */
export function scheduleFaults(world: World, faults: readonly FaultSpec[]): void {
  for (const f of faults) {
    world.at(f.at, () => {
      const undo = applyFault(world, f);
      if (f.for !== undefined) world.at(f.at + f.for, undo);
    });
  }
}

/** Strike one fault now; returns what undoes it (what a fault with `for` runs when it ends). */
export function applyFault(world: World, f: FaultSpec): () => void {
  const none = () => {};
  if (f.partition !== undefined) {
    const h = world.partition(f.partition);
    return () => world.heal(h);
  }
  if (f.oneWay !== undefined) {
    const h = world.partitionOneWay(f.oneWay.from, f.oneWay.to);
    return () => world.heal(h);
  }
  if (f.slowLink !== undefined) {
    const h = world.slowLinks(f.slowLink.from, f.slowLink.to, f.slowLink.addedMs, f.slowLink.oneWay === true);
    return () => world.endSlowLinks(h);
  }
  if (f.crash !== undefined) {
    const id = target(world, f.crash);
    if (id === undefined) return none;
    world.crash(id);
    return () => world.restart(id);
  }
  if (f.crashMany !== undefined) {
    const ids = f.crashMany;
    for (const id of ids) world.crash(id);
    return () => {
      for (const id of ids) world.restart(id);
    };
  }
  if (f.pause !== undefined) {
    const id = target(world, f.pause);
    if (id === undefined) return none;
    world.pause(id);
    return () => world.resume(id);
  }
  if (f.isolate !== undefined) {
    const id = target(world, f.isolate);
    if (id === undefined) return none;
    const h = world.partition([[id], world.nodeIds('server').filter((s) => s !== id)]);
    return () => world.heal(h);
  }
  if (f.slow !== undefined) {
    const id = target(world, f.slow.node);
    if (id === undefined) return none;
    world.setSlow(id, f.slow.factor);
    return () => world.setSlow(id, 1);
  }
  if (f.clock !== undefined) {
    const { offsetMs, driftPpm } = f.clock;
    const id = target(world, f.clock.node);
    if (id === undefined) return none;
    const driftBefore = world.clockDriftPpm(id);
    world.skewClock(id, { offsetMs, driftPpm });
    return () => world.skewClock(id, { offsetMs: -(offsetMs ?? 0), driftPpm: driftBefore });
  }
  if (f.loss !== undefined) {
    world.setExtraLoss(f.loss);
    return () => world.setExtraLoss(0);
  }
  if (f.disk !== undefined) {
    const id = target(world, f.disk.node);
    if (id === undefined) return none;
    return world.diskFault(id, f.disk.fault);
  }
  throw new Error('a fault must name one of partition, oneWay, slowLink, crash, crashMany, pause, isolate, slow, clock, loss, disk');
}

/** A node by name, or for "leader" the node leading now (the first, if several claim to); none if no one leads. */
function target(world: World, id: NodeId): NodeId | undefined {
  return id === LEADER ? world.nodesInRole('leader')[0] : id;
}

/**
 * Draw a random fault schedule: a fault of a random kind every intervalMs or so, each lasting
 * `durationMs` (cut short at stopMs so that everything is healed by then).
 */
export function randomFaults(stream: RandomStream, cfg: RandomNemesisConfig, servers: readonly NodeId[]): FaultSpec[] {
  const out: FaultSpec[] = [];
  if (servers.length === 0) return out;
  // Gaps are uniform in [0.5, 1.5] x intervalMs: random, yet never a long silence that leaves a run
  // without faults.
  const gap = () => cfg.intervalMs * (0.5 + stream.next());
  let t = cfg.startMs + gap();
  while (t < cfg.stopMs) {
    const kind = cfg.faults[stream.int(cfg.faults.length)];
    const dur = Math.min(cfg.durationMs, cfg.stopMs - t);
    const node = servers[stream.int(servers.length)];
    const base = { at: t, for: dur };
    switch (kind) {
      case 'partition': {
        const [a, b] = split(stream, servers);
        if (a.length > 0 && b.length > 0) out.push({ ...base, partition: [a, b] });
        break;
      }
      case 'one-way': {
        const [a, b] = split(stream, servers);
        if (a.length > 0 && b.length > 0) out.push({ ...base, oneWay: { from: a, to: b } });
        break;
      }
      case 'crash':
        out.push({ ...base, crash: node });
        break;
      case 'crash-majority': {
        const [minority, majority] = split(stream, servers);
        out.push({ ...base, crashMany: majority.length > minority.length ? majority : [...minority, ...majority].slice(0, Math.floor(servers.length / 2) + 1).sort() });
        break;
      }
      case 'pause':
        out.push({ ...base, pause: node });
        break;
      case 'slow':
        out.push({ ...base, slow: { node, factor: cfg.slowFactor } });
        break;
      case 'clock':
        out.push({ ...base, clock: { node, offsetMs: Math.round((stream.next() * 2 - 1) * cfg.clockOffsetMsMax) } });
        break;
      case 'loss':
        out.push({ ...base, loss: cfg.lossProbability });
        break;
      default:
        out.push({ ...base, disk: { node, fault: kind.slice('disk-'.length) as DiskFaultKind } });
        break;
    }
    t += gap();
  }
  return out;
}

/** A random minority cut off from the rest (Jepsen's "random halves" leaning minority). */
function split(stream: RandomStream, servers: readonly NodeId[]): [NodeId[], NodeId[]] {
  const shuffled = [...servers];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = stream.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const k = 1 + stream.int(Math.max(1, Math.floor(servers.length / 2)));
  return [shuffled.slice(0, k).sort(), shuffled.slice(k).sort()];
}
