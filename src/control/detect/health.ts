/**
 * Liveness and readiness, as Kubernetes and load balancers ask for them:
 *
 * - live: should this process be restarted? Only checks that mean "I am broken and will not get
 *   better by myself" belong here (a wedged worker, a poisoned state). A dependency being down is
 *   not a liveness failure: restarting every caller of a dead database is a cascade.
 * - ready: should traffic come here now? Dependencies, warm-up, and draining before a stop: a
 *   draining process stays live but not ready, so the balancer moves traffic away before it exits.
 *
 * Checks run with a timeout (a check that hangs is a failed check) and report how long they took.
 */
import type { Environment } from '../../runtime/clock.js';
import { positive } from '../../runtime/config-error.js';

export type HealthKind = 'liveness' | 'readiness';

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: CheckResult[];
}

interface Check {
  name: string;
  kind: HealthKind;
  run: () => boolean | Promise<boolean>;
  timeoutMs: number;
}

export class Health {
  private readonly checks: Check[] = [];
  private draining: string | undefined;
  private readonly env: Pick<Environment, 'clock' | 'timers'>;

  /** Checks are timed on env.clock and bounded by env.timers. */
  constructor(env: Pick<Environment, 'clock' | 'timers'>) {
    this.env = env;
  }

  /** Add a check; it passes when it returns (or resolves to) true within timeoutMs. */
  add(name: string, kind: HealthKind, run: () => boolean | Promise<boolean>, timeoutMs = 1000): this {
    positive('timeoutMs', timeoutMs);
    this.checks.push({ name, kind, run, timeoutMs });
    return this;
  }

  /** Stop being ready (before a shutdown or a deploy); liveness is unaffected. */
  drain(reason = 'draining'): void {
    this.draining = reason;
  }

  undrain(): void {
    this.draining = undefined;
  }

  live(): Promise<HealthReport> {
    return this.report('liveness');
  }

  async ready(): Promise<HealthReport> {
    const r = await this.report('readiness');
    if (this.draining === undefined) return r;
    return { ok: false, checks: [{ name: 'drain', ok: false, ms: 0, error: this.draining }, ...r.checks] };
  }

  private async report(kind: HealthKind): Promise<HealthReport> {
    const checks = await Promise.all(this.checks.filter((c) => c.kind === kind).map((c) => this.run(c)));
    return { ok: checks.every((c) => c.ok), checks };
  }

  private run(c: Check): Promise<CheckResult> {
    const start = this.env.clock.now();
    const done = (ok: boolean, error?: string): CheckResult => {
      const r: CheckResult = { name: c.name, ok, ms: this.env.clock.now() - start };
      if (error !== undefined) r.error = error;
      return r;
    };
    return new Promise<CheckResult>((resolve) => {
      const timer = this.env.timers.set(c.timeoutMs, () => resolve(done(false, `no answer within ${c.timeoutMs} ms`)));
      let result: boolean | Promise<boolean>;
      try {
        result = c.run();
      } catch (e) {
        this.env.timers.clear(timer);
        return resolve(done(false, e instanceof Error ? e.message : String(e)));
      }
      Promise.resolve(result).then(
        (ok) => {
          this.env.timers.clear(timer);
          resolve(done(ok === true, ok === true ? undefined : 'check said no'));
        },
        (e) => {
          this.env.timers.clear(timer);
          resolve(done(false, e instanceof Error ? e.message : String(e)));
        },
      );
    });
  }
}
