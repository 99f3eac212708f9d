/**
 * Run by `npm test` before the tests (package.json `pretest`): installs from Debian's packages the
 * programs some tests need (test-tools.ts) when they are missing and this is root with apt-get, and
 * says in one line per program what it installed; where it cannot, says what to install and that
 * those tests will be skipped. It always exits 0: a missing program skips tests, it never fails them.
 */
import { ensureDebianPackage } from './debian-packages.js';
import { testTools, type TestToolName } from './test-tools.js';

for (const tool of Object.keys(testTools) as TestToolName[]) {
  const { debianPackage, neededBy } = testTools[tool];
  const outcome = ensureDebianPackage(tool, debianPackage);
  if (outcome.installed) process.stdout.write(`test tools: installed ${tool} (apt-get install ${debianPackage}) for ${neededBy}\n`);
  else if (!outcome.available) process.stdout.write(`test tools: ${outcome.why}; ${neededBy} will be skipped until it is installed\n`);
}
