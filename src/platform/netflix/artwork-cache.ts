/**
 * The artwork cache (EVCache, Netflix's memcached): the profile's artwork as the offline batch or a
 * later computation chose it. A read answers the choice, or null on a miss; a write stores one.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import type { NetflixPlayConfig } from './config.js';
import type { ArtworkBatchMsg } from './personalisation.js';

export class ArtworkCache implements Process {
  private readonly entries = new Map<string, unknown>();

  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    if ((msg as ArtworkBatchMsg | null)?.type === 'artwork_batch') {
      for (const [profile, artwork] of (msg as ArtworkBatchMsg).choices) this.entries.set(profile, artwork);
      return;
    }
    if (!isClientRequest(msg)) return;
    const key = msg.op.key ?? '';
    this.ctx.setTimer(sample(this.c.artworkCache.lookupMs, () => this.ctx.random()), () => {
      if (msg.op.f === 'write') {
        this.entries.set(key, msg.op.value);
        return this.ctx.send(from, clientReply(msg, 'ok'));
      }
      this.ctx.send(from, clientReply(msg, 'ok', this.entries.get(key) ?? null));
    });
  }
}
