import { kindStyles } from './palette.js';

/** A time-series chart's card and the faults shaded over it: the report's and the lab's. */
export const chartStyle = String.raw`
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 14px 18px; }
.chart-card h3 { margin: 4px 0 2px; font-size: 14px; }
.chart { position: relative; width: 100%; min-height: 40px; }
.chart-frame { display: grid; grid-template-columns: 18px minmax(0, 1fr); }
.axis-title { font-size: 12px; color: #3c434a; text-align: center; }
.axis-title.axis-y { writing-mode: vertical-rl; transform: rotate(180deg); }
.axis-title.axis-x { grid-column: 2; }
.event-band, .event-line { position: absolute; top: 0; bottom: 0; pointer-events: none; }
.event-band { opacity: .16; }
.event-line { width: 2px; margin-left: -1px; opacity: .8; }
.uplot .u-legend { font-size: 12px; }
`;

/** The report page's stylesheet: one column up to a laptop's width, charts in a grid, colours by verdict, pillar and fault. */
export const pageStyle = String.raw`
:root { --fg: #1d2327; --muted: #646970; --line: #dcdcde; --bg: #f6f7f7; --card: #fff;
  --ok: #1a7f37; --ok-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9; --unknown: #9a6700; --unknown-bg: #fff8c5;
  --work: #0969da; --state: #8250df; --truth: #1a7f37; --control: #bc4c00; --intelligence: #bf3989; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1360px; margin: 0 auto; padding: 16px 20px 40px; }
header h1 { margin: 4px 0 6px; font-size: 24px; }
header .description { max-width: 980px; margin: 0 0 10px; color: #3c434a; }
.variants { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.variant-chip { display: inline-flex; align-items: center; gap: 6px; padding: 4px 10px; border-radius: 14px; background: var(--card); border: 1px solid var(--line); }
.variant-chip .swatch { width: 12px; height: 3px; border-radius: 2px; }
.verdict.ok { color: var(--ok); font-weight: 600; }
.verdict.bad { color: var(--bad); font-weight: 600; }
nav.toc { font-size: 13px; margin: 6px 0 14px; color: var(--muted); }
nav.toc a { margin-right: 12px; color: var(--work); text-decoration: none; }
section.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
section.panel > h2 { margin: 0 0 8px; font-size: 18px; display: flex; align-items: center; gap: 8px; }
.pillar { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #fff; padding: 2px 7px; border-radius: 10px; }
.pillar-work { background: var(--work); } .pillar-state { background: var(--state); } .pillar-truth { background: var(--truth); }
.pillar-control { background: var(--control); } .pillar-intelligence { background: var(--intelligence); }
section.panel.pillar-border-work { border-left: 4px solid var(--work); } section.panel.pillar-border-state { border-left: 4px solid var(--state); }
section.panel.pillar-border-truth { border-left: 4px solid var(--truth); } section.panel.pillar-border-control { border-left: 4px solid var(--control); }
section.panel.pillar-border-intelligence { border-left: 4px solid var(--intelligence); }
.panel-text { margin: 0 0 10px; max-width: 980px; }
.table-scroll { overflow-x: auto; }
table.side-by-side { border-collapse: collapse; margin: 4px 0 10px; font-variant-numeric: tabular-nums; }
table.side-by-side th, table.side-by-side td { padding: 3px 9px; border-bottom: 1px solid #f0f0f1; text-align: right; white-space: nowrap; }
table.side-by-side th:first-child, table.side-by-side td:first-child { text-align: left; font-weight: normal; color: #3c434a; }
/* Long check names wrap in the first column, so that seven variants fit beside them at a laptop's width. */
table.side-by-side tbody th:first-child { white-space: normal; overflow-wrap: anywhere; min-width: 160px; max-width: 300px; }
table.side-by-side thead th { border-bottom: 2px solid var(--line); font-weight: 600; }
td.ok { color: var(--ok); background: var(--ok-bg); font-weight: 600; }
td.bad { color: var(--bad); background: var(--bad-bg); font-weight: 600; }
td.unknown { color: var(--unknown); background: var(--unknown-bg); font-weight: 600; }
td.best { font-weight: 700; color: var(--ok); }
td.hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
details.check-details { margin: 4px 0 0; font-size: 13px; }
details.check-details li { margin: 2px 0; }
.empty, .note { color: var(--muted); }
.empty { font-style: italic; }
.timeline { position: relative; margin: 6px 0 4px; }
.timeline-row { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.timeline-label { width: 120px; flex: none; text-align: right; font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.strip { position: relative; flex: 1; height: 26px; background: #f0f0f1; border-radius: 4px; }
.band { position: absolute; top: 9px; height: 8px; opacity: .35; border-radius: 2px; }
.fault-mark { position: absolute; top: 4px; width: 12px; height: 18px; margin-left: -6px; padding: 0; border: 1px solid #fff; border-radius: 3px; cursor: pointer; }
.fault-mark.has-sequence { outline: 2px solid #1d2327; outline-offset: 0; }
.fault-mark:hover, .fault-mark.selected { transform: scale(1.35); z-index: 2; box-shadow: 0 0 0 2px #ffd33d; }
.timeline-axis { position: relative; height: 18px; margin-left: 130px; font-size: 11px; color: var(--muted); }
.timeline-axis span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.timeline-axis span:first-child { transform: none; } .timeline-axis span:last-child { transform: translateX(-100%); }
.legend { font-size: 12px; color: var(--muted); }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 3px 0 8px; vertical-align: -1px; }
${kindStyles()}
${chartStyle}
.key.deliver { background: #444; } .key.duplicate { background: #8250df; } .key.drop { background: #cf222e; }
.fault-detail { margin-top: 10px; border-top: 1px solid var(--line); padding-top: 8px; }
.fault-detail h4 { margin: 6px 0; }
.fault-group ul { margin: 4px 0 8px; padding-left: 20px; }
.sequence-scroll { overflow: auto; max-height: 75vh; border: 1px solid var(--line); border-radius: 6px; background: #fcfcfc; }
.sequence-svg { display: block; font-size: 11px; }
.sequence-svg .lane { stroke: #c3c4c7; stroke-width: 1; }
.sequence-svg .lane-label, .sequence-lanes-svg .lane-label { font-weight: 600; font-size: 12px; fill: var(--fg); }
.sequence-svg .time, .sequence-svg .axis, .sequence-lanes-svg .axis { fill: var(--muted); font-size: 10px; font-variant-numeric: tabular-nums; }
.sequence-svg .fault-line { stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 6 3; }
.sequence-svg .fault-label { fill: #cf222e; font-size: 11px; font-weight: 600; }
.sequence-svg .msg line, .sequence-svg .msg path { stroke: #444; stroke-width: 1.2; }
.sequence-svg .msg.duplicate line, .sequence-svg .msg.duplicate path { stroke: #8250df; stroke-dasharray: 4 2; }
.sequence-svg .msg.drop line { stroke: #cf222e; }
.sequence-svg .msg.drop .cross { stroke: #cf222e; stroke-width: 2; }
.sequence-svg .head { fill: #444; } .sequence-svg .head.duplicate { fill: #8250df; }
.sequence-svg .msg-label { font-size: 9.5px; fill: #3c434a; paint-order: stroke; stroke: #fcfcfc; stroke-width: 3px; }
.sequence-svg .msg:hover line, .sequence-svg .msg:hover path { stroke-width: 2.5; }
.sequence-lanes { position: sticky; top: 0; z-index: 1; background: #fcfcfc; border-bottom: 1px solid var(--line); }
.sequence-lanes svg { display: block; font-size: 11px; }
footer { margin-top: 24px; font-size: 12px; color: var(--muted); }
.verdict-charts { margin-bottom: 14px; }
.verdict-svg { display: block; width: 100%; height: auto; font-size: 12px; font-variant-numeric: tabular-nums; }
.verdict-svg .grid { stroke: #f0f0f1; } .verdict-svg .axis { stroke: #8c8f94; }
.verdict-svg .tick { fill: var(--muted); font-size: 11px; }
.verdict-svg .bar-value { fill: var(--fg); font-weight: 600; }
.verdict-svg .bar-variant { fill: var(--fg); }
.verdict-svg .bar-verdict { font-weight: 700; font-size: 11px; }
.verdict-svg .bar-verdict.ok { fill: var(--ok); } .verdict-svg .bar-verdict.bad { fill: var(--bad); }
.verdict-svg .bar-verdict.unknown { fill: var(--unknown); } .verdict-svg .bar-verdict.unchecked { fill: var(--muted); }
`;
