/**
 * Side-by-side replies: the same commands sent over raw sockets to a real redis-server and to a node,
 * each reply read whole (RESP2 framing) and kept as the exact bytes, so a test can compare them byte
 * for byte and print both when they differ.
 */
import { RawClient, resp } from './real-nodes.js';
import type { PeerAddress } from '../adapters/tcp-transport.js';

/** The length of the first complete RESP2 reply in `text` (latin1), or -1 while it is incomplete. */
export function completeReplyLength(text: string, from = 0): number {
  const lineEnd = text.indexOf('\r\n', from);
  if (lineEnd < 0) return -1;
  const type = text[from];
  const header = text.slice(from + 1, lineEnd);
  const afterHeader = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
      return afterHeader - from;
    case '$': {
      const length = Number(header);
      if (length < 0) return afterHeader - from;
      return text.length >= afterHeader + length + 2 ? afterHeader + length + 2 - from : -1;
    }
    case '*': {
      const count = Number(header);
      let at = afterHeader;
      for (let i = 0; i < count; i++) {
        const item = completeReplyLength(text, at);
        if (item < 0) return -1;
        at += item;
      }
      return at - from;
    }
    default:
      throw new Error(`not a RESP2 reply: ${JSON.stringify(text.slice(from, from + 40))}`);
  }
}

/** One connection that sends a command and waits for its one reply. */
export class ReplyReader {
  private constructor(private readonly raw: RawClient) {}

  static async connect(address: PeerAddress): Promise<ReplyReader> {
    return new ReplyReader(await RawClient.connect(address));
  }

  async send(args: string[]): Promise<string> {
    this.raw.write(resp(...args));
    return this.raw.read((t) => completeReplyLength(t) > 0);
  }

  /**
   * Send commands pipelined, as a client may, and read their replies, one per command in order: a
   * server answers a pipeline as it answers the commands one by one (a read after a write sees it).
   */
  async sendAll(commands: string[][]): Promise<string[]> {
    this.raw.write(commands.map((args) => resp(...args)).join(''));
    const text = await this.raw.read((t) => splitReplies(t).length >= commands.length);
    return splitReplies(text);
  }

  close(): void {
    this.raw.close();
  }
}

/** The complete RESP2 replies at the start of `text`, each as its exact bytes. */
export function splitReplies(text: string): string[] {
  const replies: string[] = [];
  for (let at = 0; at < text.length; ) {
    const length = completeReplyLength(text, at);
    if (length < 0) break;
    replies.push(text.slice(at, at + length));
    at += length;
  }
  return replies;
}
