/**
 * uPlot's browser build and stylesheet, read once from node_modules so that the report can inline them:
 * the page must open offline, from a file, years later, so it links to nothing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface UplotAssets {
  /** The IIFE build: defines the global uPlot. */
  js: string;
  css: string;
}

let cached: UplotAssets | undefined;

export function uplotAssets(): UplotAssets {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    cached = { js: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
  }
  return cached;
}
