/**
 * The house rule that makes runs replay: algorithm code reaches time, randomness, timers and I/O
 * only through its Context (or the Environment of src/runtime/clock.ts). This test reads the source
 * of every folder the rule covers and fails on the first real clock, random or I/O call it finds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const srcRoot = new URL('../../../src/', import.meta.url).pathname;
const ruled = ['sim', 'check', 'scenario', 'work', 'state', 'truth', 'control', 'intelligence', 'systems'];
const forbidden: [RegExp, string][] = [
  [/\bDate\b/, 'Date'],
  [/Math\.random/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'a real timer'],
  [/performance\.now|process\.hrtime/, 'the real clock'],
  [/from ['"](node:)?(fs|net|http|https|dgram|child_process)(\/promises)?['"]/, 'real I/O'],
];

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** The code without its comments and string contents (a doc comment may name what it avoids). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (m) => (m.startsWith("'from") ? m : '""'));
}

test('no real clock, random, timer or I/O in the folders the determinism rule covers', () => {
  const files = ruled.flatMap((d) => sources(join(srcRoot, d)));
  assert.ok(files.length > 40, `found ${files.length} files`);
  const hits: string[] = [];
  for (const f of files) {
    const raw = readFileSync(f, 'utf8');
    const imports = raw.split('\n').filter((l) => l.startsWith('import'));
    const body = code(raw);
    for (const [re, what] of forbidden) {
      const inImports = imports.some((l) => re.test(l));
      if (re.test(body) || inImports) hits.push(`${f.slice(srcRoot.length)}: ${what}`);
    }
  }
  assert.deepEqual(hits, []);
});
