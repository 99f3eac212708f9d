/**
 * The read, write and incr of the primary/replica stores (async-primary, witness-primary): what a
 * client request asks of one key, given the key's current value. One place, so both stores answer
 * the same operations the same way.
 */
import type { ClientRequest } from '../runtime/client-protocol.js';

export type RegisterOp = { kind: 'read' } | { kind: 'write'; value: unknown } | { kind: 'unsupported'; error: string };

/** incr adds its value (1 when none) to the current value, absent counting as 0. */
export function registerOp(req: ClientRequest, current: unknown): RegisterOp {
  switch (req.op.f) {
    case 'read':
      return { kind: 'read' };
    case 'write':
      return { kind: 'write', value: req.op.value };
    case 'incr':
      return { kind: 'write', value: Number(current ?? 0) + Number(req.op.value ?? 1) };
    default:
      return { kind: 'unsupported', error: `unsupported operation ${req.op.f}` };
  }
}
