#!/usr/bin/env node
// A Maelstrom node for the echo workload, in plain JavaScript: the smallest correct node.
import { createInterface } from 'node:readline';
let id;
let next = 0;
const send = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body: { msg_id: ++next, ...body } }) + '\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const { src, body } = JSON.parse(line);
  if (body.type === 'init') {
    id = body.node_id;
    process.stderr.write(`echo.js: ${id} is up\n`);
    send(src, { type: 'init_ok', in_reply_to: body.msg_id });
  } else if (body.type === 'echo') send(src, { type: 'echo_ok', in_reply_to: body.msg_id, echo: body.echo });
});
