/** A run's verdicts as the page lists them: a head line, then one row per check with its detail. */
import type { RunResult } from '../../scenario/index.js';

export function verdictsView(r: RunResult['report']): HTMLElement[] {
  const rows = r.checks.map((c) => {
    const tr = document.createElement('tr');
    tr.className = c.ok ? 'ok' : 'failed';
    tr.dataset.check = c.name;
    for (const t of [c.ok ? 'holds' : c.unknown ? 'undecided' : 'FAILS', c.name, c.detail]) tr.append(Object.assign(document.createElement('td'), { textContent: t }));
    return tr;
  });
  const head = document.createElement('p');
  head.textContent = `${r.variant}, seed ${r.seed}: expected ${r.expect}; ${r.met ? 'met' : `not met${r.why !== undefined ? ` (${r.why})` : ''}`}. ${r.events.toLocaleString('en')} events, ${r.virtualMs} ms.`;
  const table = document.createElement('table');
  table.append(...rows);
  return [head, table];
}
