/**
 * Client histories in the shape Jepsen uses: one event per line, invoke then ok | fail | info.
 *
 *   {"process": 3, "type": "invoke", "f": "write", "key": "x", "value": 5, "time": 1200000}
 *
 * time is virtual nanoseconds. A process performs one operation at a time; a process whose operation
 * ended in info (outcome unknown) is never reused, as in Jepsen.
 */
import type { OperationName, ReplyStatus } from '../runtime/client-protocol.js';

export type EventType = 'invoke' | ReplyStatus;

export interface HistoryEvent {
  process: number;
  type: EventType;
  f: OperationName;
  key?: string;
  value?: unknown;
  /** Virtual nanoseconds. */
  time: number;
  /** The node the operation was sent to (not part of Jepsen's shape; ignored by outside checkers). */
  node?: string;
  error?: string;
}

export class History {
  readonly events: HistoryEvent[] = [];

  constructor(private readonly sink?: (e: HistoryEvent) => void) {}

  add(e: HistoryEvent): void {
    this.events.push(e);
    this.sink?.(e);
  }

  /** Pairs of (invoke, completion) per operation, in invocation order; completion is undefined if none. */
  operations(): { invoke: HistoryEvent; complete: HistoryEvent | undefined }[] {
    const open = new Map<number, number>();
    const ops: { invoke: HistoryEvent; complete: HistoryEvent | undefined }[] = [];
    for (const e of this.events) {
      if (e.type === 'invoke') {
        open.set(e.process, ops.length);
        ops.push({ invoke: e, complete: undefined });
      } else {
        const i = open.get(e.process);
        if (i !== undefined) {
          ops[i].complete = e;
          open.delete(e.process);
        }
      }
    }
    return ops;
  }

  toJsonl(): string {
    return this.events.map(toJsonLine).join('\n') + (this.events.length > 0 ? '\n' : '');
  }
}

/** One event as a JSON line with Jepsen's field order. */
export function toJsonLine(e: HistoryEvent): string {
  const o: Record<string, unknown> = { process: e.process, type: e.type, f: e.f };
  if (e.key !== undefined) o.key = e.key;
  o.value = e.value ?? null;
  o.time = e.time;
  if (e.node !== undefined) o.node = e.node;
  if (e.error !== undefined) o.error = e.error;
  return JSON.stringify(o);
}

export const NANOS_PER_MS = 1_000_000;
