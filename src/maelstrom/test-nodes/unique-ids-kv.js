#!/usr/bin/env node
// A Maelstrom node for the unique-ids workload that calls the lin-kv service while it handles init,
// before it answers: it takes the next number of a shared "incarnations" counter (read, then cas, again
// until the cas wins) and answers init_ok only then. An id is that incarnation and a counter, "4-17":
// every start of every node, restarts after kill -9 included, holds its own incarnation, so no id is
// handed out twice. Correct, provided the service's replies reach a node that has not answered init.
// A request that arrives before the incarnation is known (after a restart, clients do not wait for
// init_ok) waits for it.
//
// With --read-then-write it is subtly wrong: it writes current + 1 instead of a cas from current, so
// nodes that start together all read the same number and take the same incarnation, and hand out
// the same ids.
import { createInterface } from 'node:readline';

let id;
let next = 0;
let counter = 0;
let incarnation;
const readThenWrite = process.argv.includes('--read-then-write');
const beforeIncarnation = []; // requests that came before init was done: answered once it is
const waiting = new Map(); // our msg_id -> what to do with the service's reply
const send = (dest, body) => {
  const msgId = ++next;
  process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: msgId, ...body } }) + '\n');
  return msgId;
};
const call = (body, then) => waiting.set(send('lin-kv', body), then);

function takeIncarnation(done) {
  call({ type: 'read', key: 'incarnations' }, (r) => {
    const current = r.type === 'read_ok' ? r.value : 0;
    if (readThenWrite) return call({ type: 'write', key: 'incarnations', value: current + 1 }, () => done(current + 1));
    call({ type: 'cas', key: 'incarnations', from: current, to: current + 1, create_if_not_exists: true }, (c) => {
      if (c.type === 'cas_ok') done(current + 1);
      else takeIncarnation(done);
    });
  });
}

const generate = ({ src, body }) => send(src, { type: 'generate_ok', in_reply_to: body.msg_id, id: `${incarnation}-${++counter}` });

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const { src, body } = JSON.parse(line);
    if (waiting.has(body.in_reply_to)) {
      const then = waiting.get(body.in_reply_to);
      waiting.delete(body.in_reply_to);
      return then(body);
    }
    if (body.type === 'init') {
      id = body.node_id;
      takeIncarnation((n) => {
        incarnation = n;
        send(src, { type: 'init_ok', in_reply_to: body.msg_id });
        for (const request of beforeIncarnation.splice(0)) generate(request);
      });
    } else if (body.type === 'generate') {
      if (incarnation === undefined) beforeIncarnation.push({ src, body });
      else generate({ src, body });
    }
  })
  .on('close', () => process.exit(0));
