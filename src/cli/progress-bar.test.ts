import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, progressLine } from './progress-bar.js';

test('the eta is hidden until something has finished, then shown', () => {
  const before = progressLine({ label: 'sweep', done: 0, total: 200, note: '0 not as expected', elapsedMs: 1200, columns: 120 });
  assert.doesNotMatch(before, /eta/);
  const after = progressLine({ label: 'sweep', done: 50, total: 200, note: '0 not as expected', elapsedMs: 10_000, columns: 120 });
  assert.match(after, /50\/200 0 not as expected \| eta 30s$/);
  assert.match(after, /^sweep █+░+ /);
});

test('at 80 columns and narrower the line fits and keeps its count and eta; the bar takes the room left, a note too long is dropped', () => {
  for (const columns of [120, 80, 60, 40]) {
    const line = progressLine({ label: 'stories', done: 10, total: 52, note: 'metastable/fixed-with-a-long-name', elapsedMs: 20_000, columns });
    assert.ok(line.length < columns, `${line.length} >= ${columns}: ${line}`);
    assert.match(line, /10\/52/);
    assert.match(line, /eta 1m24s/);
  }
  assert.doesNotMatch(progressLine({ label: 'stories', done: 10, total: 52, note: 'metastable/fixed-with-a-long-name', elapsedMs: 20_000, columns: 60 }), /█/, 'no room for the bar');
  assert.equal(progressLine({ label: 'stories', done: 10, total: 52, note: 'x'.repeat(60), elapsedMs: 20_000, columns: 60 }), `stories ${'█'.repeat(6)}${'░'.repeat(24)} 10/52 | eta 1m24s`);
});

test('runs done before the clock started (stored results) do not speed up the eta', () => {
  assert.match(progressLine({ label: 'sweep', done: 110, doneBefore: 100, total: 200, elapsedMs: 10_000, columns: 80 }), /eta 1m30s$/);
  assert.doesNotMatch(progressLine({ label: 'sweep', done: 100, doneBefore: 100, total: 200, elapsedMs: 10_000, columns: 80 }), /eta/);
});

test('without a total (a shrink): the note and the time spent, no bar', () => {
  assert.equal(progressLine({ label: 'shrink', done: 12, note: '12 runs, 3 of 17 faults', elapsedMs: 65_000, columns: 80 }), 'shrink 12 runs, 3 of 17 faults | 1m05s');
});

test('a bar draws on a terminal only, at most ten times a second, and clears its line when stopped', () => {
  const written: string[] = [];
  let now = 0;
  const tty = { isTTY: true, columns: 80, write: (s: string) => written.push(s) > 0 };
  const bar = new ProgressBar('sweep', 10, { stream: tty, clockMs: () => now });
  bar.update(1);
  now = 50;
  bar.update(2);
  now = 150;
  bar.update(3);
  assert.equal(written.length, 2);
  bar.stop();
  assert.equal(written.at(-1), '\r\x1b[K');
  const piped: string[] = [];
  const quiet = new ProgressBar('sweep', 10, { stream: { isTTY: false, write: (s: string) => piped.push(s) > 0 }, clockMs: () => now });
  quiet.update(5, undefined, true);
  quiet.stop();
  assert.deepEqual(piped, []);
});

test('a terminal of unknown size (columns 0, as a pty without a size reports) gets 80 columns, not a line cut to nothing', () => {
  const written: string[] = [];
  let now = 0;
  const bar = new ProgressBar('raft-chaos/fixed', 22, { stream: { isTTY: true, columns: 0, write: (s) => written.push(s) > 0 }, clockMs: () => now });
  now = 3_000;
  bar.update(2, 's of virtual time', true);
  const line = written.at(-1)!.replace(/^\r/, '').replace(/\x1b\[K$/, '');
  assert.match(line, /^raft-chaos\/fixed █+░+ 2\/22 s of virtual time \| eta 30s$/);
  assert.ok(line.length < 80, `${line.length} columns`);
});
