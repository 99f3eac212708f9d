import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitCommit, versionLine } from './version.js';

const commit = 'a'.repeat(40);
const other = 'b'.repeat(40);

test('--version finds the commit in a clone, and in a linked worktree whose .git is a file', () => {
  const base = mkdtempSync(join(tmpdir(), 'pillars-version-'));
  // The main clone: .git a folder, the branch main packed.
  const clone = join(base, 'clone');
  mkdirSync(join(clone, '.git', 'worktrees', 'wt'), { recursive: true });
  writeFileSync(join(clone, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(clone, '.git', 'packed-refs'), `# pack-refs\n${other} refs/heads/main\n${commit} refs/heads/feature\n`);
  writeFileSync(join(clone, 'package.json'), '{"version":"1.2.3"}');
  assert.equal(gitCommit(clone), other);
  // A worktree of it on branch feature: HEAD in .git/worktrees/wt, the refs in the clone's .git.
  const wt = join(base, 'wt');
  mkdirSync(wt);
  writeFileSync(join(wt, '.git'), `gitdir: ${join(clone, '.git', 'worktrees', 'wt')}\n`);
  writeFileSync(join(clone, '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/feature\n');
  writeFileSync(join(clone, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
  writeFileSync(join(wt, 'package.json'), '{"version":"1.2.3"}');
  assert.equal(gitCommit(wt), commit);
  assert.equal(versionLine(wt), `pillars 1.2.3 (commit ${commit.slice(0, 12)})`);
  // No checkout at all: an installed package says so.
  const installed = join(base, 'installed');
  mkdirSync(installed);
  writeFileSync(join(installed, 'package.json'), '{"version":"1.2.3"}');
  assert.equal(versionLine(installed), 'pillars 1.2.3 (not built from a git checkout)');
});
