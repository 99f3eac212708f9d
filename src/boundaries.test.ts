/**
 * The layering of src/ (.dependency-cruiser.cjs), checked with dependency-cruiser: the tree as it
 * is has no cycle and no forbidden import, and the rules do catch each kind of breach, shown on a
 * small tree written for the purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Runs dependency-cruiser on `src` of `cwd`; its exit code is the number of errors. */
function cruise(cwd: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('src/ keeps its layers: no cycle, no import against the rules of .dependency-cruiser.cjs', () => {
  const r = cruise(root);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /no dependency violations found/);
});

test('the rules catch a cycle, an adapter in a pure folder, an upward import and a reach past a pillar index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-boundaries-'));
  try {
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
      'src/adapters/file-disk.ts': 'export const disk = 1;\n',
      'src/runtime/context.ts': 'export type Context = { now(): number };\n',
      'src/control/index.ts': "export { breaker } from './breaker.js';\n",
      'src/control/breaker.ts': "import { disk } from '../adapters/file-disk.js';\nexport const breaker = disk;\n",
      'src/work/index.ts': "export { pool } from './pool.js';\n",
      'src/work/pool.ts': "import { breaker } from '../control/breaker.js';\nimport { load } from '../scenario/load.js';\nexport const pool = breaker + load;\n",
      'src/scenario/load.ts': "import { run } from './runner.js';\nexport const load = 1;\nexport const again = () => run;\n",
      'src/scenario/runner.ts': "import { load } from './load.js';\nexport const run = () => load;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = cruise(dir);
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /no-cycles: src\/scenario\/(load|runner)\.ts/);
    assert.match(r.output, /adapters-only-in-programs: src\/control\/breaker\.ts → src\/adapters\/file-disk\.ts/);
    assert.match(r.output, /work-above-control: src\/work\/pool\.ts → src\/scenario\/load\.ts/);
    assert.match(r.output, /pillars-through-their-index: src\/work\/pool\.ts → src\/control\/breaker\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
