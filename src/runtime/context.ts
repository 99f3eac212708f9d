/**
 * The one door between algorithm code and the world.
 *
 * A protocol core never reads a clock, draws a random number, sends a packet or touches a file except
 * through a Context. The simulator (src/sim) implements it on virtual time with seeded randomness and
 * injected faults; the real runtime implements it on TCP, files and the wall clock. The same Process
 * runs in both.
 */

import type { DiskError } from './disk-error.js';

export type NodeId = string;

/** Opaque handle returned by setTimer; only meaningful to the Context that issued it. */
export type TimerId = number;

/**
 * A node's disk. Writes land in a volatile cache at once and are visible to read(); they survive a
 * crash only once an fsync that was issued after them has completed. That is the contract of a real
 * disk with a page cache, and the one that makes "persist before acknowledge" testable.
 */
export interface Disk {
  /** Replace the whole content of a file. */
  write(file: string, data: Uint8Array): void;
  /**
   * Write a file's whole new content in pieces as they are made (a snapshot encoded in slices), with
   * the contract of write(): nothing shows before finish(); after it the new content replaces the
   * old, durable once an fsync of the file issued after it completes; abort() drops it. No piece is
   * held back to be joined and written at the end. Absent: the caller joins the pieces and write()s.
   */
  writeStream?(file: string): DiskWriteStream;
  /** Append bytes to the end of a file (creating it if needed). */
  append(file: string, data: Uint8Array): void;
  /** The current content of a file (synced or not), or undefined when it does not exist. */
  read(file: string): Uint8Array | undefined;
  /**
   * Bytes [offset, offset + length) of a file's current content (fewer at its end; undefined when the
   * file does not exist): a piece of a large file without reading it whole. Absent: read() and cut.
   */
  readRange?(file: string, offset: number, length: number): Uint8Array | undefined;
  /**
   * Give `to` the content of `from`, with the contract of write(to): a crash before an fsync of `to`
   * issued after it completes leaves `to`'s old content whole. `from` is gone at once, for good
   * (a crash in between loses it: its content was the new content of `to`). Absent: read, write, remove.
   */
  rename?(from: string, to: string): void;
  /** Cut a file to its first `length` bytes; like a write, durable only after the next fsync of that file. */
  truncate(file: string, length: number): void;
  /** Remove a file; like a write, the removal is durable only after the next fsync of that file. */
  remove(file: string): void;
  /** Names of the files that exist now, sorted. */
  list(): string[];
  /**
   * Make everything written to `file` so far durable. `done` runs later, when the disk says so;
   * a crash before then loses the unsynced writes and `done` never runs.
   */
  fsync(file: string, done: () => void): void;
  /**
   * Whether changes would succeed now (the file system has room again): a supervisor waits for it
   * before it restarts a member the disk stopped (member-supervisor.ts). Absent: assume so.
   */
  acceptsChanges?(): boolean;
}

/** A whole-file write made piece by piece (Disk.writeStream). */
export interface DiskWriteStream {
  append(data: Uint8Array): void;
  /** The pieces are the file's new content now, as after a write() of them all. */
  finish(): void;
  abort(): void;
}

/** Counters, histograms and gauges. The host decides where they go (a scenario report, Prometheus). */
export interface Metrics {
  count(name: string, by?: number): void;
  /** Record one observation, for example a latency in milliseconds. */
  observe(name: string, value: number): void;
  gauge(name: string, value: number): void;
}

export interface Context {
  /** This node's name. */
  readonly id: NodeId;
  /** The other nodes of the system under test, in a fixed order. */
  readonly peers: readonly NodeId[];
  /** This node's clock in milliseconds. In the simulator it has its own offset and drift. */
  now(): number;
  /** A uniform draw in [0, 1) from this node's own seeded stream. */
  random(): number;
  /** Send a message; it may be delayed, lost, duplicated or reordered on the way. */
  send(to: NodeId, msg: unknown): void;
  /** Run `fn` after `ms` milliseconds of this node's clock. Timers die with the node. */
  setTimer(ms: number, fn: () => void): TimerId;
  clearTimer(id: TimerId): void;
  readonly disk: Disk;
  readonly metrics: Metrics;
  /** A structured event for the trace. */
  log(event: string, fields?: Record<string, unknown>): void;
}

/**
 * A node's program. It is built by a factory from a Context (and rebuilt from the same disk after a
 * crash), then driven by messages and by the timers it sets.
 */
/**
 * What a process says about itself when asked (for faults aimed at a role, and for end-of-run
 * checks): its role, and for replicated data, each key's version and the nodes meant to hold it.
 */
export interface Description {
  role?: string;
  replicas?: Record<string, { version: string; holders: readonly string[] }>;
}

export interface Process {
  /** Called once after construction, when the node starts or restarts. */
  start?(): void;
  /** A message has arrived. */
  onMessage(from: NodeId, msg: unknown): void;
  /** What the node says of itself, e.g. { role: 'leader' }: lets a nemesis aim at "the leader". */
  describe?(): Description;
  /**
   * The disk failed outside any call of this Process (an fsync that failed after it was issued).
   * A Process that supervises a member of its own hears it here (member-supervisor.ts).
   */
  diskFailed?(error: DiskError): void;
}

export type ProcessFactory<Config = unknown> = (ctx: Context, config: Config) => Process;
