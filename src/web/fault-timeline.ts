/**
 * The fault timeline: one strip per variant across the run's virtual time, a mark per instant at which
 * faults struck (several at once share a mark), a band while a lasting fault was in force. Each mark
 * names a hidden block with its faults and, when one was captured near it, the message-sequence view;
 * the page's script shows the block of the mark clicked.
 */
import type { FaultEvent, MessageSequence } from '../scenario/fault-tap.js';
import { esc, formatMs } from './html.js';
import { kindClass } from './palette.js';
import { sequenceSvg } from './sequence-svg.js';

/** A sequence belongs to the faults within this distance of its own time. */
const SEQUENCE_NEAR_MS = 250;
const AXIS_TICKS = 4;
/** Runs this long or longer are measured in seconds on the axis. */
const AXIS_SECONDS_FROM_MS = 10_000;

interface Group {
  id: string;
  variant: string | undefined;
  atMs: number;
  faults: FaultEvent[];
  sequence: number | undefined;
}

export interface TimelineRun {
  name: string;
  virtualMs: number;
}

export function faultTimeline(faults: readonly FaultEvent[], sequences: readonly MessageSequence[], runs: readonly TimelineRun[], faultsDropped = 0): string {
  if (faults.length === 0 && sequences.length === 0) return '<p class="empty">No faults struck in this run.</p>';
  const endMs = Math.max(1, ...runs.map((r) => r.virtualMs), ...faults.map((f) => f.untilMs ?? f.atMs));
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (100 * ms) / endMs)).toFixed(3)}%`;
  const groups = groupFaults(faults, sequences);
  const rowsOf = [...new Set(faults.map((f) => f.variant))];
  const out: string[] = ['<div class="timeline">'];
  for (const variant of rowsOf) {
    out.push(`<div class="timeline-row"><span class="timeline-label">${esc(variant ?? 'all variants')}</span><div class="strip">`);
    for (const f of faults) {
      if (f.variant !== variant || f.untilMs === undefined) continue;
      out.push(`<div class="band ${kindClass(f.kind)}" style="left:${pct(f.atMs)};width:calc(${pct(f.untilMs - f.atMs)} + 1px)" title="${esc(`${f.kind}: ${f.detail}, ${formatMs(f.atMs)} to ${formatMs(f.untilMs)}`)}"></div>`);
    }
    for (const g of groups) {
      if (g.variant !== variant) continue;
      const tip = `${formatMs(g.atMs)}: ${g.faults.map((f) => `${f.kind} (${f.detail})`).join('; ')}`;
      out.push(`<button type="button" class="fault-mark ${kindClass(g.faults[0].kind)}${g.sequence !== undefined ? ' has-sequence' : ''}" style="left:${pct(g.atMs)}" data-group="${g.id}"${g.sequence !== undefined ? ` data-sequence="sequence-${g.sequence}"` : ''} title="${esc(tip)}" aria-label="${esc(tip)}"></button>`);
    }
    out.push('</div></div>');
  }
  const tick = (ms: number) => (endMs >= AXIS_SECONDS_FROM_MS ? `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s` : formatMs(ms));
  out.push(`<div class="timeline-axis">${Array.from({ length: AXIS_TICKS + 1 }, (_, i) => `<span style="left:${pct((endMs * i) / AXIS_TICKS)}">${esc(tick((endMs * i) / AXIS_TICKS))}</span>`).join('')}</div>`);
  out.push('</div>');
  const kinds = [...new Set(faults.map((f) => f.kind))];
  out.push(`<p class="legend">${kinds.map((k) => `<span class="key ${kindClass(k)}"></span>${esc(k)}`).join(' ')}${faultsDropped > 0 ? ` <span class="note">(${faultsDropped} later faults not shown)</span>` : ''}. Bands: a fault or scheduled event in force; a ringed mark has a message-sequence view. Click a mark.</p>`);
  out.push('<div id="fault-detail" class="fault-detail"><p class="hint">Click a mark on the timeline to see its faults and the messages around them.</p>');
  for (const g of groups) {
    out.push(`<div class="fault-group" id="${g.id}" hidden><h4>${esc(g.variant === undefined ? '' : `${g.variant}: `)}at ${esc(formatMs(g.atMs))}</h4><ul>`);
    for (const f of g.faults) out.push(`<li><b>${esc(f.kind)}</b> ${esc(f.detail)}${f.untilMs !== undefined ? ` <span class="note">(until ${esc(formatMs(f.untilMs))})</span>` : ''}</li>`);
    out.push('</ul>');
    if (g.sequence === undefined) out.push('<p class="note">No message sequence was captured near this fault (only the first few faults of a run get one).</p>');
    out.push('</div>');
  }
  const referenced = new Set(groups.map((g) => g.sequence));
  sequences.forEach((s, i) => {
    const view = sequenceView(s, i);
    out.push(referenced.has(i) ? view.replace('<div class="sequence"', '<div class="sequence" hidden') : `<details class="sequence-other"><summary>${esc(s.title)}</summary>${view}</details>`);
  });
  out.push('</div>');
  return out.join('\n');
}

function sequenceView(s: MessageSequence, i: number): string {
  const drops = s.messages.filter((m) => m.fate === 'drop').length;
  const dups = s.messages.filter((m) => m.fate === 'duplicate').length;
  return (
    `<div class="sequence" id="sequence-${i}"><h4>Messages around ${esc(s.title)}${s.variant !== undefined ? ` (${esc(s.variant)})` : ''}</h4>` +
    `<p class="note">${s.messages.length} messages among ${s.nodes.length} nodes, ${drops} dropped, ${dups} duplicated. Time flows down; hover an arrow for its details.</p>` +
    `<div class="sequence-scroll">${sequenceSvg(s, `seq${i}`)}</div>` +
    '<p class="legend"><span class="key deliver"></span>delivered <span class="key duplicate"></span>delivered again (duplicate) <span class="key drop"></span>dropped (✕ where it was lost)</p></div>'
  );
}

/** Faults at one instant of one variant share a mark; each mark gets the nearest sequence of its variant, if near. */
function groupFaults(faults: readonly FaultEvent[], sequences: readonly MessageSequence[]): Group[] {
  const groups: Group[] = [];
  const byKey = new Map<string, Group>();
  for (const f of faults) {
    const key = `${f.variant ?? ''}\u0000${f.atMs}`;
    let g = byKey.get(key);
    if (g === undefined) {
      g = { id: `fault-group-${groups.length}`, variant: f.variant, atMs: f.atMs, faults: [], sequence: undefined };
      byKey.set(key, g);
      groups.push(g);
    }
    g.faults.push(f);
  }
  for (const g of groups) {
    let best: number | undefined;
    sequences.forEach((s, i) => {
      if (s.variant !== undefined && g.variant !== undefined && s.variant !== g.variant) return;
      const d = Math.abs(s.atMs - g.atMs);
      if (d <= SEQUENCE_NEAR_MS && (best === undefined || d < Math.abs(sequences[best].atMs - g.atMs))) best = i;
    });
    g.sequence = best;
  }
  return groups;
}
