#!/usr/bin/env node
// A Maelstrom node for the g-set workload. Correct, and partition-tolerant: a grow-only set CRDT.
// An add is kept, acknowledged, and pushed at once to every other node; besides, every 250 ms each
// node sends its whole set to every other node (anti-entropy), and a node receiving a set takes the
// union. What a partition or loss drops is sent again by the next round once the links work.
// (A node killed and restarted gets the set back from the others, except for elements added through
// it that it had not yet managed to share.)
import { createInterface } from 'node:readline';

const ANTI_ENTROPY_EVERY_MS = 250;
let id;
let others = [];
let next = 0;
const elements = new Set();
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');
const share = (list) => {
  for (const n of others) send(n, { type: 'replicate', elements: list });
};

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const { src, body } = JSON.parse(line);
    switch (body.type) {
      case 'init':
        id = body.node_id;
        others = body.node_ids.filter((n) => n !== id);
        return send(src, { type: 'init_ok', in_reply_to: body.msg_id });
      case 'add':
        elements.add(body.element);
        send(src, { type: 'add_ok', in_reply_to: body.msg_id });
        return share([body.element]);
      case 'replicate':
        for (const e of body.elements) elements.add(e);
        return;
      case 'read':
        return send(src, { type: 'read_ok', in_reply_to: body.msg_id, value: [...elements] });
    }
  })
  .on('close', () => process.exit(0));

setInterval(() => {
  if (id !== undefined && elements.size > 0) share([...elements]);
}, ANTI_ENTROPY_EVERY_MS);
