/**
 * Parsing and validating scenario files. Every mistake becomes one ScenarioError naming the file, the
 * path of the field and what was expected; nothing here reads the disk (the CLI does).
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checks } from './checks.js';
import { processes } from './processes.js';
import { fileSchema, resolvedSchema, type ResolvedVariant } from './schema.js';

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${file}: ${path === '' ? '(top level)' : path}: ${expected}`);
    this.name = 'ScenarioError';
  }
}

export function isScenarioError(e: unknown): e is ScenarioError {
  return e instanceof ScenarioError;
}

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

/** The first issue of a failed zod parse as (path, expectation). */
function firstIssue(error: z.ZodError, prefix: Path = []): { path: Path; message: string } {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue.path as (string | number)[])];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return { path: [...path, keys[0]], message: `unknown field "${keys[0]}"${more}` };
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

export function parseScenario(text: string, file: string): Scenario {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
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
    const i = firstIssue(top.error);
    throw new ScenarioError(file, formatPath(i.path), i.message);
  }
  const { variants: variantOverrides, ...base } = raw;
  const overrides = (variantOverrides as Record<string, Record<string, unknown>> | undefined) ?? { default: {} };
  if (Object.keys(overrides).length === 0) throw new ScenarioError(file, 'variants', 'at least one variant, e.g. naive: { expect: fail } and fixed: { expect: pass }');

  const variants: ResolvedVariant[] = [];
  for (const [vname, override] of Object.entries(overrides)) {
    if (!isObject(override)) throw new ScenarioError(file, `variants.${vname}`, 'a mapping of overrides');
    const merged = deepMerge(base, { ...override, name: vname }) as Record<string, unknown>;
    merged.name = vname;
    if (merged.seed === undefined) merged.seed = 1;
    // Name a field by where it was written: in the variant's overrides, or in the base.
    const where = (path: Path): string => (has(override, path) ? formatPath(['variants', vname, ...path]) : formatPath(path));
    const parsed = resolvedSchema.safeParse(merged);
    if (!parsed.success) {
      const i = firstIssue(parsed.error);
      throw new ScenarioError(file, where(i.path), i.message);
    }
    variants.push(validateSemantics(parsed.data, where, file));
  }
  return { file, name: raw.name as string, description: raw.description as string | undefined, variants };
}

/** The server names of a variant: n1..nN, or the names given. */
export function serverNames(v: ResolvedVariant): string[] {
  const n = v.topology.nodes;
  return typeof n === 'number' ? Array.from({ length: n }, (_, i) => `n${i + 1}`) : n;
}

/** What a schema cannot say: registered names, node names that exist, configs of the chosen process. */
function validateSemantics(v: ResolvedVariant, where: (p: Path) => string, file: string): ResolvedVariant {
  const fail = (path: Path, expected: string): never => {
    throw new ScenarioError(file, where(path), expected);
  };
  const proc = processes[v.system.process];
  if (proc === undefined) fail(['system', 'process'], `one of ${Object.keys(processes).join(', ')} (got "${v.system.process}")`);
  const cfg = proc.config.safeParse(v.system.config ?? {});
  if (!cfg.success) {
    const i = firstIssue(cfg.error, ['system', 'config']);
    fail(i.path, i.message);
  }
  v.system.config = cfg.data as Record<string, unknown>;

  v.checks.forEach((c, idx) => {
    const entry = checks[c.name];
    if (entry === undefined) fail(['checks', idx, 'name'], `one of ${Object.keys(checks).join(', ')} (got "${c.name}")`);
    const p = entry.params.safeParse(c);
    if (!p.success) {
      const i = firstIssue(p.error, ['checks', idx]);
      fail(i.path, i.message);
    }
    v.checks[idx] = p.data as typeof c;
  });
  if (v.expect === 'fail' && v.checks.length === 0) fail(['expect'], 'checks to fail: a variant that expects to fail needs at least one check');

  const names = new Set(serverNames(v));
  if (names.size !== serverNames(v).length) fail(['topology', 'nodes'], 'distinct node names');
  const node = (path: Path, id: string) => {
    if (!names.has(id)) fail(path, `a node of the topology (${[...names].slice(0, 8).join(', ')}${names.size > 8 ? ', ...' : ''}), got "${id}"`);
  };
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
    // "leader" names whichever node leads when the fault strikes.
    const target = (path: Path, id: string | undefined) => id !== undefined && id !== 'leader' && node(path, id);
    target(['faults', i, 'crash'], f.crash);
    target(['faults', i, 'pause'], f.pause);
    target(['faults', i, 'isolate'], f.isolate);
    f.crashMany?.forEach((id, j) => node(['faults', i, 'crashMany', j], id));
    target(['faults', i, 'slow', 'node'], f.slow?.node);
    target(['faults', i, 'clock', 'node'], f.clock?.node);
  });
  return v;
}
