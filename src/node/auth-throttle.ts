/**
 * Slows password guessing: each failed AUTH makes the next answer on that connection, and from that
 * address, wait longer (doubling), and a connection that fails too often is closed. A guesser that
 * pipelines thousands of AUTHs gets a few tries per connection, each slower than the last, and new
 * connections from the same address start where the last one stopped.
 *
 * Pure bookkeeping with an injected clock: the connection decides when to run the check.
 */

import type { AuthThrottleLimits } from './limits-defaults.js';
export { authThrottleDefaults, type AuthThrottleLimits } from './limits-defaults.js';

interface AddressRecord {
  failures: number;
  lastFailureMs: number;
}

export class AuthThrottle {
  /** In order of last failure (a Map keeps insertion order; a failure re-inserts). */
  private readonly addresses = new Map<string, AddressRecord>();

  constructor(
    private readonly limits: AuthThrottleLimits,
    private readonly nowMs: () => number,
  ) {}

  /** How long to wait before checking the next AUTH of a connection that has failed `connectionFailures` times. */
  delayMs(address: string, connectionFailures: number): number {
    const failures = Math.max(connectionFailures, this.addressFailures(address));
    if (failures === 0) return 0;
    const { authDelayBaseMs, authDelayMaxMs } = this.limits;
    return Math.min(authDelayMaxMs, authDelayBaseMs * 2 ** Math.min(failures - 1, 30));
  }

  failed(address: string): void {
    const failures = this.addressFailures(address) + 1;
    this.addresses.delete(address);
    this.addresses.set(address, { failures, lastFailureMs: this.nowMs() });
    while (this.addresses.size > this.limits.authAddressesMax) this.addresses.delete(this.addresses.keys().next().value!);
  }

  succeeded(address: string): void {
    this.addresses.delete(address);
  }

  /** Whether a connection with this many failures is to be closed. */
  exhausted(connectionFailures: number): boolean {
    return connectionFailures >= this.limits.authFailuresPerConnectionMax;
  }

  private addressFailures(address: string): number {
    const r = this.addresses.get(address);
    if (r === undefined) return 0;
    if (this.nowMs() - r.lastFailureMs > this.limits.authAddressMemoryMs) {
      this.addresses.delete(address);
      return 0;
    }
    return r.failures;
  }
}
