/**
 * Nothing passes by accident: node names in a system's config exist, scripted values have the type
 * and range their operation needs, and clients never land on a node the config reserves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, ScenarioError } from './load.js';
import { registerCatalog } from '../cli/catalog.js';

registerCatalog();

const root = fileURLToPath(new URL('../../../', import.meta.url));
const atmRace = readFileSync(join(root, 'scenarios', 'atm-race.yaml'), 'utf8');

/** The error's message, without the line and column of the file (load.test checks those). */
function message(text: string, set: string[] = []): string {
  try {
    parseScenario(text, 'x.yaml', { set });
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `expected a ScenarioError, got ${e}`);
    return e.message.replace(/^x\.yaml:\d+:\d+:/, 'x.yaml:');
  }
  assert.fail('expected the scenario to be rejected');
}

/** atm-race with a fourth ATM withdrawing at the same moment as the others. */
const fourAtms = atmRace
  .replace('clients: 3', 'clients: 4')
  .replace('    - { at: 2500', '    - { at: 1500, client: 4, f: transfer, key: acct, value: { to: cash-atm4, amount: 800 } }\n    - { at: 2500');

test('every scenario file still parses', () => {
  for (const f of readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'))) parseScenario(readFileSync(join(root, 'scenarios', f), 'utf8'), f);
});

test('a node name in the config that the topology lacks is an error at its path', () => {
  assert.equal(message(atmRace.replace('ledger: n4', 'ledger: n7')), 'x.yaml: variants.naive.system.config.ledger: a node of the topology (n1, n2, n3, n4), got "n7"');
});

test('node names in lists and record keys of a config are checked too', () => {
  assert.equal(
    message(atmRace, ['variants.fixed.system.config.voters=[n1, n2, n5]']),
    'x.yaml: --set variants.fixed.system.config.voters=[n1, n2, n5]: system.config.voters[2]: a node of the topology (n1, n2, n3), got "n5"',
  );
  const liar = `
name: t
topology: { nodes: 3 }
system: { process: truth/raft-liar, config: { byzantine: { n9: { behaviour: silent } } } }
workload: { type: closed, durationMs: 100, ops: { write: 1 } }
`;
  assert.match(message(liar), /^x\.yaml: system\.config\.byzantine\.n9: a node of the topology \(n1, n2, n3\), got "n9"$/);
});

test('a default node name the topology lacks is an error too, and says it is the default', () => {
  const market = `
name: t
topology: { nodes: 3 }
system: { process: intelligence/market }
workload: { type: script, durationMs: 100, script: [] }
`;
  assert.equal(message(market), 'x.yaml: system.config.bigSeller: a node of the topology (n1, n2, n3), got "n12" (the default; set it)');
});

test('a scripted transfer amount that is not a number is an error, not a NaN balance', () => {
  assert.equal(message(atmRace.replace('{ to: cash-atm2, amount: 800 }', '{ to: cash-atm2, amount: eight }')), 'x.yaml: workload.script[2].value.amount: expected number, got string');
  assert.match(message(atmRace.replace('{ to: cash-atm2, amount: 800 }', '{ to: cash-atm2, amount: -800 }')), /^x\.yaml: workload\.script\[2\]\.value\.amount: /);
  assert.match(message(atmRace.replace('{ to: cash-atm2, amount: 800 }', '{ to: cash-atm2 }')), /workload\.script\[2\]\.value\.amount: expected number \(missing\)$/);
  assert.match(message(atmRace.replace('value: 1000 }', '}')), /workload\.script\[0\]\.value: a value to write$/);
  assert.match(message(atmRace.replace('f: read, key: acct }', 'f: read, key: acct, value: 1 }')), /workload\.script\[4\]\.value: no value/);
});

test('a client placed on the ledger is an error naming the field that reserves it', () => {
  // Without a server list, client 4 goes to n4 (sticky), which is the naive bank's ledger.
  assert.equal(
    message(fourAtms.replace(/\n  # The ATMs[^\n]*\n[^\n]*\n  servers: \[n1, n2, n3\]/, '')),
    'x.yaml: workload.clients: no client on n4, which system.config.ledger reserves (the ledger keeps the balances; clients talk to the ATMs), got client 4 there (sticky: client i goes to server i mod 4 of the topology); list the nodes clients talk to in workload.servers, without n4',
  );
  // Listing the ledger among the servers names the entry.
  assert.match(message(fourAtms, ['workload.servers=[n1, n2, n3, n4]']), /: workload\.servers\[3\]: no client on n4, which system\.config\.ledger reserves/);
  // As does sending every client there.
  assert.match(message(fourAtms, ['variants.naive.workload.target=n4']), /: workload\.target: no client on n4, which system\.config\.ledger reserves .*got every client there \(workload\.target\)$/);
  // With the ATMs listed, a fourth client shares an ATM and the file is fine.
  assert.equal(parseScenario(fourAtms, 'x.yaml').variants.length, 2);
});

test('the CLI reports a bad node reference on one line and exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-node-refs-'));
  const file = join(dir, 'atm.yaml');
  writeFileSync(file, atmRace.replace('ledger: n4', 'ledger: n7'));
  const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const r = spawnSync(process.execPath, [main, 'run', file, '--no-store'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 2, r.stderr);
  // Named where it is written: the line and column of ledger in the naive variant.
  const at = atmRace.split('\n').findIndex((l) => l.includes('ledger: n4')) + 1;
  assert.equal(r.stderr.trim(), `pillars: ${file}:${at}:52: variants.naive.system.config.ledger: a node of the topology (n1, n2, n3, n4), got "n7"`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
