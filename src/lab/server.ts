/**
 * The lab's web server: the page, its bundle (built by `npm run build` into dist/src/lab/), and the
 * stories of scenarios/ as JSON. Loopback only: it serves files of this machine to its own browser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_PAGE_HTML } from './page-html.js';
import { uplotAssets } from '../web/uplot-assets.js';
import { LAB_HOST } from './defaults.js';

/** Where the bundle lies beside this file once built. */
export const LAB_BUNDLE_FILE = fileURLToPath(new URL('./page.bundle.js', import.meta.url));

export interface LabServerOptions {
  port: number;
  /** The folder of story files (default: the package's scenarios/). */
  scenariosDir?: string;
}

export function defaultScenariosDir(): string {
  return fileURLToPath(new URL('../../../scenarios/', import.meta.url));
}

/** Every story file of the folder, by name, with its text. */
export function readStories(dir: string): { name: string; file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.yaml'.length), file: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Listen on LAB_HOST:port; rejects with the listen error (EADDRINUSE for a port in use). */
export function startLabServer(opts: LabServerOptions): Promise<Server> {
  const dir = opts.scenariosDir ?? defaultScenariosDir();
  const bundle = readFileSync(LAB_BUNDLE_FILE);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://lab').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    if (path === '/' || path === '/index.html') return send(200, 'text/html; charset=utf-8', LAB_PAGE_HTML);
    if (path === '/lab.js') return send(200, 'text/javascript; charset=utf-8', bundle);
    if (path === '/uplot.css') return send(200, 'text/css; charset=utf-8', uplotAssets().css);
    // The bundle names its source map; a browser's developer tools ask for it.
    if (path === '/page.bundle.js.map' && existsSync(`${LAB_BUNDLE_FILE}.map`)) return send(200, 'application/json', readFileSync(`${LAB_BUNDLE_FILE}.map`));
    if (path === '/stories.json') return send(200, 'application/json', JSON.stringify(readStories(dir)));
    send(404, 'text/plain', `no ${path} here: the lab is at /\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, LAB_HOST, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
