/**
 * The layers of src/, checked by dependency-cruiser in `npm test` (src/boundaries.test.ts) and by
 * `npm run check:boundaries`. From the bottom up:
 *
 *   runtime            contracts (Context, Process, process tables), the configuration error, utilities
 *   sim                the simulated world
 *   the five pillars   control < work < state < truth < intelligence: a pillar imports a pillar to
 *                      its left, and only through that pillar's index.ts (control's policies wrap
 *                      everyone's calls; state partitions with work's hashing; truth may build on
 *                      replication; intelligence observes and steers all of them)
 *   check              histories and checkers (they may use a pillar's formulas, e.g. Erlang C)
 *   scenario           schema, loader, runner, the registries of processes and checks
 *   systems, platform  the story systems and whole platforms; a system of pillar X may use X's
 *                      files directly (it is written against that pillar in depth), other pillars
 *                      only through their index
 *   node, maelstrom, web, lab, cli   the programs on top
 *
 * src/adapters (TCP, files, prom-client) is real mode only: no folder below the programs imports it.
 * Tests (*.test.ts), src/testing and bench/ are left out: a test may reach into any layer it tests.
 * No cycles anywhere.
 */
const pillars = '(work|state|truth|control|intelligence)';
const pure = '(runtime|sim|work|state|truth|control|intelligence|check|scenario|systems|platform)';
const programs = '(node|maelstrom|web|lab|cli)';

/** A folder may import only the folders listed (and itself, and packages). */
const onlyFrom = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: [`^src/${from}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module imports nothing that imports it back, however far round.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'adapters-only-in-programs',
      comment: 'The real adapters (network, files, prom-client) are for the real-mode programs: a pure folder would lose determinism or weight the library.',
      severity: 'error',
      from: { path: `^src/${pure}/` },
      to: { path: '^src/adapters/' },
    },
    onlyFrom('runtime-is-the-bottom', 'runtime', [], 'src/runtime imports no other folder of src/.'),
    onlyFrom('sim-above-runtime', 'sim', ['runtime'], 'The simulator knows the contracts and nothing above them.'),
    onlyFrom('control-is-the-first-pillar', 'control', ['runtime'], 'control imports no other pillar.'),
    onlyFrom('work-above-control', 'work', ['runtime', 'control'], 'work may use control.'),
    onlyFrom('state-above-work', 'state', ['runtime', 'control', 'work'], 'state may use control and work.'),
    onlyFrom('truth-above-state', 'truth', ['runtime', 'control', 'work', 'state'], 'truth may use control, work and state.'),
    onlyFrom('intelligence-above-truth', 'intelligence', ['runtime', 'control', 'work', 'state', 'truth'], 'intelligence may use every other pillar.'),
    onlyFrom('check-above-the-pillars', 'check', ['runtime', 'sim', 'control', 'work', 'state', 'truth', 'intelligence'], 'check knows no scenario, system or program.'),
    onlyFrom('scenario-above-check', 'scenario', ['runtime', 'sim', 'control', 'work', 'state', 'truth', 'intelligence', 'check'], 'scenario knows no system, platform or program: they register with it.'),
    onlyFrom('systems-below-the-programs', 'systems', ['runtime', 'sim', 'control', 'work', 'state', 'truth', 'intelligence', 'check', 'scenario', 'platform'], 'a story system is no program.'),
    onlyFrom('platform-below-the-programs', 'platform', ['runtime', 'sim', 'control', 'work', 'state', 'truth', 'intelligence', 'check', 'scenario', 'systems'], 'a platform is no program.'),
    {
      name: 'pillars-through-their-index',
      comment: "Outside a pillar, only its index.ts is its surface (a system of the same pillar excepted, see below).",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: ['^src/systems/'] },
      to: { path: `^src/${pillars}/`, pathNot: ['^src/$1/', `^src/${pillars}/index\\.ts$`] },
    },
    {
      name: 'systems-through-other-pillars-index',
      comment: "A story system of pillar X may use X's files; any other pillar only through its index.ts.",
      severity: 'error',
      from: { path: '^src/systems/([^/]+)/' },
      to: { path: `^src/${pillars}/`, pathNot: ['^src/$1/', `^src/${pillars}/index\\.ts$`] },
    },
    {
      name: 'testing-only-in-tests',
      comment: 'src/testing holds helpers for tests; no shipped module needs it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/testing/'] },
      to: { path: '^src/testing/' },
    },
    {
      name: 'programs-are-not-imported-below',
      comment: `The programs (${programs}) sit on top; nothing below imports them.`,
      severity: 'error',
      from: { path: `^src/${pure}/` },
      to: { path: `^src/${programs}/` },
    },
  ],
  options: {
    includeOnly: '^src/',
    exclude: { path: '\\.test\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
