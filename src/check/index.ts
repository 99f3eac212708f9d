/** Histories and the checkers that judge them. */
export { History, toJsonLine, NANOS_PER_MS, type HistoryEvent, type EventType } from './history.js';
export { checkBroadcastComplete, type CheckOutcome } from './broadcast.js';
export { checkErlangC, type ErlangCInput } from './queueing.js';
