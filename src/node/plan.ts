/** What planning a Redis command yields, shared by the planners of each family of commands. */
import type { Operation } from '../runtime/client-protocol.js';
import type { RespProtocol } from './resp.js';

export interface CommandLimits {
  /** A value (SET, MSET, CAS) above this is refused with an error reply; the connection stays. */
  valueBytesMax: number;
  /** A key above this is refused likewise. */
  keyBytesMax: number;
  /**
   * One write is one Raft entry, replicated, fsynced and applied as a whole: past these (keys, bytes of
   * its arguments) it is refused, never proposed, so it cannot outlast the request timeout while it
   * applies. The client splits it; each part is atomic on its own.
   */
  writeKeysMax: number;
  writeBytesMax: number;
  /**
   * Members of one hash, list, set or sorted set at most: a write that would grow one past it is
   * refused whole, so no single key can take a node's memory (Redis sets no such limit).
   */
  collectionMembersMax: number;
}

/** What a command needs: the log (write), a linearizable read (read), or nothing (answered here). */
export type Planned =
  | { kind: 'read' | 'write'; op: Operation; reply: (value: unknown, proto: RespProtocol) => Buffer; failed?: (error: string) => Buffer | undefined }
  | { kind: 'local'; name: string; args: Buffer[] }
  | { kind: 'error'; reply: Buffer };
