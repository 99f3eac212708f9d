/**
 * `pillars ... | head`: when the reader closes the pipe, pillars stops quietly (no EPIPE stack trace).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.js', import.meta.url));

/** Run pillars with its stdout's reader gone before it writes a byte (node starts in ~100 ms). */
function withClosedStdout(...args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code, signal) => resolve({ code, signal, err }));
  });
}

for (const args of [['--help'], ['sweep', '--help'], ['list']]) {
  test(`pillars ${args.join(' ')} with its reader gone: exit 0, nothing on stderr`, async () => {
    const r = await withClosedStdout(...args);
    assert.equal(r.err, '', 'no stack trace');
    assert.equal(r.code, 0);
  });
}
