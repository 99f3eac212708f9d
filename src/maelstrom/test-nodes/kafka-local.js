#!/usr/bin/env node
// A WRONG Maelstrom node for the kafka workload: each node keeps its own logs in memory and assigns
// offsets itself. Two nodes give the same offset to different messages (inconsistent offsets), and a
// poll at one node never returns what another node accepted (lost writes).
import { createInterface } from 'node:readline';
let id;
let next = 0;
const logs = new Map();
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const { src, body } = JSON.parse(line);
  const reply = (b) => send(src, { in_reply_to: body.msg_id, ...b });
  switch (body.type) {
    case 'init': id = body.node_id; return reply({ type: 'init_ok' });
    case 'send': { const log = logs.get(body.key) ?? []; logs.set(body.key, log); log.push(body.msg); return reply({ type: 'send_ok', offset: log.length - 1 }); }
    case 'poll': { const msgs = {}; for (const [k, from] of Object.entries(body.offsets)) msgs[k] = (logs.get(k) ?? []).slice(from).map((m, i) => [from + i, m]); return reply({ type: 'poll_ok', msgs }); }
    case 'commit_offsets': return reply({ type: 'commit_offsets_ok' });
    case 'list_committed_offsets': return reply({ type: 'list_committed_offsets_ok', offsets: {} });
  }
});
