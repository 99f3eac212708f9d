/**
 * Tests of the RESP codec: the request parser against pipelines cut at every possible place, Redis's
 * error texts, the limits, inline quoting, and the exact bytes of every reply type in RESP2 and RESP3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  array,
  boolean,
  bulk,
  defaultRespLimits,
  double,
  EMPTY_ARRAY,
  errorReply,
  integer,
  map,
  NULL,
  NULL_ARRAY,
  NULL_BULK,
  OK,
  ONE,
  PONG,
  push,
  QUEUED,
  RespParser,
  RespProtocolError,
  set,
  simpleString,
  ZERO,
  type RespLimits,
} from './resp.js';

/** A tiny seeded LCG (Numerical Recipes constants), so random splits are the same on every run. */
function lcg(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % bound;
  };
}

function feedAll(parser: RespParser, chunks: Buffer[]): Buffer[][] {
  const commands: Buffer[][] = [];
  for (const chunk of chunks) parser.feed(chunk, (args) => commands.push(args));
  return commands;
}

function asText(commands: Buffer[][]): string[][] {
  return commands.map((args) => args.map((arg) => arg.toString('latin1')));
}

function byteByByte(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(Buffer.from(bytes.subarray(i, i + 1)));
  return chunks;
}

/** Cut at random points; each piece is copied so that no view can reach bytes of a neighbouring chunk. */
function randomSplits(bytes: Buffer, next: (bound: number) => number, piecesMax: number): Buffer[] {
  const cuts = new Set<number>();
  const pieces = 1 + next(piecesMax);
  for (let i = 0; i < pieces; i++) cuts.add(1 + next(Math.max(1, bytes.length - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...sorted, bytes.length]) {
    if (cut > from) chunks.push(Buffer.from(bytes.subarray(from, cut)));
    from = cut;
  }
  return chunks;
}

function multibulk(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function protocolErrorOf(chunks: Buffer[], limits?: Partial<RespLimits>): { message: string; before: string[][] } {
  const parser = new RespParser(limits);
  const before: Buffer[][] = [];
  try {
    for (const chunk of chunks) parser.feed(chunk, (args) => before.push(args));
  } catch (error) {
    assert.ok(error instanceof RespProtocolError, `expected a RespProtocolError, got ${String(error)}`);
    return { message: error.message, before: asText(before) };
  }
  assert.fail(`no protocol error; parsed ${JSON.stringify(asText(before))}`);
}

const bigValue = 'v'.repeat(5000); // longer than most random pieces: exercises a bulk assembled from many chunks

const pipeline = Buffer.concat([
  multibulk('SET', 'key:1', 'hello'),
  Buffer.from('PING\r\n'),
  Buffer.from('*0\r\n*-1\r\n'),
  Buffer.from('\r\n\n   \r\n'),
  multibulk('GET', ''),
  Buffer.from('ECHO  "two words"   plain\n'),
  multibulk('SET', 'big', bigValue),
  Buffer.from("set \"a b\" 'c\\'d' \"\\x41\\n\"\r\n"),
  multibulk('DEL', 'k1', 'k2', 'k3'),
  Buffer.from('QUIT\r\n'),
]);

const pipelineCommands = [
  ['SET', 'key:1', 'hello'],
  ['PING'],
  ['GET', ''],
  ['ECHO', 'two words', 'plain'],
  ['SET', 'big', bigValue],
  ['set', 'a b', "c'd", 'A\n'],
  ['DEL', 'k1', 'k2', 'k3'],
  ['QUIT'],
];

test('a pipeline of array and inline commands gives the same commands whole, byte by byte, and at random split points', () => {
  assert.deepEqual(asText(feedAll(new RespParser(), [pipeline])), pipelineCommands);
  assert.deepEqual(asText(feedAll(new RespParser(), byteByByte(pipeline))), pipelineCommands);
  const next = lcg(20240601);
  for (let round = 0; round < 200; round++) {
    const chunks = randomSplits(pipeline, next, round % 2 === 0 ? 8 : 200);
    assert.deepEqual(asText(feedAll(new RespParser(), chunks)), pipelineCommands, `round ${round}: cuts after ${chunks.map((c) => c.length).join(',')}`);
  }
});

test('every cut between two bytes of a command, including between CR and LF, is resumed', () => {
  const command = multibulk('SET', 'k', 'value');
  for (let cut = 1; cut < command.length; cut++) {
    const chunks = [Buffer.from(command.subarray(0, cut)), Buffer.from(command.subarray(cut))];
    assert.deepEqual(asText(feedAll(new RespParser(), chunks)), [['SET', 'k', 'value']], `cut at ${cut}`);
  }
});

test('arguments of a command inside one chunk are views of it; a bulk cut by a chunk end is a copy', () => {
  const chunk = multibulk('SET', 'key', 'value');
  const [args] = feedAll(new RespParser(), [chunk]);
  chunk[chunk.indexOf('value')] = 'V'.charCodeAt(0);
  assert.equal(args[2].toString(), 'Value', 'a view sees the change to its chunk');

  const whole = multibulk('SET', 'key', 'value');
  const cut = whole.indexOf('value') + 2;
  const first = Buffer.from(whole.subarray(0, cut));
  const [spanning] = feedAll(new RespParser(), [first, Buffer.from(whole.subarray(cut))]);
  first.fill(0);
  assert.deepEqual(asText([spanning]).at(0), ['\0\0\0', '\0\0\0', 'value'], 'the args before the cut are views of the first chunk; the cut bulk is a copy');
});

test('bulks are binary-safe: every byte 0..255 and CRLF inside a payload survive', () => {
  const allBytes = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) allBytes[i] = i;
  const payload = Buffer.concat([allBytes, Buffer.from('\r\n*1\r\n$3\r\n\r\n'), allBytes]);
  const bytes = Buffer.concat([multibulk('SET', payload, Buffer.from('\r\n')), multibulk(allBytes)]);
  const next = lcg(7);
  for (const chunks of [[bytes], byteByByte(bytes), randomSplits(bytes, next, 20), randomSplits(bytes, next, 20)]) {
    const commands = feedAll(new RespParser(), chunks);
    assert.equal(commands.length, 2);
    assert.ok(commands[0][1].equals(payload));
    assert.ok(commands[0][2].equals(Buffer.from('\r\n')));
    assert.ok(commands[1][0].equals(allBytes));
  }
});

test("each protocol error has Redis's wording, the same however the input is cut", () => {
  const cases: [string, string | Buffer, string][] = [
    ['non-numeric count', '*x\r\n', 'Protocol error: invalid multibulk length'],
    ['negative count other than -1', '*-2\r\n', 'Protocol error: invalid multibulk length'],
    ['count with a leading zero', '*01\r\n', 'Protocol error: invalid multibulk length'],
    ['count with a plus sign', '*+1\r\n', 'Protocol error: invalid multibulk length'],
    ['count above arrayItemsMax', `*${defaultRespLimits.arrayItemsMax + 1}\r\n`, 'Protocol error: invalid multibulk length'],
    ['count line ending in LF alone', '*1\n$4\r\nPING\r\n', 'Protocol error: invalid multibulk length'],
    ['no $ where a bulk starts', '*1\r\nXPING\r\n', "Protocol error: expected '$', got 'X'"],
    ['inline where a bulk starts', '*2\r\n$3\r\nGET\r\nkey\r\n', "Protocol error: expected '$', got 'k'"],
    ['non-numeric bulk length', '*1\r\n$x\r\n', 'Protocol error: invalid bulk length'],
    ['negative bulk length', '*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['bulk length above bulkBytesMax', `*1\r\n$${defaultRespLimits.bulkBytesMax + 1}\r\n`, 'Protocol error: invalid bulk length'],
    ['bulk longer than declared', '*1\r\n$4\r\nPINGxx\r\n', 'Protocol error: expected CRLF after bulk'],
    ['bulk followed by LF alone', '*1\r\n$4\r\nPING\n', 'Protocol error: expected CRLF after bulk'],
    ['unterminated double quote', 'set "a b\r\n', 'Protocol error: unbalanced quotes in request'],
    ['unterminated single quote', "set 'a\r\n", 'Protocol error: unbalanced quotes in request'],
    ['closing quote glued to a word', 'set "a"b\r\n', 'Protocol error: unbalanced quotes in request'],
    ['inline line without newline', 'x'.repeat(defaultRespLimits.inlineBytesMax + 2), 'Protocol error: too big inline request'],
    ['inline line too long even with its newline', `${'x'.repeat(defaultRespLimits.inlineBytesMax + 1)}\n`, 'Protocol error: too big inline request'],
    ['count line without newline', `*${'1'.repeat(defaultRespLimits.inlineBytesMax + 1)}`, 'Protocol error: too big mbulk count string'],
    ['bulk length line without newline', `*1\r\n$${'1'.repeat(defaultRespLimits.inlineBytesMax + 1)}`, 'Protocol error: too big bulk count string'],
  ];
  for (const [name, input, message] of cases) {
    const bytes = Buffer.concat([Buffer.from('PING\r\n'), Buffer.from(input)]);
    const whole = protocolErrorOf([bytes]);
    assert.equal(whole.message, message, name);
    assert.deepEqual(whole.before, [['PING']], `${name}: the command before the error is delivered`);
    if (bytes.length < 1000) assert.equal(protocolErrorOf(byteByByte(bytes)).message, message, `${name}, byte by byte`);
    assert.equal(protocolErrorOf(randomSplits(bytes, lcg(bytes.length), 10)).message, message, `${name}, random splits`);
  }
});

test('a huge declared bulk length or array count is refused from its header alone', () => {
  assert.equal(protocolErrorOf([Buffer.from('*1\r\n$4294967296\r\n')]).message, 'Protocol error: invalid bulk length');
  assert.equal(protocolErrorOf([Buffer.from('*1\r\n$99999999999999999999\r\n')]).message, 'Protocol error: invalid bulk length');
  assert.equal(protocolErrorOf([Buffer.from('*2000000000\r\n')]).message, 'Protocol error: invalid multibulk length');
  // A header at the limit is accepted and waits for its payload.
  const parser = new RespParser();
  parser.feed(Buffer.from(`*${defaultRespLimits.arrayItemsMax}\r\n$${defaultRespLimits.bulkBytesMax}\r\n`), () => assert.fail('no command yet'));
});

test('limits hold exactly at their boundary, whole or byte by byte', () => {
  const limits = { bulkBytesMax: 4, arrayItemsMax: 2, inlineBytesMax: 8 };
  const accepted = [
    [multibulk('ABCD', 'EFGH'), ['ABCD', 'EFGH']],
    [Buffer.from('12345678\r\n'), ['12345678']],
    [Buffer.from('12345678\n'), ['12345678']],
  ] as const;
  for (const [bytes, args] of accepted) {
    assert.deepEqual(asText(feedAll(new RespParser(limits), [bytes])), [args]);
    assert.deepEqual(asText(feedAll(new RespParser(limits), byteByByte(bytes))), [args]);
  }
  const refused: [Buffer, string][] = [
    [multibulk('ABCDE'), 'Protocol error: invalid bulk length'],
    [multibulk('A', 'B', 'C'), 'Protocol error: invalid multibulk length'],
    [Buffer.from('123456789\r\n'), 'Protocol error: too big inline request'],
    [Buffer.from('123456789\n'), 'Protocol error: too big inline request'],
    [Buffer.from('123456789'), 'Protocol error: too big inline request'],
    [Buffer.from('12345678\r'), ''], // still waiting: eight bytes and a CR may be a full line
  ];
  for (const [bytes, message] of refused) {
    for (const chunks of [[bytes], byteByByte(bytes)]) {
      if (message === '') {
        assert.deepEqual(feedAll(new RespParser(limits), chunks), []);
      } else {
        assert.equal(protocolErrorOf(chunks, limits).message, message, bytes.toString('latin1'));
      }
    }
  }
});

test('a command whose bulks declare more than commandBytesMax together is refused at the header that crosses it, before its payload', () => {
  const limits = { bulkBytesMax: 4, commandBytesMax: 6 };
  assert.deepEqual(asText(feedAll(new RespParser(limits), [multibulk('ABC', 'DEF'), multibulk('GHI', 'JKL')])), [['ABC', 'DEF'], ['GHI', 'JKL']], 'each command counts its own bytes');
  assert.equal(protocolErrorOf([Buffer.from('*2\r\n$4\r\nABCD\r\n$3\r\n')], limits).message, 'Protocol error: command larger than the query buffer limit of 6 bytes');
});

test('after a protocol error the parser refuses further input', () => {
  const parser = new RespParser();
  assert.throws(() => parser.feed(Buffer.from('*x\r\n'), () => {}), RespProtocolError);
  assert.throws(() => parser.feed(Buffer.from('PING\r\n'), () => assert.fail('parsed after an error')), /unusable/);
});

test('inline commands are split like Redis sdssplitargs', () => {
  const cases: [string, string[]][] = [
    ["set \"a b\" 'c\\'d' \"\\x41\\n\"", ['set', 'a b', "c'd", 'A\n']],
    ['echo a"b c"', ['echo', 'ab c']],
    ['echo ""', ['echo', '']],
    ["echo ''", ['echo', '']],
    ['echo "\\xzz" "\\x4"', ['echo', 'xzz', 'x4']],
    ['echo "\\t\\r\\b\\a\\\\\\"\\q"', ['echo', '\t\r\b\x07\\"q']],
    ["echo 'a\\nb' 'back\\\\slash'", ['echo', 'a\\nb', 'back\\\\slash']],
    ['  \t lead   trail \t ', ['lead', 'trail']],
    ['\x0becho a\x0bb \x0cc', ['echo', 'a\x0bb', 'c']], // \v and \f are skipped between words but belong to a word
    ['"quoted" "adjacent"', ['quoted', 'adjacent']],
  ];
  for (const [line, args] of cases) {
    assert.deepEqual(asText(feedAll(new RespParser(), [Buffer.from(`${line}\r\n`, 'latin1')])), [args], line);
  }
  for (const line of ['"a', "'a", '"a\\"', '"a"b', "'a'b", 'x "y"z w', '"\\x4']) {
    assert.equal(protocolErrorOf([Buffer.from(`${line}\r\n`)]).message, 'Protocol error: unbalanced quotes in request', line);
  }
});

test('reply encoders give the exact bytes of each type in RESP2 and RESP3', () => {
  const text = (b: Buffer) => b.toString('latin1');
  assert.equal(text(simpleString('OK')), '+OK\r\n');
  assert.equal(text(errorReply("ERR unknown command 'FOO'")), "-ERR unknown command 'FOO'\r\n");
  assert.equal(text(integer(0)), ':0\r\n');
  assert.equal(text(integer(-42)), ':-42\r\n');
  assert.equal(text(integer(Number.MAX_SAFE_INTEGER)), ':9007199254740991\r\n');
  assert.equal(text(integer(-(2n ** 63n))), ':-9223372036854775808\r\n');
  assert.equal(text(bulk('hello')), '$5\r\nhello\r\n');
  assert.equal(text(bulk('')), '$0\r\n\r\n');
  assert.equal(text(bulk('é')), '$2\r\n\xc3\xa9\r\n', 'strings are UTF-8; the length counts bytes');
  assert.equal(text(bulk(Buffer.from([0, 13, 10, 255]))), '$4\r\n\0\r\n\xff\r\n');
  assert.equal(text(bulk(null)), '$-1\r\n');
  assert.equal(text(bulk(null, 2)), '$-1\r\n');
  assert.equal(text(bulk(null, 3)), '_\r\n');
  assert.equal(text(bulk('x', 3)), '$1\r\nx\r\n');
  assert.equal(text(array([bulk('a'), integer(1), OK])), '*3\r\n$1\r\na\r\n:1\r\n+OK\r\n');
  assert.equal(text(array([])), '*0\r\n');
  assert.equal(text(array(null)), '*-1\r\n');
  assert.equal(text(array(null, 3)), '_\r\n');
  assert.equal(text(array([array([ONE]), NULL_BULK])), '*2\r\n*1\r\n:1\r\n$-1\r\n');
  const pairs: [Buffer, Buffer][] = [[bulk('f1'), bulk('v1')], [bulk('f2'), integer(2)]];
  assert.equal(text(map(pairs)), '*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n:2\r\n');
  assert.equal(text(map(pairs, 3)), '%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n:2\r\n');
  assert.equal(text(map([], 3)), '%0\r\n');
  assert.equal(text(set([bulk('m')])), '*1\r\n$1\r\nm\r\n');
  assert.equal(text(set([bulk('m')], 3)), '~1\r\n$1\r\nm\r\n');
  assert.equal(text(push([bulk('message'), bulk('ch'), bulk('hi')], 3)), '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n');
  assert.equal(text(push([bulk('message')])), '*1\r\n$7\r\nmessage\r\n');
  assert.equal(text(double(1.5, 3)), ',1.5\r\n');
  assert.equal(text(double(Infinity, 3)), ',inf\r\n');
  assert.equal(text(double(-Infinity, 3)), ',-inf\r\n');
  assert.equal(text(double(Number.NaN, 3)), ',nan\r\n');
  assert.equal(text(double(1.5)), '$3\r\n1.5\r\n');
  assert.equal(text(double(-Infinity)), '$4\r\n-inf\r\n');
  assert.equal(text(boolean(true, 3)), '#t\r\n');
  assert.equal(text(boolean(false, 3)), '#f\r\n');
  assert.equal(text(boolean(true)), ':1\r\n');
  assert.equal(text(boolean(false)), ':0\r\n');
  assert.equal(text(OK), '+OK\r\n');
  assert.equal(text(PONG), '+PONG\r\n');
  assert.equal(text(QUEUED), '+QUEUED\r\n');
  assert.equal(text(NULL_BULK), '$-1\r\n');
  assert.equal(text(NULL_ARRAY), '*-1\r\n');
  assert.equal(text(NULL), '_\r\n');
  assert.equal(text(EMPTY_ARRAY), '*0\r\n');
  assert.equal(text(ZERO), ':0\r\n');
  assert.equal(text(ONE), ':1\r\n');
});

test('errors and simple strings stay on one line: CR and LF become spaces', () => {
  assert.equal(errorReply('ERR bad\r\ninput\rhere\n').toString(), '-ERR bad  input here \r\n');
  assert.equal(simpleString('a\r\nb').toString(), '+a  b\r\n');
});

test('integer refuses what a RESP integer cannot carry', () => {
  for (const n of [1.5, Number.NaN, Infinity, 2 ** 53, 2n ** 63n, -(2n ** 63n) - 1n]) {
    assert.throws(() => integer(n), RangeError, String(n));
  }
  assert.equal(integer(2n ** 63n - 1n).toString(), ':9223372036854775807\r\n');
});

test('a Buffer bulk round-trips every byte through the parser', () => {
  const value = Buffer.alloc(512);
  for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 255;
  const request = Buffer.concat([Buffer.from('*2\r\n'), bulk('SET'), bulk(value)]);
  const [args] = feedAll(new RespParser(), [request]);
  assert.equal(args[0].toString(), 'SET');
  assert.ok(args[1].equals(value));
});

test('100,000 pipelined SET commands in 64 KiB chunks are all parsed, in order', () => {
  const count = 100_000;
  const value = 'x'.repeat(100);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`*3\r\n$3\r\nSET\r\n$10\r\nkey:${String(i).padStart(6, '0')}\r\n$100\r\n${value}\r\n`);
  const bytes = Buffer.from(parts.join(''));
  const chunkBytes = 64 * 1024;
  const parser = new RespParser();
  let parsed = 0;
  let lastKey = '';
  let outOfOrder = 0;
  for (let from = 0; from < bytes.length; from += chunkBytes) {
    parser.feed(bytes.subarray(from, from + chunkBytes), (args) => {
      lastKey = args[1].toString();
      if (args.length !== 3 || lastKey !== `key:${String(parsed).padStart(6, '0')}` || args[2].length !== 100) outOfOrder++;
      parsed++;
    });
  }
  assert.equal(parsed, count);
  assert.equal(outOfOrder, 0);
  assert.equal(lastKey, 'key:099999');
});
