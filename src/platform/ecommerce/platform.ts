/**
 * The seeds' e-commerce platform on all five pillars, as one system in the simulator: each node
 * plays the part the config gives it.
 *
 *   work          gateways route by service; a balancer over the app servers; fulfilment behind a
 *                 queue (async) or on the checkout path (sync)
 *   state         the catalog replicated to every region; inventory partitioned by warehouse
 *   truth         each warehouse a Raft group: a reservation is one conditional transfer (or, naive,
 *                 read-check-write on an async primary)
 *   control       a breaker per app server that ejects a failing release and rolls it back
 *   intelligence  fraud scoring at the edge behind the ML circuit breaker, rules as the fallback
 */
import type { Context, Process } from '../../runtime/context.js';
import { withPeers } from '../../runtime/scoped-context.js';
import { asyncPrimaryConfigSchema, asyncPrimaryKv, raftKv, raftKvConfigSchema } from '../../truth/index.js';
import { queueServer } from '../../work/index.js';
import { AppServer } from './app-server.js';
import { CatalogReplica } from './catalog.js';
import { Gateway } from './gateway.js';
import type { PlatformConfig } from './config.js';

export { platformConfigSchema, type PlatformConfig } from './config.js';

export function ecommercePlatform(ctx: Context, c: PlatformConfig): Process {
  const id = ctx.id;
  for (const r of Object.values(c.regions)) {
    if (r.gateway === id) return new Gateway(ctx, c);
    if (r.catalog === id) return new CatalogReplica(ctx, c);
  }
  if (c.appServers.includes(id)) return new AppServer(ctx, c);
  if (c.fulfilment.node === id) return queueServer(ctx, { workers: c.fulfilment.workers, service: c.fulfilment.service });
  const group = c.warehouses.find((g) => g.includes(id));
  if (group !== undefined) {
    const scoped = withPeers(ctx, group);
    return c.inventoryStore === 'raft'
      ? raftKv(scoped, raftKvConfigSchema.parse({ voters: [...group].sort() }))
      : asyncPrimaryKv(scoped, asyncPrimaryConfigSchema.parse({ primary: group[0], failoverMs: 1_000 }));
  }
  throw new Error(`node ${id} has no part in the platform (not a gateway, catalog, app server, warehouse replica or fulfilment node)`);
}
