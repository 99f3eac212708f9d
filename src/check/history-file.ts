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

export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
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
    const r = eventSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new HistoryFormatError(i + 1, issue.path.join('.'), issue.message.replace(/^Invalid input: /, ''));
    }
    events.push(r.data as HistoryEvent);
  }
  return events;
}
