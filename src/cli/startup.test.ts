/**
 * The command line loads a command's code only when that command runs: --help, and commands that
 * need no scenario, must not load the scenario parser, the systems, the node or the parsers they use.
 * What a child loads is recorded by a loader hook (src/testing/record-loads.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const nodeMain = fileURLToPath(new URL('./node-main.js', import.meta.url));
const hook = new URL('../testing/record-loads.js', import.meta.url).href;
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The module URLs `pillars <args>` loaded, and its exit code. */
function loads(args: string[], entry = main): { urls: string[]; status: number | null; stderr: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'pillars-loads-')), 'loads.txt');
  const r = spawnSync(process.execPath, ['--import', hook, entry, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PILLARS_RECORD_LOADS: file } });
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // nothing recorded: the assertions below say so
  }
  return { urls: text.split('\n').filter((l) => l !== ''), status: r.status, stderr: r.stderr };
}

/** What a command that needs no scenario must not load (the light modules its help quotes excepted). */
const heavy = [/\/dist\/src\/scenario\/(index|load)\.js$/, /\/dist\/src\/systems\//, /\/dist\/src\/platform\//, /\/dist\/src\/maelstrom\/(?!options\.js$)/, /\/dist\/src\/web\/index\.js$/, /\/node_modules\/yaml\//];

test('the recorder sees what a command loads: run loads the scenario parser', () => {
  const r = loads(['run', 'scenarios/broadcast.yaml', '--variant', 'naive', '--no-store', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.urls.some((u) => /\/dist\/src\/scenario\/load\.js$/.test(u)), 'run loaded no scenario/load.js');
  assert.ok(r.urls.some((u) => /\/node_modules\/yaml\//.test(u)), 'run loaded no yaml');
});

for (const args of [['--help'], ['run', '--help'], ['maelstrom', 'test', '--help'], ['model', 'usl', '--alpha', '0.1', '--beta', '0.01'], ['check', 'examples/histories/maelstrom-lin-kv.kv.linearizable.jsonl', '--model', 'kv']]) {
  test(`pillars ${args.join(' ')} loads no scenario parser, system, platform, Maelstrom harness, report or yaml`, () => {
    const r = loads(args);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.urls.some((u) => u.endsWith('/dist/src/cli/main.js')), 'the recorder saw nothing');
    const loaded = r.urls.filter((u) => heavy.some((h) => h.test(u)));
    assert.deepEqual(loaded, [], `pillars ${args.join(' ')} loaded ${loaded.length} modules it does not need`);
  });
}

/**
 * What the help of every command, node and cluster included, must not load: the node, the launcher,
 * Raft and what they bring (zod, prom-client), but for the light modules that hold the defaults and
 * the start error the help and the error handler need; nor the lab's server.
 */
const lightNodeModules = /\/dist\/src\/node\/(limits-defaults|cluster-defaults|start-error)\.js$/;
const nodeHeavy = [/\/dist\/src\/truth\//, /\/node_modules\/zod\//, /\/node_modules\/prom-client\//, /\/dist\/src\/lab\/server\.js$/];
const heavyForHelp = (u: string) => (/\/dist\/src\/node\//.test(u) && !lightNodeModules.test(u)) || nodeHeavy.some((h) => h.test(u));

for (const [entry, args] of [[main, ['--help']], [main, ['node', '--help']], [main, ['cluster', '--help']], [main, ['cluster', 'status', '--help']], [main, ['cluster', 'member', 'add', '--help']], [main, ['lab', '--help']], [nodeMain, ['node', '--help']]] as const) {
  const name = `${entry === main ? 'pillars' : 'a node process (node-main)'} ${args.join(' ')}`;
  test(`${name} loads no node, launcher, Raft, zod, prom-client or lab server`, () => {
    const r = loads([...args], entry);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.urls.some((u) => u.endsWith(`/dist/src/cli/${entry === main ? 'main' : 'node-main'}.js`)), 'the recorder saw nothing');
    assert.ok(r.urls.some((u) => lightNodeModules.test(u)), 'the help quoted no defaults from their light modules');
    const loaded = r.urls.filter(heavyForHelp);
    assert.deepEqual(loaded, [], `${name} loaded ${loaded.length} modules it does not need`);
  });
}
