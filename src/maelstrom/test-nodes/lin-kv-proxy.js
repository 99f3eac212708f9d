#!/usr/bin/env node
// A Maelstrom node for the lin-kv workload. Correct: a stateless proxy. Every read, write and cas
// from a client is forwarded to the lin-kv service under a msg_id of this node's, and the service's
// answer is relayed to the client as the reply to its request: read_ok / write_ok / cas_ok, or the
// service's error with its code (20 key does not exist, 22 precondition failed) and text. The
// service is linearizable and partitions between nodes do not cut it, so neither do they cut this.
import { createInterface } from 'node:readline';

let id;
let next = 0;
const forwarded = new Map(); // our msg_id -> { client, msgId }
const send = (dest, body) => {
  const msgId = ++next;
  process.stdout.write(JSON.stringify({ src: id, dest, body: { ...body, msg_id: msgId } }) + '\n');
  return msgId;
};

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const { src, body } = JSON.parse(line);
    if (src === 'lin-kv') {
      const to = forwarded.get(body.in_reply_to);
      if (to === undefined) return;
      forwarded.delete(body.in_reply_to);
      const { msg_id: _ours, ...reply } = body;
      return void send(to.client, { ...reply, in_reply_to: to.msgId });
    }
    switch (body.type) {
      case 'init':
        id = body.node_id;
        return void send(src, { type: 'init_ok', in_reply_to: body.msg_id });
      case 'read':
      case 'write':
      case 'cas': {
        const { msg_id, ...request } = body;
        forwarded.set(send('lin-kv', request), { client: src, msgId: msg_id });
        return;
      }
      default:
        return void send(src, { type: 'error', in_reply_to: body.msg_id, code: 10, text: `no ${body.type} here` });
    }
  })
  .on('close', () => process.exit(0));
