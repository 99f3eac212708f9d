/**
 * `pillars lab`: serve the lab, every story running live in the browser (src/lab), on loopback. The
 * server is loaded when the command runs, not to print its help.
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { ScenarioError } from '../scenario/error.js';
import { LAB_HOST, LAB_PORT_DEFAULT } from '../lab/defaults.js';

const PORT_MAX = 65_535;

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > PORT_MAX) throw new ScenarioError('(command line)', '--port', `a port 0..${PORT_MAX} (0: any free port), got "${text}"`);
  return port;
}

export function labCommand(): Command {
  return new Command('lab')
    .description('Serve the lab on 127.0.0.1: any story, variant and seed running live in your browser; play, pause, step; crash, pause, skew the clock of or fail the disk of a node, cut or slow a link, by hand; watch the checks turn red as they fail, with their witness; and export what you did as a scenario file.')
    .option('--port <port>', 'the port to listen on (0: any free port)', String(LAB_PORT_DEFAULT))
    .addHelpText('after', `\nOpen the address it prints. Ctrl-C stops it.\nExit code: 2 on bad input (a port in use, a page not built).\nExample: pillars lab --port ${LAB_PORT_DEFAULT}`)
    .action(async (o: { port: string }) => {
      const port = parsePort(o.port);
      const { LAB_BUNDLE_FILE, startLabServer } = await import('../lab/server.js');
      if (!existsSync(LAB_BUNDLE_FILE)) throw new ScenarioError(LAB_BUNDLE_FILE, 'the lab page', 'a built bundle: run npm run build');
      const server = await startLabServer({ port }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new ScenarioError('(command line)', '--port', `${LAB_HOST}:${port} is in use: stop what holds it, or choose another port with --port`);
        if (e.code === 'EACCES') throw new ScenarioError('(command line)', '--port', `${LAB_HOST}:${port} is not allowed for this user: choose a port above 1023`);
        throw e;
      });
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      process.stdout.write(`pillars lab: http://${LAB_HOST}:${bound}/   (Ctrl-C stops it)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
