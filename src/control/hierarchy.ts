/**
 * The control hierarchy (the seed's "control stack that works"): five levels, each a loop on its own
 * time scale with its own authority.
 *
 *   4 strategic    days      capacity plans, the SLO            sets 2's bounds
 *   3 tactical     hours     deploys, rolled out gradually      sets 2's floor while it deploys
 *   2 operational  minutes   autoscaling, load shedding         sets 0's admission limit
 *   1 reactive     seconds   circuit breakers, kill switches
 *   0 emergency    ms        hard limits that protect the machine
 *
 * The rule that keeps them from fighting: a level acts only on what it owns, and a higher level
 * changes a lower one only through that level's parameters, never by acting in its place; and each
 * level reads the state of the ones below (a breaker open is load the autoscaler did not see).
 * `ParameterBoard` holds the parameters with the level that owns each, and refuses a write from a
 * level that is not above the owner. `checkPeriods` refuses a stack whose loops are not each slower
 * than the one below (a higher level that reacts as fast as a lower one fights it).
 */
import { ConfigError } from '../runtime/config-error.js';

export const controlLevels = ['emergency', 'reactive', 'operational', 'tactical', 'strategic'] as const;
export type ControlLevel = 0 | 1 | 2 | 3 | 4;

export interface ParameterChange {
  name: string;
  from: number;
  to: number;
  by: ControlLevel;
  atMs: number;
}

export class ParameterBoard {
  private readonly params = new Map<string, { owner: ControlLevel; value: number }>();
  private readonly log: ParameterChange[] = [];

  /** A parameter that level `owner` acts on; only the levels above it may change it. */
  declare(name: string, owner: ControlLevel, initial: number): void {
    if (this.params.has(name)) throw new ConfigError(`parameters.${name}`, 'a parameter declared once', initial);
    this.params.set(name, { owner, value: initial });
  }

  get(name: string): number {
    const p = this.params.get(name);
    if (p === undefined) throw new RangeError(`no parameter ${name}`);
    return p.value;
  }

  /** Level `by` sets a parameter of a level below it. Setting one's own or a higher level's is a bug. */
  set(name: string, value: number, by: ControlLevel, nowMs: number): void {
    const p = this.params.get(name);
    if (p === undefined) throw new RangeError(`no parameter ${name}`);
    if (by <= p.owner) throw new RangeError(`level ${by} (${controlLevels[by]}) may not set ${name}, which level ${p.owner} (${controlLevels[p.owner]}) owns: only a level above it may`);
    if (p.value === value) return;
    this.log.push({ name, from: p.value, to: value, by, atMs: nowMs });
    p.value = value;
  }

  /** Every change, in order: who set what, when. */
  get changes(): readonly ParameterChange[] {
    return this.log;
  }
}

/** Each level's loop period (ms), level 1 up; each must be longer than the one below it. */
export function checkPeriods(periodsMs: readonly number[], field = 'periodsMs'): void {
  for (let i = 1; i < periodsMs.length; i++) {
    if (!(periodsMs[i] > periodsMs[i - 1])) throw new ConfigError(`${field}[${i}]`, `a period longer than level ${i}'s (${periodsMs[i - 1]} ms): a higher level reacting as fast as a lower one fights it`, periodsMs[i]);
  }
}
