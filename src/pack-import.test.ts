/**
 * The package as a service installs it: `npm pack` on the built tree, the tarball installed into an
 * empty project without the optional dependencies (the command line's: commander, cli-progress,
 * bullmq, ioredis, prom-client, uPlot), then every entry point of package.json `exports` imported in a
 * child process that records each module it loads. A library entry point that reaches one of those
 * packages fails here: its import throws, since the package is not installed, and the list names it.
 *
 * The install is offline: the temporary project's lockfile is cut from this repository's, so npm takes
 * every tarball from its cache, where `npm install` of this repository put them. Without a cache it
 * falls back to the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pLimit from 'p-limit';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  name: string;
  version: string;
  bin: Record<string, string>;
  exports: Record<string, string>;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
}
interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  optional?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
const repoLock = (JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
const heavy = Object.keys(manifest.optionalDependencies);

/** Every package reachable from these names in the repository's lockfile (hoisted entries). */
function reachable(names: string[], throughOptional: boolean): Set<string> {
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop()!;
    const entry = repoLock[`node_modules/${name}`];
    if (seen.has(name) || entry === undefined) continue;
    seen.add(name);
    queue.push(...Object.keys(entry.dependencies ?? {}));
    if (throughOptional) queue.push(...Object.keys(entry.optionalDependencies ?? {}));
  }
  return seen;
}

/** A lockfile for a project that depends on the tarball alone, its entries copied from this repository's. */
function projectLock(tarball: string): object {
  const required = reachable(Object.keys(manifest.dependencies), false);
  const all = reachable([...Object.keys(manifest.dependencies), ...heavy], true);
  const root = { name: 'library-user', version: '1.0.0', dependencies: { [manifest.name]: `file:${tarball}` } };
  const packages: Record<string, object> = {
    '': root,
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: `file:${tarball}`,
      dependencies: manifest.dependencies,
      optionalDependencies: manifest.optionalDependencies,
      bin: manifest.bin,
    },
  };
  for (const [path, entry] of Object.entries(repoLock)) {
    const owner = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    if (owner === undefined || !all.has(owner)) continue;
    const { dev: _dev, devOptional: _devOptional, optional: _optional, ...copy } = entry;
    // A package reached only through an optional dependency is optional, so --omit=optional skips it.
    packages[path] = required.has(owner) && path === `node_modules/${owner}` ? copy : { ...copy, optional: true };
  }
  return { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages };
}

/** Registers a resolve hook that reports every module URL, imports the entry point, prints JSON. */
const hooks = `let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { const r = await next(specifier, context); port.postMessage(r.url); return r; }
`;
const probe = `import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = new Set();
port1.on('message', (url) => urls.add(url));
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
const entry = process.argv[2];
let error;
try { await import(entry); } catch (e) { error = String(e && e.message || e); }
await new Promise((r) => setTimeout(r, 50));
port1.close();
// CommonJS packages required by other CommonJS packages do not pass the ESM hook; they sit in the cache.
for (const file of Object.keys(createRequire(import.meta.url).cache)) urls.add(file);
const packages = new Set();
let ownModules = 0;
for (const url of urls) {
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url);
  if (m === null) continue;
  if (m[1] === ${JSON.stringify(manifest.name)}) ownModules++;
  else packages.add(m[1]);
}
process.stdout.write(JSON.stringify({ entry, error, packages: [...packages].sort(), ownModules }));
`;

/**
 * A fresh folder with no node_modules above it: Node resolves a bare import by climbing the folders, so
 * a node_modules in /tmp would hand the probe packages the project did not install.
 */
function isolatedTempDir(): string {
  for (const base of [tmpdir(), '/var/tmp', '/dev/shm']) {
    const above = [];
    for (let d = resolvePath(base); ; d = dirname(d)) {
      above.push(join(d, 'node_modules'));
      if (dirname(d) === d) break;
    }
    if (above.every((m) => !existsSync(m))) return mkdtempSync(join(base, 'pillars-pack-'));
  }
  throw new Error(`no temporary folder without a node_modules above it (tried ${tmpdir()}, /var/tmp, /dev/shm)`);
}

async function npm(args: string[], cwd: string): Promise<string> {
  return (await run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;
}

test('every library entry point loads from the packed tarball without the command line, queue, chart or metrics packages', { timeout: 180_000 }, async (t) => {
  const dir = isolatedTempDir();
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], repo)) as { filename: string; files: { path: string }[] }[];
  const tarball = packed[0].filename;
  t.diagnostic(`packed in ${seconds()} s`);
  const shipped = packed[0].files.map((f) => f.path);
  assert.deepEqual(shipped.filter((p) => /\.test\.|\/testing\//.test(p)), [], 'tests and test helpers stay out of the package');

  const project = join(dir, 'project');
  mkdirSync(project);
  const lock = projectLock(`../${tarball}`) as { packages: Record<string, unknown> };
  writeFileSync(join(project, 'package.json'), JSON.stringify({ ...(lock.packages[''] as object), private: true, type: 'module' }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const install = ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'];
  const how = await npm([...install, '--offline'], project).then(
    () => 'offline, from the npm cache',
    async () => {
      await npm(install, project);
      return 'from the registry (the npm cache lacked a tarball)';
    },
  );
  t.diagnostic(`installed ${tarball} (${shipped.length} files) into an empty project with --omit=optional, ${how}, at ${seconds()} s`);
  for (const name of heavy) assert.equal(existsSync(join(project, 'node_modules', name)), false, `${name} was installed although optional`);

  writeFileSync(join(project, 'hooks.mjs'), hooks);
  writeFileSync(join(project, 'probe.mjs'), probe);
  const entries = Object.keys(manifest.exports).map((sub) => `${manifest.name}${sub.slice(1)}`);
  for (const lib of ['control', 'work', 'state', 'truth', 'intelligence', 'sim', 'check']) assert.ok(entries.includes(`${manifest.name}/${lib}`), `package.json exports ./${lib}`);

  // A process per entry point, so that each list is that entry's alone; two at a time, as the test runner.
  const twoAtATime = pLimit(2);
  const loads = await Promise.all(
    entries.map((entry) =>
      twoAtATime(async () => JSON.parse((await run(process.execPath, ['probe.mjs', entry], { cwd: project })).stdout) as { entry: string; error?: string; packages: string[]; ownModules: number }),
    ),
  );
  t.diagnostic(`imported ${entries.length} entry points at ${seconds()} s`);
  for (const l of loads) t.diagnostic(`${l.entry}: ${l.ownModules} modules of the package; packages loaded: ${l.packages.join(', ') || 'none'}`);
  for (const l of loads) {
    assert.equal(l.error, undefined, `${l.entry} failed to load without the optional packages: ${l.error}`);
    assert.deepEqual(l.packages.filter((p) => heavy.includes(p)), [], `${l.entry} loads a command-line package`);
  }

  // The command line itself needs them, and says so in one line.
  const bin = await run(process.execPath, [join(project, 'node_modules', manifest.name, manifest.bin.pillars), 'list'], { cwd: project }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
  assert.equal(bin.code, 2);
  assert.match(bin.stderr, /^pillars: this command needs the package 'commander', an optional dependency that is not installed .*npm install commander\n$/);
});
