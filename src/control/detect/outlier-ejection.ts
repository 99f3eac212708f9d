/**
 * Outlier ejection for gray failures: a host that answers, but far slower (or far less
 * successfully) than its peers, is taken out of rotation for a while. Every `intervalMs` the
 * detector compares each host's mean latency and success rate over the interval with the median
 * host; a host slower than `latencyFactor` x the median, or whose success rate is `successRateGap`
 * below the median, is ejected for baseEjectionMs x (times ejected before + 1), and never more than
 * `maxEjectedFraction` of the hosts at once. Envoy's outlier detection (success rate, consecutive
 * errors, ejection time growing with each ejection, max ejection percent), with latency added as
 * Finagle and most service meshes do.
 */
import { fraction, positive, positiveInt } from '../../runtime/config-error.js';

export interface OutlierEjectionOptions {
  intervalMs?: number;
  /** Latency above this multiple of the median host's marks an outlier (default 5). */
  latencyFactor?: number;
  /** A success rate this far below the median host's marks an outlier (default 0.3). */
  successRateGap?: number;
  /** Hosts with fewer calls in the interval are not judged (default 10). */
  minimumCalls?: number;
  baseEjectionMs?: number;
  /** At most this fraction of the hosts ejected at once (default 0.5). */
  maxEjectedFraction?: number;
}

interface HostStats {
  calls: number;
  failures: number;
  latencySum: number;
  ejectedUntilMs: number;
  ejections: number;
}

export class OutlierEjection {
  private readonly hosts = new Map<string, HostStats>();
  private readonly intervalMs: number;
  private readonly latencyFactor: number;
  private readonly successRateGap: number;
  private readonly minimumCalls: number;
  private readonly baseEjectionMs: number;
  private readonly maxEjectedFraction: number;
  private nextEvaluationMs: number;
  /** Ejections made so far (each host, each time). */
  ejections = 0;

  constructor(hosts: readonly string[], nowMs: number, opts: OutlierEjectionOptions = {}) {
    this.intervalMs = positive('intervalMs', opts.intervalMs ?? 1000);
    this.latencyFactor = positive('latencyFactor', opts.latencyFactor ?? 5);
    this.successRateGap = fraction('successRateGap', opts.successRateGap ?? 0.3);
    this.minimumCalls = positiveInt('minimumCalls', opts.minimumCalls ?? 10);
    this.baseEjectionMs = positive('baseEjectionMs', opts.baseEjectionMs ?? 30_000);
    this.maxEjectedFraction = fraction('maxEjectedFraction', opts.maxEjectedFraction ?? 0.5);
    for (const h of hosts) this.hosts.set(h, { calls: 0, failures: 0, latencySum: 0, ejectedUntilMs: 0, ejections: 0 });
    this.nextEvaluationMs = nowMs + this.intervalMs;
  }

  /** Record a call's outcome (evaluates the interval when it is over). */
  record(host: string, ok: boolean, latencyMs: number, nowMs: number): void {
    const s = this.hosts.get(host);
    if (s !== undefined) {
      s.calls++;
      if (!ok) s.failures++;
      s.latencySum += latencyMs;
    }
    this.maybeEvaluate(nowMs);
  }

  ejected(host: string, nowMs: number): boolean {
    this.maybeEvaluate(nowMs);
    const s = this.hosts.get(host);
    return s !== undefined && nowMs < s.ejectedUntilMs;
  }

  /** The hosts in rotation now. */
  healthy(nowMs: number): string[] {
    this.maybeEvaluate(nowMs);
    return [...this.hosts].filter(([, s]) => nowMs >= s.ejectedUntilMs).map(([h]) => h);
  }

  private maybeEvaluate(nowMs: number): void {
    if (nowMs < this.nextEvaluationMs) return;
    this.nextEvaluationMs = nowMs + this.intervalMs;
    const judged = [...this.hosts].filter(([, s]) => s.calls >= this.minimumCalls && nowMs >= s.ejectedUntilMs);
    if (judged.length >= 2) {
      const latency = median(judged.map(([, s]) => s.latencySum / s.calls));
      const success = median(judged.map(([, s]) => 1 - s.failures / s.calls));
      let ejectedNow = [...this.hosts.values()].filter((s) => nowMs < s.ejectedUntilMs).length;
      const ejectMax = Math.floor(this.hosts.size * this.maxEjectedFraction);
      // The worst first, so the cap keeps the healthiest hosts.
      const candidates = judged
        .map(([h, s]) => ({ h, s, slow: s.latencySum / s.calls / latency, rate: 1 - s.failures / s.calls }))
        .filter((c) => c.slow > this.latencyFactor || success - c.rate > this.successRateGap)
        .sort((a, b) => b.slow - a.slow || a.h.localeCompare(b.h));
      for (const c of candidates) {
        if (ejectedNow >= ejectMax) break;
        c.s.ejections++;
        c.s.ejectedUntilMs = nowMs + this.baseEjectionMs * c.s.ejections;
        ejectedNow++;
        this.ejections++;
      }
    }
    for (const s of this.hosts.values()) s.calls = s.failures = s.latencySum = 0;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
