/**
 * The report's colours, one table for the page's stylesheet, its script and its tests.
 *
 * Variants are coloured by role, the same in every report: naive orange, fixed blue, the others in
 * a fixed order, all from Okabe and Ito's palette ("Color Universal Design", 2008), which stays
 * distinguishable under the common colour-vision deficiencies. Each also gets its own dash, so
 * lines that coincide stay visible and colour is never the only cue.
 *
 * Faults and scheduled events get hues of their own, none of them a variant's: a band on a chart is
 * never mistaken for a line.
 */

export interface VariantStyle {
  color: string;
  /** Canvas line dash in px; [] for solid. */
  dash: number[];
  /** Line width in px: the first lines are drawn wider, so a later line on top leaves them visible. */
  width: number;
}

const NAIVE: VariantStyle = { color: '#E69F00', dash: [], width: 3 };
const FIXED: VariantStyle = { color: '#0072B2', dash: [8, 4], width: 2 };
/** Other variants, in the order the scenario lists them. */
const OTHERS: readonly VariantStyle[] = [
  { color: '#009E73', dash: [2, 3], width: 2 },
  { color: '#CC79A7', dash: [12, 3, 2, 3], width: 2 },
  { color: '#56B4E9', dash: [4, 4], width: 2 },
  { color: '#D55E00', dash: [1, 2], width: 2 },
  { color: '#000000', dash: [16, 4], width: 1.5 },
  { color: '#F0E442', dash: [], width: 2 },
  { color: '#999999', dash: [6, 2, 2, 2], width: 1.5 },
];
/** Distinct colours available: beyond this many variants, colours repeat and only dashes tell them apart. */
export const VARIANT_STYLES_MAX = 2 + OTHERS.length;

/** The style of each variant by its name's role: naive, fixed, then the others in order. */
export function variantStyles(names: readonly string[]): VariantStyle[] {
  let other = 0;
  return names.map((n) => (n === 'naive' ? NAIVE : n === 'fixed' ? FIXED : OTHERS[other++ % OTHERS.length]));
}

/** The hue of each kind of fault and scheduled event (a disk fault's kind is disk-<what>). */
export const KIND_COLORS: Readonly<Record<string, string>> = {
  crash: '#cf222e',
  'refused-start': '#cf222e',
  restart: '#2da44e',
  pause: '#bf8700',
  resume: '#7d9c00',
  partition: '#8250df',
  'one-way': '#8250df',
  heal: '#0969da',
  slow: '#fb8500',
  'slow-link': '#fb8500',
  'slow-link-end': '#0969da',
  clock: '#bf3989',
  loss: '#57606a',
  disk: '#6f4e37',
  spike: '#1b7c83',
  release: '#a40e26',
  drift: '#6639ba',
  opening: '#8c959f',
};
export const OTHER_KIND_COLOR = '#6e7781';

/** The colour family a kind belongs to: disk-bit-flip is a disk fault. */
export function kindFamily(kind: string): string {
  return kind.startsWith('disk-') ? 'disk' : kind;
}

export function kindColor(kind: string): string {
  return KIND_COLORS[kindFamily(kind)] ?? OTHER_KIND_COLOR;
}

/** Every colour a fault or event is drawn in: no variant may use one. */
export const FAULT_COLORS: readonly string[] = [...new Set([...Object.values(KIND_COLORS), OTHER_KIND_COLOR])];

/** CSS classes kind-<family> for the timeline's marks and the legends' keys. */
export function kindStyles(): string {
  return [...Object.entries(KIND_COLORS).map(([k, c]) => `.kind-${k} { background: ${c}; }`), `.kind-other { background: ${OTHER_KIND_COLOR}; }`].join('\n');
}

/** The CSS class of a kind: its family's, or kind-other. */
export function kindClass(kind: string): string {
  const f = kindFamily(kind);
  return KIND_COLORS[f] !== undefined ? `kind-${f}` : 'kind-other';
}
