/**
 * `pillars --version`: the package's version, and the commit of the checkout it runs from when it
 * runs from one (read from .git without running git: an installed package has none, and says so).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Where a checkout keeps HEAD, and where its refs are: both `.git` in a clone; in a linked worktree
 * `.git` is a file naming the worktree's own folder (its HEAD), whose `commondir` names the shared
 * one (the branches).
 */
function gitDirs(dir: string): { head: string; refs: string } {
  const dotGit = join(dir, '.git');
  const link = readText(dotGit);
  if (link === undefined || !link.startsWith('gitdir: ')) return { head: dotGit, refs: dotGit };
  const head = resolve(dir, link.slice('gitdir: '.length).trim());
  const common = readText(join(head, 'commondir'))?.trim();
  return { head, refs: common === undefined ? head : resolve(head, common) };
}

/** The commit HEAD names in `root`/.git (a branch's ref, loose or packed, or a detached HEAD). */
export function gitCommit(dir = root): string | undefined {
  const git = gitDirs(dir);
  const head = readText(join(git.head, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (!head.startsWith('ref: ')) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
  const ref = head.slice('ref: '.length);
  const loose = readText(join(git.refs, ref))?.trim();
  if (loose !== undefined && /^[0-9a-f]{40}$/.test(loose)) return loose;
  const packed = readText(join(git.refs, 'packed-refs'));
  const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
  return line?.slice(0, 40);
}

export function versionLine(dir = root): string {
  const pkg = JSON.parse(readText(join(dir, 'package.json')) ?? '{}') as { version?: string };
  const commit = gitCommit(dir);
  return `pillars ${pkg.version ?? 'unknown'} (${commit === undefined ? 'not built from a git checkout' : `commit ${commit.slice(0, 12)}`})`;
}
