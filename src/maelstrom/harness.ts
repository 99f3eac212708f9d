/**
 * `pillars maelstrom test`: Maelstrom's test loop for any program that speaks its protocol.
 *
 * 1. Start N copies of the program, send each `init` and wait (bounded) for `init_ok`; send what the
 *    workload sets up (broadcast's topology).
 * 2. For --time-limit seconds, --concurrency clients issue the workload's operations at --rate per
 *    second in all (each waiting a random gap, Jepsen's stagger), each to a random node, through the network (latency, and the nemesis's faults on
 *    a seeded schedule: partitions of several shapes, one-way cuts, kill -9 and restart, SIGSTOP pauses, loss,
 *    duplication). Each operation goes into the history: invoke, then ok, fail (a definite error) or
 *    info (a timeout, a crash, an indefinite error), Jepsen's way.
 * 3. Heal everything, wait --recovery-ms (10 s, as Maelstrom), make the workload's final reads, stop
 *    the nodes.
 * 4. Check the history; report availability, latencies, messages per operation and the verdict. A
 *    nemesis that was asked for and never fired makes a valid verdict "unknown" (a test that injected
 *    no fault says nothing about faults), unless allowNoFaults.
 *
 * Every wait is bounded: a node that never answers init, or prints something that is not a message,
 * ends the test with a message naming the node and what it sent.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RandomStreams, type RandomStream } from '../sim/rng.js';
import { checkBinary, NodeProcess } from './node-process.js';
import { Network, type LatencyDist } from './network.js';
import { errorCodes, isDefiniteError, validateRpcBody, type Body, type Message } from './protocol.js';
import { isServiceName, makeService, serviceNames, type Service } from './services.js';
import { partitionOf, shapesFor } from './partitions.js';
import { MessageTap } from './message-tap.js';
import type { MessageSequence } from '../web/index.js';
import { testDefaults, type MaelstromNemesis } from './options.js';
import { errorCompletion, type CheckResult, type HistoryEntry, type WorkloadDefinition, type WorkloadRun } from './workload.js';

export { nemesisKinds, testDefaults, type MaelstromNemesis } from './options.js';

export interface TestOptions {
  workload: WorkloadDefinition;
  bin: string;
  args?: string[];
  nodeCount: number;
  timeLimitS: number;
  /** Operations per second, all clients together. */
  rate: number;
  concurrency: number;
  latencyMs: number;
  latencyDist: LatencyDist;
  nemesis: MaelstromNemesis[];
  /** A fault starts every this many seconds (the first at half of it) and lasts half of it. */
  nemesisIntervalS: number;
  /** Accept a valid verdict even when a requested nemesis never fired. */
  allowNoFaults?: boolean;
  topology?: string;
  seed: number;
  keyCount?: number;
  maxTxnLength?: number;
  maxWritesPerKey?: number;
  /** The models the history must satisfy (Maelstrom's default: strict-serializable). */
  consistencyModels?: readonly string[];
  /** The fraction of operations that must succeed (Maelstrom's --availability; 1 is "total"). */
  availability?: number;
  /** Where node logs go (node n0's stderr in n0.log). */
  logDir?: string;
  /** A client gives up on a request after this and records it as info. */
  requestTimeoutMs?: number;
  /** Time after the last heal before the final reads (Maelstrom waits 10 s). */
  recoveryMs?: number;
  /** Called with a line of progress now and then. */
  progress?: (line: string) => void;
  /** Maelstrom's --log-stderr, --log-net-send, --log-net-recv: what goes to `log` as it happens. */
  logStderr?: boolean;
  logNetSend?: boolean;
  logNetRecv?: boolean;
  /** Where those lines go (the command: its stderr). */
  log?: (line: string) => void;
}

export interface TestResult {
  workload: string;
  valid: boolean | 'unknown';
  check: CheckResult;
  stats: {
    operations: number;
    ok: number;
    fail: number;
    info: number;
    availability: number;
    latencyMs: { p50: number; p95: number; p99: number; max: number };
    serverMessages: number;
    clientMessages: number;
    serviceMessages: number;
    serverMessagesPerOp: number;
    clientMessagesPerOp: number;
    dropped: number;
    duplicated: number;
    faults: number;
    nodesRestarted: number;
  };
  faults: { atMs: number; what: string }[];
  /** When the workload ran, in ms since the test began (init and setup come before, the final reads after). */
  workloadMs: { start: number; end: number };
  /** What makes the verdict weaker than it looks (a requested nemesis that never fired). */
  warnings: string[];
  /** Message diagrams: the start of the test and around the first faults. */
  sequences: MessageSequence[];
  history: HistoryEntry[];
}

/** The test cannot run: a node misbehaved at start, or printed garbage. Exit 2 with this message. */
export class MaelstromTestError extends Error {
  override readonly name = 'MaelstromTestError';
}

export function isMaelstromTestError(e: unknown): e is MaelstromTestError {
  return e instanceof MaelstromTestError;
}


interface PendingRequest {
  resolve: (reply: Body) => void;
  timer: ReturnType<typeof setTimeout>;
}

export async function runTest(o: TestOptions): Promise<TestResult> {
  checkBinary(o.bin);
  const streams = new RandomStreams(o.seed);
  // Maelstrom numbers nodes from n0 and clients from c0 (c0 is the harness's own: init, setup, final reads).
  const nodes = Array.from({ length: o.nodeCount }, (_, i) => `n${i}`);
  const nodeSet = new Set(nodes);
  const clientSet = new Set(Array.from({ length: o.concurrency + 1 }, (_, i) => `c${i}`));
  const onNetwork = (id: string) => nodeSet.has(id) || clientSet.has(id) || isServiceName(id);
  const t0 = process.hrtime.bigint();
  const nowNs = () => Number(process.hrtime.bigint() - t0);
  const nowMs = () => nowNs() / 1e6;
  const requestTimeoutMs = o.requestTimeoutMs ?? testDefaults.requestTimeoutMs;
  if (o.logDir !== undefined) mkdirSync(o.logDir, { recursive: true });

  let fatal: MaelstromTestError | undefined;
  let onFatal: () => void = () => {};
  /** Resolves when the test must stop: every bounded wait races it. */
  const fatalHappened = new Promise<void>((resolve) => (onFatal = resolve));
  const fail = (message: string) => {
    if (fatal !== undefined) return;
    fatal = new MaelstromTestError(message);
    onFatal();
  };
  const procs = new Map<string, NodeProcess>();
  const services = new Map<string, Service>();
  for (const s of serviceNames) services.set(s, makeService(s, streams.stream(`service/${s}`)));
  /** Requests waiting for replies, by "requester#msg_id". */
  const pending = new Map<string, PendingRequest>();
  let msgIds = 0;

  /**
   * A node hears every message that reaches it while its process runs, whether or not it has answered
   * init yet, as in Maelstrom: a node may call a service or a peer while it handles init, and wait for
   * the reply before it answers. Init itself is written to the process first (initNode), so nothing
   * reaches a program before it knows its own id. What arrives while the process is down is lost.
   */
  const deliver = (msg: Message) => {
    if (nodeSet.has(msg.dest)) return procs.get(msg.dest)?.send(msg);
    if (isServiceName(msg.dest)) {
      const reply = services.get(msg.dest)!.handle(msg.src, msg.body);
      if (reply !== undefined) net.send({ src: msg.dest, dest: msg.src, body: reply });
      return;
    }
    // A reply to a client (or to the harness's own setup requester).
    const to = msg.body.in_reply_to;
    const p = to === undefined ? undefined : pending.get(`${msg.dest}#${to}`);
    if (p === undefined) return;
    pending.delete(`${msg.dest}#${to}`);
    clearTimeout(p.timer);
    p.resolve(msg.body);
  };
  const tap = new MessageTap({ lanes: [...nodes, ...clientSet, ...serviceNames], ...testDefaults.messageTap });
  const logLine = o.log ?? (() => {});
  const logMessage = (what: string) => (msg: Message) => logLine(`${(nowMs() / 1000).toFixed(3)} ${what} ${msg.src} -> ${msg.dest} ${JSON.stringify(msg.body)}`);
  const net = new Network({
    latencyMs: o.latencyMs,
    dist: o.latencyDist,
    random: streams.stream('network'),
    isNode: (id) => nodeSet.has(id),
    isClient: (id) => clientSet.has(id),
    deliver,
    onSend: (msg) => {
      tap.sent(msg, nowMs());
      if (o.logNetSend === true) logMessage('send')(msg);
    },
    onReceive: (msg, again) => {
      tap.outcome(msg, again ? 'duplicate' : 'deliver', nowMs());
      if (o.logNetRecv === true) logMessage('recv')(msg);
    },
    onDrop: (msg, reason) => tap.outcome(msg, 'drop', nowMs(), reason),
  });

  /** `first`: written to the node at once, ahead of anything on the wire (init, right after a start). */
  const request = (from: string, to: string, body: Body, timeoutMs: number, first = false): Promise<Body> =>
    new Promise((resolve) => {
      const id = ++msgIds;
      const timer = setTimeout(() => {
        pending.delete(`${from}#${id}`);
        resolve({ type: 'error', code: errorCodes.timeout, text: `no reply within ${timeoutMs} ms` });
      }, timeoutMs);
      pending.set(`${from}#${id}`, { resolve, timer });
      const msg = { src: from, dest: to, body: { ...body, msg_id: id } };
      if (first) net.sendNow(msg);
      else net.send(msg);
    });

  const initNode = async (id: string): Promise<void> => {
    const reply = await Promise.race([request('c0', id, { type: 'init', node_id: id, node_ids: nodes }, testDefaults.initTimeoutMs, true), fatalHappened.then(() => undefined)]);
    if (reply === undefined) return;
    if (reply.type !== 'init_ok') {
      const p = procs.get(id)!;
      const said = p.stderr();
      fail(reply.type === 'error' && reply.code === errorCodes.timeout ? `node ${id} never answered init within ${testDefaults.initTimeoutMs / 1000} s${said ? `; its stderr ends:\n${said}` : ' (and printed nothing on stderr)'}` : `node ${id} answered init with ${JSON.stringify(reply)}, expected {"type": "init_ok", "in_reply_to": ...}`);
    }
  };

  const setupNode = async (s: { node: string; body: Body; replyType: string }): Promise<void> => {
    const reply = await Promise.race([request('c0', s.node, s.body, testDefaults.setupTimeoutMs), fatalHappened.then(() => undefined)]);
    if (reply !== undefined && reply.type !== s.replyType) fail(`node ${s.node} answered ${s.body.type} with ${JSON.stringify(reply).slice(0, 300)}, expected ${s.replyType}`);
  };
  /** A node started again has lost its state: init, and what the workload told it before the test. */
  const restartNode = async (id: string): Promise<void> => {
    procs.get(id)!.start();
    nodesRestarted++;
    await initNode(id);
    for (const s of setupMessages.filter((x) => x.node === id)) await setupNode(s);
  };

  for (const id of nodes) {
    procs.set(
      id,
      new NodeProcess(id, o.bin, o.args ?? [], o.logDir === undefined ? undefined : join(o.logDir, `${id}.log`), {
        onMessage: (m) => {
          // Any src on the network will do, as in Maelstrom: a node may forward a client's request as that client.
          if (!onNetwork(m.src)) return fail(`node ${id} sent a message as "${m.src}", which is no node, client or service: ${JSON.stringify(m).slice(0, 300)}`);
          if (!onNetwork(m.dest)) return fail(`node ${id} sent a message to "${m.dest}", which is no node, client or service: ${JSON.stringify(m).slice(0, 300)}`);
          const bad = nodeSet.has(m.dest) ? undefined : validateRpcBody(m.body);
          if (bad !== undefined) return fail(`node ${id} sent ${m.dest} a message that is not a Maelstrom RPC (expected ${bad}): ${JSON.stringify(m).slice(0, 300)}`);
          net.send(m);
        },
        onStderrLine: o.logStderr === true ? (nid, line) => logLine(`${(nowMs() / 1000).toFixed(3)} ${nid} stderr: ${line}`) : undefined,
        onBadOutput: (nid, line, expected) => fail(`node ${nid} printed a line that is not a Maelstrom message (expected ${expected}): ${line.slice(0, 300)}`),
        onExit: (nid, code, signal) => {
          if (!stopping) fail(`node ${nid} exited on its own (${signal ?? `code ${code}`})${procs.get(nid)?.stderr() ? `; its stderr ends:\n${procs.get(nid)!.stderr()}` : ''}`);
        },
      }),
    );
  }

  let stopping = false;
  const history: HistoryEntry[] = [];
  const faults: { atMs: number; what: string }[] = [];
  let nodesRestarted = 0;
  const workload: WorkloadRun = o.workload.make({ nodes, random: streams.stream('workload'), topology: o.topology, keyCount: o.keyCount ?? testDefaults.keyCount, maxTxnLength: o.maxTxnLength ?? testDefaults.maxTxnLength, maxWritesPerKey: o.maxWritesPerKey ?? testDefaults.maxWritesPerKey, consistencyModels: o.consistencyModels ?? testDefaults.consistencyModels });
  const setupMessages = workload.setup?.() ?? [];
  const warnings: string[] = [];
  let workloadStartMs = 0;
  let workloadEndMs = 0;

  try {
    for (const p of procs.values()) p.start();
    await Promise.all(nodes.map((id) => initNode(id)));
    if (fatal) throw fatal;
    for (const s of setupMessages) await setupNode(s);
    if (fatal) throw fatal;
    o.progress?.(`${nodes.length} nodes up; ${o.workload.name} for ${o.timeLimitS} s at ${o.rate}/s${o.nemesis.length ? `, nemesis ${o.nemesis.join(',')} every ${o.nemesisIntervalS} s` : ''}`);

    // The nemesis: faults start at half an interval, then every interval, each undone after half an
    // interval; the kinds take turns in a seeded order, so each requested kind fires when the time
    // limit holds as many faults as kinds. Every fault starts and ends inside the workload: none
    // lands after it (a node killed then would be restarted empty just before the final reads).
    const nemesisStream = streams.stream('nemesis');
    const startAtMs = nowMs();
    workloadStartMs = startAtMs;
    const endAtMs = startAtMs + o.timeLimitS * 1000;
    const faultStartTimers: ReturnType<typeof setTimeout>[] = [];
    const fired = new Set<MaelstromNemesis>();
    /** Faults in force, each with its undo, in the order they started. */
    const active: { what: string; undo: () => void | Promise<void> }[] = [];
    const endFault = async (u: { what: string; undo: () => void | Promise<void> }) => {
      const i = active.indexOf(u);
      if (i < 0) return;
      active.splice(i, 1);
      await u.undo();
      faults.push({ atMs: Math.round(nowMs()), what: `end of ${u.what}` });
    };
    if (o.nemesis.length > 0) {
      const intervalMs = o.nemesisIntervalS * 1000;
      const turns = shuffled(nemesisStream, o.nemesis);
      for (let k = 0, at = intervalMs / 2; at + intervalMs / 2 <= o.timeLimitS * 1000; k++, at += intervalMs) {
        const kind = turns[k % turns.length];
        const draw = nemesisStream.next();
        const victims = pickVictims(nemesisStream, nodes);
        faultStartTimers.push(
          setTimeout(() => {
            if (stopping || nowMs() >= endAtMs) return;
            const u = startFault(kind, draw, victims);
            fired.add(kind);
            active.push(u);
            faults.push({ atMs: Math.round(nowMs()), what: u.what });
            tap.fault(Math.round(nowMs()), u.what);
            setTimeout(() => void endFault(u), intervalMs / 2);
          }, at),
        );
      }
    }
    function startFault(kind: MaelstromNemesis, draw: number, victims: ReturnType<typeof pickVictims>): { what: string; undo: () => void | Promise<void> } {
      switch (kind) {
        case 'partition': {
          const shapes = shapesFor(nodes.length);
          const p = partitionOf(shapes[Math.min(shapes.length - 1, Math.floor(draw * shapes.length))], victims.order);
          return { what: p.what, undo: net.cutBothWays(p.cut) };
        }
        case 'one-way':
          return { what: `one-way: ${victims.minority.join(',')} cannot reach ${victims.majority.join(',')}`, undo: net.oneWay(victims.minority, victims.majority) };
        case 'loss':
          return { what: `loss of ${Math.round(draw * 50)}% of messages between nodes`, undo: net.setLoss(draw * 0.5) };
        case 'duplicate':
          return { what: `duplication of ${Math.round(draw * 50)}% of messages between nodes`, undo: net.setDuplication(draw * 0.5) };
        case 'pause': {
          const p = procs.get(victims.one)!;
          p.pause();
          return { what: `pause ${victims.one} (SIGSTOP)`, undo: () => p.resume() };
        }
        case 'kill': {
          const p = procs.get(victims.one)!;
          void p.kill();
          return {
            what: `kill -9 ${victims.one}`,
            undo: async () => {
              if (stopping || p.running) return;
              await restartNode(victims.one);
            },
          };
        }
      }
    }

    // The clients: a closed loop each, paced so that all together make `rate` requests a second.
    // Each gap is drawn uniformly from 0 to twice the mean, as Jepsen's stagger draws them, so the
    // clients drift in and out of phase. With a fixed gap they kept the offsets their first requests
    // happened to get for the whole run: clients 100 ms apart never overlapped, and a node that is
    // only wrong under concurrent requests (txn-per-key.py) passed whole runs.
    let nextProcess = 0;
    const gapMs = (o.concurrency * 1000) / o.rate;
    const clientStream = streams.stream('clients');
    const client = async (c: number) => {
      const me = `c${c}`;
      let proc = nextProcess++;
      // Spread the clients' first requests over one gap, so they do not all start at once.
      await sleep(clientStream.next() * gapMs);
      while (nowMs() < endAtMs && fatal === undefined) {
        const started = nowMs();
        const op = workload.next(proc);
        if (op !== undefined) {
          const node = nodes[clientStream.int(nodes.length)];
          history.push({ process: proc, type: 'invoke', f: op.f, value: op.value, time: nowNs(), node });
          const reply = await request(me, node, op.body, requestTimeoutMs);
          const done = reply.type === 'error' ? errorCompletion(reply, isDefiniteError) : workload.complete(op, reply);
          // A failed or unknown operation carries what it tried (Jepsen's way): checkers bound by it.
          history.push({ process: proc, type: done.type, f: op.f, value: done.value ?? (done.type === 'ok' ? undefined : op.value), time: nowNs(), node, error: done.error });
          // Jepsen's rule: a process whose operation may still be in flight is never reused.
          if (done.type === 'info') proc = nextProcess++;
        }
        await sleep(Math.max(0, 2 * gapMs * clientStream.next() - (nowMs() - started)));
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, (_, i) => client(i + 1)));
    workloadEndMs = nowMs();
    for (const t of faultStartTimers) clearTimeout(t);
    if (fatal) throw fatal;
    warnings.push(...o.nemesis.filter((k) => !fired.has(k)).map((k) => `nemesis ${k} never fired during the ${o.timeLimitS} s workload (a fault starts at half of --nemesis-interval ${o.nemesisIntervalS} s, then every interval, and must end inside the workload)`));
    for (const w of warnings) o.progress?.(`warning: ${w}`);

    // Heal (a fault still in force ends now), recover, read once more on every node.
    for (const u of [...active]) await endFault(u);
    net.healAll();
    for (const [id, p] of procs) if (!p.running) await restartNode(id);
    if (faults.length > 0) faults.push({ atMs: Math.round(nowMs()), what: 'every fault healed' });
    await sleep(o.recoveryMs ?? testDefaults.recoveryMs);
    for (const f of workload.final?.() ?? []) {
      for (let attempt = 1; attempt <= testDefaults.finalAttemptsMax; attempt++) {
        const proc = nextProcess++;
        history.push({ process: proc, type: 'invoke', f: f.op.f, value: f.op.value, time: nowNs(), node: f.node });
        const reply = await request('c0', f.node, f.op.body, requestTimeoutMs);
        const done = reply.type === 'error' ? errorCompletion(reply, isDefiniteError) : workload.complete(f.op, reply);
        history.push({ process: proc, type: done.type, f: f.op.f, value: done.value ?? (done.type === 'ok' ? undefined : f.op.value), time: nowNs(), node: f.node, error: done.error });
        if (done.type === 'ok') break;
        await sleep(200);
      }
    }
    if (fatal) throw fatal;
  } finally {
    stopping = true;
    net.close();
    for (const p of pending.values()) clearTimeout(p.timer);
    for (const s of services.values()) s.close();
    await Promise.all([...procs.values()].map((p) => p.stop()));
  }

  tap.finish();
  const checked = workload.check(history);
  const completions = history.filter((e) => e.type !== 'invoke');
  const ok = completions.filter((e) => e.type === 'ok').length;
  const availability = completions.length === 0 ? 0 : ok / completions.length;
  let check: CheckResult = checked;
  // Maelstrom's --availability: too few operations succeeded is a failure of its own, beside the checker's.
  if (o.availability !== undefined && availability < o.availability) {
    const short = `availability ${(100 * availability).toFixed(1)}% is below the required ${(100 * o.availability).toFixed(1)}%`;
    check = { ...check, valid: false, summary: check.valid === false ? `${check.summary}; ${short}` : short, witness: [check.witness, `${completions.length - ok} of ${completions.length} operations did not succeed`].filter((x) => x !== undefined).join('\n') };
  }
  // An invalid history stays invalid; a valid one under a nemesis that never fired proved less than asked.
  if (check.valid === true && warnings.length > 0 && o.allowNoFaults !== true) check = { ...check, valid: 'unknown', summary: `${check.summary}, but ${warnings.map((w) => w.replace(/ \(.*\)$/, '')).join('; ')} (--allow-no-faults accepts it)` };
  const latencies = latencyOf(history);
  const ops = completions.length;
  return {
    workload: o.workload.name,
    valid: check.valid,
    check,
    stats: {
      operations: ops,
      ok,
      fail: completions.filter((e) => e.type === 'fail').length,
      info: completions.filter((e) => e.type === 'info').length,
      availability,
      latencyMs: latencies,
      serverMessages: net.stats.serverMessages,
      clientMessages: net.stats.clientMessages,
      serviceMessages: net.stats.serviceMessages,
      serverMessagesPerOp: ops === 0 ? 0 : net.stats.serverMessages / ops,
      clientMessagesPerOp: ops === 0 ? 0 : net.stats.clientMessages / ops,
      dropped: net.stats.dropped,
      duplicated: net.stats.duplicated,
      faults: faults.filter((f) => !f.what.startsWith('end of') && f.what !== 'every fault healed').length,
      nodesRestarted,
    },
    faults,
    workloadMs: { start: Math.round(workloadStartMs), end: Math.round(workloadEndMs) },
    warnings,
    sequences: tap.sequences,
    history,
  };
}

/** A seeded shuffle (Fisher-Yates). */
function shuffled<T>(stream: RandomStream, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = stream.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function pickVictims(stream: RandomStream, nodes: readonly string[]): { order: string[]; minority: string[]; majority: string[]; one: string } {
  const order = shuffled(stream, nodes);
  const k = Math.max(1, Math.floor(nodes.length / 2));
  return { order, minority: order.slice(0, k).sort(), majority: order.slice(k).sort(), one: order[0] };
}

/** Latency quantiles of the operations that completed ok (ms). */
function latencyOf(history: readonly HistoryEntry[]): TestResult['stats']['latencyMs'] {
  const started = new Map<number, number>();
  const ms: number[] = [];
  for (const e of history) {
    if (e.type === 'invoke') started.set(e.process, e.time);
    else if (e.type === 'ok' && started.has(e.process)) ms.push((e.time - started.get(e.process)!) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => (ms.length === 0 ? 0 : ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]);
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: ms.length === 0 ? 0 : ms[ms.length - 1] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
