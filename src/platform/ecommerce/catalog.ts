/**
 * The product catalog, replicated to every region: reads are answered by the local replica; prices
 * are set centrally (dynamic pricing with central coordination) at the home region's replica, which
 * pushes each new price list to the others. A replica cut off keeps answering with the prices it
 * has: available and stale (AP), and it says how stale.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest } from '../../runtime/client-protocol.js';
import type { PlatformConfig } from './config.js';

type CatalogMsg = { type: 'prices'; version: number; setAtMs: number };

export class CatalogReplica implements Process {
  private version = 0;
  /** When (on the home replica's clock) the prices this replica serves were set. */
  private setAtMs = 0;
  private readonly home: boolean;
  private readonly others: NodeId[];

  constructor(
    private readonly ctx: Context,
    private readonly c: PlatformConfig,
  ) {
    const catalogs = Object.values(c.regions).map((r) => r.catalog);
    this.home = c.regions[c.homeRegion].catalog === ctx.id;
    this.others = catalogs.filter((n) => n !== ctx.id);
  }

  start(): void {
    if (!this.home) return;
    const reprice = () => {
      this.version++;
      this.setAtMs = this.ctx.now();
      if (this.c.catalogReplicated) for (const o of this.others) this.ctx.send(o, { type: 'prices', version: this.version, setAtMs: this.setAtMs } satisfies CatalogMsg);
      this.ctx.setTimer(this.c.pricingEveryMs, reprice);
    };
    reprice();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      // Staleness: how long ago the home region set a newer price list than the one served here.
      const staleMs = this.home ? 0 : Math.max(0, this.ctx.now() - this.setAtMs - this.c.pricingEveryMs);
      if (!this.home) this.ctx.metrics.observe('catalog_staleness_ms', staleMs);
      return this.ctx.send(from, clientReply(msg, 'ok', { priceVersion: this.version, staleMs }));
    }
    const m = msg as CatalogMsg;
    if (m.type === 'prices' && m.version > this.version) {
      this.version = m.version;
      this.setAtMs = m.setAtMs;
    }
  }
}
