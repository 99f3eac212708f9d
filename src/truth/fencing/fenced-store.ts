/**
 * Storage that checks fencing tokens: every read and write names the token of the lease its caller
 * holds, the store remembers the largest token it has seen per key, and refuses a write whose token is
 * smaller. A holder whose lease ran out while it was paused therefore cannot overwrite the work of
 * the holder after it, even though it still believes it holds the lock.
 *
 * Reads raise the bar too: once the next holder has read a key, the old holder's write is refused
 * even if the next holder has not written yet, so the next holder never builds on a value that
 * changes under it.
 */

/** A write (or read) carried a token older than one the store has already seen for that key. */
export class StaleTokenError extends Error {
  override readonly name = 'StaleTokenError';
  constructor(
    readonly key: string,
    readonly token: number,
    readonly tokenSeen: number,
  ) {
    super(`fenced: token ${token} for "${key}" is older than ${tokenSeen}`);
  }
}

export const isStaleTokenError = (e: unknown): e is StaleTokenError => e instanceof StaleTokenError;

export type FencedResult<T> = { ok: true; value: T } | { ok: false; error: StaleTokenError };

export class FencedStore<V = unknown> {
  private readonly values = new Map<string, V>();
  private readonly tokens = new Map<string, number>();
  /** Writes refused for a stale token. */
  refused = 0;

  /**
   * @param fencing false turns the check off: the store takes every write, the design that loses
   * updates to paused lock holders (kept for the story's naive variant).
   */
  constructor(readonly fencing = true) {}

  read(key: string, token: number): FencedResult<V | undefined> {
    const stale = this.admit(key, token);
    return stale === undefined ? { ok: true, value: this.values.get(key) } : { ok: false, error: stale };
  }

  write(key: string, value: V, token: number): FencedResult<undefined> {
    const stale = this.admit(key, token);
    if (stale !== undefined) {
      this.refused++;
      return { ok: false, error: stale };
    }
    this.values.set(key, value);
    return { ok: true, value: undefined };
  }

  /** The value of a key without any token (for inspection and checks). */
  peek(key: string): V | undefined {
    return this.values.get(key);
  }

  /** The largest token seen for a key (0 if none). */
  tokenSeen(key: string): number {
    return this.tokens.get(key) ?? 0;
  }

  private admit(key: string, token: number): StaleTokenError | undefined {
    const seen = this.tokens.get(key) ?? 0;
    if (this.fencing && token < seen) return new StaleTokenError(key, token, seen);
    if (token > seen) this.tokens.set(key, token);
    return undefined;
  }
}
