/**
 * Ordinary least squares with an intercept: the coefficients b minimizing |y - X b|^2, from the
 * normal equations (X^T X) b = X^T y solved by Gaussian elimination with partial pivoting. Meant for
 * the few features of a story's models (the normal equations square the condition number, which is
 * harmless at this size and wrong for wide, collinear data: use a QR decomposition there).
 */
import { ConfigError } from '../../../runtime/config-error.js';

export interface LinearFit {
  intercept: number;
  coefficients: number[];
}

/** Relative pivot size below which the system counts as singular (a constant or duplicated feature). */
const PIVOT_RELATIVE_MIN = 1e-12;

export function fitLeastSquares(rows: readonly (readonly number[])[], ys: readonly number[]): LinearFit {
  if (rows.length !== ys.length) throw new ConfigError('ys', `one outcome per row (${rows.length})`, ys.length);
  const k = (rows[0]?.length ?? 0) + 1;
  if (rows.length < k) throw new ConfigError('rows', `at least ${k} rows for ${k - 1} features and an intercept`, rows.length);
  // The augmented normal equations [X^T X | X^T y], with a leading 1 in every row for the intercept.
  const a = Array.from({ length: k }, () => new Float64Array(k + 1));
  const x = new Float64Array(k);
  for (let r = 0; r < rows.length; r++) {
    x[0] = 1;
    for (let j = 1; j < k; j++) x[j] = rows[r][j - 1];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i][j] += x[i] * x[j];
      a[i][k] += x[i] * ys[r];
    }
  }
  const scale = Math.max(...a.map((row, i) => Math.abs(row[i])));
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) <= PIVOT_RELATIVE_MIN * scale) throw new ConfigError('rows', 'features that vary independently (the fit is singular)', col);
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= k; c++) a[r][c] -= f * a[col][c];
    }
  }
  const b = a.map((row, i) => row[k] / row[i]);
  return { intercept: b[0], coefficients: b.slice(1) };
}

export function predictLinear(fit: LinearFit, features: readonly number[]): number {
  let y = fit.intercept;
  for (let j = 0; j < fit.coefficients.length; j++) y += fit.coefficients[j] * features[j];
  return y;
}
