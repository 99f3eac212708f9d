/**
 * Intelligence: the personalisation service, which chooses the artwork a profile sees for a title
 * (Netflix Tech Blog, "Artwork Personalization at Netflix", 2017). Asked on the play's path, it
 * computes the choice then and there, in `computeMs`; during `slowdown` it takes `slowdown.computeMs`
 * instead (a bad model push, a GC storm: the dependency that turns slow).
 *
 * With precomputed artwork, the offline batch has already chosen for most profiles and published the
 * choices to the artwork cache (EVCache); the service then answers only the profiles the batch did not
 * cover. Which profiles the batch covered is decided by a hash of the profile's name, so every run and
 * every node agree on it.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import { hashString } from '../../runtime/hash.js';
import type { NetflixPlayConfig } from './config.js';

export type ArtworkBatchMsg = { type: 'artwork_batch'; choices: [string, string][] };

/** Profiles per message of the batch's publication. */
const batchChunkProfiles = 2_000;
const hashRange = 2 ** 32;

/** The artwork chosen for a profile (the choice itself does not matter to the play's timing). */
export const artworkFor = (profile: string) => `artwork-${hashString(profile, 0x5eed) % 8}`;

/** Whether the offline batch covered this profile. */
export const coveredByBatch = (profile: string, share: number) => hashString(profile) / hashRange < share;

export class Personalisation implements Process {
  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {}

  start(): void {
    if (this.c.artwork === 'precomputed') this.publishBatch();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    const profile = msg.op.key ?? 'k0';
    const slow = this.c.personalisation.slowdown;
    const now = this.ctx.now();
    const during = slow !== undefined && now >= slow.atMs && now < slow.atMs + slow.forMs;
    const ms = sample(during ? slow.computeMs : this.c.personalisation.computeMs, () => this.ctx.random());
    this.ctx.metrics.observe('artwork_compute_ms', ms);
    this.ctx.setTimer(ms, () => this.ctx.send(from, clientReply(msg, 'ok', artworkFor(profile))));
  }

  /** The result of last night's batch, published to the cache in chunks before the first play. */
  private publishBatch(): void {
    const share = this.c.artworkCache.precomputedShare;
    let chunk: [string, string][] = [];
    let published = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      this.ctx.send(this.c.artworkCache.node, { type: 'artwork_batch', choices: chunk } satisfies ArtworkBatchMsg);
      published += chunk.length;
      chunk = [];
    };
    for (let i = 0; i < this.c.profiles; i++) {
      const profile = `k${i}`;
      if (!coveredByBatch(profile, share)) continue;
      chunk.push([profile, artworkFor(profile)]);
      if (chunk.length === batchChunkProfiles) flush();
    }
    flush();
    this.ctx.metrics.gauge('artwork_precomputed_profiles', published);
  }
}
