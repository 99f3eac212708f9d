/**
 * The programs some tests drive that npm does not ship: what each is for, the Debian package that
 * brings it, and the `skip` those tests pass to node:test when it is missing. `npm test` installs
 * them first where it can (install-test-tools.ts); where it cannot, the tests that need one are
 * skipped with a line naming what to install, and never fail for want of it.
 */
import { findBinary } from './debian-packages.js';

export interface TestTool {
  /** The Debian package that installs the binary. */
  debianPackage: string;
  /** Which tests need it, for the line that says what was installed or skipped. */
  neededBy: string;
}

export const testTools = {
  'redis-server': { debianPackage: 'redis-server', neededBy: "the distributed sweep's tests (src/cli/queue-sweep.test.ts) and the reply comparison with Redis (src/node/redis-compat.test.ts)" },
  chromium: { debianPackage: 'chromium', neededBy: "the HTML report's browser tests (src/web/report.browser.test.ts)" },
} satisfies Record<string, TestTool>;

export type TestToolName = keyof typeof testTools;

/** How to get `tool`, in the words of a skipped test: "redis-server not found: apt-get install redis-server". */
export function howToInstall(tool: TestToolName): string {
  return `${tool} not found: apt-get install ${testTools[tool].debianPackage}`;
}

/** node:test's `skip` for tests that need `tool`: false when it is on the PATH, else how to install it. */
export function skipUnlessInstalled(tool: TestToolName): string | false {
  return findBinary(tool) === undefined ? howToInstall(tool) : false;
}

/** The full path of `tool`; throws, saying how to install it, when it is missing. */
export function testToolPath(tool: TestToolName): string {
  const path = findBinary(tool);
  if (path === undefined) throw new Error(howToInstall(tool));
  return path;
}
