import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalColumns, wrapProse } from './terminal.js';

const prose = "  what happened: a fraud ring changes tactics: the fraud model trained on last year stops seeing it, and losses climb until a guard reacts";

for (const columns of [80, 120]) {
  test(`prose wraps at word boundaries within ${columns} columns`, () => {
    const text = `ecommerce — ${'The seeds\u2019 e-commerce platform on all five pillars, through a shortened shopping day. '.repeat(4)}\n${prose}`;
    const wrapped = wrapProse(text, columns);
    const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
    // Nothing lost, nothing broken: the same words in the same order.
    assert.deepEqual(words(wrapped), words(text));
    for (const line of wrapped.split('\n')) assert.ok(line.length <= columns, `${line.length} > ${columns}: ${line}`);
    assert.ok(wrapped.split('\n').length > text.split('\n').length, 'the long lines were wrapped');
  });
}

test('a continuation keeps its line\'s indent plus two; colour codes take no width; a long word stays whole', () => {
  const lines = wrapProse(prose, 60).split('\n');
  assert.ok(lines[0].startsWith('  what happened:'));
  for (const l of lines.slice(1)) assert.match(l, /^ {4}\S/);
  assert.equal(wrapProse('\x1b[31mFAIL\x1b[0m ok ok', 40), '\x1b[31mFAIL\x1b[0m ok ok');
  assert.equal(wrapProse('the spike triples checkouts (20-30 s), then', 40), 'the spike triples checkouts (20-30 s),\n  then');
  assert.equal(wrapProse('the spike triples checkouts for 20-30 s, then', 38), 'the spike triples checkouts for\n  20-30 s, then');
  const long = 'x'.repeat(50);
  assert.equal(wrapProse(`a ${long} b`, 40), `a\n  ${long}\n  b`);
});

test('the width: the terminal\'s, else $COLUMNS, else none (piped output keeps whole lines)', () => {
  assert.equal(terminalColumns({ isTTY: true, columns: 100 }, {}), 100);
  assert.equal(terminalColumns({ isTTY: false }, { COLUMNS: '80' }), 80);
  assert.equal(terminalColumns({ isTTY: false }, {}), undefined);
  assert.equal(terminalColumns({ isTTY: false }, { COLUMNS: '10' }), 40);
  assert.equal(wrapProse(prose, undefined), prose);
});
