/**
 * The bookkeeping of a node that passes client requests on (a balancer, a router, a proxy): send a
 * request on under an id of its own, remember who asked, and when the answer comes back, hand it to
 * the original client under the client's id.
 */
import type { Context, NodeId } from './context.js';
import { clientReply, type ClientReply, type ClientRequest } from './client-protocol.js';

export interface Relayed {
  client: NodeId;
  req: ClientRequest;
  /** Where the request was sent. */
  to: NodeId;
  /** When, on this node's clock. */
  sentMs: number;
}

export class Relay {
  private idNext = 1;
  private readonly inFlight = new Map<number, Relayed>();

  constructor(private readonly ctx: Context) {}

  /** Pass the client's request on to `to`. */
  forward(client: NodeId, req: ClientRequest, to: NodeId): void {
    const id = this.idNext++;
    this.inFlight.set(id, { client, req, to, sentMs: this.ctx.now() });
    this.ctx.send(to, { type: 'client_request', id, op: req.op } satisfies ClientRequest);
  }

  /** The request a reply answers (once: a duplicate or late reply gives undefined). */
  take(reply: ClientReply): Relayed | undefined {
    const r = this.inFlight.get(reply.id);
    if (r !== undefined) this.inFlight.delete(reply.id);
    return r;
  }

  /** Answer the original client with the reply's outcome. */
  answer(r: Relayed, reply: ClientReply): void {
    this.ctx.send(r.client, reply.status === 'ok' ? clientReply(r.req, 'ok', reply.value) : clientReply(r.req, reply.status, undefined, reply.error));
  }
}
