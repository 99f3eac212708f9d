/**
 * The command line's own dependencies (commander, cli-progress; bullmq and ioredis for the queue sweep,
 * prom-client for a real node's /metrics, uPlot for HTML reports) are optional dependencies of the
 * package, so that a service importing `pillars/control` does not install them. When one is missing,
 * the command says which in one line instead of a stack trace.
 */
import { readFileSync } from 'node:fs';

let cached: ReadonlySet<string> | undefined;

/** The package's optionalDependencies, read from its package.json (shipped in every install). */
export function optionalPackages(): ReadonlySet<string> {
  if (cached === undefined) {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { optionalDependencies?: Record<string, string> };
    cached = new Set(Object.keys(manifest.optionalDependencies ?? {}));
  }
  return cached;
}

/** The optional package whose absence caused this error (an ESM import or a require.resolve), if any. */
export function missingOptionalPackage(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  // "Cannot find package 'commander' imported from ..." (ESM) or "Cannot find module 'uplot/dist/x.js'" (require).
  const named = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec((e as Error).message);
  if (named === null) return undefined;
  return optionalPackages().has(named[1]) ? named[1] : undefined;
}

export function missingPackageMessage(name: string): string {
  return `pillars: this command needs the package '${name}', an optional dependency that is not installed (installed with --omit=optional?): npm install ${name}`;
}
