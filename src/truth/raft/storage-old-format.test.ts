/**
 * Raft's storage reads the data directories older versions wrote: records in MessagePack, before the
 * positional format of wal-format.ts. A node upgraded in place must recover its log, its vote, its
 * snapshot and the snapshot it was receiving, and go on appending in the new format after them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { SimDisk } from '../../sim/disk.js';
import { encodeRecord, scanRecords } from '../../runtime/records.js';
import { plainFormatTag } from '../../runtime/plain-codec.js';
import { RaftStorage, durableMarkFile, segmentPrefix } from './storage.js';
import { decodeWalRecord } from './wal-format.js';
import type { Entry } from './types.js';

function disk(): SimDisk {
  return new SimDisk({ now: () => 0, fsyncDelayMs: () => 0, scheduleSync: (_at, _file, complete) => complete() });
}

/**
 * A data directory as the MessagePack version of storage.ts wrote it (repair mode): entries 1..6
 * (the first a no-op), a sliced snapshot at 5 with two parts, a rotation carrying entry 6 (the older
 * segment not yet removed), entries 7..8 of term 3 with no vote, three durable marks, and the first
 * 3 bytes of a snapshot at 20 being received (too few to be a record of it: none is kept,
 * but its naming record is read).
 */
const oldDataDir: Record<string, string> = {
  'raft.durable':
    'EAAAAJD9mDcDX8vQhKF0AaF2om4xoWkEomx0ARAAAAD6HtjeJy3WxoShdAKhdqJuMqFpBqJsdAIOAAAA+iIyZHMybpyEoXQDoXbAoWkIomx0Aw==',
  'raft.snap':
    'RgAAAPq7cezDVh9hhaVpbmRleAWkdGVybQKkY29uZoKmdm90ZXJzk6JuMaJuMqJuM6hsZWFybmVyc5CkZGF0YYKlaXRlbXOQoW4FpXBhcnRz/wwAAAAaSA7pJ5ok34GlaXRlbXOSoWGhYgoAAACbpMj9bSryUoGlaXRlbXORoWM=',
  'raft.snap.incoming':
    'RwAAALf2iv4R9gELgahyZWNlaXZlZIWlaW5kZXgUpHRlcm0Do2NyY3uldG90YWzNA+ikY29uZoKmdm90ZXJzk6JuMaJuMqJuM6hsZWFybmVyc5ABAgM=',
  'raft.wal.1':
    'pAAAAJqKOB6HSbb7gaFllIOkdGVybQGlaW5kZXgBpGRhdGHUAACDpHRlcm0BpWluZGV4AqRkYXRhgaJvcIOhZqV3cml0ZaNrZXmiazKldmFsdWUCg6R0ZXJtAaVpbmRleAOkZGF0YYGib3CDoWald3JpdGWja2V5omszpXZhbHVlA4OkdGVybQGlaW5kZXgEpGRhdGGBom9wg6FmpXdyaXRlo2tleaJrNKV2YWx1ZQQbAAAAiNibdj31uAuBomhzg6R0ZXJtAaR2b3Rlom4xpmNvbW1pdABgAAAAUENp2gsFukKBoWWSg6R0ZXJtAqVpbmRleAWkZGF0YYGib3CDoWald3JpdGWja2V5oms1pXZhbHVlBYOkdGVybQKlaW5kZXgGpGRhdGGBom9wg6FmpXdyaXRlo2tleaJrNqV2YWx1ZQYbAAAAXyeDSBWFla2Bomhzg6R0ZXJtAqR2b3Rlom4ypmNvbW1pdAQ=',
  'raft.wal.2':
    'GwAAAFyk6Lq56oSVgaJoc4OkdGVybQKkdm90ZaJuMqZjb21taXQFMgAAAI1OEMUpnplygaFlkYOkdGVybQKlaW5kZXgGpGRhdGGBom9wg6FmpXdyaXRlo2tleaJrNqV2YWx1ZQZgAAAAmsL0izJejXuBoWWSg6R0ZXJtA6VpbmRleAekZGF0YYGib3CDoWald3JpdGWja2V5oms3pXZhbHVlB4OkdGVybQOlaW5kZXgIpGRhdGGBom9wg6FmpXdyaXRlo2tleaJrOKV2YWx1ZQgZAAAAi+/ugAzBSimBomhzg6R0ZXJtA6R2b3RlwKZjb21taXQG',
};

const kvEntry = (index: number, term: number): Entry => ({ term, index, data: { op: { f: 'write', key: `k${index}`, value: index } } });

function loadOld(): SimDisk {
  const d = disk();
  for (const [file, base64] of Object.entries(oldDataDir)) {
    d.append(file, new Uint8Array(Buffer.from(base64, 'base64')));
    d.fsync(file, () => {});
  }
  return d;
}

test('a data directory written in the MessagePack format opens: log, hard state, snapshot, durable mark, partial snapshot', () => {
  const d = loadOld();
  const warnings: string[] = [];
  const r = new RaftStorage(d, (event) => warnings.push(event), { recovery: 'repair' }).restore()!;
  assert.deepEqual(r.hardState, { term: 3, vote: undefined, commit: 6 });
  assert.deepEqual(r.entries, [kvEntry(6, 2), kvEntry(7, 3), kvEntry(8, 3)]);
  assert.deepEqual(r.snapshot, { index: 5, term: 2, conf: { voters: ['n1', 'n2', 'n3'], learners: [] }, data: { items: ['a', 'b', 'c'], n: 5 } });
  assert.equal(r.repairUntil, undefined, 'the log is as up to date as the old mark says');
  assert.deepEqual(r.incomingSnapshot && { index: r.incomingSnapshot.index, received: r.incomingSnapshot.received, total: r.incomingSnapshot.total }, { index: 20, received: 0, total: 1000 });
  assert.deepEqual(warnings, ['raft_snapshot_partial_kept']);
});

test('after an old data directory, new records follow in the positional format and both read back', () => {
  const d = loadOld();
  const s = new RaftStorage(d, () => {}, { recovery: 'repair' });
  s.restore();
  s.append({ term: 4, vote: 'n3', commit: 8 }, [kvEntry(9, 4), { term: 4, index: 10, data: undefined }]);
  s.writeMark({ term: 4, vote: 'n3', lastIndex: 10, lastTerm: 4 });
  const records = scanRecords(d.read(`${segmentPrefix}2`)!).records;
  assert.equal(records[0][0], 0x81, 'the old records are MessagePack maps');
  assert.deepEqual([...records.slice(-2)].map((p) => p[0]), [plainFormatTag, plainFormatTag], 'the new ones are not');
  // Cut the log back to entry 8: the mark, read in both formats, says entries up to 10 were durable.
  const r = new RaftStorage(d, () => {}, { recovery: 'repair' }).restore()!;
  assert.deepEqual(r.hardState, { term: 4, vote: 'n3', commit: 8 });
  assert.deepEqual(r.entries.map((e) => [e.index, e.term]), [[6, 2], [7, 3], [8, 3], [9, 4], [10, 4]]);
  assert.deepEqual(r.entries[4], { term: 4, index: 10, data: undefined });
  const marks = scanRecords(d.read(durableMarkFile)!).records;
  assert.deepEqual(marks.map((p) => p[0] === plainFormatTag), [false, false, false, true]);
});

test('every record the MessagePack encoder made reads back as the positional one does', () => {
  const packr = new Packr({ useRecords: false, variableMapSize: true });
  const entries: Entry[] = [{ term: 1, index: 1, data: undefined }, kvEntry(2, 1), { term: 1, index: 3, data: { op: { f: 'sadd', key: 's', members: ['a', 'é', 1.5, -2, null, true] } } }];
  const hs = { term: 7, vote: 'n2', commit: 2 };
  const d = disk();
  d.append(`${segmentPrefix}1`, encodeRecord(packr.pack({ e: entries })));
  d.append(`${segmentPrefix}1`, encodeRecord(packr.pack({ hs })));
  const old = new RaftStorage(d).restore()!;
  const d2 = disk();
  const s = new RaftStorage(d2);
  s.restore();
  s.append({ term: 7, vote: 'n2', commit: 2 }, entries);
  const bytes = d2.read(`${segmentPrefix}1`)!;
  assert.notDeepEqual(bytes, d.read(`${segmentPrefix}1`), 'a new format');
  const now = new RaftStorage(d2).restore()!;
  assert.deepEqual(now.entries, old.entries);
  assert.deepEqual(now.hardState, old.hardState);
  assert.deepEqual(now.entries, entries);
  assert.deepEqual(decodeWalRecord(scanRecords(bytes).records[1]), { hs });
});

test('entries the positional format does not carry exactly go in MessagePack, and read back as they were', () => {
  const odd: Entry[] = [
    { term: 1, index: 1, data: new Uint8Array([1, 2, 3]) },
    { index: 1, term: 1, data: 'keys in another order' } as Entry,
    { term: 1, index: 1, data: 'an extra key', extra: true } as Entry,
  ];
  for (const e of odd) {
    const d = disk();
    const s = new RaftStorage(d);
    s.restore();
    s.append({ term: 1, vote: undefined, commit: 0 }, [e]);
    const records = scanRecords(d.read(`${segmentPrefix}1`)!).records;
    assert.notEqual(records[0][0], plainFormatTag);
    assert.equal(records[1][0], plainFormatTag);
    assert.deepEqual(new RaftStorage(d).restore()!.entries, [e]);
  }
});
