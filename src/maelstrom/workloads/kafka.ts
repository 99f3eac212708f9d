/**
 * kafka: replicated logs, as in Maelstrom's kafka workload (the "Gossip Glomers" challenge 5).
 * Clients send messages to keys (send -> send_ok with the offset given), poll from the offsets they
 * have reached (poll -> poll_ok with [offset, msg] pairs per key), commit what they consumed
 * (commit_offsets) and ask what is committed (list_committed_offsets).
 *
 * The checker looks for what Maelstrom's does:
 * - inconsistent offsets: two different messages at one key and offset (a send_ok and a poll, or two
 *   polls, disagree), or one message at two offsets;
 * - lost writes: an acknowledged send that a poll skipped (the poll returned offsets on both sides of
 *   it but not it), or that the final polls, made after every fault healed, never return;
 * - nonmonotonic: a poll whose offsets do not increase, or a process whose sends to one key get
 *   offsets that go backwards;
 * - G1a (aborted read): a poll returned a message whose send definitely failed;
 * - G1c-realtime (a future read): a poll returned a message whose send was invoked only after the
 *   poll had completed. Every operation here is a one-operation transaction, so a cycle of
 *   write-read and real-time (or process) edges, which Jepsen's kafka checker reports as G1c,
 *   always holds such a pair: the rest of a cycle's edges only move forward in time.
 *
 * Maelstrom's kafka workload takes no --consistency-models: its checker (Jepsen's) fails a test on
 * any of these error types, and allows only G0 (writes are never isolated) and skipped offsets
 * inside one send. So does this one.
 */
import type { CheckResult, HistoryEntry, WorkloadDefinition, WorkloadOptions, WorkloadRun } from '../workload.js';

/** Keys the clients send to. */
const kafkaKeys = 4;
/** Polls of every key from offset 0 after the faults heal, at one node, at most this many rounds. */
const finalPollRounds = 20;

type PollMsgs = Record<string, [number, unknown][]>;

function kafka(o: WorkloadOptions): WorkloadRun {
  const keys = Array.from({ length: kafkaKeys }, (_, i) => `k${i}`);
  let nextMsg = 1;
  /** Per client process: the next offset to poll from, per key, and what it consumed. */
  const position = new Map<number, Record<string, number>>();
  const positionOf = (p: number) => {
    let pos = position.get(p);
    if (pos === undefined) position.set(p, (pos = Object.fromEntries(keys.map((k) => [k, 0]))));
    return pos;
  };
  return {
    next(process) {
      const dice = o.random.next();
      const key = keys[Math.floor(o.random.next() * keys.length)];
      if (dice < 0.5) {
        const msg = nextMsg++;
        return { f: 'send', body: { type: 'send', key, msg }, value: { key, msg } };
      }
      const pos = positionOf(process);
      if (dice < 0.8) return { f: 'poll', body: { type: 'poll', offsets: { ...pos } }, value: { from: { ...pos }, process } };
      if (dice < 0.9) return { f: 'commit_offsets', body: { type: 'commit_offsets', offsets: { ...pos } }, value: { offsets: { ...pos } } };
      return { f: 'list_committed_offsets', body: { type: 'list_committed_offsets', keys }, value: { keys } };
    },
    complete(op, reply) {
      const v = op.value as Record<string, unknown>;
      switch (op.f) {
        case 'send':
          if (reply.type === 'send_ok' && Number.isInteger(reply.offset)) return { type: 'ok', value: { ...v, offset: reply.offset } };
          break;
        case 'poll':
        case 'final-poll': {
          if (reply.type !== 'poll_ok' || typeof reply.msgs !== 'object' || reply.msgs === null) break;
          const msgs = reply.msgs as PollMsgs;
          // The client goes on from what it got (a final poll belongs to no client).
          if (op.f === 'poll') advancePositions(positionOf(v.process as number), msgs);
          return { type: 'ok', value: { ...v, msgs } };
        }
        case 'commit_offsets':
          if (reply.type === 'commit_offsets_ok') return { type: 'ok', value: v };
          break;
        case 'list_committed_offsets':
          if (reply.type === 'list_committed_offsets_ok' && typeof reply.offsets === 'object') return { type: 'ok', value: { ...v, offsets: reply.offsets } };
          break;
      }
      return { type: 'fail', error: `expected ${op.f === 'final-poll' ? 'poll' : op.f}_ok, got ${JSON.stringify(reply).slice(0, 200)}` };
    },
    final() {
      // Every key from the start, at the first node, a few rounds so a node that pages can page.
      return Array.from({ length: finalPollRounds }, (_, round) => ({ node: o.nodes[round % o.nodes.length], op: { f: 'final-poll', body: { type: 'poll', offsets: Object.fromEntries(keys.map((k) => [k, 0])) }, value: { from: Object.fromEntries(keys.map((k) => [k, 0])), round } } }));
    },
    check: (history) => checkKafka(history, keys),
  };
}

const fmtMs = (ns: number | undefined) => (ns === undefined ? '?' : `${(ns / 1e6).toFixed(1)} ms`);

/** A client polls on from just after the last offset a poll gave it. */
function advancePositions(position: Record<string, number>, msgs: PollMsgs): void {
  for (const [k, got] of Object.entries(msgs)) if (Array.isArray(got) && got.length > 0) position[k] = Math.max(position[k] ?? 0, got[got.length - 1][0] + 1);
}

function checkKafka(history: readonly HistoryEntry[], keys: readonly string[]): CheckResult {
  const problems: { kind: string; text: string }[] = [];
  const add = (kind: string, text: string) => problems.push({ kind, text });
  /** key -> offset -> msg, from every observation. */
  const atOffset = new Map<string, Map<number, unknown>>(keys.map((k) => [k, new Map()]));
  /** key -> msg -> offset. */
  const offsetOf = new Map<string, Map<string, number>>(keys.map((k) => [k, new Map()]));
  const observe = (key: string, offset: number, msg: unknown, where: string) => {
    const byOffset = atOffset.get(key) ?? new Map();
    atOffset.set(key, byOffset);
    const known = byOffset.get(offset);
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(msg)) add('inconsistent-offsets', `${key} offset ${offset} holds ${JSON.stringify(known)} and ${JSON.stringify(msg)} (${where})`);
    else byOffset.set(offset, msg);
    const byMsg = offsetOf.get(key) ?? new Map();
    offsetOf.set(key, byMsg);
    const m = JSON.stringify(msg);
    const at = byMsg.get(m);
    if (at !== undefined && at !== offset) add('inconsistent-offsets', `${key} message ${m} is at offset ${at} and at ${offset} (${where})`);
    else byMsg.set(m, offset);
  };
  const acked: { key: string; msg: unknown; offset: number; process: number }[] = [];
  const lastSendOffset = new Map<string, number>();
  const polls: { key: string; from: number; got: [number, unknown][]; process: number; final: boolean }[] = [];
  /** Every message a client sent: when its send was invoked, and whether it definitely failed. */
  const sends = new Map<string, { invokedNs: number; process: number; failed: boolean }>();
  const invoked = new Map<number, HistoryEntry>();
  for (const e of history) {
    if (e.type === 'invoke') invoked.set(e.process, e);
    if (e.f !== 'send' || e.type === 'invoke') continue;
    const inv = invoked.get(e.process);
    const msg = (inv?.value as { msg?: unknown } | undefined)?.msg;
    if (inv !== undefined) sends.set(JSON.stringify(msg), { invokedNs: inv.time, process: e.process, failed: e.type === 'fail' });
  }
  const started = new Map<number, number>();
  for (const e of history) {
    if (e.type === 'invoke') started.set(e.process, e.time);
    if (e.type !== 'ok') continue;
    const v = e.value as Record<string, unknown>;
    if (e.f === 'send') {
      const key = v.key as string;
      const offset = v.offset as number;
      observe(key, offset, v.msg, `send_ok to process ${e.process}`);
      acked.push({ key, msg: v.msg, offset, process: e.process });
      const pk = `${e.process}/${key}`;
      const before = lastSendOffset.get(pk);
      if (before !== undefined && offset <= before) add('nonmonotonic-send', `process ${e.process}'s sends to ${key} got offset ${before}, then ${offset}`);
      lastSendOffset.set(pk, offset);
    } else if (e.f === 'poll' || e.f === 'final-poll') {
      const from = v.from as Record<string, number>;
      for (const [key, got] of Object.entries(v.msgs as PollMsgs)) {
        if (!Array.isArray(got)) continue;
        for (let i = 0; i < got.length; i++) {
          const [offset, msg] = got[i];
          observe(key, offset, msg, `poll by process ${e.process}`);
          const sent = sends.get(JSON.stringify(msg));
          if (sent?.failed) add('G1a', `a poll by process ${e.process} returned ${key} offset ${offset}, message ${JSON.stringify(msg)}, whose send to process ${sent.process} failed`);
          else if (sent !== undefined && sent.invokedNs > e.time) add('G1c-realtime', `a poll by process ${e.process} (${fmtMs(started.get(e.process))} to ${fmtMs(e.time)}) returned ${key} offset ${offset}, message ${JSON.stringify(msg)}, whose send was invoked only at ${fmtMs(sent.invokedNs)}`);
          if (offset < (from[key] ?? 0)) add('nonmonotonic-poll', `a poll of ${key} from offset ${from[key]} returned offset ${offset}`);
          if (i > 0 && offset <= got[i - 1][0]) add('nonmonotonic-poll', `a poll of ${key} returned offset ${got[i - 1][0]} before ${offset}`);
        }
        polls.push({ key, from: from[key] ?? 0, got, process: e.process, final: e.f === 'final-poll' });
      }
    }
  }
  // Lost writes: an acknowledged message a poll stepped over, or the final polls never returned.
  const lostSeen = new Set<string>();
  for (const p of polls) {
    if (p.got.length === 0) continue;
    const lo = p.from;
    const hi = p.got[p.got.length - 1][0];
    const returned = new Set(p.got.map(([off]) => off));
    for (const a of acked) {
      if (a.key !== p.key || a.offset < lo || a.offset > hi || returned.has(a.offset)) continue;
      const id = `${a.key}/${a.offset}`;
      if (lostSeen.has(id)) continue;
      lostSeen.add(id);
      add('lost-write', `${a.key} offset ${a.offset} (message ${JSON.stringify(a.msg)}, acknowledged to process ${a.process}) was skipped by a poll from ${lo} that returned up to ${hi}`);
    }
  }
  const finals = polls.filter((p) => p.final);
  if (finals.length > 0) {
    const finallySeen = new Map<string, Set<number>>();
    for (const p of finals) for (const [off] of p.got) (finallySeen.get(p.key) ?? finallySeen.set(p.key, new Set()).get(p.key)!).add(off);
    for (const a of acked) {
      const id = `${a.key}/${a.offset}`;
      if (lostSeen.has(id) || finallySeen.get(a.key)?.has(a.offset)) continue;
      lostSeen.add(id);
      add('lost-write', `${a.key} offset ${a.offset} (message ${JSON.stringify(a.msg)}, acknowledged to process ${a.process}) is not returned by the final polls from offset 0`);
    }
  }
  const counts: Record<string, number> = { acknowledgedSends: acked.length, polls: polls.length };
  for (const p of problems) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  if (problems.length > 0) {
    const kinds = [...new Set(problems.map((p) => p.kind))];
    return { valid: false, summary: kinds.map((k) => `${counts[k]} ${k}`).join(', '), witness: problems.slice(0, 5).map((p) => `${p.kind}: ${p.text}`).join('\n'), stats: counts };
  }
  if (acked.length === 0) return { valid: 'unknown', summary: 'no send was acknowledged', stats: counts };
  if (finals.length === 0) return { valid: 'unknown', summary: 'no final poll was answered', stats: counts };
  return { valid: true, summary: `${acked.length} acknowledged sends, every one at one offset, none skipped`, stats: counts };
}

export const kafkaWorkload: WorkloadDefinition = {
  name: 'kafka',
  description: 'send, poll, commit_offsets, list_committed_offsets on replicated logs; no lost, inconsistent or reordered offsets',
  services: ['lin-kv', 'seq-kv'],
  make: kafka,
};
