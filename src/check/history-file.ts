/**
 * Reading a history from JSON lines (the format of docs/design.md, "History"), with one clear error per bad
 * line: its number, the field, and what was expected.
 */
import { z } from 'zod';
import { operationNames } from '../runtime/client-protocol.js';
import type { HistoryEvent } from './history.js';

const eventSchema = z
  .object({
    process: z.number().int(),
    type: z.enum(['invoke', 'ok', 'fail', 'info']),
    f: z.enum(operationNames),
    key: z.string().optional(),
    value: z.unknown().optional(),
    time: z.number().nonnegative(),
    node: z.string().optional(),
    error: z.string().optional(),
  })
  .passthrough();

export class HistoryFormatError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`line ${line}${field ? `: ${field}` : ''}: ${expected}`);
    this.name = 'HistoryFormatError';
  }
}

/**
 * Reads a history from JSON lines: this project's shape, Maelstrom's lin-kv shape (see
 * `fromKeyedValues`), and Jepsen's op maps written as JSON (keywords as ":invoke", nemesis events,
 * which are no client's, left out). Every line is checked, and so is the history as a whole: each
 * completion follows an invoke of the same process and operation, a process runs one operation at a
 * time, and cas and transfer invocations carry values of their shapes (the checker reads the
 * invocation's value; completions are not checked for it).
 */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lineOf: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new HistoryFormatError(i + 1, '', 'a JSON object, e.g. {"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 1, "time": 0}');
    }
    if (isNemesisEvent(raw)) continue;
    const r = eventSchema.safeParse(withoutKeywordColons(raw));
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new HistoryFormatError(i + 1, issue.path.join('.'), issue.message.replace(/^Invalid input: /, ''));
    }
    events.push(r.data as HistoryEvent);
    lineOf.push(i + 1);
  }
  const read = fromKeyedValues(events);
  validateHistory(read, (i) => lineOf[i]);
  return read;
}

/** Jepsen writes keywords (":invoke", ":read"); as JSON they keep their colon. */
function withoutKeywordColons(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const o = { ...(raw as Record<string, unknown>) };
  for (const field of ['type', 'f']) if (typeof o[field] === 'string' && (o[field] as string).startsWith(':')) o[field] = (o[field] as string).slice(1);
  return o;
}

/** Jepsen's fault injector logs its own events (process :nemesis); they are no client operation. */
function isNemesisEvent(raw: unknown): boolean {
  const p = (raw as { process?: unknown } | null)?.process;
  return p === 'nemesis' || p === ':nemesis';
}

/** Maelstrom's error code for a read of a key that does not exist (Maelstrom's protocol docs). */
const keyDoesNotExist = 20;

const keyedOperations = new Set(['read', 'write', 'cas']);

/**
 * Maelstrom's lin-kv histories carry the key inside the value: `{"key": 3, "value": 5}` as this
 * project's Maelstrom harness writes them, or Jepsen's independent tuple `[3, 5]` (`[3, [1, 2]]` for a
 * cas). A history is read that way when no event has a `key` field and every read, write and cas has
 * that shape (a read's invoke included, so that this project's keyless register histories, whose reads
 * are invoked with null, never are). A read that failed because the key does not exist read nothing.
 */
export function fromKeyedValues(events: HistoryEvent[]): HistoryEvent[] {
  const keyed = events.filter((e) => keyedOperations.has(e.f));
  if (keyed.length === 0 || events.some((e) => e.key !== undefined)) return events;
  const isObjectShape = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'key' in v && Object.keys(v).every((k) => k === 'key' || k === 'value');
  const isTupleShape = (v: unknown) => Array.isArray(v) && v.length === 2 && (typeof v[0] === 'number' || typeof v[0] === 'string');
  const shape = keyed.every((e) => isObjectShape(e.value)) ? 'object' : keyed.every((e) => isTupleShape(e.value)) ? 'tuple' : undefined;
  return shape === undefined ? events : unpackKeyedValues(events, shape);
}

/** A history written by this project's Maelstrom lin-kv workload: every value is `{key, value}`. */
export function fromMaelstromLinKv(events: HistoryEvent[]): HistoryEvent[] {
  return unpackKeyedValues(events, 'object');
}

function unpackKeyedValues(events: HistoryEvent[], shape: 'object' | 'tuple'): HistoryEvent[] {
  return events.map((e) => {
    if (!keyedOperations.has(e.f)) return e;
    const [key, value] = shape === 'object' ? [(e.value as { key?: unknown } | undefined)?.key, (e.value as { value?: unknown } | undefined)?.value] : (e.value as [unknown, unknown]);
    const notFound = e.f === 'read' && e.type === 'fail' && e.error !== undefined && e.error.startsWith(`${keyDoesNotExist}:`);
    return { ...e, key: String(key ?? ''), value: notFound ? null : (value ?? null), type: notFound ? 'ok' : e.type };
  });
}

/**
 * The checks a history must pass as a whole; `lineOf(i)` names event i's line. Throws a
 * HistoryFormatError for the first problem.
 */
export function validateHistory(events: readonly HistoryEvent[], lineOf: (i: number) => number): void {
  const open = new Map<number, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const line = lineOf(i);
    const invokedAt = open.get(e.process);
    if (e.type === 'invoke') {
      if (invokedAt !== undefined) throw new HistoryFormatError(line, 'process', `a process with no operation in progress (process ${e.process} invoked ${events[invokedAt].f} at line ${lineOf(invokedAt)} and has not completed it)`);
      open.set(e.process, i);
    } else {
      if (invokedAt === undefined) throw new HistoryFormatError(line, 'type', `an invoke of process ${e.process} before this ${e.type} (a completion follows its invoke)`);
      if (events[invokedAt].f !== e.f) throw new HistoryFormatError(line, 'f', `"${events[invokedAt].f}", the operation process ${e.process} invoked at line ${lineOf(invokedAt)} (got "${e.f}")`);
      open.delete(e.process);
    }
    if (e.type === 'invoke' && e.f === 'cas' && !(Array.isArray(e.value) && e.value.length === 2)) throw new HistoryFormatError(line, 'value', `a cas pair [expected, new] (got ${JSON.stringify(e.value ?? null)})`);
    if (e.type === 'invoke' && e.f === 'transfer' && !isTransfer(e.value)) throw new HistoryFormatError(line, 'value', `a transfer {"to": account, "amount": number} (got ${JSON.stringify(e.value ?? null)})`);
  }
}

function isTransfer(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const { to, amount } = v as { to?: unknown; amount?: unknown };
  return typeof to === 'string' && typeof amount === 'number' && Number.isFinite(amount);
}
