/**
 * A Maelstrom test's result as the project's HTML report (src/web): the verdict and the checker's
 * witness, the numbers, charts of operations (ok, failed, unknown) and latency over the test's real
 * time, and the faults on the timeline. There is no traceHash: a real-time test does not replay.
 */
import { basename } from 'node:path';
import type { FaultEvent, HtmlReportInput } from '../web/index.js';
import { REPORT_SCHEMA_VERSION } from '../scenario/index.js';
import type { TestOptions, TestResult } from './harness.js';

/** Points per chart. */
const samplePoints = 120;

/** Each fault with the time it was undone, from the harness's "end of ..." entries. */
export function faultEvents(log: TestResult['faults']): FaultEvent[] {
  const faults: FaultEvent[] = [];
  for (const f of log) {
    if (f.what.startsWith('end of ')) {
      const open = [...faults].reverse().find((x) => x.detail === f.what.slice('end of '.length) && x.untilMs === undefined);
      if (open !== undefined) open.untilMs = f.atMs;
      continue;
    }
    faults.push({ atMs: f.atMs, kind: f.what === 'every fault healed' ? 'heal' : f.what.startsWith('majorities ring') ? 'partition' : f.what.split(' ')[0].replace(':', ''), detail: f.what });
  }
  return faults;
}

export function maelstromReportInput(o: TestOptions, r: TestResult): HtmlReportInput {
  const endMs = Math.max(1, ...r.history.map((e) => e.time / 1e6));
  const stepMs = endMs / samplePoints;
  // Sample times to the microsecond: the report and its CSV read as times, not as float noise.
  const at = (i: number) => Math.round(i * stepMs * 1000) / 1000;
  const counts = { ok: new Array<number>(samplePoints + 1).fill(0), fail: new Array<number>(samplePoints + 1).fill(0), info: new Array<number>(samplePoints + 1).fill(0) };
  const latency: number[][] = Array.from({ length: samplePoints + 1 }, () => []);
  const started = new Map<number, number>();
  for (const e of r.history) {
    if (e.type === 'invoke') {
      started.set(e.process, e.time);
      continue;
    }
    const i = Math.min(samplePoints, Math.ceil(e.time / 1e6 / stepMs));
    counts[e.type][i]++;
    const t0 = started.get(e.process);
    if (e.type === 'ok' && t0 !== undefined) latency[i].push((e.time - t0) / 1e6);
  }
  const cumulative = (xs: number[]): [number, number][] => {
    let sum = 0;
    return xs.map((x, i) => [at(i), (sum += x)]);
  };
  const p99: [number, number][] = [];
  latency.forEach((xs, i) => {
    if (xs.length === 0) return;
    xs.sort((a, b) => a - b);
    p99.push([at(i), xs[Math.min(xs.length - 1, Math.ceil(0.99 * xs.length) - 1)]]);
  });
  const s = r.stats;
  const metrics: Record<string, number> = {
    operations: s.operations,
    ops_ok: s.ok,
    ops_fail: s.fail,
    ops_info: s.info,
    availability: s.availability,
    latency_ms_p50: s.latencyMs.p50,
    latency_ms_p95: s.latencyMs.p95,
    latency_ms_p99: s.latencyMs.p99,
    latency_ms_max: s.latencyMs.max,
    server_messages: s.serverMessages,
    server_messages_per_op: s.serverMessagesPerOp,
    client_messages_per_op: s.clientMessagesPerOp,
    service_messages: s.serviceMessages,
    dropped: s.dropped,
    duplicated: s.duplicated,
    faults: s.faults,
    nodes_restarted: s.nodesRestarted,
    ...Object.fromEntries(Object.entries(r.check.stats ?? {}).map(([k, v]) => [`checker_${k}`, v])),
  };
  const faults = faultEvents(r.faults);
  return {
    title: `maelstrom ${r.workload}: ${basename(o.bin)}`,
    description: `${o.nodeCount} nodes, ${o.timeLimitS} s at ${o.rate} operations/s from ${o.concurrency} clients, latency ${o.latencyMs} ms ${o.latencyDist}${o.nemesis.length ? `, nemesis ${o.nemesis.join(', ')} every ${o.nemesisIntervalS} s` : ''}, seed ${o.seed}. ${r.check.summary}.`,
    variants: [
      {
        schemaVersion: REPORT_SCHEMA_VERSION,
        scenario: `maelstrom-${r.workload}`,
        variant: basename(o.bin),
        seed: o.seed,
        expect: 'pass',
        met: r.valid === true,
        virtualMs: Math.round(endMs),
        events: s.operations,
        traceHash: '(real time)',
        checks: [{ name: r.workload, ok: r.valid === true, unknown: r.valid === 'unknown' ? true : undefined, detail: r.check.witness === undefined ? r.check.summary : `${r.check.summary}: ${r.check.witness}` }],
        metrics,
        series: { ops_ok: cumulative(counts.ok), ops_fail: cumulative(counts.fail), ops_info: cumulative(counts.info), latency_ms_p99_interval: p99 },
      },
    ],
    faults,
    sequences: r.sequences,
    counters: ['ops_ok', 'ops_fail', 'ops_info'],
    generatedBy: `pillars maelstrom test -w ${r.workload} --bin ${o.bin}`,
    realTime: true,
  };
}
