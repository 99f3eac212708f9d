/**
 * Truth: the licence server. Before it issues the licence a play needs (DRM: the player cannot
 * decrypt a byte without it), it asks the source of truth whether the member may watch: a
 * linearizable read on the account store, a Raft group. It then spends `licenceMs` on the licence
 * itself (signing, key wrapping).
 *
 * Billing cancels subscriptions meanwhile (`cancellationsPerSec`, written through the same Raft group
 * by this server). A play checked after a cancellation was acknowledged must be refused; one that is
 * not counts in licences_after_cancellation, which a linearizable store keeps at zero.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import { Caller } from '../ecommerce/caller.js';
import type { NetflixPlayConfig } from './config.js';

/** One attempt at the account store (a replica that does not answer is retried at the next). */
const storeAttemptTimeoutMs = 500;
const storeAttempts = 3;
/** Billing waits this long after start, while the account store elects its leader. */
const billingStartMs = 1_000;

export class LicenceServer implements Process {
  private readonly caller: Caller;
  /** When each cancellation was acknowledged by the store. */
  private readonly cancelledAtMs = new Map<string, number>();

  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {
    this.caller = new Caller(ctx);
  }

  start(): void {
    const m = this.ctx.metrics;
    for (const k of ['cancellations', 'licences_after_cancellation', 'entitlement_checks_failed']) m.count(k, 0);
    const rate = this.c.entitlements.cancellationsPerSec;
    if (rate === 0) return;
    const next = () => this.ctx.setTimer(sample({ dist: 'exponential', mean: 1000 / rate }, () => this.ctx.random()), cancel);
    const cancel = () => {
      const profile = `k${Math.floor(this.ctx.random() * this.c.profiles)}`;
      this.caller.callGroup(this.c.entitlements.store, { f: 'write', key: `cancelled:${profile}`, value: true }, storeAttemptTimeoutMs, storeAttempts, (r) => {
        if (r.status !== 'ok' || this.cancelledAtMs.has(profile)) return;
        this.cancelledAtMs.set(profile, this.ctx.now());
        m.count('cancellations');
      });
      next();
    };
    this.ctx.setTimer(billingStartMs, next);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientReply(msg)) return void this.caller.onReply(msg);
    if (!isClientRequest(msg)) return;
    const profile = msg.op.key ?? 'k0';
    const checkedAtMs = this.ctx.now();
    this.caller.callGroup(this.c.entitlements.store, { f: 'read', key: `cancelled:${profile}` }, storeAttemptTimeoutMs, storeAttempts, (r) => {
      const m = this.ctx.metrics;
      if (r.status !== 'ok') {
        m.count('entitlement_checks_failed');
        return this.ctx.send(from, clientReply(msg, 'fail', undefined, `entitlement unknown: ${r.error}`));
      }
      if (r.value === true) return this.ctx.send(from, clientReply(msg, 'ok', { licence: false, reason: 'subscription cancelled' }));
      const cancelledAt = this.cancelledAtMs.get(profile);
      if (cancelledAt !== undefined && cancelledAt <= checkedAtMs) m.count('licences_after_cancellation');
      this.ctx.setTimer(sample(this.c.entitlements.licenceMs, () => this.ctx.random()), () => this.ctx.send(from, clientReply(msg, 'ok', { licence: true })));
    });
  }
}
