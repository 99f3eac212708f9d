/**
 * What a variant schedules besides the world's faults: the workload's load spikes and what its
 * process's config times (a release, a drift; ProcessEntry.schedule). Reports shade these beside the
 * faults, so that a chart's jump sits next to what caused it.
 */
import type { ScheduledEvent } from '../runtime/process-entry.js';
import { processes } from './processes.js';
import type { ResolvedVariant } from './schema.js';

export type { ScheduledEvent } from '../runtime/process-entry.js';

export function scheduledEvents(v: ResolvedVariant): ScheduledEvent[] {
  const spikes = v.workload.spikes.map((s) => ({ atMs: s.at, untilMs: s.at + s.for, kind: 'spike', detail: `load ×${s.factor}` }));
  const own = processes[v.system.process]?.schedule?.(v.system.config) ?? [];
  return [...spikes, ...own].sort((a, b) => a.atMs - b.atMs);
}
