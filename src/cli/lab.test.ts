import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const pillars = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });

test('pillars lab --help says what it serves and where', () => {
  const r = pillars('lab', '--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--port <port>/);
  assert.match(r.stdout, /127\.0\.0\.1/);
});

test('pillars lab refuses a bad port and a port in use with exit 2, naming the port', async () => {
  const bad = pillars('lab', '--port', 'http');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'pillars: (command line): --port: a port 0..65535 (0: any free port), got "http"\n');

  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as AddressInfo).port;
  try {
    const r = pillars('lab', '--port', String(port));
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `pillars: (command line): --port: 127.0.0.1:${port} is in use: stop what holds it, or choose another port with --port\n`);
  } finally {
    holder.close();
  }
});

test('pillars lab serves the page, its bundle and the stories on loopback, and stops on SIGTERM', async () => {
  const lab = spawn(process.execPath, [bin, 'lab', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      lab.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      lab.once('exit', (code) => reject(new Error(`lab exited ${code}`)));
    });
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(line)?.[0];
    assert.ok(url !== undefined, line);
    const page = await fetch(url);
    assert.match(await page.text(), /<script type="module" src="lab\.js">/);
    const bundle = await fetch(`${url}lab.js`);
    assert.equal(bundle.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.ok((await bundle.arrayBuffer()).byteLength > 100_000);
    const stories = (await (await fetch(`${url}stories.json`)).json()) as { name: string; text: string }[];
    assert.ok(stories.some((s) => s.name === 'split-brain' && s.text.startsWith('name: split-brain')));
    assert.equal((await fetch(`${url}nope`)).status, 404);
  } finally {
    lab.kill('SIGTERM');
  }
  const code = await new Promise<number | null>((resolve) => (lab.exitCode !== null ? resolve(lab.exitCode) : lab.once('exit', resolve)));
  assert.equal(code, 0);
});
