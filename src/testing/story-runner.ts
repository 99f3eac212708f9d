/**
 * Helpers for tests that run the scenario files in scenarios/ and assert their numbers (they read files,
 * so they live outside the folders the determinism rule covers).
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/load.js';
import { runVariants } from '../scenario/runner.js';
import { registerCatalog } from '../cli/catalog.js';
import type { VariantReport } from '../scenario/report.js';
import type { Scenario } from '../scenario/load.js';

registerCatalog();

export const scenarioFile = (name: string) => new URL(`../../../scenarios/${name}`, import.meta.url);
export const loadScenario = (name: string) => parseScenario(readFileSync(scenarioFile(name), 'utf8'), name);
/**
 * A function that runs one variant of the scenario file, by name (with the variants it compares
 * with, on the same seed), on the file's seed or on `seed`, and returns its report. It takes the
 * name alone, so that `names.map(run)` cannot pass an index as a seed.
 */
export const runner = (file: string, seed?: number) => {
  const s = loadScenario(file);
  return (name: string) => {
    if (!s.variants.some((x) => x.name === name)) throw new Error(`${file} has no variant ${name}`);
    return runVariants(s, [name], () => ({ seed })).get(name)!.report;
  };
};

const cachedReports = new Map<string, Map<string, VariantReport>>();
/**
 * As runner(file), on the file's own seed, but each variant runs once per process however many
 * tests ask for it: a variant's comparands, run with it, are kept too.
 */
export const cachedRunner = (file: string) => {
  let reports = cachedReports.get(file);
  if (reports === undefined) cachedReports.set(file, (reports = new Map()));
  const done = reports;
  return (name: string): VariantReport => {
    const cached = done.get(name);
    if (cached !== undefined) return cached;
    const s = loadScenario(file);
    if (!s.variants.some((x) => x.name === name)) throw new Error(`${file} has no variant ${name}`);
    for (const [ran, r] of runVariants(s, [name])) if (!done.has(ran)) done.set(ran, r.report);
    return done.get(name)!;
  };
};

/**
 * Keeps, for cachedRunner(file), the reports of `runs` made on each variant's own seed (a sweep over a
 * range that includes it): the tests that read those runs later in the process need not make them again.
 */
export function rememberReports(file: string, s: Scenario, runs: ReadonlyMap<string, { report: VariantReport }>): void {
  let reports = cachedReports.get(file);
  if (reports === undefined) cachedReports.set(file, (reports = new Map()));
  for (const [name, { report }] of runs) {
    if (!reports.has(name) && report.seed === s.variants.find((v) => v.name === name)?.seed) reports.set(name, report);
  }
}
