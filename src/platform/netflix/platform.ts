/**
 * Netflix's play path on the five pillars, as one system in the simulator ("How Netflix Serves Your
 * Next Episode", in the seeds: 200 ms from click to play). Each node plays the part the config gives it:
 *
 *   work          the API gateway (Zuul) balancing plays over the playback API servers
 *   state         viewing history in a store replicated to every region (Dynamo-style quorums)
 *   truth         the licence server, which checks entitlements on the account store (a Raft group)
 *   control       a Hystrix-style command per dependency at the API: timeout, breaker, fallback
 *   intelligence  personalised artwork (computed per play, or precomputed into a cache) and Open
 *                 Connect steering over the appliances' own load reports
 */
import type { Context, Process } from '../../runtime/context.js';
import { withPeers } from '../../runtime/scoped-context.js';
import { raftKv, raftKvConfigSchema } from '../../truth/index.js';
import { quorumStore, quorumStoreConfigSchema } from '../../state/index.js';
import { ArtworkCache } from './artwork-cache.js';
import type { NetflixPlayConfig } from './config.js';
import { Gateway } from './gateway.js';
import { LicenceServer } from './licence-server.js';
import { OpenConnectAppliance } from './open-connect.js';
import { Personalisation } from './personalisation.js';
import { PlaybackApi } from './playback-api.js';
import { Steering } from './steering.js';

export { netflixPlayConfigSchema, type NetflixPlayConfig } from './config.js';

export function netflixPlay(ctx: Context, c: NetflixPlayConfig): Process {
  const id = ctx.id;
  if (c.gateway.node === id) return new Gateway(ctx, c);
  if (c.apiServers.includes(id)) return new PlaybackApi(ctx, c);
  if (c.viewingHistory.replicas.includes(id)) {
    const replicas = c.viewingHistory.replicas;
    return quorumStore(withPeers(ctx, replicas), quorumStoreConfigSchema.parse({ n: replicas.length }));
  }
  if (c.entitlements.licenceServer === id) return new LicenceServer(ctx, c);
  if (c.entitlements.store.includes(id)) {
    const store = c.entitlements.store;
    return raftKv(withPeers(ctx, store), raftKvConfigSchema.parse({ voters: [...store].sort() }));
  }
  if (c.personalisation.node === id) return new Personalisation(ctx, c);
  if (c.artworkCache.node === id) return new ArtworkCache(ctx, c);
  if (c.steering.node === id) return new Steering(ctx, c);
  if (c.steering.appliances.some((a) => a.node === id)) return new OpenConnectAppliance(ctx, c);
  throw new Error(`node ${id} has no part in the play path (not the gateway, an API server, a history replica, the licence server, an account store voter, personalisation, the artwork cache, steering or an Open Connect appliance)`);
}
