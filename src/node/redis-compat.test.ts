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
  dbsize: [['dbsize', 'x'], ['flushdb', 'bogus'], ['flushall', 'async', 'x'], ['flushdb', 'sync'], ['dbsize'], ['set', 'f:k', 'v'], ['flushall'], ['get', 'f:k'], ['dbsize']],
  select: [['select', '0'], ['select', 'abc'], ['select', '-0'], ['select']],
  ttl: [
    ['ttl', 't:missing'], ['pttl', 't:missing'], ['set', 't:k', 'v'], ['ttl', 't:k'], ['pttl', 't:k'],
    ['expire', 't:k', '100'], ['ttl', 't:k'], ['expire', 't:k', '200', 'nx'], ['expire', 't:k', '200', 'xx'], ['ttl', 't:k'],
    ['expire', 't:k', '100', 'gt'], ['expire', 't:k', '300', 'gt'], ['ttl', 't:k'], ['expire', 't:k', '400', 'lt'], ['expire', 't:k', '50', 'lt'], ['ttl', 't:k'],
    ['expire', 't:k', '10', 'nx', 'xx'], ['expire', 't:k', '10', 'gt', 'lt'], ['expire', 't:k', '10', 'bogus'], ['expire', 't:k', 'abc'], ['expire', 't:k', '9223372036854776'],
    ['pexpire', 't:k', '9223372036854775807'], ['expire', 't:missing', '10'], ['persist', 't:k'], ['persist', 't:k'], ['ttl', 't:k'],
    ['set', 't:nottl', 'v'], ['expire', 't:nottl', '10', 'gt'], ['expire', 't:nottl', '10', 'xx', 'lt'], ['expire', 't:nottl', '10', 'lt'], ['ttl', 't:nottl'],
    ['expireat', 't:k', '1'], ['exists', 't:k'], ['set', 't:k', 'v'], ['pexpireat', 't:k', '32503680000000'], ['ttl', 't:nottl'],
    ['expire', 't:nottl', '-1'], ['get', 't:nottl'], ['expire', 't:k'], ['ttl'], ['persist'],
  ],
  type: [['type', 'ty:missing'], ['set', 'ty:k', 'v'], ['type', 'ty:k'], ['incr', 'ty:n'], ['type', 'ty:n'], ['type']],
  keys: [['keys', 'nomatch*'], ['set', 'kx:hello', '1'], ['keys', 'kx:h?llo'], ['keys', 'kx:h[ae]llo'], ['keys', 'kx:h[^e]llo'], ['keys', 'kx:h[a-f]llo'], ['keys', 'kx:h\\ello'], ['keys', 'kx:hel*'], ['keys']],
  scan: [['scan', 'abc'], ['scan', '1x'], ['scan', '0', 'count', '0'], ['scan', '0', 'count', 'x'], ['scan', '0', 'match'], ['scan', '0', 'bogus', '1'], ['scan', '0', 'match', 'nothing-matches-this', 'count', '1000'], ['scan']],
  getset: [['getset', 'gs:k', 'a'], ['getset', 'gs:k', 'b'], ['get', 'gs:k'], ['set', 'gs:t', 'v', 'ex', '100'], ['getset', 'gs:t', 'w'], ['ttl', 'gs:t'], ['getset', 'gs:k']],
  getdel: [['getdel', 'gd:k'], ['set', 'gd:k', 'v'], ['getdel', 'gd:k'], ['exists', 'gd:k'], ['getdel']],
  getex: [
    ['getex', 'gx:missing'], ['getex', 'gx:missing', 'ex', '10'], ['set', 'gx:k', 'v'], ['getex', 'gx:k'], ['getex', 'gx:k', 'ex', '100'], ['ttl', 'gx:k'],
    ['getex', 'gx:k', 'persist'], ['ttl', 'gx:k'], ['getex', 'gx:k', 'ex', '0'], ['getex', 'gx:k', 'ex'], ['getex', 'gx:k', 'persist', 'ex', '10'],
    ['getex', 'gx:k', 'nx'], ['getex', 'gx:k', 'pxat', '1'], ['exists', 'gx:k'], ['getex'],
  ],
  append: [['append', 'ap:k', 'ab'], ['append', 'ap:k', 'cd'], ['get', 'ap:k'], ['incr', 'ap:n'], ['append', 'ap:n', '0'], ['get', 'ap:n'], ['strlen', 'ap:k'], ['strlen', 'ap:missing'], ['append', 'ap:k']],
  setrange: [
    ['setrange', 'sr:k', '0', 'hello'], ['setrange', 'sr:k', '6', 'world'], ['get', 'sr:k'], ['setrange', 'sr:k', '1', 'a'], ['get', 'sr:k'],
    ['setrange', 'sr:missing', '3', ''], ['exists', 'sr:missing'], ['setrange', 'sr:k', '-1', 'x'], ['setrange', 'sr:k', 'x', 'x'], ['setrange', 'sr:k', '0', ''],
    ['setrange', 'sr:k', '536870912', 'x'],
  ],
  getrange: [
    ['set', 'gr:k', 'This is a string'], ['getrange', 'gr:k', '0', '3'], ['getrange', 'gr:k', '-3', '-1'], ['getrange', 'gr:k', '0', '-1'], ['getrange', 'gr:k', '10', '100'],
    ['getrange', 'gr:k', '-1', '-5'], ['getrange', 'gr:k', '5', '3'], ['getrange', 'gr:missing', '0', '-1'], ['getrange', 'gr:k', 'a', '1'], ['getrange', 'gr:k', '0'],
  ],
  rename: [
    ['rename', 'rn:missing', 'rn:b'], ['set', 'rn:a', '1', 'ex', '100'], ['rename', 'rn:a', 'rn:b'], ['get', 'rn:b'], ['ttl', 'rn:b'], ['exists', 'rn:a'],
    ['rename', 'rn:b', 'rn:b'], ['set', 'rn:c', '2'], ['renamenx', 'rn:b', 'rn:c'], ['renamenx', 'rn:b', 'rn:d'], ['renamenx', 'rn:d', 'rn:d'], ['renamenx', 'rn:missing', 'rn:x'], ['rename', 'rn:a'],
  ],
  multi: [
    ['exec'], ['discard'], ['multi'], ['multi'], ['set', 'mu:a', '1'], ['incr', 'mu:a'], ['get', 'mu:a'], ['ping'], ['exec'],
    ['multi'], ['set', 'mu:a'], ['get', 'mu:a'], ['exec'], ['get', 'mu:a'],
    ['multi'], ['frobnicate'], ['exec'],
    ['multi'], ['set', 'mu:s', 'x'], ['incr', 'mu:s'], ['get', 'mu:s'], ['exec'],
    ['watch', 'mu:w'], ['multi'], ['watch', 'mu:w'], ['set', 'mu:w', '1'], ['exec'],
    ['watch', 'mu:w'], ['set', 'mu:w', '2'], ['multi'], ['get', 'mu:w'], ['exec'],
    ['watch'], ['multi'], ['unwatch'], ['discard'], ['unwatch'], ['multi'], ['exec'], ['multi', 'x'], ['exec', 'x'],
  ],
  hash: [
    ['hset', 'h:k', 'f1', 'a', 'f2', 'b'], ['hset', 'h:k', 'f2', 'c', 'f3', 'd'], ['hget', 'h:k', 'f2'], ['hget', 'h:k', 'nope'], ['hget', 'h:missing', 'f'],
    ['hmget', 'h:k', 'f1', 'nope', 'f3'], ['hgetall', 'h:k'], ['hgetall', 'h:missing'], ['hlen', 'h:k'], ['hlen', 'h:missing'], ['hexists', 'h:k', 'f1'], ['hexists', 'h:k', 'x'],
    ['hkeys', 'h:k'], ['hvals', 'h:k'], ['hdel', 'h:k', 'f1', 'nope'], ['hkeys', 'h:k'], ['hincrby', 'h:k', 'n', '5'], ['hincrby', 'h:k', 'n', '-7'], ['hincrby', 'h:k', 'f2', '1'],
    ['hincrby', 'h:k', 'n', 'x'], ['hset', 'h:k', 'big', '9223372036854775807'], ['hincrby', 'h:k', 'big', '1'], ['hmset', 'h:k', 'm', '1'], ['hset', 'h:k', 'odd'], ['hset', 'h:k', 'a', 'b', 'c'],
    ['hscan', 'h:k', '0'], ['hscan', 'h:k', '0', 'match', 'f*'], ['hscan', 'h:k', 'x'], ['hscan', 'h:missing', '0'], ['type', 'h:k'],
    ['hdel', 'h:k', 'f2', 'f3', 'n', 'big', 'm'], ['exists', 'h:k'], ['type', 'h:k'],
    ['hset', 'h:w', 'f', 'v'], ['get', 'h:w'], ['set', 'h:w', 'x', 'get'], ['incr', 'h:w'], ['append', 'h:w', 'x'], ['strlen', 'h:w'], ['getrange', 'h:w', '0', '1'], ['getset', 'h:w', 'x'],
    ['getdel', 'h:w'], ['getex', 'h:w', 'ex', '10'], ['setrange', 'h:w', '0', 'x'], ['mget', 'h:w', 'g:k'], ['expire', 'h:w', '100'], ['ttl', 'h:w'], ['rename', 'h:w', 'h:w2'], ['hget', 'h:w2', 'f'],
    ['set', 'h:s', 'v'], ['hget', 'h:s', 'f'], ['hset', 'h:s', 'f', 'v'], ['hgetall', 'h:s'], ['hlen', 'h:s'], ['hincrby', 'h:s', 'f', '1'], ['hscan', 'h:s', '0'],
    ['set', 'h:w2', 'now a string'], ['get', 'h:w2'], ['multi'], ['hset', 'h:m', 'a', '1'], ['get', 'h:m'], ['hget', 'h:m', 'a'], ['exec'],
  ],
  list: [
    ['rpush', 'l:k', 'a', 'b', 'c'], ['lpush', 'l:k', 'x', 'y'], ['lrange', 'l:k', '0', '-1'], ['lrange', 'l:k', '-2', '100'], ['lrange', 'l:k', '5', '1'], ['llen', 'l:k'], ['llen', 'l:missing'],
    ['lindex', 'l:k', '0'], ['lindex', 'l:k', '-1'], ['lindex', 'l:k', '9'], ['lindex', 'l:k', 'x'], ['lset', 'l:k', '1', 'X'], ['lset', 'l:k', '9', 'X'], ['lset', 'l:missing', '0', 'X'],
    ['rpush', 'l:k', 'a', 'a'], ['lrem', 'l:k', '1', 'a'], ['lrem', 'l:k', '-1', 'a'], ['lrem', 'l:k', '0', 'a'], ['lrange', 'l:k', '0', '-1'], ['ltrim', 'l:k', '1', '-1'], ['lrange', 'l:k', '0', '-1'],
    ['lpop', 'l:k'], ['rpop', 'l:k', '2'], ['lpop', 'l:missing'], ['lpop', 'l:missing', '2'], ['lpop', 'l:k', '-1'], ['lpop', 'l:k', '1', '2'], ['rpush', 'l:k', 'q'], ['lpop', 'l:k', '5'], ['exists', 'l:k'],
    ['rpush', 'l:t', '1', '2'], ['ltrim', 'l:t', '5', '9'], ['exists', 'l:t'], ['rpush', 'l:w', 'v'], ['type', 'l:w'], ['get', 'l:w'], ['sadd', 'l:w', 'x'], ['set', 'l:s', 'v'], ['lpush', 'l:s', 'x'], ['lrange', 'l:s', '0', '1'], ['lpush', 'l:k'],
  ],
  // Sets of integers only: their order (ascending, Redis's intset) is the same in every Redis version;
  // Redis 7.2 keeps small mixed sets in insertion order (listpack), older servers in hash order.
  sets: [
    ['sadd', 'st:i', '3', '1', '2', '1'], ['smembers', 'st:i'], ['sadd', 'st:i', '10', '-4'], ['smembers', 'st:i'], ['srem', 'st:i', '2', '99'], ['smembers', 'st:i'], ['sismember', 'st:i', '3'], ['sismember', 'st:i', 'q'],
    ['scard', 'st:i'], ['scard', 'st:missing'], ['sadd', 'st:w', '7', '3', '1'], ['sadd', 'st:x', 'a'], ['sinter', 'st:i', 'st:w'], ['sinter', 'st:i', 'st:missing'], ['sunion', 'st:i', 'st:w', 'st:missing'],
    ['sdiff', 'st:i', 'st:w'], ['sdiff', 'st:missing', 'st:i'], ['sadd', 'st:x', 'b'], ['scard', 'st:x'], ['sismember', 'st:x', 'b'], ['type', 'st:i'], ['get', 'st:i'], ['set', 'st:s', 'v'], ['sadd', 'st:s', 'x'], ['sinter', 'st:i', 'st:s'], ['sunion', 'st:s', 'st:missing'],
    ['srem', 'st:x', 'a', 'b'], ['exists', 'st:x'], ['sinter'], ['sadd', 'st:i'],
  ],
  zset: [
    ['zadd', 'z:k', '1', 'a', '2', 'b', '1.5', 'c'], ['zrange', 'z:k', '0', '-1', 'withscores'], ['zadd', 'z:k', 'nx', '5', 'a', '3', 'd'], ['zadd', 'z:k', 'xx', 'ch', '5', 'a', '9', 'e'], ['zscore', 'z:k', 'a'], ['zscore', 'z:k', 'nope'],
    ['zadd', 'z:k', 'gt', 'ch', '1', 'a', '6', 'b'], ['zadd', 'z:k', 'incr', '2', 'a'], ['zadd', 'z:k', 'nx', 'incr', '2', 'a'], ['zincrby', 'z:k', '-1.25', 'c'], ['zincrby', 'z:k', 'x', 'c'], ['zadd', 'z:k', 'inf', 'top', '-inf', 'bottom'],
    ['zadd', 'z:k', 'incr', '-inf', 'top'], ['zadd', 'z:k', 'nx', 'xx', '1', 'a'], ['zadd', 'z:k', 'gt', 'lt', '1', 'a'], ['zadd', 'z:k', 'incr', '1', 'a', '2', 'b'], ['zadd', 'z:k', 'x', 'a'], ['zadd', 'z:k', '1', 'a', '2'],
    ['zcard', 'z:k'], ['zrank', 'z:k', 'b'], ['zrevrank', 'z:k', 'b'], ['zrank', 'z:k', 'nope'], ['zrange', 'z:k', '0', '-1'], ['zrange', 'z:k', '-2', '-1', 'withscores'], ['zrange', 'z:k', '0', '-1', 'rev'],
    ['zrange', 'z:k', '(1', '6', 'byscore', 'withscores'], ['zrange', 'z:k', '6', '1', 'byscore', 'rev', 'limit', '1', '2'], ['zrange', 'z:k', '0', '1', 'limit', '0', '1'], ['zrangebyscore', 'z:k', '-inf', '+inf'],
    ['zrangebyscore', 'z:k', '1', '(6', 'withscores', 'limit', '0', '2'], ['zrevrangebyscore', 'z:k', '(6', '-inf', 'withscores', 'limit', '1', '3'], ['zrevrangebyscore', 'z:k', '1', 'x'], ['zrangebyscore', 'z:k', 'x', '1'], ['zrem', 'z:k', 'a', 'nope'], ['zrem', 'z:missing', 'a'], ['type', 'z:k'], ['get', 'z:k'], ['lpush', 'z:k', 'x'],
    ['set', 'z:s', 'v'], ['zadd', 'z:s', '1', 'a'], ['zscore', 'z:s', 'a'], ['zadd', 'z:k'], ['scan', '0', 'type', 'zset', 'match', 'z:*', 'count', '1000'],
  ],
  zlex: [
    ['zadd', 'zl:k', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e'], ['zrangebylex', 'zl:k', '-', '+'], ['zrangebylex', 'zl:k', '[b', '(d'], ['zrangebylex', 'zl:k', '(a', '[c', 'limit', '1', '5'],
    ['zrangebylex', 'zl:k', '-', '+', 'limit', '0', '2', 'limit', '1', '1'], ['zrangebylex', 'zl:k', '+', '-'], ['zrangebylex', 'zl:k', '[e', '[a'], ['zrangebylex', 'zl:k', 'a', 'c'], ['zrangebylex', 'zl:k', '-', '+', 'withscores'],
    ['zrangebylex', 'zl:k', '-', '+', 'rev'], ['zrangebylex', 'zl:k', '-', '+', 'limit', '1'], ['zrevrangebylex', 'zl:k', '+', '[b'], ['zrevrangebylex', 'zl:k', '(d', '-', 'limit', '1', '2'], ['zrevrangebylex', 'zl:k', '-', '+'],
    ['zlexcount', 'zl:k', '-', '+'], ['zlexcount', 'zl:k', '[b', '(e'], ['zlexcount', 'zl:k', 'b', '+'], ['zlexcount', 'zl:missing', '-', '+'], ['zlexcount', 'zl:k', '-'],
    ['zrange', 'zl:k', '[a', '[c', 'bylex'], ['zrange', 'zl:k', '[c', '[a', 'bylex', 'rev', 'limit', '0', '2'], ['zrange', 'zl:k', '0', '1', 'bylex'], ['zrange', 'zl:k', '-', '+', 'bylex', 'withscores'],
    ['zrange', 'zl:k', '-', '+', 'bylex', 'byscore'], ['zrange', 'zl:k', '0', '1', 'byscore', 'byscore'], ['zrange', 'zl:k', '0', '1', 'rev', 'rev'], ['zrange', 'zl:k', '0', '1', 'limit', '5', '-1'], ['zrange', 'zl:k', '0', '1', 'limit', '0', '-2'],
    ['zrange', 'zl:k', '[a', '+', 'bylex', 'limit', 'x', '1'], ['zrangebylex', 'zl:missing', '-', '+'], ['set', 'zl:s', 'v'], ['zrangebylex', 'zl:s', '-', '+'], ['zlexcount', 'zl:s', '-', '+'], ['zrangebylex', 'zl:s', 'x', '+'],
  ],
  zmore: [
    ['zadd', 'zm:k', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['zrevrange', 'zm:k', '0', '-1'], ['zrevrange', 'zm:k', '0', '1', 'withscores'], ['zrevrange', 'zm:k', '0', '-1', 'limit', '0', '1'], ['zrevrange', 'zm:k', '0', '-1', 'rev'],
    ['zrevrange', 'zm:k', '0', '-1', 'byscore'], ['zrevrange', 'zm:k', 'x', '1'], ['zpopmin', 'zm:k'], ['zpopmax', 'zm:k', '2'], ['zpopmin', 'zm:k', '-1'], ['zpopmin', 'zm:k', '0'], ['zpopmin', 'zm:missing'],
    ['zpopmin', 'zm:k', '1', '2'], ['zpopmin', 'zm:k', 'x'], ['zpopmax', 'zm:k', '5'], ['exists', 'zm:k'], ['zadd', 'zm:k', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['zremrangebyscore', 'zm:k', '(1', '3'],
    ['zremrangebyrank', 'zm:k', '0', '0'], ['zrange', 'zm:k', '0', '-1'], ['zremrangebylex', 'zm:k', '-', '+'], ['exists', 'zm:k'], ['zremrangebyscore', 'zm:k', 'x', '1'], ['zremrangebylex', 'zm:k', 'a', 'b'],
    ['zremrangebyrank', 'zm:k', 'x', '1'], ['zremrangebyscore', 'zm:missing', '0', '1'], ['set', 'zm:s', 'v'], ['zpopmin', 'zm:s'], ['zremrangebyrank', 'zm:s', '0', '1'], ['zrevrange', 'zm:s', '0', '1'], ['zpopmax'],
  ],
  zcount: [
    ['zadd', 'zc:k', '1', 'a', '2', 'b', '3', 'c', 'inf', 'd'], ['zcount', 'zc:k', '-inf', '+inf'], ['zcount', 'zc:k', '(1', '3'], ['zcount', 'zc:k', '2', '(3'], ['zcount', 'zc:k', '5', '1'],
    ['zcount', 'zc:k', 'x', '1'], ['zcount', 'zc:k', '1', '(x'], ['zcount', 'zc:missing', '0', '1'], ['set', 'zc:s', 'v'], ['zcount', 'zc:s', '0', '1'], ['zcount', 'zc:k', '0'],
  ],
  setstore: [
    ['sadd', 'ss:a', '1', '2', '3'], ['sadd', 'ss:b', '3', '4'], ['sunionstore', 'ss:d', 'ss:a', 'ss:b'], ['smembers', 'ss:d'], ['sinterstore', 'ss:d', 'ss:a', 'ss:b'], ['smembers', 'ss:d'],
    ['sdiffstore', 'ss:d', 'ss:a', 'ss:b'], ['smembers', 'ss:d'], ['sinterstore', 'ss:d', 'ss:a', 'ss:missing'], ['exists', 'ss:d'], ['set', 'ss:str', 'x'], ['sunionstore', 'ss:d', 'ss:a', 'ss:str'],
    ['sunionstore', 'ss:str', 'ss:a'], ['type', 'ss:str'], ['smembers', 'ss:str'], ['sdiffstore', 'ss:a', 'ss:a', 'ss:b'], ['smembers', 'ss:a'], ['sunionstore', 'ss:d'], ['sinterstore', 'ss:d'],
  ],
  zstore: [
    ['zadd', 'zs:z', '0', 'a', '1', 'b', '2', 'c'], ['sadd', 'zs:s', '1', '2'], ['zadd', 'zs:y', '5', 'b', '-1', 'c', 'inf', 'i'],
    ['zunionstore', 'zs:d', '2', 'zs:z', 'zs:s', 'weights', '2', '3', 'aggregate', 'max'], ['zrange', 'zs:d', '0', '-1', 'withscores'], ['zunionstore', 'zs:d', '2', 'zs:z', 'zs:y'], ['zrange', 'zs:d', '0', '-1', 'withscores'],
    ['zinterstore', 'zs:d', '2', 'zs:z', 'zs:y', 'aggregate', 'min'], ['zrange', 'zs:d', '0', '-1', 'withscores'], ['zinterstore', 'zs:d', '2', 'zs:y', 'zs:z', 'weights', '1', '0'], ['zrange', 'zs:d', '0', '-1', 'withscores'],
    ['zunionstore', 'zs:d', '1', 'zs:y', 'weights', '0'], ['zrange', 'zs:d', '0', '-1', 'withscores'], ['zunionstore', 'zs:d', '2', 'zs:y', 'zs:y', 'weights', '1', '-1'], ['zrange', 'zs:d', '0', '-1', 'withscores'],
    ['zinterstore', 'zs:d', '2', 'zs:z', 'zs:missing'], ['exists', 'zs:d'], ['zunionstore', 'zs:d', '0', 'zs:z'], ['zunionstore', 'zs:d', '-1', 'zs:z'], ['zunionstore', 'zs:d', 'x', 'zs:z'], ['zunionstore', 'zs:d', '3', 'zs:z'],
    ['zunionstore', 'zs:d', '1', 'zs:z', 'weights', 'x'], ['zunionstore', 'zs:d', '1', 'zs:z', 'weights', '1', '2'], ['zunionstore', 'zs:d', '1', 'zs:z', 'aggregate', 'foo'], ['zunionstore', 'zs:d', '1', 'zs:z', 'aggregate'],
    // Scores are added smallest set first, as Redis does: 0.2 + 0.3 + 0.1 is 0.6, 0.1 + 0.2 + 0.3 is not.
    ['zadd', 'zs:a', '0.1', 'm', '1', 'x', '2', 'y'], ['zadd', 'zs:b', '0.2', 'm'], ['zadd', 'zs:c', '0.3', 'm', '1', 'z'], ['zunionstore', 'zs:d', '3', 'zs:a', 'zs:b', 'zs:c'], ['zcount', 'zs:d', '0.6', '0.6'],
    ['zinterstore', 'zs:d', '3', 'zs:a', 'zs:b', 'zs:c'], ['zcount', 'zs:d', '0.6', '0.6'],
    ['zunionstore', 'zs:d', '1', 'zs:z', 'withscores'], ['set', 'zs:str', 'x'], ['zunionstore', 'zs:d', '2', 'zs:z', 'zs:str'], ['zinterstore', 'zs:str', '1', 'zs:z'], ['type', 'zs:str'], ['zunionstore', 'zs:d', '1'],
  ],
  collectionscan: [
    ['sadd', 'cs:s', '3', '1', '2', '10'], ['sscan', 'cs:s', '0'], ['sscan', 'cs:s', '0', 'match', '1*', 'count', '1'], ['sscan', 'cs:s', 'x'], ['sscan', 'cs:missing', '0'], ['sscan', 'cs:s', '0', 'count', '0'],
    ['zadd', 'cs:z', '1', 'a', '2.5', 'b', '-1', 'c', 'inf', 'd'], ['zscan', 'cs:z', '0'], ['zscan', 'cs:z', '0', 'match', '[ab]'], ['zscan', 'cs:missing', '0'], ['zscan', 'cs:z', '0', 'bogus', '1'],
    ['sscan', 'cs:z', '0'], ['zscan', 'cs:s', '0'], ['set', 'cs:str', 'v'], ['sscan', 'cs:str', '0'], ['zscan', 'cs:str', '0'], ['sscan', 'cs:s'], ['zscan'],
  ],
  // SPOP picks at random: compared where the answer does not depend on the pick (all, none, errors).
  spop: [
    ['sadd', 'sp:k', '3', '1', '2'], ['spop', 'sp:k', '5'], ['exists', 'sp:k'], ['spop', 'sp:k'], ['spop', 'sp:k', '2'], ['spop', 'sp:k', '-1'], ['spop', 'sp:k', '0'], ['sadd', 'sp:k', '7'],
    ['spop', 'sp:k', '0'], ['spop', 'sp:k', 'x'], ['spop', 'sp:k', '1', '2'], ['spop', 'sp:k'], ['exists', 'sp:k'], ['set', 'sp:s', 'v'], ['spop', 'sp:s'], ['spop', 'sp:s', '1'], ['spop'],
  ],
  wait: [['set', 'w:k', 'v'], ['wait', '0', '0'], ['wait', '1', '10'], ['wait', 'x', '0'], ['wait', '0', '-1'], ['wait', '0', 'x'], ['wait', '0']],
  ping: [['ping'], ['ping', 'hi'], ['ping', 'a', 'b'], ['echo', 'x'], ['echo']],
  // What differs by server (versions, ids, times, counts) is left out; the errors and fixed replies are compared.
  server: [
    ['auth', 'secret'], ['auth', 'default', 'secret'], ['auth'], ['auth', 'a', 'b', 'c'], ['hello', '4'], ['hello', 'x'], ['time', 'x'],
    ['client', 'getname'], ['client', 'setname', 'tester'], ['client', 'getname'], ['client', 'setname', 'a b'], ['client', 'bogus'], ['client', 'id', 'x'],
    ['auth', 'someone', 'secret'], ['hello', '3', 'auth', 'default', 'x', 'setname', 'a b'], ['client', 'getname', 'x'],
    ['config'], ['config', 'get'], ['config', 'bogus'], ['command', 'bogus'], ['command', 'count', 'x'],
  ],
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
      // Each script pipelined to both: the same replies as one by one, in a fraction of the time.
      const [want, got] = await Promise.all([theirs.sendAll(script), ours.sendAll(script)]);
      script.forEach((args, i) => {
        if (got[i] !== want[i]) differences.push(`${about}: ${args.join(' ')}\n  redis-server: ${JSON.stringify(want[i])}\n  this node:    ${JSON.stringify(got[i])}`);
      });
    }
    // CLIENT INFO: the same fields in the same order (their values are this connection's, not comparable).
    const fieldNames = (line: string) => line.split('\r\n')[1].trim().split(' ').map((f) => f.split('=')[0]);
    const theirFields = fieldNames(await theirs.send(['client', 'info']));
    const ourFields = fieldNames(await ours.send(['client', 'info']));
    // lib-name and lib-ver came with Redis 7.2 (CLIENT SETINFO); an older redis-server lacks them.
    assert.deepEqual(theirFields.includes('lib-name') ? ourFields : ourFields.filter((f) => !f.startsWith('lib-')), theirFields, 'CLIENT INFO fields');
    for (const args of [['client', 'list', 'x'], ['client', 'info', 'x']]) assert.equal(await ours.send(args), await theirs.send(args), args.join(' '));
    t.diagnostic(`commands compared: ${[...new Set(Object.values(scripts).flatMap((s) => s.map((a) => a[0])))].sort().join(' ')}`);
    assert.equal(differences.length, 0, `replies that differ from redis-server:\n${differences.join('\n')}`);
  } finally {
    theirs.close();
    ours.close();
    await c.stop();
    await redis.stop();
  }
});
