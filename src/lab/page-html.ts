/** The lab's page: its markup and style; the behaviour is the bundle (src/lab/page/main.ts). */
import { diskFaultKinds } from '../sim/disk.js';
import { LAB_SPEEDS } from './address.js';
import { kindStyles } from '../web/palette.js';
import { chartStyle } from '../web/page-style.js';

/** The disk faults a click can strike, bit-flip first: damage the next read finds, the classic one. */
const diskOptions = ['bit-flip', ...diskFaultKinds.filter((k) => k !== 'bit-flip')].map((k) => `<option value="${k}">${k}</option>`).join('');

/** The speeds, as fast as it goes chosen: an address may ask for another (src/lab/address.ts). */
const speedOptions = LAB_SPEEDS.map((s) => `<option value="${s.value}"${s.value === 'max' ? ' selected' : ''}>${s.label}</option>`).join('');

export const LAB_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pillars lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="uplot.css">
<style>
${chartStyle}
${kindStyles()}
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
  header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 10px 16px; background: #1d2430; color: #fff; }
  header h1 { font-size: 16px; margin: 0 12px 0 0; }
  header select, header input, header button { font: inherit; padding: 3px 6px; }
  header input { width: 5em; }
  header #tour { max-width: 16em; }
  main { display: grid; grid-template-columns: minmax(520px, 2fr) minmax(320px, 1fr); gap: 12px; padding: 12px 16px; }
  #stage-box { background: #fff; border: 1px solid #d7dce3; border-radius: 6px; }
  #stage, .compare svg { width: 100%; height: auto; display: block; }
  .node { cursor: pointer; }
  .node circle { stroke: #1d2430; stroke-width: 1.5; }
  .node text { font-size: 13px; pointer-events: none; }
  .node.client text { font-size: 10px; }
  .node-state { fill: #555; }
  .clients-box rect { fill: #cfd8e3; stroke: #1d2430; }
  .cut line { stroke: #c0392b; stroke-width: 3; stroke-dasharray: 8 6; opacity: .7; pointer-events: none; }
  .cut.one-way line { stroke: #f0803c; }
  .cut.by-hand line { stroke-dasharray: none; opacity: .9; }
  .cut.by-hand { cursor: pointer; }
  .cut .cut-hit { stroke: transparent; stroke-width: 16; pointer-events: stroke; }
  .cut-arrow { fill: #f0803c; }
  .slow line { stroke: #1f6feb; stroke-width: 3; stroke-dasharray: 2 6; stroke-linecap: round; opacity: .7; pointer-events: none; }
  .slow.by-hand line { stroke-width: 4; opacity: .95; }
  .slow.by-hand { cursor: pointer; }
  .slow .slow-hit { stroke: transparent; stroke-width: 16; pointer-events: stroke; }
  .slow-arrow { fill: #1f6feb; }
  .slow-label { font-size: 11px; fill: #1f6feb; font-weight: 600; pointer-events: none; }
  .clock-badge { font-size: 11px; fill: #bf3989; font-weight: 600; }
  .disk-mark { font-size: 11px; fill: #8a1c12; font-weight: 600; }
  tr.pending td:first-child { color: #5b6573; }
  tr.failed td { background: #fdecea; }
  #live-checks td:nth-child(-n+2) { white-space: nowrap; }
  #skew-ms, #slow-ms { width: 5em; }
  #verdicts td:nth-child(3) { white-space: pre-wrap; }
  .drawn-line { stroke: #c0392b; stroke-width: 2; stroke-dasharray: 4 4; pointer-events: none; }
  .node.line-from circle { stroke: #c0392b; stroke-width: 4; }
  .msg { stroke: none; opacity: 0.9; pointer-events: none; } /* a message passing over a node must not take its click */
  .msg.duplicate { stroke: #000; stroke-width: 1.5; }
  .msg.delayed { stroke: #1f6feb; stroke-width: 2.5; stroke-dasharray: 2 2; }
  .msg-label { font-size: 10px; fill: #333; pointer-events: none; }
  .drop { fill: #c0392b; font-size: 11px; font-weight: 600; pointer-events: none; }
  section { background: #fff; border: 1px solid #d7dce3; border-radius: 6px; padding: 8px 12px; margin-bottom: 12px; }
  section h2 { font-size: 13px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #5b6573; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  td { border-top: 1px solid #eef0f3; padding: 2px 6px 2px 0; vertical-align: top; word-break: break-word; }
  #verdicts td:nth-child(-n+2), .side-verdicts td:nth-child(-n+2), #node-table td:nth-child(-n+2) { white-space: nowrap; word-break: normal; }
  tr.failed td:first-child { color: #c0392b; font-weight: 700; }
  tr.ok td:first-child { color: #2e7d32; font-weight: 700; }
  #trace-hash { font: 600 15px ui-monospace, monospace; }
  #last { font: 11px ui-monospace, monospace; white-space: pre; margin: 0; overflow-x: auto; }
  #error { background: #fdecea; color: #8a1c12; border-color: #f5c6c0; }
  #yaml { width: 100%; height: 220px; font: 11px ui-monospace, monospace; }
  .hint { color: #5b6573; font-size: 12px; }
  #charts .charts { grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); gap: 4px 14px; }
  #charts, #demo section { margin-top: 12px; }
  header a { color: #9fd0ff; }
  #demo { padding: 12px 16px; }
  #demo .panel-text { max-width: 1100px; margin: 0 0 6px; }
  #demo section h2 { display: flex; gap: 8px; align-items: center; font-size: 16px; text-transform: none; letter-spacing: 0; color: #1d2430; }
  .pillar { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #fff; padding: 2px 7px; border-radius: 10px; }
  .pillar-work { background: #0969da; } .pillar-state { background: #8250df; } .pillar-truth { background: #1a7f37; }
  .pillar-control { background: #bc4c00; } .pillar-intelligence { background: #bf3989; }
  .verdict-ok { color: #2e7d32; font-weight: 700; } .verdict-bad { color: #c0392b; font-weight: 700; }
  .compare { display: grid; grid-template-columns: 1fr 1fr; }
  .compare .side { min-width: 0; border-left: 1px solid #eef0f3; }
  .compare .side:first-child { border-left: none; }
  .compare h3 { margin: 6px 10px 0; font-size: 14px; }
  .side-hash { font: 600 12px ui-monospace, monospace; margin: 0 10px; }
  .side-verdicts { margin: 4px 10px 8px; }
  .side-verdicts p { margin: 2px 0; font-size: 12px; }
  #tour-panel { border-color: #e0a800; }
  #tour-panel blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid #e0a800; background: #fffbea; }
  #tour-panel blockquote p { margin: 0; font: 12px ui-monospace, monospace; white-space: pre-wrap; }
  #tour-panel cite { font-size: 11px; color: #5b6573; }
  .tour-title { font-size: 14px; margin: 2px 0 6px; }
  .tour-buttons { display: flex; gap: 8px; margin-top: 6px; }
</style>
</head>
<body>
<header>
  <h1>pillars lab</h1>
  <label>story <select id="story"></select></label>
  <label>variant <select id="variant"></select></label>
  <label>seed <input id="seed" type="number" min="0" value="1"></label>
  <label>mode <select id="mode"><option value="one" selected>one run</option><option value="compare">side by side</option></select></label>
  <label id="with-label" hidden>beside <select id="with"></select></label>
  <label>tour <select id="tour"><option value="">none</option></select></label>
  <button id="reload" title="start the run again from virtual time 0">Restart run</button>
  <button id="play">Play</button>
  <button id="step" title="run one event">Step event</button>
  <button id="step-message" title="run until the next message is delivered or dropped">Step message</button>
  <label>speed <select id="speed">${speedOptions}</select></label>
  <label title="pause the run at the judgement that finds a check failed (pauseOnRed=1 in the address)"><input type="checkbox" id="pause-on-red"> pause when a check turns red</label>
  <span id="rate"></span>
  <a id="demo-link" href="?demo=1&amp;play=1" title="pillars demo, live: the shopping day on five pillars, naive against fixed">the shopping day (pillars demo)</a>
</header>
<div id="demo" hidden></div>
<main id="lab">
  <div>
    <div id="stage-box"></div>
    <div id="charts"></div>
    <p class="hint">Dashed red lines are links a partition cuts (orange, with an arrow: cut one way); dotted blue lines are slow links, with the latency they add. A message is a dot travelling to its receiver: ringed black, a duplicate; ringed blue, held back by a slow link or a slow sender (its label says by how much); a red cross, dropped. Click a server to crash it (or pause it, skew its clock, fail its disk: see Faults by hand); click it again to restart, resume or repair it. Draw a line from one server to another (drag, or shift-click both) to cut the link between them both ways, or to slow it; hold Alt, or tick "one way", for only the first to the second. Click a solid cut to heal it, a slow link by hand to speed it up. Faults join the run's schedule, and Export YAML writes a scenario that <code>pillars run</code> replays to the same traceHash. Checks turn red as they fail, with what the checker found.</p>
    <p id="description" class="hint"></p>
  </div>
  <div>
    <section id="error" hidden></section>
    <section id="tour-panel" hidden></section>
    <section><h2>Run</h2><div id="clock"></div><div><span id="status" data-state="paused"></span>: <span id="trace-hash"></span></div></section>
    <section><h2>Nodes</h2><table id="node-table"></table></section>
    <section><h2>Checks</h2><div id="verdicts" class="hint">judged as the run goes</div></section>
    <section><h2>Faults by hand</h2><div><label>a click on a server <select id="click-does"><option value="crash" selected>crashes it</option><option value="pause">pauses it</option><option value="skew">skews its clock by</option><option value="disk">fails its disk:</option></select></label> <label title="how far the clock jumps (negative: back)"><input id="skew-ms" type="number" value="500" step="50"> ms</label> <label>disk fault <select id="disk-fault">${diskOptions}</select></label></div><div><label>a line drawn <select id="line-does"><option value="cut" selected>cuts the link</option><option value="slow">slows the link by</option></select></label> <label title="latency added to every message on the link"><input id="slow-ms" type="number" value="100" min="1" step="10"> ms</label> <label title="a line drawn from a to b cuts or slows only a → b"><input type="checkbox" id="cut-one-way"> one way</label></div><ul id="faults"></ul><button id="export">Export YAML</button> <a id="download" hidden>download</a><textarea id="yaml" hidden readonly></textarea></section>
    <section><h2>Last records</h2><pre id="last"></pre></section>
  </div>
</main>
<script type="module" src="lab.js"></script>
</body>
</html>
`;
