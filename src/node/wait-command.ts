/** WAIT's arguments, read as Redis reads them; the connection blocks on it (client-connection.ts). */
import { parseInt64 } from '../truth/index.js';
import { errorReply } from './resp.js';

const text = (b: Buffer) => b.toString('latin1');

/** WAIT numreplicas timeout: the two numbers (timeout in ms, 0 for none), or the error Redis answers. */
export function parseWait(args: Buffer[]): { replicas: number; timeoutMs: number } | Buffer {
  if (args.length !== 3) return errorReply("ERR wrong number of arguments for 'wait' command");
  const replicas = parseInt64(text(args[1]));
  if (replicas === undefined) return errorReply('ERR value is not an integer or out of range');
  const timeout = parseInt64(text(args[2]));
  if (timeout === undefined) return errorReply('ERR timeout is not an integer or out of range');
  if (timeout < 0n) return errorReply('ERR timeout is negative');
  const clamp = (n: bigint) => Number(n > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : n);
  return { replicas: clamp(replicas), timeoutMs: clamp(timeout) };
}
