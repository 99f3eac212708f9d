/**
 * The history files of examples/histories, each named <case>.<model>.<expected>.jsonl: the edge cases
 * of the models and of the readers, with the verdict a correct checker gives (Porcupine's, for the
 * same model). bad-input files must be refused with the line that is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HistoryFormatError, parseHistory } from './history-file.js';
import { checkLinearizable, models } from './linearizability.js';

const folder = fileURLToPath(new URL('../../../examples/histories/', import.meta.url));
const files = readdirSync(folder).filter((f) => f.endsWith('.jsonl'));

test('every example history gets its expected verdict', () => {
  assert.ok(files.length >= 14, `${files.length} files`);
  for (const file of files) {
    const [, model, expected] = file.replace(/\.jsonl$/, '').split('.');
    assert.ok(models[model] !== undefined, `${file}: model ${model}`);
    const text = readFileSync(join(folder, file), 'utf8');
    if (expected === 'bad-input') {
      assert.throws(() => parseHistory(text), (e) => e instanceof HistoryFormatError && e.line >= 1, file);
      continue;
    }
    const r = checkLinearizable(parseHistory(text), models[model]);
    assert.equal(r.unknown, undefined, file);
    assert.equal(r.ok ? 'linearizable' : 'not-linearizable', expected, file);
  }
});

const line = (o: object) => JSON.stringify(o);

test('malformed histories name the line and what was expected', () => {
  const write = (process: number, type: string, time: number) => line({ process, type, f: 'write', key: 'x', value: 1, time });
  const refused = (lines: string[]) => {
    try {
      parseHistory(lines.join('\n'));
    } catch (e) {
      assert.ok(e instanceof HistoryFormatError);
      return e.message;
    }
    assert.fail('accepted');
  };
  assert.equal(refused([write(0, 'invoke', 0), '', write(1, 'ok', 5)]), 'line 3: type: an invoke of process 1 before this ok (a completion follows its invoke)');
  assert.equal(refused([write(0, 'invoke', 0), write(0, 'invoke', 5)]), 'line 2: process: a process with no operation in progress (process 0 invoked write at line 1 and has not completed it)');
  assert.match(refused([write(0, 'invoke', 0), line({ process: 0, type: 'ok', f: 'read', key: 'x', value: 1, time: 5 })]), /^line 2: f: "write", the operation process 0 invoked at line 1/);
  assert.match(refused([line({ process: 0, type: 'invoke', f: 'cas', key: 'x', value: [1, 2, 3], time: 0 })]), /^line 1: value: a cas pair \[expected, new\] \(got \[1,2,3\]\)/);
  assert.match(refused([line({ process: 0, type: 'invoke', f: 'transfer', key: 'a', value: { to: 'b' }, time: 0 })]), /^line 1: value: a transfer/);
  // A process whose operation completed (even as info) may start another.
  assert.equal(parseHistory([write(0, 'invoke', 0), write(0, 'info', 5), write(0, 'invoke', 6)].join('\n')).length, 3);
});

test('a Maelstrom lin-kv history is read key by key', () => {
  const events = parseHistory(readFileSync(join(folder, 'maelstrom-lin-kv.kv.linearizable.jsonl'), 'utf8'));
  assert.deepEqual([...new Set(events.map((e) => e.key))], ['0', '1', '2']);
  assert.deepEqual(events[5], { process: 2, type: 'ok', f: 'read', key: '0', value: 1, time: 50, node: 'n3' });
  // The read of a missing key (error 20) read null.
  assert.equal(events[9].type, 'ok');
  assert.equal(events[9].value, null);
  // This project's keyless register histories are left as they are (a read is invoked with null).
  const keyless = [line({ process: 0, type: 'invoke', f: 'write', value: [1, 2], time: 0 }), line({ process: 0, type: 'ok', f: 'write', value: [1, 2], time: 1 }), line({ process: 1, type: 'invoke', f: 'read', value: null, time: 2 }), line({ process: 1, type: 'ok', f: 'read', value: [1, 2], time: 3 })];
  const read = parseHistory(keyless.join('\n'));
  assert.equal(read[0].key, undefined);
  assert.deepEqual(read[3].value, [1, 2]);
});
