/**
 * Free loopback ports for tests and benchmarks (no test runner imported: benchmarks use it too).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port nothing listens on now (the kernel's pick; a test binds it right after). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * `count` consecutive free ports (for a launcher's base + i layout), tried at random bases below the
 * kernel's ephemeral range: a port in that range, free when checked, can be taken a moment later as
 * the local end of any test's outgoing connection (seen: a cluster's port busy at its start, EADDRINUSE).
 */
export async function freePortRun(count: number): Promise<number> {
  const low = 10_000;
  const high = ephemeralPortsLow() - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await canListen(base + i);
    if (ok) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}

/** The first port of the kernel's ephemeral range (Linux's /proc; IANA's 49152 elsewhere). */
function ephemeralPortsLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 11_000) return low;
  } catch {
    // Not Linux: fall through.
  }
  return 49_152;
}

async function canListen(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
