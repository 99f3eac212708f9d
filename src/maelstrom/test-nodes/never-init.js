#!/usr/bin/env node
// A BAD Maelstrom node, for the harness's own tests: it reads every message and never answers
// anything, init included (it says so on stderr). The harness must give up within its init timeout
// with a message naming the node, not wait forever.
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin })
  .on('line', (line) => process.stderr.write(`never-init: ignoring ${line.slice(0, 80)}\n`))
  .on('close', () => process.exit(0));
