/**
 * How a pillar, a story system or a platform offers its Processes to scenarios: a table of entries
 * by registered name ('work/queue-server'), each with its config schema, its factory and the
 * metrics its nodes record. The tables live with the code they describe; a program (the CLI, a
 * test) assembles them and registers them with the scenario loader, so the loader depends on no
 * system in particular.
 */
import type { z } from 'zod';
import type { ProcessFactory } from './context.js';

/** A family of names whose middle part is open, e.g. `requests_to_<backend>`. */
export interface MetricPattern {
  pattern: string;
  re: RegExp;
}

export type MetricDecl = string | MetricPattern;

/**
 * Something a scenario schedules that is not a fault of the world: a load spike, a release, a model
 * drift. Reports shade it on every chart, as they shade faults, so that a reader sees the cause beside
 * its effect. A lasting one has untilMs; a one-off has none.
 */
export interface ScheduledEvent {
  atMs: number;
  untilMs?: number;
  /** A short name that picks the event's hue in a report: spike, release, drift. */
  kind: string;
  detail: string;
}

/**
 * A name with `<part>` placeholders, each matching letters, digits, _ and -: for names the code
 * builds from values no configuration lists. Prefer exact names built from the config.
 */
export function pattern(text: string): MetricPattern {
  const parts = text.split(/<[^>]+>/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { pattern: text, re: new RegExp(`^${parts.join('[A-Za-z0-9_-]+')}$`) };
}

/** The flat names of a histogram (see MetricsRegistry.flatten). */
export const HISTOGRAM_SUFFIXES = ['count', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const;
export function hist(...names: string[]): string[] {
  return names.flatMap((n) => HISTOGRAM_SUFFIXES.map((s) => `${n}_${s}`));
}

/** One name per item: `per('requests_to_', nodes)`, `per('browse_ok_', regions)`. */
export function per(prefix: string, items: readonly string[], suffix = ''): string[] {
  return items.map((x) => `${prefix}${x}${suffix}`);
}

/** What a process's metric declaration can see of the variant it runs in. */
export interface SystemScope {
  /** The names of the nodes that run the process. */
  servers: readonly string[];
  /** The operations the variant's workload sends (by weight or by script). */
  operations: readonly string[];
}

export interface ProcessEntry {
  description: string;
  config: z.ZodType;
  factory: ProcessFactory<any>;
  /**
   * Every metric the process's nodes record (counters, gauges; a histogram as its flat _count, _mean,
   * _p50, ... names via hist()), given its parsed config: names built from the config or the node
   * names are listed exactly. A check, metrics.show or metrics.chart naming anything else is refused
   * at load time. A new metric in the process's code must be added here.
   */
  metrics(config: any, scope: SystemScope): readonly MetricDecl[];
  /**
   * How its messages cross the simulated network when the scenario does not say (network.codec), given
   * its parsed config. `peer` for the systems that run the real node's code (RaftKv): the simulator
   * then carries their messages exactly as the TCP transport does. Absent: by reference, as the peer
   * codec costs about 1.5 to 5 us a message (bench:kernel), several times what the world spends on it.
   */
  codec?(config: any): MessageCodec;
  /** The events its config schedules (a release at 12 s, a drift at 10 s), for reports to shade. */
  schedule?(config: any): readonly ScheduledEvent[];
}

/** How messages cross the simulated network: as the real peer codec's bytes, or by reference. */
export type MessageCodec = 'peer' | 'none';

/** The real node's code, wherever it runs: its messages cross as the peer codec's bytes. */
export const realNodeCodec = (): MessageCodec => 'peer';

export type ProcessTable = Readonly<Record<string, ProcessEntry>>;
