/**
 * Defaults that a command's help quotes and its code uses, kept apart from both so the help can be
 * printed without loading the code. It imports nothing.
 */

/** Where `pillars demo` writes its five-pillar HTML report unless --html or --no-html says otherwise. */
export const demoReportDefault = 'report.html';
