/**
 * The systems a scenario can put under test, by name: an open registry. Each pillar, story-system
 * folder and platform keeps the table of its own Processes (its processes.ts); the program that
 * loads scenarios (the CLI, a test) registers the tables it offers before it loads one, so this
 * folder depends on no system in particular. Each entry validates its own config, so a mistake in
 * `system.config` is reported with its path like any other schema error.
 */
import type { ProcessEntry, ProcessTable } from '../runtime/process-entry.js';

export type { ProcessEntry, ProcessTable } from '../runtime/process-entry.js';

/** Every registered Process by name, in the order registered. */
export const processes: Record<string, ProcessEntry> = {};

/** Adds the tables' entries to a registry; a name registered twice for different entries is a programming error. */
export function registerInto<E>(registry: Record<string, E>, what: string, tables: readonly Readonly<Record<string, E>>[]): void {
  for (const table of tables) {
    for (const [name, entry] of Object.entries(table)) {
      const known = registry[name];
      if (known !== undefined && known !== entry) throw new Error(`two ${what} are registered as ${name}`);
      registry[name] = entry;
    }
  }
}

export function registerProcesses(...tables: ProcessTable[]): void {
  registerInto(processes, 'processes', tables);
}
