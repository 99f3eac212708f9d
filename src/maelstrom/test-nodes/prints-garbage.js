#!/usr/bin/env node
// A BAD Maelstrom node, for the harness's own tests: when it gets init it prints a debugging line on
// stdout (which is the protocol's channel, not a log), then answers init_ok. The harness must stop
// the test with a message that names the node and quotes the line.
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const { src, body } = JSON.parse(line);
    if (body.type === 'init') {
      console.log('hello from a node that logs to stdout');
      process.stdout.write(JSON.stringify({ src: body.node_id, dest: src, body: { type: 'init_ok', in_reply_to: body.msg_id } }) + '\n');
    }
  })
  .on('close', () => process.exit(0));
