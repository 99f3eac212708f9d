/**
 * The messages a Maelstrom test's report draws as sequence diagrams (the HTML report's sequence
 * view): the first messages of the test, and those around each of the first faults, some before it
 * and the rest after, each with its fate (delivered, dropped and why, delivered again). It keeps a
 * short memory of recent messages to look back from a fault, and nothing more once its windows close.
 */
import type { MessageSequence, SequenceMessage } from '../web/index.js';
import type { Message } from './protocol.js';

export interface MessageTapOptions {
  /** Lane order: nodes, then clients and services. */
  lanes: readonly string[];
  /** Messages in one sequence at most (around a fault: half before when there are enough). */
  messagesMax: number;
  /** How far before and after a fault a sequence reaches (ms). */
  windowMs: number;
  /** Faults that get a sequence (from the first). */
  faultSequencesMax: number;
}

interface Window {
  title: string;
  atMs: number;
  untilMs: number;
  /** Messages wanted after atMs. */
  wanted: number;
  messages: SequenceMessage[];
}

export class MessageTap {
  readonly sequences: MessageSequence[] = [];
  private readonly sentAt = new WeakMap<Message, number>();
  private readonly recent: SequenceMessage[] = [];
  private readonly open: Window[] = [];
  private faultSequences = 0;

  constructor(private readonly o: MessageTapOptions) {
    this.open.push({ title: 'the start of the test (init and the first requests)', atMs: 0, untilMs: Infinity, wanted: o.messagesMax, messages: [] });
  }

  sent(msg: Message, atMs: number): void {
    if (!this.sentAt.has(msg)) this.sentAt.set(msg, atMs);
  }

  /** A message's end: delivered (again, for a duplicate) or dropped, with the reason. */
  outcome(msg: Message, fate: SequenceMessage['fate'], atMs: number, reason?: string): void {
    this.closeUntil(atMs);
    if (this.open.length === 0 && this.faultSequences >= this.o.faultSequencesMax) return;
    const body = msg.body as unknown;
    const type = typeof body === 'object' && body !== null && typeof (body as { type?: unknown }).type === 'string' ? (body as { type: string }).type : '?';
    const m: SequenceMessage = { sentMs: this.sentAt.get(msg), atMs, from: msg.src, to: msg.dest, type, fate, ...(reason === undefined ? {} : { reason }) };
    this.recent.push(m);
    if (this.recent.length > this.o.messagesMax) this.recent.shift();
    for (const w of this.open) {
      w.messages.push(m);
      w.wanted--;
    }
    this.closeUntil(atMs);
  }

  fault(atMs: number, title: string): void {
    if (this.faultSequences >= this.o.faultSequencesMax) return;
    this.faultSequences++;
    const before = this.recent.filter((m) => m.atMs >= atMs - this.o.windowMs).slice(-Math.floor(this.o.messagesMax / 2));
    this.open.push({ title, atMs, untilMs: atMs + this.o.windowMs, wanted: this.o.messagesMax - before.length, messages: [...before] });
  }

  /** Close every window (the test ended). */
  finish(): void {
    this.closeUntil(Infinity);
    for (const w of this.open.splice(0)) this.close(w);
  }

  private closeUntil(nowMs: number): void {
    for (let i = 0; i < this.open.length; ) {
      const w = this.open[i];
      if (w.wanted <= 0 || w.untilMs < nowMs) {
        this.open.splice(i, 1);
        this.close(w);
      } else i++;
    }
  }

  private close(w: Window): void {
    const order = new Map(this.o.lanes.map((id, i) => [id, i]));
    const lanes = [...new Set(w.messages.flatMap((m) => [m.from, m.to]))].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || (a < b ? -1 : 1));
    this.sequences.push({ title: w.title, atMs: w.atMs, nodes: lanes, messages: w.messages });
  }
}
