#!/usr/bin/env node
// A Maelstrom node for the g-counter workload. Correct, and tolerant of partitions (it never talks to
// the other nodes, only to the seq-kv service, which partitions do not cut) and of kill -9 (its state
// is in seq-kv).
//
// Each node owns one key in seq-kv, "g-counter/<node>", which only it writes: its own total. Adds are
// batched and written one write at a time (so writes cannot overtake each other on the network);
// an add is acknowledged once a write including it is acknowledged. A node restarted after a crash
// first reads its key back (seq-kv shows a caller its own writes) and only then writes again.
// A read first writes a key of its own ("g-counter-sync/<node>"): seq-kv never shows a caller a
// state older than its last write, so the reads of every node's key that follow see at least every
// add acknowledged before the read began; the answer is the sum.
import { createInterface } from 'node:readline';

let id;
let nodeIds = [];
let next = 0;
let mine = 0;
let loaded = false;
let writing = false;
let syncs = 0;
const waiting = []; // adds not yet written: { src, msgId, delta }
const callbacks = new Map(); // msg_id of a request to seq-kv -> what to do with its reply
const send = (dest, body) => {
  const msgId = ++next;
  process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: msgId, ...body } }) + '\n');
  return msgId;
};
const kv = (body) => new Promise((resolve) => callbacks.set(send('seq-kv', body), resolve));
const keyOf = (node) => `g-counter/${node}`;
const valueOf = (reply) => (reply.type === 'read_ok' ? reply.value : reply.type === 'error' && reply.code === 20 ? 0 : undefined);

async function load() {
  for (;;) {
    const v = valueOf(await kv({ type: 'read', key: keyOf(id) }));
    if (v !== undefined) {
      mine = v;
      loaded = true;
      return flush();
    }
  }
}

async function flush() {
  if (writing || !loaded || waiting.length === 0) return;
  writing = true;
  const batch = waiting.splice(0);
  const target = mine + batch.reduce((s, a) => s + a.delta, 0);
  const reply = await kv({ type: 'write', key: keyOf(id), value: target });
  writing = false;
  if (reply.type === 'write_ok') {
    mine = target;
    for (const a of batch) send(a.src, { type: 'add_ok', in_reply_to: a.msgId });
  } else waiting.unshift(...batch); // not written: try again with the next batch
  void flush();
}

async function read(src, msgId) {
  await kv({ type: 'write', key: `g-counter-sync/${id}`, value: ++syncs });
  const values = await Promise.all(nodeIds.map(async (n) => (n === id && loaded ? mine : valueOf(await kv({ type: 'read', key: keyOf(n) })))));
  if (values.some((v) => v === undefined)) return send(src, { type: 'error', in_reply_to: msgId, code: 11, text: 'seq-kv did not answer a read' });
  send(src, { type: 'read_ok', in_reply_to: msgId, value: values.reduce((a, b) => a + b, 0) });
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const { src, body } = JSON.parse(line);
    if (body.in_reply_to !== undefined && callbacks.has(body.in_reply_to)) {
      const cb = callbacks.get(body.in_reply_to);
      callbacks.delete(body.in_reply_to);
      return cb(body);
    }
    switch (body.type) {
      case 'init':
        id = body.node_id;
        nodeIds = body.node_ids;
        send(src, { type: 'init_ok', in_reply_to: body.msg_id });
        return void load();
      case 'add':
        waiting.push({ src, msgId: body.msg_id, delta: body.delta });
        return void flush();
      case 'read':
        return void read(src, body.msg_id);
    }
  })
  .on('close', () => process.exit(0));
