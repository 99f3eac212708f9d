/**
 * The port layout a local cluster takes by default and the verbs its launcher answers
 * (launcher.ts): here, importing nothing, so that `pillars cluster --help` quotes them without
 * loading the launcher.
 */
export const layoutDefaults = { host: '127.0.0.1', respBase: 7379, httpBase: 7479, peerBase: 7579 };

/** What an operator asks a running launcher to do to one of its nodes: `pillars cluster <op> <node>`. */
export const launcherOps = ['stop', 'start', 'restart', 'kill'] as const;
