/**
 * An Open Connect appliance: Netflix's own CDN server, embedded in a member's ISP or placed at an
 * internet exchange. It serves the streams the steering service sends to it and reports how many it
 * serves, so that the steering can send new plays elsewhere before it is full (Netflix Open Connect
 * overview: appliances report their health, the steering ranks them per client).
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import type { NetflixPlayConfig } from './config.js';

export type ApplianceMsg = { type: 'stream_start'; durationMs: number } | { type: 'appliance_load'; streams: number; capacityStreams: number };

export const applianceMsg = {
  streamStart: (durationMs: number): ApplianceMsg => ({ type: 'stream_start', durationMs }),
};

export const isApplianceMsg = (msg: unknown): msg is ApplianceMsg => {
  const t = (msg as { type?: unknown } | null)?.type;
  return t === 'stream_start' || t === 'appliance_load';
};

export class OpenConnectAppliance implements Process {
  private streams = 0;
  private streamsMax = 0;
  private readonly capacityStreams: number;

  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {
    this.capacityStreams = c.steering.appliances.find((a) => a.node === ctx.id)!.capacityStreams;
  }

  start(): void {
    const report = () => {
      this.ctx.send(this.c.steering.node, { type: 'appliance_load', streams: this.streams, capacityStreams: this.capacityStreams } satisfies ApplianceMsg);
      this.ctx.setTimer(this.c.steering.reportEveryMs, report);
    };
    // Appliances do not report in step with each other.
    this.ctx.setTimer(this.c.steering.reportEveryMs * this.ctx.random(), report);
  }

  onMessage(_from: NodeId, msg: unknown): void {
    if (!isApplianceMsg(msg) || msg.type !== 'stream_start') return;
    this.streams++;
    if (this.streams > this.streamsMax) {
      this.streamsMax = this.streams;
      this.ctx.metrics.gauge(`streams_max_${this.ctx.id}`, this.streams);
    }
    this.ctx.setTimer(msg.durationMs, () => this.streams--);
  }
}
