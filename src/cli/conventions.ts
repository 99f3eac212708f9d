/**
 * What every `pillars` command shares and main.ts needs before any command runs: the exit codes and
 * whether the terminal takes colour and a progress bar. It imports nothing.
 */
export const EXIT_OK = 0;
export const EXIT_NOT_MET = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;
/** `check` could not decide: the search gave up before proving or refuting (neither 0 nor 1 is true). */
export const EXIT_UNDECIDED = 4;

export const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
export const showProgress = process.stderr.isTTY === true;
