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
    onClose: () => {},
    onReplyError: (_conn, command, error) => reported.push(`${command}: ${(error as Error).message}`),
    onLimit: () => {},
  };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    new ClientConnection(socket, 'test/1', 1, host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let client: RawClient | undefined;
  try {
    client = await RawClient.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
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
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});
