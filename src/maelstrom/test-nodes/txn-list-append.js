#!/usr/bin/env node
// A correct Maelstrom node for txn-list-append and txn-rw-register: the whole database is one value in the lin-kv
// service; a transaction reads it, applies its micro-operations to a copy, and installs the copy
// with compare-and-set, retrying from the read when another transaction got there first. Every
// transaction takes effect at its successful cas: serializable (strictly).
//
// With --stale-read-only it is WRONG for strict serializability: a transaction that only reads is
// answered from the copy of the database this node last saw, without asking lin-kv. Each such read
// sees a state that did exist (serializable still), but maybe not the latest: a read-only transaction
// can miss an append that was acknowledged before it began (G-single-realtime and kin).
import { createInterface } from 'node:readline';
const staleReadOnly = process.argv.includes('--stale-read-only');
let lastSeen = {};
let id;
let next = 0;
const waiting = new Map();
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');
const call = (dest, body) => new Promise((resolve) => { const m = ++next; waiting.set(m, resolve); process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: m, ...body } }) + '\n'); });
const readsOf = (db, txn) => txn.map(([, k]) => ['r', k, db[k] === undefined ? null : structuredClone(db[k])]);
async function transact(txn) {
  if (staleReadOnly && txn.every(([f]) => f === 'r')) return readsOf(lastSeen, txn);
  for (;;) {
    const r = await call('lin-kv', { type: 'read', key: 'db' });
    const db = r.type === 'read_ok' ? r.value : {};
    lastSeen = db;
    const copy = structuredClone(db);
    const out = txn.map(([f, k, v]) => {
      if (f === 'r') return ['r', k, copy[k] === undefined ? null : structuredClone(copy[k])];
      if (f === 'w') copy[k] = v;
      else (copy[k] ??= []).push(v);
      return [f, k, v];
    });
    const c = await call('lin-kv', { type: 'cas', key: 'db', from: db, to: copy, create_if_not_exists: true });
    if (c.type === 'cas_ok') {
      lastSeen = copy;
      return out;
    }
  }
}
createInterface({ input: process.stdin }).on('line', async (line) => {
  const { src, body } = JSON.parse(line);
  if (body.in_reply_to !== undefined && waiting.has(body.in_reply_to)) { const r = waiting.get(body.in_reply_to); waiting.delete(body.in_reply_to); return r(body); }
  if (body.type === 'init') { id = body.node_id; return send(src, { type: 'init_ok', in_reply_to: body.msg_id }); }
  if (body.type === 'txn') send(src, { type: 'txn_ok', in_reply_to: body.msg_id, txn: await transact(body.txn) });
});
