#!/usr/bin/env node
/**
 * The `pillars` bin. It loads the command line dynamically so that a missing optional dependency
 * (see optional-packages.ts) is reported in one line, exit code 2, before any command runs; a node
 * process loads only its own command (node-main.ts), the one a cluster starts again and again.
 */
import { missingOptionalPackage, missingPackageMessage } from './optional-packages.js';

try {
  await import(process.argv[2] === 'node' ? './node-main.js' : './main.js');
} catch (e) {
  const missing = missingOptionalPackage(e);
  if (missing === undefined) throw e;
  process.stderr.write(`${missingPackageMessage(missing)}\n`);
  process.exitCode = 2;
}
