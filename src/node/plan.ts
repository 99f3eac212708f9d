/** What planning a Redis command yields, shared by the planners of each family of commands. */
import type { Operation } from '../runtime/client-protocol.js';
import type { RespProtocol } from './resp.js';

export type { CommandLimits } from './limits-defaults.js';

/** What a command needs: the log (write), a linearizable read (read), or nothing (answered here). */
export type Planned =
  | { kind: 'read' | 'write'; op: Operation; reply: (value: unknown, proto: RespProtocol) => Buffer; failed?: (error: string) => Buffer | undefined }
  | { kind: 'local'; name: string; args: Buffer[] }
  | { kind: 'error'; reply: Buffer };
