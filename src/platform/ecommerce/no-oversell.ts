/**
 * No unit sold that was not in stock, judged from the clients' history rather than from the
 * platform's own audit at the end of the day: every checkout (a `write` of its SKU's key) a client
 * saw acknowledged is a unit sold, and no SKU may have more of them than the stock loaded at opening.
 *
 * Acknowledged checkouts only ever grow, and one still pending or timed out (info) is not counted, so
 * a prefix of the history that already sells one unit too many stays failed whatever follows: the
 * lab shows the moment, and the order that was one too many.
 */
import { z } from 'zod';
import { NANOS_PER_MS, type History } from '../../check/history.js';
import type { CheckEntry, CheckVerdict } from '../../scenario/index.js';
import { platformConfigSchema, skuOf } from './config.js';

/** The part of the platform's config the check reads (the rest was checked when the scenario loaded). */
const catalogSchema = z.object({ skus: platformConfigSchema.shape.skus, stockPerSku: platformConfigSchema.shape.stockPerSku });
export type Catalog = z.infer<typeof catalogSchema>;

/** Acknowledged checkouts per SKU against the stock; the witness is the first acknowledgement beyond it. */
export function checkNoOversell(history: History, catalog: Catalog): CheckVerdict {
  const sold = new Array<number>(catalog.skus).fill(0);
  const invoked = new Map<number, { key: string | undefined; timeNs: number; node: string | undefined }>();
  let acked = 0;
  let witness = '';
  for (const e of history.events) {
    if (e.type === 'invoke') {
      if (e.f === 'write') invoked.set(e.process, { key: e.key, timeNs: e.time, node: e.node });
      else invoked.delete(e.process);
      continue;
    }
    const checkout = invoked.get(e.process);
    invoked.delete(e.process);
    if (checkout === undefined || e.type !== 'ok') continue;
    acked++;
    const sku = skuOf(catalog, checkout.key);
    sold[sku]++;
    if (sold[sku] === catalog.stockPerSku + 1 && witness === '') {
      const ms = (ns: number) => `${(ns / NANOS_PER_MS).toFixed(3)} ms`;
      const via = (e.node ?? checkout.node) === undefined ? '' : ` (via ${e.node ?? checkout.node})`;
      witness = `; the first: SKU ${sku} (stock ${catalog.stockPerSku}): process ${e.process}'s checkout of ${checkout.key} begun at ${ms(checkout.timeNs)}${via} was acknowledged at ${ms(e.time)} as unit ${sold[sku]}`;
    }
  }
  const oversold = sold.reduce((sum, n) => sum + Math.max(0, n - catalog.stockPerSku), 0);
  const skusOversold = sold.filter((n) => n > catalog.stockPerSku).length;
  return {
    ok: oversold === 0,
    detail: `${acked} checkouts acknowledged over ${catalog.skus} SKUs of ${catalog.stockPerSku} units each: ${oversold} units oversold in ${skusOversold} SKU${skusOversold === 1 ? '' : 's'}${witness}`,
    metrics: { acked_checkouts: acked, oversold_acked_units: oversold },
  };
}

export const noOversell: CheckEntry = {
  description: "no SKU of platform/ecommerce has more checkouts acknowledged to clients (in the history) than its stock (the config's stockPerSku); the witness is the first order acknowledged beyond it. Judged as the run goes, unlike the audit's oversold_units at the end",
  params: z.object({ name: z.string() }).strict(),
  needsHistory: true,
  failsForGood: () => true,
  produces: () => ['acked_checkouts', 'oversold_acked_units'],
  verdictMetric: () => 'oversold_acked_units',
  run(facts) {
    if (facts.variant.system.process !== 'platform/ecommerce') return { ok: false, error: true, detail: 'no-oversell needs system.process platform/ecommerce' };
    return checkNoOversell(facts.history!, catalogSchema.parse(facts.variant.system.config ?? {}));
  },
};
