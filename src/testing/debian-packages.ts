/**
 * Programs that tests and benchmarks drive but npm cannot install (redis-server, Chromium, etcd):
 * found on the PATH, or installed from Debian's packages with apt-get when that is possible (running as
 * root, apt-get present). Where it is not (no root, no apt-get, no network), the caller is told why in
 * one line and skips what needs the program; nothing here fails a run.
 */
import { spawnSync } from 'node:child_process';

/** A large package (Chromium) on a slow mirror takes minutes; past this apt-get is given up on. */
const aptTimeoutMs = 15 * 60_000;

export interface PackageOutcome {
  /** The binary is on the PATH now. */
  available: boolean;
  /** It was not, and apt-get installed it in this process. */
  installed: boolean;
  /** Why it is still missing, for a one-line message (empty when available). */
  why: string;
}

const outcomes = new Map<string, PackageOutcome>();

/** The full path of `binary` on the PATH, as the shell would find it; undefined when it is not there. */
export function findBinary(binary: string): string | undefined {
  const res = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { encoding: 'utf8' });
  const found = res.status === 0 ? res.stdout.trim() : '';
  return found.startsWith('/') ? found : undefined;
}

function aptGet(args: string[]): { ok: boolean; output: string } {
  const res = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: aptTimeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: res.status === 0, output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? res.error.message : ''}` };
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

/**
 * Whether `binary` is on the PATH, installing Debian package `pkg` with apt-get first if it is not
 * and we can (`apt-get update` and a second try if the first install fails, since a fresh machine's
 * package lists may be stale or missing). `progress` hears each apt-get step as it starts. Decided
 * once per binary and process.
 */
export function ensureDebianPackage(binary: string, pkg: string, progress: (line: string) => void = () => {}): PackageOutcome {
  const known = outcomes.get(binary);
  if (known !== undefined) return known;
  let outcome: PackageOutcome = { available: true, installed: false, why: '' };
  if (findBinary(binary) === undefined) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || findBinary('apt-get') === undefined) {
      outcome = { available: false, installed: false, why: `${binary} not found, and cannot apt-get install ${pkg} (${isRoot ? 'no apt-get' : 'not root'})` };
    } else {
      progress(`${binary} not found: apt-get install -y ${pkg}`);
      let res = aptGet(['install', '-y', pkg]);
      if (!res.ok) {
        progress('apt-get install failed: apt-get update, then install again');
        aptGet(['update']);
        res = aptGet(['install', '-y', pkg]);
      }
      if (findBinary(binary) !== undefined) {
        progress(`installed ${pkg}`);
        outcome = { available: true, installed: true, why: '' };
      } else {
        outcome = { available: false, installed: false, why: `${binary} not found, and apt-get install -y ${pkg} failed: ${lastLine(res.output)}` };
      }
    }
  }
  outcomes.set(binary, outcome);
  return outcome;
}
