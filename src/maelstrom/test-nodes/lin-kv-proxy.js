#!/usr/bin/env node
// A Maelstrom node for the lin-kv workload. Correct: a stateless proxy. Every read, write and cas
// from a client is forwarded to the lin-kv service under a msg_id of this node's, and the service's
// answer is relayed to the client as the reply to its request: read_ok / write_ok / cas_ok, or the
// service's error with its code (20 key does not exist, 22 precondition failed) and text. The
// service is linearizable and partitions between nodes do not cut it, so neither do they cut this.
//
// With --error-after-write CODE, every third write is applied and then answered with error CODE, as
// a node does whose reply path fails after the fact. A custom code (1000 and above) is indefinite in
// Maelstrom's protocol, so the write may have happened and the history stays linearizable: correct.
// A definite code (11, temporarily unavailable) claims the write did not happen: WRONG, a later read
// sees a value whose write "failed".
import { createInterface } from 'node:readline';

const flag = process.argv.indexOf('--error-after-write');
const errorAfterWrite = flag < 0 ? undefined : Number(process.argv[flag + 1]);
let writes = 0;
let id;
let next = 0;
const forwarded = new Map(); // our msg_id -> { client, msgId, failAfterApply }
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
      if (to.failAfterApply && reply.type === 'write_ok') return void send(to.client, { type: 'error', in_reply_to: to.msgId, code: errorAfterWrite, text: 'applied, then failed to answer' });
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
        const failAfterApply = errorAfterWrite !== undefined && body.type === 'write' && ++writes % 3 === 0;
        forwarded.set(send('lin-kv', request), { client: src, msgId: msg_id, failAfterApply });
        return;
      }
      default:
        return void send(src, { type: 'error', in_reply_to: body.msg_id, code: 10, text: `no ${body.type} here` });
    }
  })
  .on('close', () => process.exit(0));
