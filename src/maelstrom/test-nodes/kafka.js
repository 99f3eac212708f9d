#!/usr/bin/env node
// A correct Maelstrom node for the kafka workload: every log lives in the lin-kv service (one
// linearizable key per log, updated by compare-and-set), so any node can serve any request and
// offsets are assigned once. Committed offsets live in lin-kv too.
import { createInterface } from 'node:readline';
let id;
let next = 0;
const waiting = new Map();
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');
const call = (dest, body) => new Promise((resolve) => { const m = ++next; waiting.set(m, resolve); process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: m, ...body } }) + '\n'); });
const read = async (key) => { const r = await call('lin-kv', { type: 'read', key }); return r.type === 'read_ok' ? r.value : null; };
async function append(key, msg) {
  for (;;) {
    const log = (await read(`log:${key}`)) ?? [];
    const next = [...log, msg];
    const r = await call('lin-kv', { type: 'cas', key: `log:${key}`, from: log, to: next, create_if_not_exists: true });
    if (r.type === 'cas_ok') return log.length;
  }
}
async function handle(src, body) {
  const reply = (b) => send(src, { in_reply_to: body.msg_id, ...b });
  switch (body.type) {
    case 'init': id = body.node_id; return reply({ type: 'init_ok' });
    case 'send': return reply({ type: 'send_ok', offset: await append(body.key, body.msg) });
    case 'poll': {
      const msgs = {};
      for (const [k, from] of Object.entries(body.offsets)) { const log = (await read(`log:${k}`)) ?? []; msgs[k] = log.slice(from, from + 50).map((m, i) => [from + i, m]); }
      return reply({ type: 'poll_ok', msgs });
    }
    case 'commit_offsets':
      for (const [k, off] of Object.entries(body.offsets)) {
        for (;;) { const cur = await read(`committed:${k}`); if (cur !== null && cur >= off) break; const r = await call('lin-kv', { type: 'cas', key: `committed:${k}`, from: cur, to: off, create_if_not_exists: true }); if (r.type === 'cas_ok') break; }
      }
      return reply({ type: 'commit_offsets_ok' });
    case 'list_committed_offsets': {
      const offsets = {};
      for (const k of body.keys) { const v = await read(`committed:${k}`); if (v !== null) offsets[k] = v; }
      return reply({ type: 'list_committed_offsets_ok', offsets });
    }
  }
}
createInterface({ input: process.stdin }).on('line', (line) => {
  const { src, body } = JSON.parse(line);
  if (body.in_reply_to !== undefined && waiting.has(body.in_reply_to)) { const r = waiting.get(body.in_reply_to); waiting.delete(body.in_reply_to); return r(body); }
  void handle(src, body);
});
