#!/usr/bin/env node
// A WRONG Maelstrom node for the broadcast workload.
// What it does: floods. A message it has not seen before (from a client or a neighbour) is kept and
// sent once to each neighbour in the topology but the one it came from; reads return what it holds.
// What is wrong: it never retries and never asks for an acknowledgement. A message sent while a
// partition (or loss) cuts a link is gone for good: the nodes behind the cut never get it, even
// after the partition heals, and the checker finds acknowledged messages missing on those nodes.
// Without faults it is correct, which is what makes it a tempting first solution.
import { createInterface } from 'node:readline';

let id;
let next = 0;
let neighbours = [];
const messages = new Set();
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const { src, body } = JSON.parse(line);
    switch (body.type) {
      case 'init':
        id = body.node_id;
        neighbours = body.node_ids.filter((n) => n !== id);
        return send(src, { type: 'init_ok', in_reply_to: body.msg_id });
      case 'topology':
        neighbours = body.topology[id] ?? [];
        return send(src, { type: 'topology_ok', in_reply_to: body.msg_id });
      case 'broadcast':
        if (!messages.has(body.message)) {
          messages.add(body.message);
          // Fire and forget: no msg_id, so no one answers, and nothing is ever sent again.
          for (const n of neighbours) if (n !== src) process.stdout.write(JSON.stringify({ src: id, dest: n, body: { type: 'broadcast', message: body.message } }) + '\n');
        }
        if (body.msg_id !== undefined) send(src, { type: 'broadcast_ok', in_reply_to: body.msg_id });
        return;
      case 'read':
        return send(src, { type: 'read_ok', in_reply_to: body.msg_id, messages: [...messages] });
    }
  })
  .on('close', () => process.exit(0));
