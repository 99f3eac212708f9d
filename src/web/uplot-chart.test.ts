/**
 * The chart options the report inlines as source and the lab imports: they must work when rebuilt
 * from their text alone (nothing of the module's scope), their legend must read the chart's data as
 * it is when drawn (a live chart grows), and the faults placed must be those of the moment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uplotChartOptions, type ChartDrawContext, type ChartFaultMark } from './uplot-chart.js';

type Options = { series: { value: (...a: unknown[]) => string }[]; hooks: { setData?: ((u: unknown) => void)[] } };
const rebuilt = new Function(`return (${uplotChartOptions.toString()});`)() as typeof uplotChartOptions;

/** The little of a DOM element the fault overlay uses, recording what it is given. */
function fakeOverlay() {
  const children: { className: string; attrs: Record<string, string>; style: Record<string, string> }[] = [];
  const make = () => {
    const el = { className: '', title: '', style: {} as Record<string, string>, attrs: {} as Record<string, string>, setAttribute: (k: string, v: string) => (el.attrs[k] = v) };
    return el;
  };
  const over = {
    clientWidth: 600,
    ownerDocument: { createElement: make },
    querySelectorAll: () => ({ forEach: (f: (el: { remove(): void }) => void) => children.splice(0).forEach((c) => f({ remove: () => void c })) }),
    appendChild: (c: (typeof children)[number]) => children.push(c),
  };
  return { over, children };
}

test('the chart options work rebuilt from their source, read the data as drawn, and place the faults of the moment', () => {
  let marks: ChartFaultMark[] = [];
  const ctx: ChartDrawContext = { variants: [{ name: 'naive', color: '#E69F00' }, { name: 'fixed', color: '#0072B2' }], timeLabel: 'virtual time', xMaxS: 60, widthPx: 600, heightPx: 150, faultMarks: () => marks };
  const opts = rebuilt({ unit: '/s', mode: 'rate', integer: false }, ctx) as unknown as Options;
  const legend = (data: (number | null)[][]) => opts.series[1].value({ data }, null, 1, null);
  assert.equal(legend([[1, 2], [10, 20]]), 'avg 15/s');
  assert.equal(legend([[1, 2, 3], [10, 20, 60]]), 'avg 30/s', 'a live chart\'s legend follows its data');
  assert.equal(legend([[], []]), 'no samples');
  const gauge = rebuilt({ unit: ' ms', mode: 'value', integer: false }, ctx) as unknown as Options;
  assert.equal(gauge.series[2].value({ data: [[1, 2], [1, 2], [5, 7.5]] }, null, 2, null), 'last 7.50 ms');

  const { over, children } = fakeOverlay();
  const u = { over, data: [], valToPos: (v: number) => (v / 60) * 600 };
  marks = [{ startS: 6, endS: 12, kind: 'partition', family: 'partition', color: '#abc', label: 'partition: n1 | n4' }];
  opts.hooks.setData![0](u);
  assert.deepEqual(children.map((c) => [c.className, c.style.left, c.style.width, c.attrs['data-kind']]), [['event-band kind-partition', '60px', '60px', 'partition']]);
  marks = [{ ...marks[0], endS: 18 }, { startS: 20, endS: null, kind: 'crash', family: 'crash', color: '#def', label: 'crash: n2' }];
  opts.hooks.setData![0](u);
  assert.deepEqual(children.map((c) => [c.className, c.style.width]), [['event-band kind-partition', '120px'], ['event-line kind-crash', undefined]], 'the band grew; the crash is a line');
});

test('a whole-number chart steps its ticks by whole numbers and starts its axis at 0', () => {
  const ctx: ChartDrawContext = { variants: [{ name: 'fixed', color: '#0072B2' }], timeLabel: 'virtual time', xMaxS: 60, widthPx: 600, heightPx: 150, faultMarks: () => [] };
  type Axes = { axes: { incrs?: number[] }[]; scales: { y: { range?: (u: unknown, min: number | null, max: number | null) => [number, number] } } };
  const whole = rebuilt({ unit: ' nodes', mode: 'value', integer: true }, ctx) as unknown as Axes;
  const incrs = whole.axes[1].incrs!;
  assert.ok(incrs.length > 0 && incrs.every((x) => Number.isInteger(x)), `${incrs}`);
  assert.deepEqual(whole.scales.y.range!(null, 18, 20), [0, 20]);
  const fractional = rebuilt({ unit: ' ms', mode: 'value', integer: false }, ctx) as unknown as Axes;
  assert.equal(fractional.axes[1].incrs, undefined);
});
