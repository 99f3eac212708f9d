/**
 * A message-sequence diagram as SVG: one lane per node, time flowing down, an arrow per message from
 * its send to its delivery, a cross where a message was dropped, and a line where the fault struck.
 * Rows are the distinct instants in order, not a linear time scale: bursts a millisecond apart and
 * gaps of a second stay equally readable, as in ShiViz's logical-time layout (Beschastnikh et al.
 * 2016); each row is labelled with its time from the fault. No chart library draws these, hence SVG.
 * The lane labels are a separate strip that sticks to the top of the scrolled view, so that a view
 * opened in the middle of a long sequence still says which node each lane is.
 */
import type { MessageSequence, SequenceMessage } from '../scenario/fault-tap.js';
import { esc, formatMs } from './html.js';

const ROW_PX = 18;
const HEADER_PX = 34;
const FOOTER_PX = 16;
const TIME_GUTTER_PX = 78;
const LANE_GAP_MIN_PX = 84;
const LANE_GAP_MAX_PX = 220;
/** The width the lanes try to fill before they shrink to LANE_GAP_MIN_PX and the view scrolls. */
const LANES_WIDTH_PX = 1100;
/** A dropped message's arrow stops this far along its way, where the cross is drawn. */
const DROP_AT = 0.6;
const CROSS_PX = 5;

const sentOf = (m: SequenceMessage) => m.sentMs ?? m.atMs;

/** The SVG of one sequence; idPrefix keeps its marker ids apart from other diagrams on the page. */
export function sequenceSvg(seq: MessageSequence, idPrefix: string): string {
  const lanes = new Map(seq.nodes.map((n, i) => [n, i]));
  for (const m of seq.messages) for (const n of [m.from, m.to]) if (!lanes.has(n)) lanes.set(n, lanes.size);
  const laneGap = Math.max(LANE_GAP_MIN_PX, Math.min(LANE_GAP_MAX_PX, Math.floor(LANES_WIDTH_PX / Math.max(1, lanes.size))));
  const times = [...new Set(seq.messages.flatMap((m) => [sentOf(m), m.atMs]))].sort((a, b) => a - b);
  const row = new Map(times.map((t, i) => [t, i]));
  const laneX = (n: string) => TIME_GUTTER_PX + laneGap / 2 + lanes.get(n)! * laneGap;
  const rowY = (t: number) => HEADER_PX + ROW_PX / 2 + row.get(t)! * ROW_PX;
  const width = TIME_GUTTER_PX + lanes.size * laneGap;
  const height = HEADER_PX + Math.max(1, times.length) * ROW_PX + ROW_PX + FOOTER_PX;
  const arrow = `${idPrefix}-arrow`;
  const body = `0 ${HEADER_PX} ${width} ${height - HEADER_PX}`;
  const lanesSvg: string[] = [`<div class="sequence-lanes"><svg class="sequence-lanes-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEADER_PX}" viewBox="0 0 ${width} ${HEADER_PX}" aria-hidden="true">`];
  lanesSvg.push(`<text class="axis" x="4" y="${HEADER_PX - 14}">ms from</text><text class="axis" x="4" y="${HEADER_PX - 3}">the fault</text>`);
  for (const [n] of lanes) lanesSvg.push(`<text class="lane-label" x="${laneX(n)}" y="${HEADER_PX - 10}" text-anchor="middle">${esc(n)}</text>`);
  lanesSvg.push('</svg></div>');
  const out: string[] = [lanesSvg.join('')];
  out.push(`<svg class="sequence-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height - HEADER_PX}" viewBox="${body}" role="img" aria-label="${esc(`messages around ${seq.title}`)}">`);
  const marker = (id: string, cls: string) => `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path class="${cls}" d="M0,0 L10,5 L0,10 z"/></marker>`;
  out.push(`<defs>${marker(arrow, 'head')}${marker(`${arrow}-dup`, 'head duplicate')}</defs>`);
  for (const [n] of lanes) out.push(`<line class="lane" x1="${laneX(n)}" y1="${HEADER_PX}" x2="${laneX(n)}" y2="${height - FOOTER_PX}"/>`);
  for (const t of times) out.push(`<text class="time" x="${TIME_GUTTER_PX - 8}" y="${rowY(t) + 3}" text-anchor="end">${esc(relative(t - seq.atMs))}</text>`);
  const firstAfter = times.findIndex((t) => t >= seq.atMs);
  const faultY = HEADER_PX + (firstAfter < 0 ? times.length : firstAfter) * ROW_PX;
  out.push(`<line class="fault-line" x1="${TIME_GUTTER_PX - 4}" y1="${faultY}" x2="${width}" y2="${faultY}"><title>${esc(`${seq.title} at ${formatMs(seq.atMs)}`)}</title></line>`);
  out.push(`<text class="fault-label" x="${width - 4}" y="${faultY - 3}" text-anchor="end">fault at ${esc(formatMs(seq.atMs))}</text>`);
  for (const m of seq.messages) out.push(messageSvg(m, laneX, rowY, arrow, seq.atMs));
  if (seq.messages.length === 0) out.push(`<text class="axis" x="${TIME_GUTTER_PX + 8}" y="${HEADER_PX + ROW_PX}">no messages among these nodes near the fault</text>`);
  out.push('</svg>');
  return out.join('');
}

function messageSvg(m: SequenceMessage, laneX: (n: string) => number, rowY: (t: number) => number, arrow: string, faultMs: number): string {
  const x1 = laneX(m.from);
  const y1 = rowY(sentOf(m));
  let x2 = laneX(m.to);
  let y2 = rowY(m.atMs);
  const head = `url(#${m.fate === 'duplicate' ? `${arrow}-dup` : arrow})`;
  const tip = `${m.type}: ${m.from} → ${m.to}, ${m.fate === 'drop' ? `dropped (${m.reason ?? 'dropped'})` : m.fate === 'duplicate' ? 'delivered again (a duplicate)' : 'delivered'}; sent ${relative(sentOf(m) - faultMs)}, ${m.fate === 'drop' ? 'dropped' : 'arrived'} ${relative(m.atMs - faultMs)} from the fault`;
  const parts: string[] = [`<g class="msg ${m.fate}"><title>${esc(tip)}</title>`];
  if (m.from === m.to) {
    // A message to itself: a small loop to the right of its lane.
    parts.push(`<path d="M${x1},${y1} C${x1 + 40},${y1} ${x1 + 40},${y2 + 6} ${x1 + 2},${y2}" fill="none" marker-end="${head}"/>`);
  } else if (m.fate === 'drop') {
    x2 = x1 + (x2 - x1) * DROP_AT;
    y2 = y1 + (y2 - y1) * DROP_AT;
    parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`);
    parts.push(`<path class="cross" d="M${x2 - CROSS_PX},${y2 - CROSS_PX} L${x2 + CROSS_PX},${y2 + CROSS_PX} M${x2 - CROSS_PX},${y2 + CROSS_PX} L${x2 + CROSS_PX},${y2 - CROSS_PX}"/>`);
  } else {
    parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="${head}"/>`);
  }
  parts.push(`<text class="msg-label" x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 3}" text-anchor="middle">${esc(m.type)}</text></g>`);
  return parts.join('');
}

function relative(ms: number): string {
  const a = Math.abs(ms);
  const s = a >= 100 ? a.toFixed(0) : a >= 10 ? a.toFixed(1) : a.toFixed(2);
  return `${ms < 0 ? '−' : '+'}${s}`;
}
