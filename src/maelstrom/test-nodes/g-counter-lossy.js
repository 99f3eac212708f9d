#!/usr/bin/env node
// A WRONG Maelstrom node for the g-counter workload.
// What it does: keeps a running total; an add is counted locally, acknowledged, and its delta sent
// once to every other node, which adds it to its own total; reads return the local total.
// What is wrong: deltas are sent once, with no acknowledgement, no retry and no state to merge.
// A delta sent while a partition (or loss) cuts the link is lost for good, so after the faults heal
// the nodes disagree and at least one reads less than the acknowledged sum. (Duplication would count
// a delta twice, too.)
import { createInterface } from 'node:readline';

let id;
let others = [];
let next = 0;
let total = 0;
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');

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
        total += body.delta;
        send(src, { type: 'add_ok', in_reply_to: body.msg_id });
        for (const n of others) send(n, { type: 'delta', delta: body.delta });
        return;
      case 'delta':
        total += body.delta;
        return;
      case 'read':
        return send(src, { type: 'read_ok', in_reply_to: body.msg_id, value: total });
    }
  })
  .on('close', () => process.exit(0));
