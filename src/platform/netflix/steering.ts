/**
 * Open Connect steering: for each play, the appliance to stream from. The nearest appliance first
 * (the one embedded in the member's ISP: the bytes never cross the internet), unless its own reports
 * say it is nearly full or it stopped reporting; then the next one out (an internet exchange). The
 * load it steers by is the appliance's last report plus the streams sent to it since, so that a burst
 * of plays between two reports does not overfill it.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import type { NetflixPlayConfig } from './config.js';
import { isApplianceMsg } from './open-connect.js';

export interface ApplianceChoice {
  node: NodeId;
  site: 'isp' | 'ixp';
}

/** Reports missed before an appliance counts as silent. */
const silentAfterReports = 3;

interface Report {
  streams: number;
  capacityStreams: number;
  atMs: number;
  /** Streams steered to it since this report. */
  sentSince: number;
}

export class Steering implements Process {
  private readonly reports = new Map<NodeId, Report>();

  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {}

  start(): void {
    for (const site of ['isp', 'ixp']) this.ctx.metrics.count(`steered_${site}`, 0);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isApplianceMsg(msg) && msg.type === 'appliance_load') {
      this.reports.set(from, { streams: msg.streams, capacityStreams: msg.capacityStreams, atMs: this.ctx.now(), sentSince: 0 });
      return;
    }
    if (!isClientRequest(msg)) return;
    this.ctx.setTimer(sample(this.c.steering.decideMs, () => this.ctx.random()), () => {
      const choice = this.choose();
      const r = this.reports.get(choice.node);
      if (r !== undefined) r.sentSince++;
      this.ctx.metrics.count(`steered_${choice.site}`);
      this.ctx.send(from, clientReply(msg, 'ok', choice));
    });
  }

  /** The first appliance in order of preference with room; else the least loaded one still reporting; else the nearest. */
  choose(): ApplianceChoice {
    const now = this.ctx.now();
    const s = this.c.steering;
    let best: { a: ApplianceChoice; load: number } | undefined;
    for (const a of s.appliances) {
      const r = this.reports.get(a.node);
      if (r === undefined || now - r.atMs > silentAfterReports * s.reportEveryMs) continue;
      const load = (r.streams + r.sentSince) / r.capacityStreams;
      const choice = { node: a.node, site: a.site };
      if (load < s.loadMax) return choice;
      if (best === undefined || load < best.load) best = { a: choice, load };
    }
    const nearest = s.appliances[0];
    return best?.a ?? { node: nearest.node, site: nearest.site };
  }
}
