/**
 * The platform's results told pillar by pillar: for each pillar, what the day threw at it, the
 * numbers of the naive and the fixed platform side by side, and whether the fixed platform
 * prevented the failure. The terminal report and the HTML report are both drawn from this.
 */
import type { VariantReport } from '../../scenario/report.js';
import { formatNumber } from '../../runtime/number-format.js';

export type PillarName = 'work' | 'state' | 'truth' | 'control' | 'intelligence';

export interface PillarRow {
  metric: string;
  label: string;
  /** Fewer is better (failures) or more is better (successes); none where more is not simply better. */
  better?: 'lower' | 'higher';
}

export interface PillarSection {
  pillar: PillarName;
  title: string;
  /** What happened to this pillar during the day. */
  event: string;
  /** The fixed platform's choice that makes the difference. */
  choice: string;
  /** The naive platform's choice. */
  naiveChoice: string;
  /** The failure the fixed platform must prevent: this metric of the fixed run must not exceed `max`. */
  prevented: { metric: string; max: number; what: string };
  rows: PillarRow[];
  /** Series to chart (counters as rates, gauges as values), with what a person reads above each chart. */
  series: PillarSeries[];
}

export interface PillarSeries {
  name: string;
  title: string;
  unit?: string;
}

export const pillarSections: PillarSection[] = [
  {
    pillar: 'work',
    title: 'Work: distribute load before it kills you',
    event: 'the Black-Friday spike triples checkouts for 10 s',
    choice: 'orders acknowledged once recorded; fulfilment (payment, shipping) from a queue at its own pace',
    naiveChoice: 'fulfilment on the checkout path',
    prevented: { metric: 'spike_checkouts_failed', max: 0, what: 'checkouts failed during the spike' },
    rows: [
      { metric: 'spike_checkouts_failed', label: 'checkouts failed in the spike', better: 'lower' },
      { metric: 'spike_checkouts_ok', label: 'checkouts done in the spike', better: 'higher' },
      { metric: 'spike_checkout_ms_p99', label: 'checkout p99 in the spike (ms)', better: 'lower' },
    ],
    series: [
      { name: 'orders_acked', title: 'orders acknowledged per second', unit: 'orders/s' },
      { name: 'checkouts_failed', title: 'checkouts failed per second (every checkout fails before the shop opens: the grey band)', unit: 'checkouts/s' },
      { name: 'latency_ms_p99_interval', title: 'client latency p99 per interval', unit: 'ms' },
      { name: 'queue_depth', title: 'fulfilment jobs waiting', unit: 'jobs' },
    ],
  },
  {
    pillar: 'state',
    title: 'State: keep data alive when servers die',
    event: 'the US and EU regions lose each other for 10 s',
    choice: 'the catalog replicated to every region, reads served locally (stale prices, counted)',
    naiveChoice: 'the catalog only in the US',
    prevented: { metric: 'partition_browse_fail', max: 0, what: 'European browses failed during the partition' },
    rows: [
      { metric: 'partition_browse_fail', label: 'browses failed in the partition', better: 'lower' },
      { metric: 'partition_browse_ok', label: 'browses served in the partition', better: 'higher' },
      { metric: 'catalog_staleness_ms_max', label: 'worst price staleness in Europe (ms)', better: 'lower' },
    ],
    series: [
      { name: 'browse_ok_eu', title: 'European browses served per second' },
      { name: 'browse_fail_eu', title: 'European browses failed per second' },
      { name: 'catalog_staleness_ms_p99_interval', title: 'price staleness in Europe, p99 per interval', unit: 'ms' },
    ],
  },
  {
    pillar: 'truth',
    title: 'Truth: agreement in a lying world',
    event: 'a warehouse node crashes for 10 s while the last units of every item sell out',
    choice: 'each warehouse a Raft group; a reservation is one conditional transfer from stock to sold',
    naiveChoice: 'read the stock, check it, write it back, on a primary with asynchronous replicas',
    prevented: { metric: 'oversold_units', max: 0, what: 'units sold that were not in stock' },
    rows: [
      { metric: 'oversold_units', label: 'units oversold', better: 'lower' },
      { metric: 'acked_orders_lost', label: 'acknowledged orders lost', better: 'lower' },
      // More orders is not better when they sell what is not there: no direction for these two.
      { metric: 'orders_acked_total', label: 'orders acknowledged' },
      { metric: 'units_sold_recorded', label: 'units the warehouses recorded as sold' },
    ],
    series: [
      { name: 'nodes_up', title: 'nodes up', unit: 'nodes' },
      { name: 'sold_out', title: 'checkouts answered "sold out" per second' },
      { name: 'raft_leaders_elected', title: 'warehouse leaders elected (Raft; marks: how many in each interval)' },
      { name: 'promotions', title: 'replicas promoted (async primary; marks: how many in each interval)' },
    ],
  },
  {
    pillar: 'control',
    title: 'Control: automation will betray you; build the kill switch',
    event: 'a release that fails 30% of its requests reaches one of eight app servers',
    choice: 'a breaker per server at every gateway: an open breaker ejects the server and rolls its release back',
    naiveChoice: 'no breakers: the bad release serves until a person notices',
    prevented: { metric: 'server_errors', max: 20, what: 'requests failed by the bad release' },
    rows: [
      { metric: 'server_errors', label: 'requests failed by the bad release', better: 'lower' },
      { metric: 'rollbacks', label: 'releases rolled back', better: 'higher' },
      // No better direction: naive has no breakers to eject with, and fixed's count includes the
      // servers the EU gateway ejects while the partition cuts it off from them (right to do).
      { metric: 'server_ejections', label: 'servers ejected by a breaker (a cut-off one too)' },
    ],
    series: [
      { name: 'server_errors', title: 'requests failed by the bad release per second' },
      { name: 'breakers_open_us', title: 'US gateway: breakers open or probing', unit: 'breakers' },
      { name: 'breakers_open_eu', title: 'EU gateway: breakers open or probing (the partition cuts it off from every server)', unit: 'breakers' },
      { name: 'server_ejections', title: 'servers ejected by a breaker (marks: how many in each interval)' },
      { name: 'rollbacks', title: 'releases rolled back (marks: how many in each interval)' },
    ],
  },
  {
    pillar: 'intelligence',
    title: 'Intelligence: systems that fix themselves',
    event: 'a fraud ring changes tactics: the fraud model trained on last year stops seeing it',
    choice: 'the ML circuit breaker: accuracy below 80% switches to the rules, probed back in the shadow',
    naiveChoice: 'the model, unguarded',
    // The guard's promise, not a dollar figure: once it has had its 20 s to react, the rules decline
    // every order of the new tactic. Before that the model serves, and the seed decides how much gets through.
    prevented: { metric: 'fraud_loss_after_reaction_usd', max: 0, what: 'fraud losses once the guard had 20 s to react (USD)' },
    rows: [
      { metric: 'fraud_loss_after_drift_usd', label: 'fraud losses after the drift (USD)', better: 'lower' },
      { metric: 'fraud_loss_after_reaction_usd', label: 'fraud losses from 20 s after the drift (USD)', better: 'lower' },
      { metric: 'fraud_approved', label: 'fraudulent orders approved', better: 'lower' },
      { metric: 'false_declines', label: 'good customers declined', better: 'lower' },
      { metric: 'fraud_scored_by_fallback', label: 'checkouts scored by the rules', better: 'higher' },
    ],
    series: [
      { name: 'fraud_loss_usd', title: 'fraud losses', unit: 'USD/s' },
      { name: 'fraud_rules_in_charge_us', title: 'US gateway: the rules answer instead of the model (1 = yes)', unit: '1 = rules' },
      { name: 'false_declines', title: 'good customers declined per second' },
    ],
  },
];

export interface PillarVerdict {
  section: PillarSection;
  naive: number | undefined;
  fixed: number | undefined;
  /** The fixed platform kept the failure within bounds and the naive one did not. */
  prevented: boolean;
}

export function judgePillars(naive: VariantReport, fixed: VariantReport): PillarVerdict[] {
  return pillarSections.map((section) => {
    const n = naive.metrics[section.prevented.metric];
    const f = fixed.metrics[section.prevented.metric];
    return { section, naive: n, fixed: f, prevented: f !== undefined && n !== undefined && f <= section.prevented.max && n > section.prevented.max };
  });
}

const fmt = formatNumber;

/** The five-pillar report for the terminal. */
export function formatPillarReport(naive: VariantReport, fixed: VariantReport, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  // One label column for every pillar, as wide as the longest label, so the numbers line up.
  const labelWidth = Math.max(...pillarSections.flatMap((s) => s.rows.map((r) => r.label.length)));
  for (const v of judgePillars(naive, fixed)) {
    const s = v.section;
    lines.push(paint('1', s.title.toUpperCase()));
    lines.push(`  what happened: ${s.event}`);
    lines.push(`  naive: ${s.naiveChoice}`);
    lines.push(`  fixed: ${s.choice}`);
    lines.push(`  ${''.padEnd(labelWidth)} ${'naive'.padStart(12)} ${'fixed'.padStart(12)}`);
    for (const r of s.rows) lines.push(`  ${r.label.padEnd(labelWidth)} ${fmt(naive.metrics[r.metric]).padStart(12)} ${fmt(fixed.metrics[r.metric]).padStart(12)}`);
    const verdict = v.prevented ? paint('32', `prevented: ${s.prevented.what}: ${fmt(v.naive)} -> ${fmt(v.fixed)}`) : paint('31', `NOT prevented: ${s.prevented.what}: naive ${fmt(v.naive)}, fixed ${fmt(v.fixed)} (bound ${s.prevented.max})`);
    lines.push(`  ${verdict}`);
    lines.push('');
  }
  return lines.join('\n');
}
