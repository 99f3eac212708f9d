/**
 * The drawing of a live run: servers on a circle, clients in a row below, every message in flight a
 * dot on its way from sender to receiver (its type beside it when few travel; ringed in blue when a
 * slow link or a slow sender holds it back, with by how much), duplicates ringed in black, drops as red crosses,
 * cut links as dashed red lines, slow links as dashed blue ones with their added ms, a skewed clock
 * as a badge by its server, a failed disk as a mark under it. SVG elements are pooled and reused frame
 * to frame. Drawing only reads the session; what a hand does (a click, a line drawn from server to
 * server, a click on a cut or slow link) goes to the page's handlers, which strike the fault.
 */
import type { NodeId } from '../../runtime/context.js';
import type { CutView, LabSession, LinkFaultKind, NodeView, SlowLinkView } from '../session.js';

/** What the hand does on the stage. */
export interface StageHands {
  /** A click on a server. */
  node(id: NodeId): void;
  /** A line drawn from one server to another (a drag, or two shift-clicks); `oneWay` with Alt held. */
  line(from: NodeId, to: NodeId, oneWay: boolean): void;
  /** A click on a link cut or slowed by hand. */
  endLink(kind: LinkFaultKind, from: NodeId, to: NodeId): void;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 860;
const HEIGHT = 560;
const SERVER_RADIUS_PX = 30;
const CLIENT_RADIUS_PX = 12;
/** Clients drawn one by one at most; more are one box. */
export const CLIENTS_DRAWN_MAX = 16;
/** Messages drawn at most in a frame (the rest are counted). */
const MESSAGES_DRAWN_MAX = 400;
/** Drops shown at one node at most. */
const DROPS_PER_NODE_MAX = 3;
/** A message held back less than this (ms) is drawn as any other: a slow sender's stretch of a fast link. */
const HELD_SHOWN_MS_MIN = 0.5;
/** Below this many messages in flight, each shows its type. */
const LABELLED_MESSAGES_MAX = 24;

const ROLE_COLOURS: Record<string, string> = { leader: '#e0a800', candidate: '#f0803c', 'pre-candidate': '#f0b07c', follower: '#4a90d9', primary: '#e0a800', backup: '#4a90d9' };

interface Point {
  x: number;
  y: number;
}

export class Stage {
  readonly svg: SVGSVGElement;
  private readonly nodeLayer: SVGGElement;
  /** Links a partition cuts, drawn under the nodes. */
  private readonly cutLayer: SVGGElement;
  private cutKey = '';
  /** Links slow links delay, drawn under the nodes. */
  private readonly slowLayer: SVGGElement;
  private slowKey = '';
  private readonly messageLayer: SVGGElement;
  private readonly positions = new Map<NodeId, Point>();
  private readonly nodeEls = new Map<NodeId, { g: SVGGElement; circle: SVGCircleElement; label: SVGTextElement; clock: SVGTextElement; disk: SVGTextElement }>();
  private readonly dots: SVGCircleElement[] = [];
  private readonly labels: SVGTextElement[] = [];
  private readonly crosses: SVGTextElement[] = [];
  private clientsBox: Point | undefined;
  /** The server a line is being drawn from (a drag under way, or a first shift-click), and the line. */
  private lineFrom: NodeId | undefined;
  private readonly drawnLine: SVGLineElement;

  constructor(
    parent: HTMLElement,
    session: LabSession,
    private readonly hands: StageHands,
  ) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.svg.setAttribute('id', 'stage');
    const defs = el('defs', {});
    const arrow = el('marker', { id: 'cut-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' });
    arrow.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'cut-arrow' }));
    const slowArrow = el('marker', { id: 'slow-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' });
    slowArrow.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'slow-arrow' }));
    defs.append(arrow, slowArrow);
    this.cutLayer = el('g', {});
    this.slowLayer = el('g', {});
    this.messageLayer = el('g', {});
    this.nodeLayer = el('g', {});
    this.drawnLine = el('line', { class: 'drawn-line' });
    this.drawnLine.style.display = 'none';
    this.svg.append(defs, this.slowLayer, this.cutLayer, this.nodeLayer, this.messageLayer, this.drawnLine);
    parent.replaceChildren(this.svg);
    this.layout(session);
    this.svg.addEventListener('pointermove', (e) => this.followPointer(e));
    // A drag let go anywhere but on another server draws nothing.
    this.svg.addEventListener('pointerup', () => this.lineFrom !== undefined && !this.shiftPicked && this.endLine());
  }

  /** A first shift-click picked `lineFrom`; the line waits for the second. */
  private shiftPicked = false;

  private startLine(id: NodeId, byShift: boolean): void {
    const p = this.positions.get(id)!;
    this.lineFrom = id;
    this.shiftPicked = byShift;
    for (const [k, v] of [['x1', p.x], ['y1', p.y], ['x2', p.x], ['y2', p.y]] as const) this.drawnLine.setAttribute(k, String(v));
    this.drawnLine.style.display = '';
    this.nodeEls.get(id)?.g.classList.add('line-from');
  }

  private endLine(): void {
    if (this.lineFrom !== undefined) this.nodeEls.get(this.lineFrom)?.g.classList.remove('line-from');
    this.lineFrom = undefined;
    this.shiftPicked = false;
    this.drawnLine.style.display = 'none';
  }

  private followPointer(e: PointerEvent): void {
    if (this.lineFrom === undefined) return;
    const m = this.svg.getScreenCTM();
    if (m === null) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    this.drawnLine.setAttribute('x2', String(p.x));
    this.drawnLine.setAttribute('y2', String(p.y));
  }

  /** Wire a server's circle: a click, the start and the end of a drawn line, shift-clicks. */
  private wireServer(g: SVGGElement, id: NodeId): void {
    g.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || e.shiftKey) return;
      e.preventDefault(); // no text selection while drawing
      this.startLine(id, false);
    });
    g.addEventListener('pointerup', (e) => {
      const from = this.lineFrom;
      if (from === undefined || from === id || this.shiftPicked) return;
      e.stopPropagation();
      this.endLine();
      this.hands.line(from, id, e.altKey);
    });
    g.addEventListener('click', (e) => {
      if (!e.shiftKey) {
        this.endLine();
        return this.hands.node(id);
      }
      const from = this.shiftPicked ? this.lineFrom : undefined;
      if (from === undefined || from === id) return from === id ? this.endLine() : this.startLine(id, true);
      this.endLine();
      this.hands.line(from, id, e.altKey);
    });
  }

  private layout(session: LabSession): void {
    const servers = session.run.servers;
    const clients = session.run.clients;
    const cx = WIDTH / 2, cy = 230, r = Math.min(190, 60 + servers.length * 25);
    // Many servers (a whole platform) get smaller circles, so that neighbours do not overlap.
    const serverRadius = Math.max(8, Math.min(SERVER_RADIUS_PX, (0.4 * 2 * Math.PI * r) / Math.max(1, servers.length)));
    servers.forEach((id, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / servers.length;
      this.positions.set(id, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) });
    });
    const shown = clients.length <= CLIENTS_DRAWN_MAX ? clients : [];
    shown.forEach((id, i) => this.positions.set(id, { x: (WIDTH * (i + 1)) / (shown.length + 1), y: HEIGHT - 30 }));
    if (shown.length === 0 && clients.length > 0) {
      this.clientsBox = { x: WIDTH / 2, y: HEIGHT - 30 };
      for (const id of clients) this.positions.set(id, this.clientsBox);
      const g = el('g', { class: 'clients-box' });
      g.append(el('rect', { x: WIDTH / 2 - 80, y: HEIGHT - 48, width: 160, height: 36, rx: 6 }), text(`${clients.length} clients`, WIDTH / 2, HEIGHT - 25));
      this.nodeLayer.append(g);
    }
    for (const id of [...servers, ...shown]) {
      const p = this.positions.get(id)!;
      const server = servers.includes(id);
      const g = el('g', { class: `node ${server ? 'server' : 'client'}`, 'data-node': id, transform: `translate(${p.x},${p.y})` });
      const circle = el('circle', { r: server ? serverRadius : CLIENT_RADIUS_PX });
      const label = text('', 0, server ? serverRadius + 16 : CLIENT_RADIUS_PX + 14);
      label.setAttribute('class', 'node-state');
      // A skewed clock's badge sits above the server, a failed disk's mark under its role.
      const clock = text('', 0, -serverRadius - 8);
      clock.setAttribute('class', 'clock-badge');
      const disk = text('', 0, serverRadius + 30);
      disk.setAttribute('class', 'disk-mark');
      g.append(circle, text(id, 0, 5), label, clock, disk);
      if (server) this.wireServer(g, id);
      this.nodeLayer.append(g);
      this.nodeEls.set(id, { g, circle, label, clock, disk });
    }
  }

  draw(session: LabSession, nodes: readonly NodeView[]): void {
    for (const n of nodes) {
      const e = this.nodeEls.get(n.id);
      if (e === undefined) continue;
      const role = typeof n.state?.role === 'string' ? n.state.role : '';
      e.g.dataset.status = n.status;
      e.g.dataset.role = role;
      e.circle.setAttribute('fill', n.status === 'down' ? '#999' : n.status === 'paused' ? '#9b59b6' : (ROLE_COLOURS[role] ?? (n.kind === 'server' ? '#6aa84f' : '#cfd8e3')));
      if (n.kind === 'server') {
        const term = n.state?.term;
        e.label.textContent = n.status === 'down' ? 'down' : `${role}${term !== undefined ? ` t${String(term)}` : ''}`;
        // Half a ms either way is a clock no one moved (drift aside).
        const skew = Math.abs(n.clockOffsetMs) >= 0.5 ? `clock ${n.clockOffsetMs > 0 ? '+' : '−'}${Math.round(Math.abs(n.clockOffsetMs))} ms` : '';
        if (e.clock.textContent !== skew) e.clock.textContent = skew;
        const disk = n.diskFault === undefined ? '' : `⛁✕ ${n.diskFault}`;
        if (e.disk.textContent !== disk) e.disk.textContent = disk;
        e.g.dataset.clockOffsetMs = String(Math.round(n.clockOffsetMs));
        if (n.diskFault === undefined) delete e.g.dataset.diskFault;
        else e.g.dataset.diskFault = n.diskFault;
      }
    }
    this.drawCuts(session.cutLinks());
    this.drawSlowLinks(session.slowLinks());
    const now = session.nowMs;
    const flights = session.flights.list(MESSAGES_DRAWN_MAX);
    const labelled = session.flights.size <= LABELLED_MESSAGES_MAX;
    let used = 0;
    let labelsUsed = 0;
    for (const f of flights) {
      const a = this.positions.get(f.from), b = this.positions.get(f.to);
      if (a === undefined || b === undefined) continue;
      const span = f.dueMs - f.sentMs;
      const p = span <= 0 ? 1 : Math.min(1, Math.max(0, (now - f.sentMs) / span));
      const x = a.x + (b.x - a.x) * p, y = a.y + (b.y - a.y) * p;
      const dot = this.pooled(this.dots, used++, () => el('circle', { r: 5, class: 'msg' }));
      dot.setAttribute('cx', String(x));
      dot.setAttribute('cy', String(y));
      dot.setAttribute('fill', colourOf(f.type));
      // Held back by a fault (a slow link, a slow sender): ringed, and the label says by how much.
      const held = f.heldMs >= HELD_SHOWN_MS_MIN;
      dot.setAttribute('class', `msg${f.duplicate ? ' duplicate' : ''}${held ? ' delayed' : ''}`);
      if (labelled) {
        const t = this.pooled(this.labels, labelsUsed++, () => el('text', { class: 'msg-label' }));
        t.setAttribute('x', String(x + 7));
        t.setAttribute('y', String(y - 6));
        t.textContent = `${f.bytes === undefined ? f.type : `${f.type} ${f.bytes}B`}${held ? ` +${Math.round(f.heldMs)} ms` : ''}`;
      }
    }
    hideFrom(this.dots, used);
    hideFrom(this.labels, labelsUsed);
    let crossesUsed = 0;
    // Drops stack under each other at their node, a few each.
    const stacked = new Map<Point, number>();
    for (const d of session.flights.recentDrops(now)) {
      const at = (d.to !== undefined ? this.positions.get(d.to) : undefined) ?? (d.from !== undefined ? this.positions.get(d.from) : undefined);
      if (at === undefined) continue;
      const k = stacked.get(at) ?? 0;
      if (k >= DROPS_PER_NODE_MAX) continue;
      stacked.set(at, k + 1);
      const c = this.pooled(this.crosses, crossesUsed++, () => el('text', { class: 'drop' }));
      c.setAttribute('x', String(at.x + 14));
      c.setAttribute('y', String(at.y - 22 - 13 * k));
      c.textContent = `✕ ${d.type} (${d.reason})`;
    }
    hideFrom(this.crosses, crossesUsed);
  }

  /**
   * A cut link is a dashed red line (orange with an arrow when only one way is cut); a cut made by
   * hand is solid and takes a click, which heals it. Redrawn only when the cuts change.
   */
  private drawCuts(cuts: readonly CutView[]): void {
    const key = cuts.map((c) => `${c.from}>${c.to}${c.oneWay ? '1' : '2'}${c.byHand ? 'h' : ''}`).join(',');
    if (key === this.cutKey) return;
    this.cutKey = key;
    this.cutLayer.replaceChildren(
      ...cuts.map((c) => {
        const a = this.positions.get(c.from)!, b = this.positions.get(c.to)!;
        const g = el('g', { class: `cut${c.oneWay ? ' one-way' : ''}${c.byHand ? ' by-hand' : ''}`, 'data-cut': `${c.from}-${c.to}`, 'data-one-way': String(c.oneWay) });
        // A one-way arrow ends at the rim of the receiver, not under its circle.
        const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
        const rim = c.oneWay ? SERVER_RADIUS_PX / len : 0;
        const end = { x: b.x - (b.x - a.x) * rim, y: b.y - (b.y - a.y) * rim };
        g.append(el('line', { x1: a.x, y1: a.y, x2: end.x, y2: end.y, ...(c.oneWay ? { 'marker-end': 'url(#cut-arrow)' } : {}) }));
        if (c.byHand) {
          g.append(el('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'cut-hit' }));
          const title = el('title', {});
          title.textContent = `${c.from} ${c.oneWay ? '→' : '↔'} ${c.to} cut by hand: click to heal`;
          g.append(title);
          g.addEventListener('click', () => this.hands.endLink('cut', c.from, c.to));
        }
        return g;
      }),
    );
  }

  /**
   * A slow link is a dashed blue line with its added latency at the middle (an arrow when only one
   * way is slow); one made by hand is thicker and takes a click, which ends it. Redrawn only when they change.
   */
  private drawSlowLinks(links: readonly SlowLinkView[]): void {
    const key = links.map((l) => `${l.from}>${l.to}${l.oneWay ? '1' : '2'}+${l.addedMs}${l.byHand ? 'h' : ''}`).join(',');
    if (key === this.slowKey) return;
    this.slowKey = key;
    this.slowLayer.replaceChildren(
      ...links.map((l) => {
        const a = this.positions.get(l.from)!, b = this.positions.get(l.to)!;
        const g = el('g', { class: `slow${l.oneWay ? ' one-way' : ''}${l.byHand ? ' by-hand' : ''}`, 'data-slow': `${l.from}-${l.to}`, 'data-one-way': String(l.oneWay), 'data-added-ms': l.addedMs });
        const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
        const rim = l.oneWay ? SERVER_RADIUS_PX / len : 0;
        const end = { x: b.x - (b.x - a.x) * rim, y: b.y - (b.y - a.y) * rim };
        g.append(el('line', { x1: a.x, y1: a.y, x2: end.x, y2: end.y, ...(l.oneWay ? { 'marker-end': 'url(#slow-arrow)' } : {}) }));
        // The label sits a little off the middle, so that a cut of the same link does not hide it.
        const label = text(`+${l.addedMs} ms`, (a.x + b.x) / 2 + 10, (a.y + b.y) / 2 - 8);
        label.setAttribute('class', 'slow-label');
        g.append(label);
        if (l.byHand) {
          g.append(el('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'slow-hit' }));
          const title = el('title', {});
          title.textContent = `${l.from} ${l.oneWay ? '→' : '↔'} ${l.to} slowed by hand (+${l.addedMs} ms): click to speed it up`;
          g.append(title);
          g.addEventListener('click', () => this.hands.endLink('slow', l.from, l.to));
        }
        return g;
      }),
    );
  }

  private pooled<E extends SVGElement>(pool: E[], i: number, make: () => E): E {
    let e = pool[i];
    if (e === undefined) {
      e = make();
      pool.push(e);
      this.messageLayer.append(e);
    }
    e.style.display = '';
    return e;
  }
}

function hideFrom(pool: SVGElement[], from: number): void {
  for (let i = from; i < pool.length; i++) {
    if (pool[i].style.display !== 'none') pool[i].style.display = 'none';
  }
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function text(s: string, x: number, y: number): SVGTextElement {
  const t = el('text', { x, y, 'text-anchor': 'middle' });
  t.textContent = s;
  return t;
}

const typeColours = new Map<string, string>();
/** A stable colour per message type. */
function colourOf(type: string): string {
  let c = typeColours.get(type);
  if (c === undefined) {
    let h = 0;
    for (let i = 0; i < type.length; i++) h = (h * 31 + type.charCodeAt(i)) >>> 0;
    c = `hsl(${h % 360}, 65%, 45%)`;
    typeColours.set(type, c);
  }
  return c;
}
