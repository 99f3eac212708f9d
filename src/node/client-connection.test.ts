/**
 * A reply that cannot be built (a bug in a reply builder, a value of a shape it does not expect)
 * must not leave the client waiting: RESP has no request ids, so one missing reply would stall every
 * reply after it on that connection. The client gets an -ERR in its place and keeps its connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { AuthThrottle, authThrottleDefaults } from './auth-throttle.js';
import { ClientConnection, clientDefaults, type ConnectionHost } from './client-connection.js';
import { commandDefaults } from './commands.js';
import { defaultRespLimits } from './resp.js';
import { RawClient, resp } from '../testing/real-nodes.js';

/** Connections served by `host` on a free port: its address, and what closes every socket and the server. */
async function serve(host: ConnectionHost): Promise<{ address: { host: string; port: number }; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    new ClientConnection(socket, 'test/1', 1, host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A value no reply builder can read: touching it throws. */
const poisoned = new Proxy({}, { get: () => { throw new Error('poisoned value'); }, has: () => { throw new Error('poisoned value'); } });

test('an exception while building a reply answers -ERR in its place, and the replies after it still come', async () => {
  const reported: string[] = [];
  const host: ConnectionHost = {
    // Every read comes back as a value no builder can read; every write succeeds.
    submit: (_client, _id, _acked, kind, _op, done) => setImmediate(() => done(kind === 'read' ? { status: 'ok', value: poisoned } : { status: 'ok', value: 'OK' })),
    local: (name) => {
      if (name === 'echo') throw new Error('echo builder broke');
      return Buffer.from('+PONG\r\n');
    },
    password: undefined,
    authThrottle: new AuthThrottle(authThrottleDefaults, Date.now),
    limits: { ...commandDefaults, ...defaultRespLimits, ...clientDefaults },
    waitForReplicas: (_replicas, _timeoutMs, done) => (done(0), () => {}),
    onClose: () => {},
    onReplyError: (_conn, command, error) => reported.push(`${command}: ${(error as Error).message}`),
    onLimit: () => {},
  };
  const served = await serve(host);
  let client: RawClient | undefined;
  try {
    client = await RawClient.connect(served.address);
    client.write(resp('GET', 'a') + resp('PING') + resp('ECHO', 'x') + resp('PING'));
    const replies = await client.read((t) => t.split('\r\n').length >= 5);
    assert.equal(replies, "-ERR internal error while answering 'get': poisoned value\r\n+PONG\r\n-ERR internal error while answering 'echo': echo builder broke\r\n+PONG\r\n");
    assert.deepEqual(reported.sort(), ['echo: echo builder broke', 'get: poisoned value'], 'the node hears of each');
    // The connection is still usable, reads and writes alike.
    client.write(resp('SET', 'k', 'v') + resp('PING'));
    assert.equal(await client.read((t) => t.split('\r\n').length >= 3), '+OK\r\n+PONG\r\n');
    assert.equal(client.closed, false);
  } finally {
    // A failed assertion must not leave a socket holding the test process open.
    client?.close();
    served.close();
  }
});

test('WAIT blocks the connection as Redis blocks the client: sent once the writes before it are answered, and nothing after it runs until it answers', async () => {
  const events: string[] = [];
  let finishWait: ((n: number) => void) | undefined;
  let cancelled = 0;
  const host: ConnectionHost = {
    submit: (_client, _id, _acked, _kind, op, done) => {
      events.push(`${op.f} sent`);
      setTimeout(() => {
        events.push(`${op.f} answered`);
        done({ status: 'ok', value: op.f === 'read' ? 'v' : undefined });
      }, 20);
    },
    waitForReplicas: (replicas, timeoutMs, done) => {
      events.push(`wait ${replicas} ${timeoutMs} sent`);
      finishWait = done;
      return () => cancelled++;
    },
    local: () => Buffer.from('+PONG\r\n'),
    password: undefined,
    authThrottle: new AuthThrottle(authThrottleDefaults, Date.now),
    limits: { ...commandDefaults, ...defaultRespLimits, ...clientDefaults },
    onClose: () => {},
    onReplyError: () => {},
    onLimit: () => {},
  };
  const served = await serve(host);
  let client: RawClient | undefined;
  try {
    const address = served.address;
    client = await RawClient.connect(address);
    client.write(resp('SET', 'k', 'v') + resp('WAIT', '2', '500') + resp('GET', 'k'));
    assert.equal(await client.read((t) => t.length > 0), '+OK\r\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(events, ['write sent', 'write answered', 'wait 2 500 sent'], 'WAIT went after the SET was answered, and the GET waits behind it');
    finishWait!(1);
    assert.equal(await client.read((t) => t.split('\r\n').length >= 4), ':1\r\n$1\r\nv\r\n');
    assert.deepEqual(events.slice(3), ['read sent', 'read answered']);
    // A client that leaves while blocked cancels its wait.
    const other = await RawClient.connect(address);
    other.write(resp('WAIT', '3', '0'));
    await new Promise((r) => setTimeout(r, 50));
    other.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(cancelled, 1, 'the wait of a client gone is cancelled');
  } finally {
    client?.close();
    served.close();
  }
});
