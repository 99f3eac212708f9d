/**
 * A node of the replicated KV as `pillars node` runs it: the Raft member (RaftKv, in the real node's
 * profile) behind the node's client layer (ClientGateway), on any Context, the member under the
 * supervisor that stops it when its disk fails and restarts it from its disk (MemberSupervisor). The
 * simulator runs this Process; the real node (src/node/kv-node.ts) wraps the same three parts and the
 * same routing with its ports and its free-space check.
 *
 * A client talks to one node. That node's gateway names the client `<node>/<client>`, hands each
 * attempt to its own member, which serves it as leader or forwards it; the answer is addressed to the
 * client's name, so it travels back to the node that holds the client (wrapped as `to_client`).
 */
import { z } from 'zod';
import { fromContext } from '../../runtime/clock.js';
import { clientReply, isClientReply, isClientRequest, type ClientReply } from '../../runtime/client-protocol.js';
import type { Context, Description, NodeId, Process } from '../../runtime/context.js';
import type { DiskError } from '../../runtime/disk-error.js';
import { MemberSupervisor } from '../../runtime/member-supervisor.js';
import { withSend } from '../../runtime/scoped-context.js';
import { readOnlyOperations } from '../kv.js';
import { ClientGateway, gatewayDefaults } from './client-gateway.js';
import { RaftKv, raftKvConfigSchema } from './host.js';

export const raftNodeConfigSchema = raftKvConfigSchema.extend({
  profile: raftKvConfigSchema.shape.profile.unwrap().default('real-node'),
  replyWaitMs: z.number().positive().default(gatewayDefaults.replyWaitMs),
  notAppliedBackoffMs: z.number().positive().default(gatewayDefaults.notAppliedBackoffMs),
  requestTimeoutMs: z.number().positive().default(gatewayDefaults.requestTimeoutMs),
});
export type RaftNodeConfig = z.infer<typeof raftNodeConfigSchema>;

/** An answer for a client held by another node, sent to that node. */
export interface ToClient {
  type: 'to_client';
  client: string;
  msg: unknown;
}

export function isToClient(msg: unknown): msg is ToClient {
  return (msg as ToClient | undefined)?.type === 'to_client';
}

/**
 * Where a message from the member goes: to a peer as it is; to a client through the node that holds
 * it (the part of its name before the first "/"), delivered here when that node is this one.
 */
export function routeFromMember(self: NodeId, isPeer: (id: NodeId) => boolean, to: NodeId, msg: unknown, out: { toPeer(id: NodeId, msg: unknown): void; toLocalClient(client: string, msg: unknown): void }): void {
  if (isPeer(to)) return out.toPeer(to, msg);
  const owner = to.slice(0, to.indexOf('/'));
  if (owner === self) return out.toLocalClient(to, msg);
  if (isPeer(owner)) out.toPeer(owner, { type: 'to_client', client: to, msg } satisfies ToClient);
}

export class RaftNode implements Process {
  readonly supervisor: MemberSupervisor<RaftKv>;
  readonly gateway: ClientGateway;
  private readonly peers: ReadonlySet<NodeId>;

  constructor(
    private readonly ctx: Context,
    config: RaftNodeConfig,
  ) {
    this.peers = new Set(ctx.peers);
    const { replyWaitMs, notAppliedBackoffMs, requestTimeoutMs, ...raft } = config;
    const route = { toPeer: (id: NodeId, msg: unknown) => ctx.send(id, msg), toLocalClient: (client: string, msg: unknown) => this.toLocalClient(client, msg) };
    const memberCtx = withSend(ctx, (to, msg) => routeFromMember(ctx.id, (id) => this.peers.has(id), to, msg, route));
    this.supervisor = new MemberSupervisor(memberCtx, { build: (c) => new RaftKv(c, raft), stopped: (reason) => this.gateway.failAll(reason) });
    const { clock, timers } = fromContext(ctx);
    this.gateway = new ClientGateway({ clock, timers, metrics: ctx.metrics }, { ...gatewayDefaults, replyWaitMs, notAppliedBackoffMs, requestTimeoutMs }, {
      handOff: (client, req) => {
        // While the member is stopped the request ends at once, as on the real node.
        if (this.supervisor.member === undefined) return this.supervisor.failure;
        this.supervisor.onMessage(client, req);
        return undefined;
      },
    });
  }

  /** The Raft member; undefined while its disk failure keeps it stopped. */
  get member(): RaftKv | undefined {
    return this.supervisor.member;
  }

  start(): void {
    this.supervisor.start();
    this.gateway.start();
  }

  diskFailed(error: DiskError): void {
    this.supervisor.diskFailed(error);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isToClient(msg)) return this.toLocalClient(msg.client, msg.msg);
    if (isClientRequest(msg) && !this.peers.has(from) && !from.includes('/')) {
      // A client of this node. Copies of a request already waited on (the network's duplicates, the
      // client's own retries) are left to the gateway, which resends it until it is answered.
      const client = `${this.ctx.id}/${from}`;
      if (this.gateway.waits(client, msg.id)) return;
      const kind = readOnlyOperations.has(msg.op.f) ? 'read' : 'write';
      this.gateway.submit(client, msg.id, msg.ackedBelow ?? 0, kind, msg.op, (r) => this.ctx.send(from, clientReply(msg, r.status, r.value, r.error)));
      return;
    }
    this.supervisor.onMessage(from, msg);
  }

  private toLocalClient(client: string, msg: unknown): void {
    if (isClientReply(msg)) this.gateway.onReply(client, msg as ClientReply);
  }

  describe(): Description {
    return this.supervisor.describe();
  }
}

export const raftNode = (ctx: Context, config: RaftNodeConfig): Process => new RaftNode(ctx, config);
