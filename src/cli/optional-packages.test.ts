import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { missingOptionalPackage, optionalPackages } from './optional-packages.js';

const notFound = (code: string, message: string) => Object.assign(new Error(message), { code });

test('the optional packages are read from package.json: the command line, queue, chart and metrics ones', () => {
  assert.deepEqual([...optionalPackages()].sort(), ['bullmq', 'cli-progress', 'commander', 'ioredis', 'prom-client', 'uplot']);
});

test('a missing optional package is named, from an ESM import or a require.resolve; anything else is not', async () => {
  assert.equal(missingOptionalPackage(notFound('ERR_MODULE_NOT_FOUND', "Cannot find package 'commander' imported from /x/dist/src/cli/main.js")), 'commander');
  assert.equal(missingOptionalPackage(notFound('MODULE_NOT_FOUND', "Cannot find module 'uplot/dist/uPlot.iife.min.js'\nRequire stack:\n- /x")), 'uplot');
  // A real failure of the resolver, to pin the wording the patterns above rely on.
  const absent = 'no-such-package-anywhere';
  const real = await import(absent).catch((e: unknown) => e);
  assert.match((real as Error).message, /^Cannot find package 'no-such-package-anywhere'/);
  assert.throws(() => createRequire(import.meta.url).resolve('no-such-package-anywhere/x.js'), /^Error: Cannot find module 'no-such-package-anywhere\/x.js'/);
  assert.equal(missingOptionalPackage(real), undefined, 'a package that is not optional is a real error');
  assert.equal(missingOptionalPackage(notFound('ERR_MODULE_NOT_FOUND', "Cannot find module '/x/dist/src/cli/gone.js'")), undefined, 'a missing file of our own');
  assert.equal(missingOptionalPackage(new Error('boom')), undefined);
  assert.equal(missingOptionalPackage(undefined), undefined);
});
