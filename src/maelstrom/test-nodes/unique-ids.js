#!/usr/bin/env node
// A Maelstrom node for the unique-ids workload. Correct: an id is this node's id, this process's
// incarnation (start time and pid, so a node killed and restarted does not hand out its old ids
// again when its counter starts over) and a counter: "n0-<incarnation>-7". Needs no messages between
// nodes, so it stays available and unique under partitions.
import { createInterface } from 'node:readline';

let id;
let next = 0;
let counter = 0;
const incarnation = `${Date.now().toString(36)}.${process.pid.toString(36)}`;
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const { src, body } = JSON.parse(line);
    if (body.type === 'init') {
      id = body.node_id;
      send(src, { type: 'init_ok', in_reply_to: body.msg_id });
    } else if (body.type === 'generate') {
      send(src, { type: 'generate_ok', in_reply_to: body.msg_id, id: `${id}-${incarnation}-${++counter}` });
    }
  })
  .on('close', () => process.exit(0));
