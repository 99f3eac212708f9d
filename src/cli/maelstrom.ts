/**
 * `pillars maelstrom test`: run any program that speaks Maelstrom's protocol under this project's
 * network faults, workloads and checkers (src/maelstrom). Exit 0 valid, 1 invalid, 2 unknown or bad
 * input (a --bin that cannot run, a node that never answers init or prints something else).
 */
import { writeFileSync } from 'node:fs';
import { isMaelstromTestError, nemesisKinds, runTest, type MaelstromNemesis, type TestOptions, type TestResult } from '../maelstrom/harness.js';
import { isNodeBinaryError } from '../maelstrom/node-process.js';
import { topologies, workloads } from '../maelstrom/workloads/index.js';
import { processes } from '../scenario/index.js';
import { ScenarioError } from '../scenario/error.js';
import { runAsMaelstromNode } from '../maelstrom/as-node.js';
import { maelstromReportInput } from '../maelstrom/html.js';
import { storeDirFor, writeStore } from '../maelstrom/store.js';
import { writeHtmlReport } from '../web/index.js';
import { writableFile } from './io.js';
import { commandLine } from './run-store.js';

const cli = '(command line)';
export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_UNKNOWN = 2;

function positive(text: string, option: string, integer = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new ScenarioError(cli, option, `a positive ${integer ? 'integer' : 'number'} (got "${text}")`);
  return n;
}

/** --concurrency as Jepsen reads it: a number of clients, or "3n", three per node. */
function concurrencyOf(text: string, nodeCount: number): number {
  const perNode = /^(\d+)n$/.exec(text.trim());
  if (perNode !== null && Number(perNode[1]) > 0) return Number(perNode[1]) * nodeCount;
  if (/^\d+$/.test(text.trim()) && Number(text) > 0) return Number(text);
  throw new ScenarioError(cli, '--concurrency', `a positive integer, or a multiple of the node count like "2n" (got "${text}")`);
}

export interface TestFlags {
  workload: string;
  bin: string;
  nodeCount: string;
  timeLimit: string;
  rate: string;
  concurrency: string;
  latency: string;
  latencyDist: string;
  nemesis?: string;
  nemesisInterval: string;
  topology: string;
  seed: string;
  recoveryMs: string;
  allowNoFaults?: boolean;
  consistencyModels: string;
  availability?: string;
  keyCount?: string;
  logStderr?: boolean;
  logNetSend?: boolean;
  logNetRecv?: boolean;
  maxTxnLength: string;
  maxWritesPerKey: string;
  logDir?: string;
  /** The results folder's root (Maelstrom's name for it); false with --no-store. */
  store: string | false;
  /** The results folder's root, as every other command of this project names it. */
  out?: string;
  json?: string;
  history?: string;
  html?: string;
}

/**
 * Where the results folder goes: --out, as every other command that keeps one; --store, Maelstrom's
 * word for the same root; none with --no-store, which wins over either as it does for `run`. Two
 * different roots are bad input, not a guess.
 */
function storeRoot(o: Pick<TestFlags, 'store' | 'out'>): string | false {
  if (o.store === false) return false;
  if (o.out === undefined) return o.store;
  if (o.store !== 'store' && o.store !== o.out) throw new ScenarioError(cli, '--out', `one results root: --out and --store name the same folder (got --out ${o.out} --store ${o.store})`);
  return o.out;
}


export function testOptionsFromFlags(o: TestFlags, args: string[]): TestOptions {
  const workload = workloads[o.workload];
  if (workload === undefined) throw new ScenarioError(cli, '--workload', `one of ${Object.keys(workloads).join(', ')} (got "${o.workload}")`);
  if (!['constant', 'uniform', 'exponential'].includes(o.latencyDist)) throw new ScenarioError(cli, '--latency-dist', `constant, uniform or exponential (got "${o.latencyDist}")`);
  if (!(topologies as readonly string[]).includes(o.topology)) throw new ScenarioError(cli, '--topology', `one of ${topologies.join(', ')} (got "${o.topology}")`);
  // "none" is how Jepsen's commands say no faults.
  const nemesis = (o.nemesis ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'none');
  for (const n of nemesis) if (!(nemesisKinds as readonly string[]).includes(n)) throw new ScenarioError(cli, '--nemesis', `a list of ${nemesisKinds.join(', ')} (got "${n}")`);
  const nodeCount = positive(o.nodeCount, '--node-count', true);
  const latency = Number(o.latency);
  if (!Number.isFinite(latency) || latency < 0) throw new ScenarioError(cli, '--latency', `milliseconds, 0 or more (got "${o.latency}")`);
  const consistencyModels = o.consistencyModels.split(',').map((s) => s.trim()).filter((s) => s !== '');
  // A workload with one notion of valid ignores the option, as Maelstrom's do; one that checks models must know each.
  if (workload.consistencyModels !== undefined) {
    for (const m of consistencyModels) if (!workload.consistencyModels.includes(m)) throw new ScenarioError(cli, '--consistency-models', `a comma-separated list of the models ${workload.name} checks: ${workload.consistencyModels.join(', ')} (got "${m}")`);
    if (consistencyModels.length === 0) throw new ScenarioError(cli, '--consistency-models', `at least one of ${workload.consistencyModels.join(', ')}`);
  }
  let availability: number | undefined;
  if (o.availability !== undefined) {
    availability = o.availability === 'total' ? 1 : Number(o.availability);
    if (o.availability.trim() === '' || !Number.isFinite(availability) || availability < 0 || availability > 1) throw new ScenarioError(cli, '--availability', `"total" or the fraction of operations that must succeed, 0 to 1 (got "${o.availability}")`);
  }
  const recoveryMs = Number(o.recoveryMs);
  if (!Number.isFinite(recoveryMs) || recoveryMs < 0) throw new ScenarioError(cli, '--recovery-ms', `milliseconds, 0 or more (got "${o.recoveryMs}")`);
  const seed = Number(o.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ScenarioError(cli, '--seed', `a non-negative integer (got "${o.seed}")`);
  return {
    workload,
    bin: o.bin,
    args,
    nodeCount,
    timeLimitS: positive(o.timeLimit, '--time-limit'),
    rate: positive(o.rate, '--rate'),
    concurrency: concurrencyOf(o.concurrency, nodeCount),
    latencyMs: latency,
    latencyDist: o.latencyDist as TestOptions['latencyDist'],
    nemesis: nemesis as MaelstromNemesis[],
    nemesisIntervalS: positive(o.nemesisInterval, '--nemesis-interval'),
    topology: o.topology,
    seed,
    recoveryMs,
    allowNoFaults: o.allowNoFaults === true,
    consistencyModels,
    availability,
    keyCount: o.keyCount === undefined ? undefined : positive(o.keyCount, '--key-count', true),
    maxTxnLength: positive(o.maxTxnLength, '--max-txn-length', true),
    logStderr: o.logStderr === true,
    logNetSend: o.logNetSend === true,
    logNetRecv: o.logNetRecv === true,
    maxWritesPerKey: positive(o.maxWritesPerKey, '--max-writes-per-key', true),
    logDir: o.logDir,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

export function formatResult(o: TestOptions, r: TestResult): string {
  const s = r.stats;
  const lines = [
    `${r.workload} on ${o.bin}: ${o.nodeCount} nodes, ${o.timeLimitS} s, ${o.rate} ops/s from ${o.concurrency} clients, latency ${o.latencyMs} ms ${o.latencyDist}${o.nemesis.length ? `, nemesis ${o.nemesis.join(',')} every ${o.nemesisIntervalS} s` : ''}, seed ${o.seed}`,
    `  operations   ${s.operations}: ${s.ok} ok, ${s.fail} failed, ${s.info} unknown (availability ${pct(s.availability)})`,
    `  latency      p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)}`,
    `  messages     between nodes ${s.serverMessages} (${s.serverMessagesPerOp.toFixed(2)} per operation), with clients ${s.clientMessages} (${s.clientMessagesPerOp.toFixed(2)} per operation), with services ${s.serviceMessages}${s.dropped ? `, ${s.dropped} dropped` : ''}${s.duplicated ? `, ${s.duplicated} duplicated` : ''}`,
  ];
  if (r.faults.length > 0) lines.push(`  faults       ${s.faults}${s.nodesRestarted ? ` (${s.nodesRestarted} restarts)` : ''}: ${r.faults.filter((f) => !f.what.startsWith('end of')).map((f) => `${(f.atMs / 1000).toFixed(1)} s ${f.what}`).join('; ')}`);
  if (r.check.stats !== undefined) lines.push(`  checker      ${Object.entries(r.check.stats).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const w of r.warnings) lines.push(`  warning      ${w}`);
  lines.push(`  verdict      ${r.valid === true ? 'valid' : r.valid === false ? 'INVALID' : 'unknown'}: ${r.check.summary}`);
  if (r.check.witness !== undefined) lines.push(`  witness      ${r.check.witness.split('\n').join('\n               ')}`);
  return lines.join('\n');
}

/** `pillars maelstrom test`: runs the test, prints the result, writes what was asked, sets the exit code. */
export async function maelstromTest(args: string[], o: TestFlags, setExit: (code: number) => void): Promise<void> {
  const opts = testOptionsFromFlags(o, args);
  if (o.json !== undefined) writableFile(o.json, () => writeFileSync(o.json!, ''));
  if (o.history !== undefined) writableFile(o.history, () => writeFileSync(o.history!, ''));
  if (o.html !== undefined) writableFile(o.html, () => writeFileSync(o.html!, ''));
  let storeDir: string | undefined;
  const root = storeRoot(o);
  if (root !== false) {
    try {
      storeDir = storeDirFor(root, opts.workload.name, new Date());
    } catch (e) {
      throw new ScenarioError(cli, o.out !== undefined ? '--out' : '--store', `a folder this command can create and write (${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  let r: TestResult;
  try {
    r = await runTest({ ...opts, logDir: opts.logDir ?? storeDir, progress: (line) => process.stderr.write(`maelstrom: ${line}\n`), log: (line) => process.stderr.write(`${line}\n`) });
  } catch (e) {
    if (isNodeBinaryError(e)) throw new ScenarioError(cli, '--bin', e.message.replace(/^--bin /, ''));
    if (isMaelstromTestError(e)) {
      process.stderr.write(`pillars: ${e.message}\n`);
      return setExit(EXIT_UNKNOWN);
    }
    throw e;
  }
  process.stdout.write(formatResult(opts, r) + '\n');
  if (o.json !== undefined) writeFileSync(o.json, JSON.stringify({ ...r, history: undefined }, null, 2) + '\n');
  if (o.history !== undefined) writeFileSync(o.history, r.history.map((e) => JSON.stringify(e)).join('\n') + '\n');
  if (o.html !== undefined) {
    const bytes = writeHtmlReport(o.html, maelstromReportInput(opts, r));
    process.stdout.write(`wrote ${o.html} (${Math.ceil(bytes / 1024)} KB, self-contained): open it in a browser\n`);
  }
  if (storeDir !== undefined && root !== false) {
    writeStore(storeDir, root, opts, r, commandLine());
    process.stdout.write(`results in ${storeDir} (report.html, report.json, results.json, results.edn, history.jsonl, series CSV, command.txt, node logs, latency-raw.svg, latency-quantiles.svg, rate.svg)\n`);
  }
  setExit(r.valid === true ? EXIT_VALID : r.valid === false ? EXIT_INVALID : EXIT_UNKNOWN);
}

export interface MaelstromNodeFlags {
  process: string;
  config: string;
  data?: string;
}

/** `pillars maelstrom node`: one of this project's processes as a Maelstrom node on stdin/stdout, until stdin closes. */
export async function maelstromNode(o: MaelstromNodeFlags): Promise<void> {
  const entry = processes[o.process];
  if (entry === undefined) throw new ScenarioError(cli, '--process', `one of ${Object.keys(processes).join(', ')} (got "${o.process}")`);
  let raw: unknown;
  try {
    raw = JSON.parse(o.config);
  } catch {
    throw new ScenarioError(cli, '--config', `a JSON object (got "${o.config}")`);
  }
  const parsed = entry.config.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(cli, '--config', parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; '));
  await runAsMaelstromNode({ factory: entry.factory, config: parsed.data, dataDir: o.data });
  // stdin closed: the test is over (the process's timers would keep it alive).
  process.exit(0);
}
