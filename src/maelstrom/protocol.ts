/**
 * The Maelstrom protocol (github.com/jepsen-io/maelstrom, doc/protocol.md): a node is any program
 * that reads one JSON message per line on stdin and writes one per line on stdout, each
 * `{ "src", "dest", "body" }`. Clients are named c0, c1..., nodes n0, n1... (as Maelstrom numbers
 * them), services by what they are (lin-kv, seq-kv, lww-kv, lin-tso). Bodies to and from clients and
 * services are RPCs `{ "type", "msg_id"?, "in_reply_to"?, ... }`; bodies between nodes may have any
 * shape, as Maelstrom lets them.
 */

export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export interface Message {
  src: string;
  dest: string;
  body: Body;
}

/** Maelstrom's error codes. */
export const errorCodes = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
} as const;

/** The codes Maelstrom's protocol marks definite: the operation did not happen and never will. */
const definiteCodes: ReadonlySet<unknown> = new Set([
  errorCodes.nodeNotFound,
  errorCodes.notSupported,
  errorCodes.temporarilyUnavailable,
  errorCodes.malformedRequest,
  errorCodes.abort,
  errorCodes.keyDoesNotExist,
  errorCodes.keyAlreadyExists,
  errorCodes.preconditionFailed,
  errorCodes.txnConflict,
]);

/**
 * A definite error says the operation did not happen and never will; any other code leaves it open
 * (timeout, crash, and every code Maelstrom does not define, custom codes 1000 and above among
 * them: a node may have applied the operation before it answered), so the history records info.
 */
export function isDefiniteError(code: unknown): boolean {
  return definiteCodes.has(code);
}

/** A line longer than this from a node is refused (a node printing garbage must not eat memory). */
export const lineBytesMax = 16 * 1024 * 1024;

/**
 * What is wrong with the envelope of a line a node printed; undefined when it has a string src and
 * dest and a body. The body is judged by its destination (validateRpcBody), since a body between
 * nodes may be anything.
 */
export function validateEnvelope(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a JSON object {"src", "dest", "body"}';
  const x = m as Record<string, unknown>;
  if (typeof x.src !== 'string') return 'a string "src"';
  if (typeof x.dest !== 'string') return 'a string "dest"';
  if (!('body' in x)) return 'a "body"';
  return undefined;
}

/** What is wrong with a body sent to a client or a service; undefined when it is an RPC body. */
export function validateRpcBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'an object "body"';
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string') return 'a string "body.type"';
  if (b.msg_id !== undefined && !Number.isInteger(b.msg_id)) return 'an integer "body.msg_id"';
  if (b.in_reply_to !== undefined && !Number.isInteger(b.in_reply_to)) return 'an integer "body.in_reply_to"';
  return undefined;
}

export function errorBody(inReplyTo: number | undefined, code: number, text: string): Body {
  return { type: 'error', in_reply_to: inReplyTo, code, text };
}
