import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PromMetrics, secondsName } from './prom-metrics.js';

test("metrics follow Prometheus' conventions: durations in seconds with the unit last, counters in _total, process and Node.js metrics beside them", async () => {
  assert.equal(secondsName('wal_fsync_ms'), 'wal_fsync_seconds');
  assert.equal(secondsName('request_ms_write'), 'request_write_seconds');
  assert.equal(secondsName('wal_entries_per_sync'), undefined);
  const m = new PromMetrics('pillars_', { node: 'n1' });
  m.observe('wal_fsync_ms', 5);
  m.observe('request_ms_write', 250);
  m.observe('wal_entries_per_sync', 64);
  m.count('requests_write', 3);
  m.gauge('kv_keys', 7);
  const text = await m.text();
  assert.match(text, /^pillars_wal_fsync_seconds_sum\{node="n1"\} 0\.005$/m);
  assert.match(text, /^pillars_wal_fsync_seconds_bucket\{le="0\.005",node="n1"\} 1$/m);
  assert.match(text, /^pillars_request_write_seconds_count\{node="n1"\} 1$/m);
  assert.match(text, /^pillars_wal_entries_per_sync_bucket\{le="64",node="n1"\} 1$/m);
  assert.match(text, /^pillars_requests_write_total\{node="n1"\} 3$/m);
  assert.match(text, /^pillars_kv_keys\{node="n1"\} 7$/m);
  assert.doesNotMatch(text, /^pillars_\w*_ms\b/m, 'no metric in milliseconds');
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) assert.match(text, new RegExp(`^${name}\\{node="n1"\\} `, 'm'), name);
});
