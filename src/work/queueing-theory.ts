/**
 * Queueing theory for M/M/c: Poisson arrivals at rate lambda, exponential service at rate mu per
 * server, c servers, offered load a = lambda / mu (in Erlangs), utilisation rho = a / c < 1.
 */

/**
 * Erlang C: the probability that an arriving customer has to wait.
 *   C(c, a) = (a^c / c!) * (c / (c - a)) / ( sum_{k<c} a^k / k!  +  (a^c / c!) * (c / (c - a)) )
 * Computed through the Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), which is stable for large c:
 *   C = c B / (c - a (1 - B)).
 */
export function erlangC(c: number, a: number): number {
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`servers must be a positive integer, got ${c}`);
  if (!(a >= 0)) throw new RangeError(`offered load must be >= 0, got ${a}`);
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/** Mean time in queue (before service) for M/M/c: Wq = C(c, a) / (c mu - lambda) = C * serviceMean / (c - a). */
export function mmcMeanWait(c: number, a: number, serviceMean: number): number {
  if (a >= c) return Infinity;
  return (erlangC(c, a) * serviceMean) / (c - a);
}
