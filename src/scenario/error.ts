/**
 * The one error of bad input: a file (or "(command line)"), the path of the field and what was
 * expected. It imports nothing, so the CLI can name it without loading the scenario parser.
 */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${file}: ${path === '' ? '(top level)' : path}: ${expected}`);
    this.name = 'ScenarioError';
  }
}

export function isScenarioError(e: unknown): e is ScenarioError {
  return e instanceof ScenarioError;
}
