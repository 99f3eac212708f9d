/**
 * The simplest failure detector: a peer is suspected when no heartbeat came for `timeoutMs`. It
 * answers "is the process alive", not "is it doing its job": a node that answers heartbeats from a
 * healthy thread while its request path crawls (a gray failure) is never suspected.
 */
import { positive } from '../../runtime/config-error.js';

export class HeartbeatDetector {
  private readonly last = new Map<string, number>();
  constructor(readonly timeoutMs: number) {
    positive('timeoutMs', timeoutMs);
  }
  heartbeat(peer: string, nowMs: number): void {
    this.last.set(peer, nowMs);
  }
  /** Suspected: never heard from, or silent for timeoutMs. */
  suspected(peer: string, nowMs: number): boolean {
    const t = this.last.get(peer);
    return t === undefined || nowMs - t >= this.timeoutMs;
  }
}
