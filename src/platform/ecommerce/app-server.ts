/**
 * An app server: takes checkouts from the gateways, reserves the item at its warehouse, records the
 * order, and hands it to fulfilment. With the Raft store, reserving and recording are one
 * conditional transfer of a unit from `stock:<sku>` to `sold:<sku>`: it applies once or not at all.
 * With the async primary it is the classic read, check, write (the ATM race) on a primary that
 * acknowledges before its replicas have the write.
 *
 * A bad release (chaos) makes it fail a fraction of its requests until a gateway rolls it back.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import { Caller, type CallResult } from './caller.js';
import { skuOf, warehouseOf, type PlatformConfig } from './config.js';

export type AppMsg = { type: 'rollback' } | { type: 'release'; version: string };

export class AppServer implements Process {
  private readonly caller: Caller;
  private version = 'v1';
  private busy = 0;

  constructor(
    private readonly ctx: Context,
    private readonly c: PlatformConfig,
  ) {
    this.caller = new Caller(ctx);
  }

  start(): void {
    const bad = this.c.badDeploy;
    if (bad !== undefined && bad.server === this.ctx.id) {
      this.ctx.setTimer(Math.max(0, bad.atMs - this.ctx.now()), () => {
        this.version = 'v2';
        this.ctx.log('release', { version: 'v2' });
      });
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientReply(msg)) return void this.caller.onReply(msg);
    if (isClientRequest(msg)) return this.checkout(from, msg);
    const m = msg as AppMsg;
    if (m.type === 'rollback' && this.version !== 'v1') {
      this.version = 'v1';
      this.ctx.metrics.count('rollbacks');
      this.ctx.log('rollback', { version: 'v1' });
    }
  }

  private checkout(from: NodeId, req: ClientRequest): void {
    const reply = (r: CallResult) => this.ctx.send(from, r.status === 'ok' ? clientReply(req, 'ok', { server: this.ctx.id, version: this.version }) : clientReply(req, r.status, undefined, r.error));
    if (this.ctx.now() < this.c.openAtMs) return reply({ status: 'fail', error: 'the store opens at ' + this.c.openAtMs + ' ms' });
    if (this.busy >= this.c.appSlots) return reply({ status: 'fail', error: 'server busy' });
    this.busy++;
    const finish = (r: CallResult) => {
      this.busy--;
      reply(r);
    };
    this.ctx.setTimer(sample(this.c.appService, () => this.ctx.random()), () => {
      if (this.version !== 'v1' && this.ctx.random() < (this.c.badDeploy?.errorRate ?? 0)) return finish({ status: 'fail', error: `server error (${this.version})` });
      const sku = skuOf(this.c, req.op.key);
      this.reserve(sku, (r) => {
        if (r.status !== 'ok') return finish(r);
        this.fulfil(req.id, finish);
      });
    });
  }

  /** Take one unit of `sku` from its warehouse and record the sale. */
  private reserve(sku: number, done: (r: CallResult) => void): void {
    const group = this.c.warehouses[warehouseOf(this.c, sku)];
    const t = this.c.callTimeoutMs;
    if (this.c.inventoryStore === 'raft') {
      return this.caller.callGroup(group, { f: 'transfer', key: `stock:${sku}`, value: { to: `sold:${sku}`, amount: 1 } }, t, 3, (r) =>
        done(r.status === 'fail' && /insufficient/.test(r.error) ? { status: 'fail', error: 'sold out' } : r),
      );
    }
    // Read, check, write: two checkouts that read the same count both take "the last unit".
    this.caller.callGroup(group, { f: 'read', key: `stock:${sku}` }, t, 3, (r) => {
      if (r.status !== 'ok') return done(r);
      const stock = Number(r.value ?? 0);
      if (stock <= 0) return done({ status: 'fail', error: 'sold out' });
      this.caller.callGroup(group, { f: 'write', key: `stock:${sku}`, value: stock - 1 }, t, 3, (w) => {
        if (w.status !== 'ok') return done(w);
        this.caller.callGroup(group, { f: 'incr', key: `sold:${sku}`, value: 1 }, t, 3, done);
      });
    });
  }

  /** async: hand the order to the fulfilment queue and answer; sync: wait for fulfilment first. */
  private fulfil(orderId: number, done: (r: CallResult) => void): void {
    const f = this.c.fulfilment;
    if (f.mode === 'async') {
      this.caller.call(f.node, { f: 'job', key: `order:${this.ctx.id}:${orderId}` }, 60_000, () => {});
      return done({ status: 'ok', value: undefined });
    }
    this.caller.call(f.node, { f: 'job', key: `order:${this.ctx.id}:${orderId}` }, this.c.callTimeoutMs, done);
  }
}
