/**
 * A filtered trace sink that keeps what a reader of a run wants to see of its faults: every fault the
 * nemesis struck (crash, restart, pause, resume, slow, clock, partition, one-way, heal, loss) and, around
 * the first few, the messages among the nodes involved: who sent what to whom, and whether it arrived,
 * arrived twice or was dropped. That is the space-time (message-sequence) view Lamport's "Time, Clocks,
 * and the Ordering of Events" (1978) draws and ShiViz (Beschastnikh et al. 2016) rebuilds from logs.
 *
 * It reads the world's exported trace (one JSON line per record, see src/sim/trace.ts): exporting never
 * changes what is hashed, so a run with a tap has the traceHash of a run without one. Most lines are
 * looked at only up to their kind; message lines go into a bounded ring so that a window can also look
 * back before a fault, and JSON is parsed only for faults and for the lines of a window.
 */
import type { NodeId } from '../runtime/context.js';
import { slowLinkName } from '../sim/world.js';

export interface FaultEvent {
  atMs: number;
  /** The world's name for it: crash, restart, pause, resume, slow, clock, partition, one-way, heal, loss. */
  kind: string;
  detail: string;
  nodes?: NodeId[];
  /** When a fault that lasts (a crash, pause, slowness, cut or loss) was undone, if it was. */
  untilMs?: number;
  /** The variant whose run it struck, when a report shows several. */
  variant?: string;
}

export interface SequenceMessage {
  /** When it was sent; absent when the send fell out of the tap's memory before its window opened. */
  sentMs?: number;
  /** When it was delivered or dropped. */
  atMs: number;
  from: NodeId;
  to: NodeId;
  /** The message's `type` field ("?" when it has none). */
  type: string;
  /** duplicate: a second delivery of a message the network duplicated. */
  fate: 'deliver' | 'drop' | 'duplicate';
  /** Why a dropped message was dropped: partition, loss, node-down, unknown-node. */
  reason?: string;
}

export interface MessageSequence {
  title: string;
  /** The fault's time: the view shows messages on both sides of it. */
  atMs: number;
  /** The lanes, in the run's node order. */
  nodes: NodeId[];
  messages: SequenceMessage[];
  variant?: string;
}

export interface FaultTapOptions {
  /** The run's nodes, servers first: the order of the lanes, and the servers a loss fault involves. */
  servers: readonly NodeId[];
  clients: readonly NodeId[];
  /** Faults kept; later ones are counted, not kept. */
  faultsMax: number;
  /** Faults (from the first) that get a message sequence; faults at the same instant share one. */
  sequencesMax: number;
  /** How far before and after a fault a sequence looks for messages (virtual ms). */
  sequenceWindowMs: number;
  /** Messages in one sequence at most, half before the fault and half after when there are enough. */
  sequenceMessagesMax: number;
}

/** Message lines remembered for looking back from a fault: a few thousand cover the window of any story here. */
const MESSAGE_LINES_KEPT = 4096;
/** Message lines a window keeps after its fault, at most (a storm must not fill memory). */
const WINDOW_LINES_MAX = 8192;
const LINE_PREFIX = '{"t":';
const KIND_FIELD = ',"kind":"';
const [S, D, F, R] = ['s', 'd', 'f', 'r'].map((c) => c.charCodeAt(0));

interface Window {
  atMs: number;
  untilMs: number;
  faults: FaultEvent[];
  lines: string[];
}

export class FaultTap {
  readonly faults: FaultEvent[] = [];
  /** Faults seen beyond faultsMax. */
  faultsDropped = 0;
  readonly sequences: MessageSequence[] = [];
  private readonly ringTimes = new Float64Array(MESSAGE_LINES_KEPT);
  private readonly ringLines: string[] = new Array<string>(MESSAGE_LINES_KEPT);
  private ringNext = 0;
  private ringSize = 0;
  private readonly open: Window[] = [];
  private windowsOpened = 0;
  private readonly nodeOrder: Map<NodeId, number>;
  /** Faults in force, by what undoes them (see spanKeys). */
  private readonly inForce = new Map<string, FaultEvent>();

  constructor(private readonly opts: FaultTapOptions) {
    this.nodeOrder = new Map([...opts.servers, ...opts.clients].map((id, i) => [id, i]));
  }

  /**
   * The trace sink: one exported JSON line. It runs for every record of the run, so it looks at the
   * kind's first letter before anything else, and stops keeping messages once every window is closed.
   */
  readonly line = (line: string): void => {
    const k = line.indexOf(KIND_FIELD, LINE_PREFIX.length);
    if (k < 0 || !line.startsWith(LINE_PREFIX)) return;
    const kind = k + KIND_FIELD.length;
    const first = line.charCodeAt(kind);
    const message = (first === S && line.startsWith('send"', kind)) || (first === D && (line.startsWith('deliver"', kind) || line.startsWith('drop"', kind)));
    const fault = !message && ((first === F && line.startsWith('fault"', kind)) || (first === R && line.startsWith('restart"', kind)));
    if (!fault && !(message && this.wantsMessages())) return;
    const t = Number(line.slice(LINE_PREFIX.length, k));
    if (this.open.length > 0 && t > this.open[0].untilMs) this.closeUntil(t);
    if (fault) {
      this.fault(JSON.parse(line) as Record<string, unknown>);
      return;
    }
    this.remember(t, line);
    for (const w of this.open) if (w.lines.length < WINDOW_LINES_MAX) w.lines.push(line);
  };

  /**
   * The trace observer's way in: one record as an object, for a live view that already gets every
   * record so (src/lab). Only faults and restarts are kept, at no cost of JSON; a live view draws the
   * messages itself, so no message sequences are made.
   */
  readonly record = (r: Readonly<Record<string, unknown>>): void => {
    if (r.kind === 'fault' || r.kind === 'restart') this.fault(r as Record<string, unknown>, false);
  };

  /** The faults in force now (struck, not undone yet): a live view draws each as a band up to now. */
  inForceNow(): ReadonlySet<FaultEvent> {
    return new Set(this.inForce.values());
  }

  /** Messages matter while a window is open or may still open. */
  private wantsMessages(): boolean {
    return this.open.length > 0 || this.windowsOpened < this.opts.sequencesMax;
  }

  /** Close the windows still open (the run ended). */
  finish(): void {
    this.closeUntil(Infinity);
  }

  private remember(t: number, line: string): void {
    this.ringTimes[this.ringNext] = t;
    this.ringLines[this.ringNext] = line;
    this.ringNext = (this.ringNext + 1) % MESSAGE_LINES_KEPT;
    if (this.ringSize < MESSAGE_LINES_KEPT) this.ringSize++;
  }

  /** The remembered message lines at or after fromMs, oldest first. */
  private recent(fromMs: number): string[] {
    const out: string[] = [];
    for (let i = 1; i <= this.ringSize; i++) {
      const at = (this.ringNext - i + MESSAGE_LINES_KEPT) % MESSAGE_LINES_KEPT;
      if (this.ringTimes[at] < fromMs) break;
      out.push(this.ringLines[at]);
    }
    return out.reverse();
  }

  private fault(rec: Record<string, unknown>, sequenced = true): void {
    const e = describeFault(rec);
    if (this.faults.length >= this.opts.faultsMax) {
      this.faultsDropped++;
      return;
    }
    this.faults.push(e);
    const { opens, closes } = spanKeys(rec);
    for (const [key, f] of this.inForce) {
      if (closes === CLOSES_EVERY_CUT ? key.startsWith(CUT) : closes === key || opens === key) {
        f.untilMs = e.atMs;
        this.inForce.delete(key);
      }
    }
    if (opens !== undefined) this.inForce.set(opens, e);
    const same = this.open.find((w) => w.atMs === e.atMs);
    if (same !== undefined) {
      same.faults.push(e);
      return;
    }
    if (!sequenced || this.windowsOpened >= this.opts.sequencesMax) return;
    this.windowsOpened++;
    this.open.push({ atMs: e.atMs, untilMs: e.atMs + this.opts.sequenceWindowMs, faults: [e], lines: this.recent(e.atMs - this.opts.sequenceWindowMs) });
  }

  private closeUntil(t: number): void {
    while (this.open.length > 0 && this.open[0].untilMs < t) this.sequences.push(this.sequence(this.open.shift()!));
  }

  private sequence(w: Window): MessageSequence {
    const involved = new Set(w.faults.flatMap((f) => f.nodes ?? []));
    // A partition cuts server links only, so its story is told by messages between its nodes; a fault
    // on one node, by every message to or from that node; a loss on every link, by server messages.
    const between = w.faults.every((f) => f.kind === 'partition' || f.kind === 'one-way' || f.kind === 'heal' || f.kind === 'loss' || f.kind === 'slow-link' || f.kind === 'slow-link-end');
    if (involved.size === 0) for (const s of this.opts.servers) involved.add(s);
    const keep = between ? (m: SequenceMessage) => involved.has(m.from) && involved.has(m.to) : (m: SequenceMessage) => involved.has(m.from) || involved.has(m.to);
    const messages = pickAround(messagesOf(w.lines).filter(keep), w.atMs, this.opts.sequenceMessagesMax);
    const lanes = new Set<NodeId>(involved);
    for (const m of messages) lanes.add(m.from).add(m.to);
    const order = (id: NodeId) => this.nodeOrder.get(id) ?? Number.MAX_SAFE_INTEGER;
    return {
      title: titleOf(w.faults),
      atMs: w.atMs,
      nodes: [...lanes].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0)),
      messages,
    };
  }
}

/** One fault told by its detail; several at one instant (a rack losing power) by kind and nodes. */
function titleOf(faults: readonly FaultEvent[]): string {
  if (faults.length === 1) return `${faults[0].kind}: ${faults[0].detail}`;
  const byKind = new Map<string, FaultEvent[]>();
  for (const f of faults) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  return [...byKind].map(([kind, fs]) => (fs.length === 1 ? `${kind}: ${fs[0].detail}` : `${kind}: ${fs.map((f) => (f.nodes ?? []).join(',')).join(', ')}`)).join('; ');
}

/** Messages (one per delivery or drop) from exported send, deliver and drop lines, in trace order. */
export function messagesOf(lines: readonly string[]): SequenceMessage[] {
  const sends = new Map<number, { t: number; type: string }>();
  const delivered = new Set<number>();
  const out: SequenceMessage[] = [];
  for (const line of lines) {
    const r = JSON.parse(line) as { t: number; kind: string; from?: string; to?: string; id: number; msg?: unknown; reason?: string };
    if (r.kind === 'send') {
      sends.set(r.id, { t: r.t, type: messageType(r.msg) });
      continue;
    }
    const sent = sends.get(r.id);
    // A delivery whose send is older than what was remembered is left out: its type is unknown.
    if (sent === undefined || r.from === undefined || r.to === undefined) continue;
    const base = { sentMs: sent.t, atMs: r.t, from: r.from, to: r.to, type: sent.type };
    if (r.kind === 'drop') out.push({ ...base, fate: 'drop', reason: r.reason });
    else {
      out.push({ ...base, fate: delivered.has(r.id) ? 'duplicate' : 'deliver' });
      delivered.add(r.id);
    }
  }
  return out;
}

/** At most `max` messages, the nearest to the fault on each side: half before, half after, and what one side leaves to the other. */
export function pickAround(messages: readonly SequenceMessage[], atMs: number, max: number): SequenceMessage[] {
  const before = messages.filter((m) => m.atMs < atMs);
  const after = messages.filter((m) => m.atMs >= atMs);
  const half = Math.floor(max / 2);
  const takeAfter = Math.min(after.length, Math.max(half, max - before.length));
  const takeBefore = Math.min(before.length, max - takeAfter);
  return [...before.slice(before.length - takeBefore), ...after.slice(0, takeAfter)];
}

function messageType(msg: unknown): string {
  const t = typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;
  return typeof t === 'string' ? t : '?';
}

const CUT = 'cut:';
const CLOSES_EVERY_CUT = '*';

/**
 * What a fault record starts and what it ends, as keys that match: a crash of n3 opens down:n3, which
 * its restart closes; a partition opens a cut named as the world names it, which a heal of that name
 * (or of everything) closes. A fault that strikes again while in force ends the earlier one.
 */
function spanKeys(r: Record<string, unknown>): { opens?: string; closes?: string } {
  if (r.kind === 'restart') return { closes: `down:${r.node}` };
  switch (r.fault) {
    case 'crash':
      return { opens: `down:${r.node}` };
    case 'pause':
      return { opens: `paused:${r.node}` };
    case 'resume':
      return { closes: `paused:${r.node}` };
    case 'slow':
      return r.factor === 1 ? { closes: `slow:${r.node}` } : { opens: `slow:${r.node}` };
    case 'partition':
      return { opens: CUT + (r.groups as NodeId[][]).map((g) => g.join(',')).join(' | ') };
    case 'one-way':
      return { opens: `${CUT}${(r.from as NodeId[]).join(',')} -/-> ${(r.to as NodeId[]).join(',')}` };
    case 'slow-link':
      return { opens: `slow-link:${slowLinkName(r.from as NodeId[], r.to as NodeId[], r.oneWay === true)}` };
    case 'slow-link-end':
      return { closes: `slow-link:${String(r.link)}` };
    case 'heal':
      return { closes: r.partition === 'all' ? CLOSES_EVERY_CUT : CUT + String(r.partition) };
    case 'loss':
      return r.p === 0 ? { closes: 'loss' } : { opens: 'loss' };
    default:
      return {};
  }
}

const list = (ids: unknown) => (Array.isArray(ids) ? ids.join(',') : String(ids));
const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms} ms`;

/** A fault (or restart) record of the exported trace, told in a few words. */
export function describeFault(r: Record<string, unknown>): FaultEvent {
  const atMs = r.t as number;
  if (r.kind === 'restart') return { atMs, kind: 'restart', detail: `${r.node} restarts from what its disk kept`, nodes: [r.node as NodeId] };
  const kind = String(r.fault);
  const node = r.node as NodeId | undefined;
  const nodes = node !== undefined ? [node] : undefined;
  switch (kind) {
    case 'crash':
      return { atMs, kind, detail: `${node} crashes; its unsynced writes are lost`, nodes };
    case 'pause':
      return { atMs, kind, detail: `${node} pauses (messages and timers wait)`, nodes };
    case 'resume':
      return { atMs, kind, detail: `${node} resumes`, nodes };
    case 'slow':
      return { atMs, kind, detail: r.factor === 1 ? `${node} runs at full speed again` : `${node} runs ${r.factor}x slower`, nodes };
    case 'clock': {
      const parts = [r.offsetMs !== undefined && r.offsetMs !== 0 ? `jumps ${signed(r.offsetMs as number)}` : '', r.driftPpm !== undefined ? `drifts ${r.driftPpm} ppm` : ''].filter((x) => x !== '');
      return { atMs, kind, detail: `${node}'s clock ${parts.join(' and ') || 'is set'}`, nodes };
    }
    case 'partition': {
      const groups = r.groups as NodeId[][];
      return { atMs, kind, detail: groups.map(list).join(' | '), nodes: groups.flat() };
    }
    case 'one-way':
      return { atMs, kind, detail: `${list(r.from)} cannot reach ${list(r.to)}`, nodes: [...(r.from as NodeId[]), ...(r.to as NodeId[])] };
    case 'slow-link':
      return { atMs, kind, detail: `${list(r.from)} ${r.oneWay === true ? '->' : '<->'} ${list(r.to)}: +${r.addedMs as number} ms a message`, nodes: [...(r.from as NodeId[]), ...(r.to as NodeId[])] };
    case 'slow-link-end':
      return { atMs, kind, detail: `${String(r.link).replace('<~>', '<->').replace('~>', '->')} at full speed again`, nodes: String(r.link).split(/[\s,]+|<?~>/).filter((x) => x !== '') };
    case 'heal': {
      const what = String(r.partition);
      const ids = what === 'all' ? [] : what.split(/[\s,|]+|-\/->/).filter((x) => x !== '');
      return { atMs, kind, detail: what === 'all' ? 'every partition heals' : `${what} heals`, nodes: ids.length > 0 ? ids : undefined };
    }
    case 'loss':
      return { atMs, kind, detail: r.p === 0 ? 'the extra message loss stops' : `every link loses ${Math.round((r.p as number) * 100)}% more of its messages`, nodes: undefined };
    default:
      return { atMs, kind, detail: JSON.stringify(r), nodes };
  }
}
