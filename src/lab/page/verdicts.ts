/** A run's verdicts as the page lists them: a head line, then one row per check with its detail. */
import type { RunResult } from '../../scenario/index.js';

/** `redFromMs` says when a check was first found failed as the run went (the live judgement), if it was. */
export function verdictsView(r: RunResult['report'], redFromMs: (check: string) => number | undefined = () => undefined): HTMLElement[] {
  const rows = r.checks.map((c) => {
    const tr = document.createElement('tr');
    tr.className = c.ok ? 'ok' : 'failed';
    tr.dataset.check = c.name;
    const red = redFromMs(c.name);
    for (const t of [c.ok ? 'holds' : c.unknown ? 'undecided' : 'FAILS', c.name, c.detail, red === undefined ? '' : `red from ${red} ms`]) tr.append(Object.assign(document.createElement('td'), { textContent: t }));
    return tr;
  });
  const head = document.createElement('p');
  head.textContent = `${r.variant}, seed ${r.seed}: expected ${r.expect}; ${r.met ? 'met' : `not met${r.why !== undefined ? ` (${r.why})` : ''}`}. ${r.events.toLocaleString('en')} events, ${r.virtualMs} ms.`;
  const table = document.createElement('table');
  table.append(...rows);
  return [head, table];
}
