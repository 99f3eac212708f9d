/**
 * The same commands, sent to Debian's redis-server and to a node, must get the same reply bytes.
 * Each script runs in order on both (its keys are its own, so scripts do not disturb each other);
 * a difference fails the test and shows both replies. Skipped, naming the package, where
 * redis-server is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessCluster } from '../testing/real-nodes.js';
import { startRedisServer } from '../testing/redis-server.js';
import { ReplyReader } from '../testing/redis-compare.js';
import { skipUnlessInstalled } from '../testing/test-tools.js';

/** Scripts by the command they are about; every command a script sends is compared. */
const scripts: Record<string, string[][]> = {
  get: [['get', 'g:missing'], ['set', 'g:k', 'v'], ['get', 'g:k'], ['get'], ['get', 'a', 'b']],
  set: [
    ['set', 's:k', 'v'],
    ['set', 's:k', 'w', 'nx'],
    ['set', 's:new', 'w', 'xx'],
    ['set', 's:k', 'v', 'nx', 'xx'],
    ['set', 's:k', 'v', 'ex', '0'],
    ['set', 's:k', 'v', 'ex', '-1'],
    ['set', 's:k', 'v', 'ex', 'abc'],
    ['set', 's:k', 'v', 'ex', '9223372036854776'],
    ['set', 's:k', 'v', 'px', '9223372036854775807'],
    ['set', 's:k', 'v', 'ex', '100', 'px', '100'],
    ['set', 's:k', 'v', 'ex'],
    ['set', 's:k', 'v', 'bogus'],
    ['set', 's:k', 'old'],
    ['set', 's:k', 'new', 'get'],
    ['get', 's:k'],
    ['set', 's:none', 'x', 'get'],
    ['set', 's:k', 'third', 'nx', 'get'],
    ['set', 's:absent', 'y', 'xx', 'get'],
    ['set', 's:k', 'v', 'keepttl'],
    ['set', 's:k', 'v', 'keepttl', 'ex', '10'],
    ['set', 's:k', 'v', 'exat', '0'],
    ['set', 's:k', 'v', 'pxat', '-5'],
    ['set', 's:k', 'v', 'exat', '1', 'pxat', '1'],
    ['set', 's:past', 'v', 'pxat', '1'],
    ['get', 's:past'],
    ['set', 's:k', 'v', 'get', 'get'],
    ['set', 's:k'],
  ],
  setnx: [['setnx', 'sn:k', 'a'], ['setnx', 'sn:k', 'b'], ['get', 'sn:k'], ['setnx', 'sn:k']],
  setex: [['setex', 'se:k', '100', 'v'], ['setex', 'se:k', '0', 'v'], ['setex', 'se:k', 'x', 'v'], ['psetex', 'se:k', '-1', 'v'], ['setex', 'se:k', '100']],
  incr: [
    ['incr', 'i:n'],
    ['incrby', 'i:n', '41'],
    ['decr', 'i:n'],
    ['decrby', 'i:n', '40'],
    ['set', 'i:big', '9223372036854775806'],
    ['incr', 'i:big'],
    ['get', 'i:big'],
    ['incr', 'i:big'],
    ['set', 'i:low', '-9223372036854775807'],
    ['decr', 'i:low'],
    ['decr', 'i:low'],
    ['decrby', 'i:n', '-9223372036854775808'],
    ['incrby', 'i:n', '9223372036854775808'],
    ['incrby', 'i:n', '1.5'],
    ['incrby', 'i:n', '-0'],
    ['set', 'i:negzero', '-0'],
    ['incr', 'i:negzero'],
    ['set', 'i:lead', '007'],
    ['incr', 'i:lead'],
    ['set', 'i:plus', '+1'],
    ['incr', 'i:plus'],
    ['set', 'i:space', ' 1'],
    ['incr', 'i:space'],
    ['set', 'i:word', 'abc'],
    ['incr', 'i:word'],
    ['incr'],
  ],
  mset: [['mset', 'm:a', '1', 'm:b', '2'], ['mget', 'm:a', 'm:b', 'm:c'], ['mset', 'm:a'], ['mset', 'm:a', '1', 'm:b'], ['mget']],
  del: [['set', 'd:a', '1'], ['del', 'd:a', 'd:a', 'd:b'], ['unlink', 'd:a'], ['exists', 'd:a', 'g:k', 'g:k'], ['del']],
  dbsize: [['dbsize', 'x']],
  select: [['select', '0'], ['select', 'abc'], ['select', '-0'], ['select']],
  ping: [['ping'], ['ping', 'hi'], ['ping', 'a', 'b'], ['echo', 'x'], ['echo']],
};

test('replies are byte for byte those of redis-server', { skip: skipUnlessInstalled('redis-server') }, async (t) => {
  const redis = await startRedisServer();
  const c = await inProcessCluster(1);
  const theirs = await ReplyReader.connect({ host: '127.0.0.1', port: redis.port });
  const ours = await ReplyReader.connect(c.nodes[0].addresses.resp!);
  try {
    await c.leader();
    const differences: string[] = [];
    for (const [about, script] of Object.entries(scripts)) {
      for (const args of script) {
        const want = await theirs.send(args);
        const got = await ours.send(args);
        if (got !== want) differences.push(`${about}: ${args.join(' ')}\n  redis-server: ${JSON.stringify(want)}\n  this node:    ${JSON.stringify(got)}`);
      }
    }
    t.diagnostic(`commands compared: ${[...new Set(Object.values(scripts).flatMap((s) => s.map((a) => a[0])))].sort().join(' ')}`);
    assert.equal(differences.length, 0, `replies that differ from redis-server:\n${differences.join('\n')}`);
  } finally {
    theirs.close();
    ours.close();
    await c.stop();
    await redis.stop();
  }
});
