/**
 * The one error every pillar throws for a bad option at construction time, and the checks that
 * throw it. It names the option and what was expected, so a caller (the CLI, a scenario loader)
 * can turn it into a message naming the field.
 */
export class ConfigError extends RangeError {
  override readonly name = 'ConfigError';
  constructor(
    readonly option: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${option}: expected ${expected}, got ${JSON.stringify(got)}`);
  }
}

export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;

export function positive(option: string, v: number): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ConfigError(option, 'a positive number', v);
  return v;
}
export function nonNegative(option: string, v: number): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new ConfigError(option, 'a number >= 0', v);
  return v;
}
export function positiveInt(option: string, v: number): number {
  if (!(Number.isInteger(v) && v > 0)) throw new ConfigError(option, 'a positive integer', v);
  return v;
}
export function fraction(option: string, v: number): number {
  if (!(typeof v === 'number' && v > 0 && v <= 1)) throw new ConfigError(option, 'a number in (0, 1]', v);
  return v;
}
