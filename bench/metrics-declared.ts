/**
 * Proves the metric declarations complete: runs every variant of every scenario (or those named) on
 * a range of seeds and fails if any run reports a metric its variant does not declare (processes.ts
 * `metrics`, checks.ts `produces`, metric-catalog.ts RUNNER_METRICS / OPERATION_METRICS). Also lists,
 * per process, the exact names it declares that no run reported: rare events, or stale declarations.
 *
 *   npm run build && node dist/bench/metrics-declared.js --seeds 1..2 [scenario-name ...]
 *
 * The whole set takes about 85 s of CPU per seed (queueing alone about 70 s).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { declaredMetrics, HISTOGRAM_SUFFIXES, OPERATION_METRICS, parseScenario, RUNNER_METRICS, runVariants, undeclaredMetrics } from '../src/scenario/index.js';
import { registerCatalog } from '../src/cli/catalog.js';

registerCatalog();

const args = process.argv.slice(2);
let seeds: [number, number] = [1, 2];
const only: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seeds') {
    const m = /^(\d+)\.\.(\d+)$/.exec(args[++i] ?? '');
    if (m === null) throw new Error('--seeds A..B');
    seeds = [Number(m[1]), Number(m[2])];
  } else only.push(args[i].replace(/\.yaml$/, ''));
}

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && (only.length === 0 || only.includes(f.replace(/\.yaml$/, '')))).sort();
const generic = new Set([...RUNNER_METRICS, ...OPERATION_METRICS]);
const isHistogramPart = (n: string) => HISTOGRAM_SUFFIXES.some((s) => n.endsWith(`_${s}`));
const declaredBy = new Map<string, Set<string>>();
const reportedBy = new Map<string, Set<string>>();
let runs = 0;
let metricsChecked = 0;
const undeclared: string[] = [];
const started = Date.now();
for (const f of files) {
  const s = parseScenario(readFileSync(dir + f, 'utf8'), dir + f);
  const t0 = Date.now();
  for (let seed = seeds[0]; seed <= seeds[1]; seed++) {
    const done = runVariants(s, s.variants.map((v) => v.name), () => ({ seed }));
    for (const v of s.variants) {
      const { report } = done.get(v.name)!;
      const catalog = declaredMetrics(v);
      runs++;
      metricsChecked += Object.keys(report.metrics).length;
      for (const name of undeclaredMetrics(v, report.metrics, catalog)) undeclared.push(`${s.name}/${v.name} seed ${seed}: ${name} (${v.system.process})`);
      const p = v.system.process;
      if (!declaredBy.has(p)) declaredBy.set(p, new Set());
      if (!reportedBy.has(p)) reportedBy.set(p, new Set());
      for (const n of catalog.names) declaredBy.get(p)!.add(n);
      for (const n of Object.keys(report.metrics)) reportedBy.get(p)!.add(n);
    }
  }
  process.stderr.write(`${f}: ${s.variants.length} variants x ${seeds[1] - seeds[0] + 1} seeds in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

process.stdout.write(`\nnever reported on these seeds (declared exact names, histograms and the runner's own left out):\n`);
for (const [p, names] of [...declaredBy].sort()) {
  const never = [...names].filter((n) => !generic.has(n) && !isHistogramPart(n) && !reportedBy.get(p)!.has(n));
  if (never.length > 0) process.stdout.write(`  ${p}: ${never.join(' ')}\n`);
}
process.stdout.write(`\n${runs} runs of ${files.length} scenarios (seeds ${seeds[0]}..${seeds[1]}) in ${((Date.now() - started) / 1000).toFixed(0)} s: ${metricsChecked} reported metrics checked, ${undeclared.length} undeclared\n`);
for (const u of undeclared) process.stdout.write(`  UNDECLARED ${u}\n`);
process.exitCode = undeclared.length === 0 ? 0 : 1;
