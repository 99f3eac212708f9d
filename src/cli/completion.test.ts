/**
 * `pillars completion bash|zsh`: the generated script, sourced in a real bash, completes the command
 * tree as it is (commands, nested subcommands, options, choices, files).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pillars-completion-'));

function script(shell: string) {
  const r = spawnSync(process.execPath, [main, 'completion', shell], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const bash = script('bash');
const file = join(tmp, 'pillars.bash');
writeFileSync(file, bash.out);

/** What bash offers for the words typed so far (the last one being completed). */
function complete(...words: string[]): string[] {
  const probe = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _pillars_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', probe], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((x) => x !== '');
}

test('bash: commands, nested subcommands, options, choices and files, from the command tree', () => {
  assert.equal(bash.code, 0, bash.err);
  const top = complete('pillars', '');
  for (const c of ['run', 'sweep', 'stories', 'shrink', 'check', 'demo', 'list', 'model', 'maelstrom', 'cluster', 'node', 'review', 'worker', 'completion', '--help', '--version']) assert.ok(top.includes(c), `${c} in ${top.join(' ')}`);
  assert.deepEqual(complete('pillars', 'cl'), ['cluster']);
  assert.deepEqual(complete('pillars', 'cluster', 'member', ''), ['add', 'remove', 'list', '--help']);
  assert.deepEqual(complete('pillars', 'run', '--va'), ['--variant']);
  assert.ok(complete('pillars', 'sweep', '--').includes('--no-store'));
  assert.deepEqual(complete('pillars', 'completion', ''), ['bash', 'zsh', '--help']);
  // A file argument and a file option complete file names; an option taking a name offers nothing.
  assert.deepEqual(complete('pillars', 'run', 'scenarios/broadc'), ['scenarios/broadcast.yaml']);
  assert.deepEqual(complete('pillars', 'run', '--json', 'scenarios/broadc'), ['scenarios/broadcast.yaml']);
  assert.deepEqual(complete('pillars', 'run', '--variant', ''), []);
});

test('zsh: the same completion through bashcompinit; an unknown shell is bad input', () => {
  const zsh = script('zsh');
  assert.equal(zsh.code, 0, zsh.err);
  assert.match(zsh.out, /^#compdef pillars\n/);
  assert.match(zsh.out, /bashcompinit/);
  assert.ok(zsh.out.includes(bash.out.trim()), 'the bash function, whole');
  const syntax = spawnSync('bash', ['-n', '-c', zsh.out], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const fish = script('fish');
  assert.equal(fish.code, 2);
  assert.match(fish.err, /Allowed choices are bash, zsh/);
});
