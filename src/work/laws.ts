/**
 * The scaling laws of the work pillar, as numbers.
 *
 * Amdahl: with a fraction p of the work parallel, N workers give a speedup of 1 / ((1 - p) + p / N),
 * never more than 1 / (1 - p).
 *
 * The Universal Scalability Law (Gunther): relative capacity
 *     C(N) = N / (1 + alpha (N - 1) + beta N (N - 1))
 * with alpha the contention (the serial part, as in Amdahl) and beta the coherency cost (every pair
 * of workers keeping each other up to date). With beta > 0 throughput peaks at
 *     N* = sqrt((1 - alpha) / beta)
 * and falls beyond it: more workers, less work done. For alpha = 0.05 and beta = 0.001,
 * C(8) = 5.6899, C(32) = 9.03 and N* = 30.8 (a table in the seeds gives C(32) = 16: that table does
 * not follow its own formula).
 */
import { ConfigError } from '../runtime/config-error.js';

export function amdahlSpeedup(parallelFraction: number, n: number): number {
  if (!(parallelFraction >= 0 && parallelFraction <= 1)) throw new ConfigError('p', 'a fraction in [0, 1]', parallelFraction);
  if (!(n >= 1)) throw new ConfigError('n', 'at least 1 worker', n);
  return 1 / (1 - parallelFraction + parallelFraction / n);
}

export function uslCapacity(alpha: number, beta: number, n: number): number {
  checkUsl(alpha, beta);
  if (!(n >= 1)) throw new ConfigError('n', 'at least 1 worker', n);
  return n / (1 + alpha * (n - 1) + beta * n * (n - 1));
}

/** Where throughput peaks (Infinity when beta is 0: it only flattens). */
export function uslPeak(alpha: number, beta: number): number {
  checkUsl(alpha, beta);
  return beta === 0 ? Infinity : Math.sqrt((1 - alpha) / beta);
}

function checkUsl(alpha: number, beta: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new ConfigError('alpha', 'a number in [0, 1]', alpha);
  if (!(beta >= 0 && beta < 1)) throw new ConfigError('beta', 'a number in [0, 1)', beta);
}

/** The pairs among N workers that may need to coordinate: N(N-1)/2. */
export function coordinationPaths(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new ConfigError('n', 'a whole number of workers, at least 1', n);
  return (n * (n - 1)) / 2;
}

/**
 * The share of N workers' capacity lost to contention and coherency: 1 - C(N) / N. The coherency
 * term beta N (N - 1) is beta times twice the coordination paths: the USL's cost of the N(N-1)/2.
 */
export function uslOverhead(alpha: number, beta: number, n: number): number {
  return 1 - uslCapacity(alpha, beta, n) / n;
}

/**
 * The beta at which N workers lose `overhead` of their capacity, given alpha: from
 * 1 / (1 - overhead) = 1 + alpha (N - 1) + beta N (N - 1). Undefined when alpha alone loses more,
 * or N = 1 (one worker has no one to coordinate with).
 */
export function betaForOverhead(alpha: number, n: number, overhead: number): number | undefined {
  if (!(overhead >= 0 && overhead < 1)) throw new ConfigError('overhead', 'a fraction in [0, 1)', overhead);
  if (n < 2) return undefined;
  const beta = (1 / (1 - overhead) - 1 - alpha * (n - 1)) / (n * (n - 1));
  return beta >= 0 ? beta : undefined;
}

export interface UslFit {
  /** Throughput of one worker. */
  lambda: number;
  alpha: number;
  beta: number;
  /** The peak, sqrt((1 - alpha) / beta). */
  nStar: number;
  /** Coefficient of determination of the fitted curve against the measured throughputs. */
  r2: number;
}

/**
 * Fit the USL to measured (N, throughput) points by least squares with alpha, beta >= 0.
 *
 * For a given lambda the law is linear in alpha and beta:
 *     lambda N / X(N) - 1 = alpha (N - 1) + beta N (N - 1)
 * so alpha and beta come from a two-variable non-negative least squares (the unconstrained solution,
 * or the best fit with one of them held at 0); lambda is chosen by golden-section search, and the
 * three are then refined together (Nelder-Mead, kept in alpha, beta >= 0) to minimise the squared
 * error of X itself.
 */
export function fitUsl(points: readonly { n: number; x: number }[]): UslFit {
  if (points.length < 3) throw new ConfigError('points', 'at least 3 (N, throughput) points', points.length);
  for (const [i, p] of points.entries()) {
    if (!(p.n >= 1)) throw new ConfigError(`points[${i}].n`, 'at least 1', p.n);
    if (!(p.x > 0)) throw new ConfigError(`points[${i}].x`, 'a positive throughput', p.x);
  }
  const sse = (lambda: number) => {
    const { alpha, beta } = coefficients(points, lambda);
    let e = 0;
    for (const p of points) e += (p.x - (lambda * p.n) / (1 + alpha * (p.n - 1) + beta * p.n * (p.n - 1))) ** 2;
    return e;
  };
  // One worker's throughput is at least the best per-worker rate seen; search above it.
  const perWorker = Math.max(...points.map((p) => p.x / p.n));
  let lo = perWorker * 0.5;
  let hi = perWorker * 2;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = hi - g * (hi - lo);
  let d = lo + g * (hi - lo);
  for (let i = 0; i < 200; i++) {
    if (sse(c) < sse(d)) hi = d;
    else lo = c;
    c = hi - g * (hi - lo);
    d = lo + g * (hi - lo);
  }
  const lambda0 = (lo + hi) / 2;
  const start = coefficients(points, lambda0);
  // The linearised fit weighs the points unevenly; finish on the squared error of X itself.
  const [lambda, alpha, beta] = nelderMead(([l, a, b]) => {
    if (l <= 0 || a < 0 || b < 0 || a > 1) return Infinity;
    let e = 0;
    for (const p of points) e += (p.x - (l * p.n) / (1 + a * (p.n - 1) + b * p.n * (p.n - 1))) ** 2;
    return e;
  }, [lambda0, start.alpha, start.beta]);
  const mean = points.reduce((s, p) => s + p.x, 0) / points.length;
  const total = points.reduce((s, p) => s + (p.x - mean) ** 2, 0);
  let residual = 0;
  for (const p of points) residual += (p.x - (lambda * p.n) / (1 + alpha * (p.n - 1) + beta * p.n * (p.n - 1))) ** 2;
  return { lambda, alpha, beta, nStar: beta === 0 ? Infinity : Math.sqrt(Math.max(0, 1 - alpha) / beta), r2: total === 0 ? 1 : 1 - residual / total };
}

/** Nelder-Mead minimisation from x0 (infeasible points score Infinity). */
function nelderMead(f: (x: number[]) => number, x0: number[], iterations = 2000): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (j === i ? (v === 0 ? 1e-4 : v * 1.1) : v)))];
  let values = simplex.map(f);
  for (let it = 0; it < iterations; it++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (Math.abs(values[n] - values[0]) <= 1e-12 * (Math.abs(values[0]) + 1e-30)) break;
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, x) => s + x[j], 0) / n);
    const at = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const reflected = at(-1);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = at(-2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = at(0.5);
      const fc = f(contracted);
      if (fc < values[n]) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        simplex = simplex.map((x) => x.map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j])));
        values = simplex.map(f);
      }
    }
  }
  return simplex[values.indexOf(Math.min(...values))];
}

/** Non-negative least squares of y = alpha a + beta b (no intercept) for one lambda. */
function coefficients(points: readonly { n: number; x: number }[], lambda: number): { alpha: number; beta: number } {
  let saa = 0, sab = 0, sbb = 0, say = 0, sby = 0;
  for (const p of points) {
    const a = p.n - 1;
    const b = p.n * (p.n - 1);
    const y = (lambda * p.n) / p.x - 1;
    saa += a * a;
    sab += a * b;
    sbb += b * b;
    say += a * y;
    sby += b * y;
  }
  const det = saa * sbb - sab * sab;
  if (det > 0) {
    const alpha = (say * sbb - sby * sab) / det;
    const beta = (saa * sby - sab * say) / det;
    if (alpha >= 0 && beta >= 0) return { alpha, beta };
  }
  // The unconstrained optimum is outside the quadrant: the best fit lies on an edge.
  const onlyAlpha = { alpha: saa > 0 ? Math.max(0, say / saa) : 0, beta: 0 };
  const onlyBeta = { alpha: 0, beta: sbb > 0 ? Math.max(0, sby / sbb) : 0 };
  const err = (c: { alpha: number; beta: number }) => {
    let e = 0;
    for (const p of points) e += ((lambda * p.n) / p.x - 1 - c.alpha * (p.n - 1) - c.beta * p.n * (p.n - 1)) ** 2;
    return e;
  };
  return err(onlyAlpha) <= err(onlyBeta) ? onlyAlpha : onlyBeta;
}
