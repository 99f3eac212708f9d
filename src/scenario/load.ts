/**
 * Parsing and validating scenario files. Every mistake becomes one ScenarioError naming the file, the
 * path of the field and what was expected; nothing here reads the disk (the CLI does).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { nodeRefsIn, type FoundNodeRef } from '../runtime/node-ref.js';
import { checks } from './checks.js';
import { processes } from './processes.js';
import { fileSchema, resolvedSchema, type Expectation, type ResolvedVariant } from './schema.js';
import { MetricCatalog, nearestName, runnerMetrics } from './metric-catalog.js';
import { ScenarioError } from './error.js';

export { ScenarioError, isScenarioError } from './error.js';

export interface Scenario {
  file: string;
  name: string;
  description: string | undefined;
  /** In file order; a file without variants has one, named "default". */
  variants: ResolvedVariant[];
}

type Path = (string | number)[];

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

const sameParent = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.length === b.length + 1 && b.every((p, i) => p === a[i]);

/** The fields an object schema knows at `path` (through optional, default and similar wrappers), for a did-you-mean. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let cur: z.ZodType | undefined = schema;
  const unwrap = (t: z.ZodType | undefined): z.ZodType | undefined => {
    for (let i = 0; i < 8 && t !== undefined; i++) {
      const def = (t as unknown as { _zod?: { def?: { innerType?: z.ZodType; in?: z.ZodType; type?: string } } })._zod?.def;
      if (def?.innerType !== undefined) t = def.innerType;
      else if (def?.type === 'pipe' && def.in !== undefined) t = def.in;
      else break;
    }
    return t;
  };
  for (const p of [...path, undefined]) {
    cur = unwrap(cur);
    if (!(cur instanceof z.ZodObject)) return [];
    if (p === undefined) return Object.keys(cur.shape);
    cur = (cur.shape as Record<string, z.ZodType>)[String(p)];
  }
  return [];
}

/**
 * The first issue of a failed zod parse as (path, expectation). An unknown field goes first: a typo
 * makes both an unknown field and a missing one, and the typo is what the writer must see, with
 * the name it was probably meant to be (a field missing beside it, or one the schema knows).
 */
function firstIssue(error: z.ZodError, prefix: Path = [], schema?: z.ZodType): { path: Path; message: string } {
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  const path = [...prefix, ...(issue.path as (string | number)[])];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const missing = error.issues.filter((i) => i.code === 'invalid_type' && /received undefined/.test(i.message) && sameParent(i.path, issue.path)).map((i) => String(i.path[i.path.length - 1]));
    const near = nearestName(keys[0], missing.length > 0 ? missing : schema === undefined ? [] : knownKeysAt(schema, issue.path));
    return { path: [...path, keys[0]], message: `unknown field "${keys[0]}"${near === undefined ? '' : ` (did you mean "${near}"?)`}${more}` };
  }
  let message = issue.message.replace(/^Invalid input: /, '').replace(/, received /, ', got ');
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = message.replace(/, got undefined$/, ' (missing)');
  return { path, message: message + more };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Objects merge key by key; arrays and scalars in the override replace the base. An object whose
 * `kind` differs from the base's is another thing altogether (a threshold scaler replaced by an HPA)
 * and replaces it whole, so none of the old kind's fields linger; `null` removes a key.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  if ('kind' in override && override.kind !== base.kind) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(base[k], v);
  }
  return out;
}

function has(obj: unknown, path: Path): boolean {
  let cur = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null || !(p in (cur as object))) return false;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return true;
}

export interface ParseOptions {
  /**
   * Overrides `path=value` applied to every variant after its merge, before validation, e.g.
   * `workload.ratePerSec=4000` or `faults.0.for=20000`; `variants.<name>.<path>=value` applies to one
   * variant. The value is read as YAML (a number, a string, a list, a mapping).
   */
  set?: readonly string[];
  /**
   * Check every metric the checks, metrics.show and metrics.chart name against the metrics the
   * variants declare (default true); `pillars list <scenario>` turns it off to show the names.
   */
  checkMetricNames?: boolean;
}

export function parseScenario(text: string, file: string, opts: ParseOptions = {}): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : '';
    throw new ScenarioError(file, where, `valid YAML (${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`);
  }
  const raw = doc.toJS() as unknown;
  if (!isObject(raw)) throw new ScenarioError(file, '', 'a mapping with name, topology, system, workload, ...');
  const top = fileSchema.safeParse(raw);
  if (!top.success) {
    const i = firstIssue(top.error, [], fileSchema);
    throw new ScenarioError(`${file}${positionOf(doc, lines, i.path)}`, formatPath(i.path), i.message);
  }
  const { variants: variantOverrides, ...base } = raw;
  const overrides = (variantOverrides as Record<string, Record<string, unknown>> | undefined) ?? { default: {} };
  if (Object.keys(overrides).length === 0) throw new ScenarioError(file, 'variants', 'at least one variant, e.g. naive: { expect: fail } and fixed: { expect: pass }');

  const sets = (opts.set ?? []).map(parseSet);
  for (const s of sets) {
    if (s.variant !== undefined && !(s.variant in overrides)) throw new ScenarioError('(command line)', `--set ${s.text}`, `a variant of ${file} (${Object.keys(overrides).join(', ')}), got "${s.variant}"`);
  }
  const variants: ResolvedVariant[] = [];
  const misses = new Map<SetOverride, string>();
  const whereOf = new Map<string, (path: Path) => string>();
  for (const [vname, override] of Object.entries(overrides)) {
    if (!isObject(override)) throw new ScenarioError(file, `variants.${vname}`, 'a mapping of overrides');
    const merged = deepMerge(base, { ...override, name: vname }) as Record<string, unknown>;
    merged.name = vname;
    if (merged.seed === undefined) merged.seed = 1;
    // A list index that a variant does not have (faults.0 of a variant without faults) leaves that
    // variant alone; an override that applies to no variant at all is an error below.
    const mine = sets.filter((s) => (s.variant === undefined || s.variant === vname) && applySet(merged, s, misses));
    // Name a field by where it was written: on the command line, in the variant's overrides, or in the base.
    // A field the file lacks is named where its nearest written parent is (a missing expect.seeds of a variant's expect).
    const inVariant = (path: Path) => has(override, path) || (!has(base, path) && path.some((_, k) => k > 0 && has(override, path.slice(0, k))));
    const where = (path: Path): string => {
      const set = [...mine].reverse().find((s) => isPrefix(s.path, path));
      if (set !== undefined) return `--set ${set.text}: ${formatPath(path)}`;
      return inVariant(path) ? formatPath(['variants', vname, ...path]) : formatPath(path);
    };
    // The file, with the line and column the field was written at (file:line:col), when it was.
    const at = (path: Path): string => (mine.some((s) => isPrefix(s.path, path)) ? file : `${file}${positionOf(doc, lines, inVariant(path) ? ['variants', vname, ...path] : path)}`);
    const parsed = resolvedSchema.safeParse(merged);
    if (!parsed.success) {
      const i = firstIssue(parsed.error, [], resolvedSchema);
      throw new ScenarioError(at(i.path), where(i.path), i.message);
    }
    const v = validateSemantics(parsed.data as unknown as RawVariant, where, file, at);
    if (mine.length > 0) v.overrides = mine.map((s) => s.text);
    variants.push(v);
    whereOf.set(vname, where);
  }
  for (const [set, why] of misses) {
    if (!variants.some((v) => v.overrides?.includes(set.text))) throw new ScenarioError('(command line)', `--set ${set.text}`, why);
  }
  validatePeers(variants, file);
  if (opts.checkMetricNames !== false) validateMetricNames(variants, whereOf, file);
  return { file, name: raw.name as string, description: raw.description as string | undefined, variants };
}

interface SetOverride {
  text: string;
  variant: string | undefined;
  path: Path;
  value: unknown;
}

/** `a.b.0.c=value` as a path and a YAML value; `variants.<name>.` scopes it to one variant. */
function parseSet(text: string): SetOverride {
  const eq = text.indexOf('=');
  const bad = (expected: string): never => {
    throw new ScenarioError('(command line)', `--set ${text}`, expected);
  };
  if (eq <= 0) bad('path=value, e.g. workload.ratePerSec=4000 or faults.0.for=20000');
  const segments = text.slice(0, eq).split('.');
  if (segments.some((p) => p === '')) bad('a dotted path without empty parts, e.g. workload.ratePerSec');
  let path: Path = segments.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let variant: string | undefined;
  if (path[0] === 'variants') {
    if (path.length < 3 || typeof path[1] !== 'string') bad('variants.<variant>.<path>=value');
    variant = path[1] as string;
    path = path.slice(2);
  }
  if (path[0] === 'name' || path[0] === 'variants') bad(`a field of a variant (topology, system, workload, faults, checks, expect, seed, ...), not "${String(path[0])}"`);
  const doc = parseDocument(text.slice(eq + 1));
  if (doc.errors.length > 0) bad(`a YAML value after = (${doc.errors[0].message.split('\n')[0]})`);
  return { text, variant, path, value: doc.toJS() as unknown };
}

/** Apply an override; false (and the reason in misses) when the variant lacks the list entry it names. */
function applySet(target: Record<string, unknown>, s: SetOverride, misses: Map<SetOverride, string>): boolean {
  const noEntry = (at: Path, list: unknown[], upTo: number): false => {
    if (!misses.has(s)) misses.set(s, list.length === 0 && upTo === 0 ? `${formatPath(at)} is empty in every variant: no entry to set` : `${formatPath(at)} has ${list.length} entr${list.length === 1 ? 'y' : 'ies'}: an index 0..${upTo - 1}`);
    return false;
  };
  let cur: unknown = target;
  for (let i = 0; i < s.path.length - 1; i++) {
    const p = s.path[i];
    const container = cur as Record<string | number, unknown>;
    if (Array.isArray(cur) && (typeof p !== 'number' || p >= cur.length)) return noEntry(s.path.slice(0, i), cur, cur.length);
    if (container[p] === undefined || container[p] === null) container[p] = typeof s.path[i + 1] === 'number' ? [] : {};
    cur = container[p];
    if (typeof cur !== 'object' || cur === null) throw new ScenarioError('(command line)', `--set ${s.text}`, `${formatPath(s.path.slice(0, i + 1))} is a ${typeof cur}, not a mapping or a list`);
  }
  const last = s.path[s.path.length - 1];
  // The last index may be one past the end: that appends an entry.
  if (Array.isArray(cur) && (typeof last !== 'number' || last > cur.length)) return noEntry(s.path.slice(0, -1), cur, cur.length + 1);
  (cur as Record<string | number, unknown>)[last] = s.value;
  return true;
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));
}

/** The label a check is named by in reports and in `expect`: its id, or what it bounds. */
export function checkLabel(c: { name: string; id?: string; metric?: unknown }): string {
  if (c.id !== undefined) return c.id;
  if ((c.name === 'metric' || c.name === 'compare') && typeof c.metric === 'string') return `${c.name}:${c.metric}`;
  return c.name;
}

/** The variants whose metrics a variant's comparisons read (run on the same seed before it). */
export function peersOf(v: ResolvedVariant): string[] {
  return [...new Set(v.checks.filter((c) => c.name === 'compare').map((c) => String((c as { of?: unknown }).of)))];
}

/** Every `of` names another variant of the file, and no comparisons go round in a circle. */
function validatePeers(variants: ResolvedVariant[], file: string): void {
  const names = new Set(variants.map((v) => v.name));
  for (const v of variants) {
    v.checks.forEach((c, i) => {
      if (c.name !== 'compare') return;
      const of = String((c as { of?: unknown }).of);
      if (of === v.name || !names.has(of)) throw new ScenarioError(file, `variants.${v.name}.checks[${i}].of`, `another variant of this file to compare with (${[...names].filter((n) => n !== v.name).join(', ')}), got "${of}"`);
    });
  }
  const byName = new Map(variants.map((v) => [v.name, v]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new ScenarioError(file, `variants.${name}.checks`, `comparisons that do not go round in a circle (${[...chain, name].join(' -> ')})`);
    state.set(name, 'visiting');
    for (const p of peersOf(byName.get(name)!)) visit(p, [...chain, name]);
    state.set(name, 'done');
  };
  for (const v of variants) visit(v.name, []);
}

/** The operations a variant's workload sends (by weight or by script). */
function workloadOperations(v: ResolvedVariant): string[] {
  const w = v.workload;
  const ops = Object.entries(w.ops ?? {}).filter(([, weight]) => (weight ?? 0) > 0).map(([f]) => f);
  for (const step of w.script ?? []) ops.push(step.f);
  return [...new Set(ops)];
}

/** What an unknown system.process should have been; an empty registry is the program's mistake, said as such. */
function knownProcesses(got: string): string {
  const names = Object.keys(processes);
  if (names.length === 0) return `a registered process, but none is registered: the program must call registerProcesses (src/cli/catalog.ts registers them all) (got "${got}")`;
  const near = nearestName(got, names);
  if (near !== undefined) return `a registered process: did you mean "${near}"? (got "${got}"; pillars list shows all ${names.length})`;
  return `one of ${names.join(', ')} (got "${got}")`;
}

/**
 * Where a path of the document was written, as `:line:col` after the file name (the key of an
 * unknown or misplaced field, else its value); empty when the path is not in the text.
 */
function positionOf(doc: Document, lines: LineCounter, path: Path): string {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    if (!isMap(parent) && !isSeq(parent)) continue;
    const last = path[n - 1];
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === last) : undefined;
    const node = (pair?.key ?? (isSeq(parent) && typeof last === 'number' ? parent.items[last] : undefined)) as { range?: [number, number, number] } | undefined;
    if (node?.range !== undefined) {
      const { line, col } = lines.linePos(node.range[0]);
      return `:${line}:${col}`;
    }
  }
  return '';
}

/**
 * Every metric a variant can report, declared before it runs: the runner's own, its process's (for
 * its config and servers) and its checks'.
 */
export function declaredMetrics(v: ResolvedVariant): MetricCatalog {
  const servers = serverNames(v);
  const catalog = new MetricCatalog().add(runnerMetrics({ variant: v, servers }));
  const proc = processes[v.system.process];
  if (proc !== undefined) catalog.add(proc.metrics(v.system.config ?? {}, { servers, operations: workloadOperations(v) }));
  for (const c of v.checks) {
    const entry = checks[c.name];
    if (entry !== undefined) catalog.add(entry.produces(c, v));
  }
  return catalog;
}

/** The metrics a run of `v` reported that it does not declare: none, unless a declaration is missing. */
export function undeclaredMetrics(v: ResolvedVariant, reported: Readonly<Record<string, number>>, catalog: MetricCatalog = declaredMetrics(v)): string[] {
  return Object.keys(reported).filter((k) => !catalog.has(k));
}

/**
 * Every metric a check bounds or compares, and every metric the table shows or charts, is one some
 * variant declares: a misspelt name fails here, at load time, not as a run that cannot be judged.
 * `metric` checks against their own variant; compare's ofMetric (or metric) against the `of` variant;
 * show and chart (one table for all variants) against any variant of the file.
 */
function validateMetricNames(variants: ResolvedVariant[], whereOf: Map<string, (path: Path) => string>, file: string): void {
  const catalogs = new Map(variants.map((v) => [v.name, declaredMetrics(v)]));
  const any = new MetricCatalog();
  for (const c of catalogs.values()) any.add([...c.names, ...c.patterns]);
  const unknown = (v: ResolvedVariant, path: Path, name: string, catalog: MetricCatalog, whose: string): never => {
    const near = catalog.closest(name);
    throw new ScenarioError(
      file,
      whereOf.get(v.name)!(path),
      `a metric ${whose} reports, got "${name}"${near.length > 0 ? `; closest known: ${near.join(', ')}` : ''} (pillars list ${file} shows them all)`,
    );
  };
  for (const v of variants) {
    const mine = catalogs.get(v.name)!;
    v.checks.forEach((c, i) => {
      if (c.name !== 'metric' && c.name !== 'compare') return;
      const p = c as unknown as { metric: string; of?: string; ofMetric?: string; plus?: string[] };
      if (!mine.has(p.metric)) unknown(v, ['checks', i, 'metric'], p.metric, mine, `variant ${v.name}`);
      p.plus?.forEach((m, j) => mine.has(m) || unknown(v, ['checks', i, 'plus', j], m, mine, `variant ${v.name}`));
      if (c.name === 'compare') {
        const theirs = catalogs.get(p.of!)!;
        const name = p.ofMetric ?? p.metric;
        if (!theirs.has(name)) unknown(v, ['checks', i, p.ofMetric === undefined ? 'metric' : 'ofMetric'], name, theirs, `variant ${p.of}`);
      }
    });
    for (const field of ['show', 'chart'] as const) {
      v.metrics[field]?.forEach((name, i) => {
        if (!any.has(name)) unknown(v, ['metrics', field, i], name, any, 'a variant of this file');
      });
    }
  }
}

/**
 * The variants to run so that `names` can be judged: those plus every variant they compare with,
 * transitively, each after the ones it reads; otherwise in file order.
 */
export function withPeers(s: Scenario, names: readonly string[]): ResolvedVariant[] {
  const byName = new Map(s.variants.map((v) => [v.name, v]));
  const order: ResolvedVariant[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const v = byName.get(name)!;
    for (const p of peersOf(v)) add(p);
    order.push(v);
  };
  for (const v of s.variants) if (names.includes(v.name)) add(v.name);
  return order;
}

function parseExpect(raw: unknown, labels: string[], fail: (path: Path, expected: string) => never): Expectation {
  const known = labels.length === 0 ? 'this variant has no checks' : `its checks: ${labels.join(', ')}`;
  const listed = (key: 'fail' | 'search', list: unknown): string[] => {
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string')) fail(['expect', key], `a list of the checks that must fail (${known})`);
    (list as string[]).forEach((l, i) => {
      if (!labels.includes(l)) fail(['expect', key, i], `a check of this variant (${known}), got "${l}"`);
    });
    return list as string[];
  };
  if (raw === 'pass') return { kind: 'pass' };
  if (raw === 'fail') fail(['expect'], `the checks the story is about, e.g. expect: { fail: [${labels[0] ?? 'metric:oversold_units'}] } (${known}); any failure at all proves nothing`);
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['fail', 'search', 'caught', 'seeds'].includes(k));
    if (extra.length > 0) fail(['expect', extra[0]], 'fail: [checks], or search: [checks] with caught and seeds');
    if ('fail' in o && !('search' in o) && !('caught' in o) && !('seeds' in o)) return { kind: 'fail', checks: listed('fail', o.fail) };
    if ('search' in o && !('fail' in o)) {
      const checks = listed('search', o.search);
      const caught = o.caught;
      if (typeof caught !== 'number' || !Number.isInteger(caught) || caught < 1) fail(['expect', 'caught'], 'on how many seeds of `seeds` the search catches the failure (an integer >= 1, as measured by a sweep)');
      const m = typeof o.seeds === 'string' ? /^(\d+)\.\.(\d+)$/.exec(o.seeds) : null;
      if (m === null || Number(m[1]) > Number(m[2])) fail(['expect', 'seeds'], 'the seeds of the sweep that measured it, A..B, e.g. 1..500');
      const seeds: [number, number] = [Number(m![1]), Number(m![2])];
      if ((caught as number) > seeds[1] - seeds[0] + 1) fail(['expect', 'caught'], `at most the number of seeds in ${o.seeds as string}`);
      return { kind: 'search', checks, caught: caught as number, seeds };
    }
  }
  return fail(['expect'], 'pass, { fail: [checks that must fail] } or { search: [checks], caught: N, seeds: A..B }');
}

/** The server names of a variant: n1..nN, or the names given. */
export function serverNames(v: ResolvedVariant): string[] {
  const n = v.topology.nodes;
  return typeof n === 'number' ? Array.from({ length: n }, (_, i) => `n${i + 1}`) : n;
}

type RawVariant = Omit<ResolvedVariant, 'expect'> & { expect: unknown };

/** What a schema cannot say: registered names, node names that exist, configs of the chosen process. */
function validateSemantics(raw: RawVariant, where: (p: Path) => string, file: string, at: (p: Path) => string = () => file): ResolvedVariant {
  const v = raw as unknown as ResolvedVariant;
  const fail = (path: Path, expected: string): never => {
    throw new ScenarioError(at(path), where(path), expected);
  };
  const proc = processes[v.system.process];
  if (proc === undefined) fail(['system', 'process'], knownProcesses(v.system.process));
  const written = v.system.config ?? {};
  const cfg = proc.config.safeParse(written);
  if (!cfg.success) {
    const i = firstIssue(cfg.error, ['system', 'config'], proc.config);
    fail(i.path, i.message);
  }
  v.system.config = cfg.data as Record<string, unknown>;

  v.checks.forEach((c, idx) => {
    const entry = checks[c.name];
    if (entry === undefined) fail(['checks', idx, 'name'], `one of ${Object.keys(checks).join(', ')} (got "${c.name}")`);
    const { id, ...params } = c;
    const p = entry.params.safeParse(params);
    if (!p.success) {
      const i = firstIssue(p.error, ['checks', idx], entry.params);
      fail(i.path, i.message);
    }
    v.checks[idx] = { ...(p.data as typeof c), ...(id === undefined ? {} : { id }) };
  });
  const labels = v.checks.map(checkLabel);
  labels.forEach((l, i) => {
    if (labels.indexOf(l) !== i) fail(['checks', i], `a label of its own: checks[${labels.indexOf(l)}] is also "${l}"; give one an id`);
  });
  v.expect = parseExpect(raw.expect, labels, fail);

  const names = new Set(serverNames(v));
  if (names.size !== serverNames(v).length) fail(['topology', 'nodes'], 'distinct node names');
  const node = (path: Path, id: string, note = '') => {
    if (!names.has(id)) fail(path, `a node of the topology (${[...names].slice(0, 8).join(', ')}${names.size > 8 ? ', ...' : ''}), got "${id}"${note}`);
  };
  // Every field the process's config schema marks with nodeRef(), defaults included: a default that
  // names a node this topology lacks goes wrong as quietly as a typo.
  const refs = nodeRefsIn(proc.config, v.system.config);
  for (const r of refs) node(['system', 'config', ...r.path], r.id, has(written, r.path) ? '' : ' (the default; set it)');
  for (const [r, ids] of Object.entries(v.topology.regions ?? {})) ids.forEach((id, i) => node(['topology', 'regions', r, i], id));
  for (const id of Object.keys(v.topology.clocks ?? {})) node(['topology', 'clocks', id], id);
  for (const [i, l] of (v.network.links ?? []).entries()) {
    node(['network', 'links', i, 'from'], l.from);
    node(['network', 'links', i, 'to'], l.to);
  }
  v.nemesis?.nodes?.forEach((id, i) => node(['nemesis', 'nodes', i], id));
  v.workload.servers?.forEach((id, i) => node(['workload', 'servers', i], id));
  const t = v.workload.target;
  if (t !== 'sticky' && t !== 'random') node(['workload', 'target'], t);
  v.faults.forEach((f, i) => {
    f.partition?.forEach((g, gi) => g.forEach((id, j) => node(['faults', i, 'partition', gi, j], id)));
    f.oneWay?.from.forEach((id, j) => node(['faults', i, 'oneWay', 'from', j], id));
    f.oneWay?.to.forEach((id, j) => node(['faults', i, 'oneWay', 'to', j], id));
    f.slowLink?.from.forEach((id, j) => node(['faults', i, 'slowLink', 'from', j], id));
    f.slowLink?.to.forEach((id, j) => node(['faults', i, 'slowLink', 'to', j], id));
    // "leader" names whichever node leads when the fault strikes.
    const target = (path: Path, id: string | undefined) => id !== undefined && id !== 'leader' && node(path, id);
    target(['faults', i, 'crash'], f.crash);
    target(['faults', i, 'pause'], f.pause);
    target(['faults', i, 'isolate'], f.isolate);
    f.crashMany?.forEach((id, j) => node(['faults', i, 'crashMany', j], id));
    target(['faults', i, 'slow', 'node'], f.slow?.node);
    target(['faults', i, 'clock', 'node'], f.clock?.node);
    target(['faults', i, 'disk', 'node'], f.disk?.node);
  });
  checkClientPlacement(v, refs, fail);
  return v;
}

/** A node a client sends operations to, and why it goes there (to name the cause in an error). */
interface Landing {
  node: string;
  path: Path;
  /** Who lands there and by which rule, e.g. "client 4 there (sticky: ...)". */
  how: string;
  /** The placement follows from the default server list: naming the servers fixes it. */
  byDefault: boolean;
}

/** Where the workload's clients send operations (workload.ts: target(), script nodes, retries, final reads). */
export function clientLandings(v: ResolvedVariant): Landing[] {
  const w = v.workload;
  const servers = w.servers ?? serverNames(v);
  const listed = w.servers !== undefined;
  const of = listed ? 'workload.servers' : 'the topology';
  const at = (node: string, fallback: Path): Path => (listed ? ['workload', 'servers', servers.indexOf(node)] : fallback);
  const out: Landing[] = [];
  // Which clients pick a server themselves: all of them, or in a script those with a step without `node`.
  const picking = Array.from({ length: w.clients }, (_, i) => i).filter((i) => w.type !== 'script' || (w.script ?? []).some((s) => s.client === i + 1 && s.node === undefined));
  const t = w.target;
  if (picking.length > 0) {
    if (t === 'sticky') {
      for (const i of picking) {
        const s = servers[i % servers.length];
        out.push({ node: s, path: at(s, ['workload', 'clients']), how: `client ${i + 1} there (sticky: client i goes to server i mod ${servers.length} of ${of})`, byDefault: !listed });
      }
    } else if (t === 'random') {
      for (const s of servers) out.push({ node: s, path: at(s, ['workload', 'target']), how: `clients there (random: any server of ${of})`, byDefault: !listed });
    } else {
      out.push({ node: t, path: ['workload', 'target'], how: 'every client there (workload.target)', byDefault: false });
    }
  }
  (w.script ?? []).forEach((s, i) => {
    if (s.node !== undefined) out.push({ node: s.node, path: ['workload', 'script', i, 'node'], how: `script[${i}]'s operation there`, byDefault: false });
  });
  if (w.retries > 0) {
    // A retry goes to the next server of the list after the one that timed out.
    for (const l of [...out]) {
      const from = servers.indexOf(l.node);
      for (let k = 1; k <= Math.min(w.retries, servers.length - 1); k++) {
        const s = servers[(from + k) % servers.length];
        out.push({ node: s, path: at(s, ['workload', 'retries']), how: `retries there (a retry moves on to the next server of ${of})`, byDefault: !listed });
      }
    }
  }
  if (w.finalReads || w.finalKeyReads) {
    const field = w.finalReads ? 'finalReads' : 'finalKeyReads';
    for (const s of servers) out.push({ node: s, path: at(s, ['workload', field]), how: `final reads there (workload.${field} visits every server of ${of})`, byDefault: !listed });
  }
  return out;
}

/** No client lands on a node the process's config reserves (a ledger, a lock server, a database behind a proxy). */
function checkClientPlacement(v: ResolvedVariant, refs: FoundNodeRef[], fail: (path: Path, expected: string) => never): void {
  const reserved = refs.filter((r) => r.meta.reserved !== undefined);
  if (reserved.length === 0) return;
  const landings = clientLandings(v);
  for (const r of reserved) {
    const l = landings.find((x) => x.node === r.id);
    if (l === undefined) continue;
    const hint = l.byDefault ? `; list the nodes clients talk to in workload.servers, without ${r.id}` : '';
    fail(l.path, `no client on ${r.id}, which system.config.${formatPath(r.path)} reserves (${r.meta.reserved}), got ${l.how}${hint}`);
  }
}
