/**
 * The Maelstrom protocol (github.com/jepsen-io/maelstrom, doc/protocol.md): a node is any program
 * that reads one JSON message per line on stdin and writes one per line on stdout, each
 * `{ "src", "dest", "body": { "type", "msg_id"?, "in_reply_to"?, ... } }`. Clients are named c1, c2...,
 * nodes n1, n2..., services by what they are (lin-kv, seq-kv, lww-kv, lin-tso).
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

/**
 * A definite error says the operation did not happen and never will; an indefinite one (timeout,
 * crash) leaves it open, so the history records the operation as info.
 */
export function isDefiniteError(code: unknown): boolean {
  return code !== errorCodes.timeout && code !== errorCodes.crash;
}

/** A line longer than this from a node is refused (a node printing garbage must not eat memory). */
export const lineBytesMax = 16 * 1024 * 1024;

/** What went wrong with a line a node printed; undefined when it is a well-formed message. */
export function validateMessage(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a JSON object {"src", "dest", "body"}';
  const x = m as Record<string, unknown>;
  if (typeof x.src !== 'string') return 'a string "src"';
  if (typeof x.dest !== 'string') return 'a string "dest"';
  if (typeof x.body !== 'object' || x.body === null || Array.isArray(x.body)) return 'an object "body"';
  const b = x.body as Record<string, unknown>;
  if (typeof b.type !== 'string') return 'a string "body.type"';
  if (b.msg_id !== undefined && !Number.isInteger(b.msg_id)) return 'an integer "body.msg_id"';
  if (b.in_reply_to !== undefined && !Number.isInteger(b.in_reply_to)) return 'an integer "body.in_reply_to"';
  return undefined;
}

export function errorBody(inReplyTo: number | undefined, code: number, text: string): Body {
  return { type: 'error', in_reply_to: inReplyTo, code, text };
}
