/**
 * Defaults that a command's help quotes and its code uses, kept apart from both so the help can be
 * printed without loading the code. It imports nothing.
 */

/** Where `pillars demo` writes its five-pillar HTML report unless --html or --no-html says otherwise. */
export const demoReportDefault = 'report.html';

/**
 * `maelstrom test`'s defaults, as Maelstrom has them: its core.clj (--rate 5 a second in all, the
 * nemesis every 10 s, no latency, the grid) and Jepsen's cli.clj, whose test options it takes
 * (--time-limit 60, --concurrency 1n, and five nodes when --node-count is not given).
 */
export const maelstromDefaults = { nodeCount: 5, timeLimitS: 60, rate: 5, concurrency: '1n', latencyMs: 0, latencyDist: 'constant', nemesisIntervalS: 10, topology: 'grid' } as const;
