/**
 * `pillars maelstrom test|node`, as the command line declares them; what they do (maelstrom.ts) is
 * loaded when one runs.
 */
import { Command } from 'commander';
import { nemesisKinds, testDefaults, topologies, workloadNames } from '../maelstrom/options.js';
import { maelstromDefaults } from './defaults.js';
import type { MaelstromNodeFlags, TestFlags } from './maelstrom.js';

export function maelstromCommand(setExit: (code: number) => void): Command {
  // Usage errors (an unknown option, no --bin) are bad input: exit 2 with commander's one line, not its exit 1.
  const m = new Command('maelstrom').description("Jepsen Maelstrom's protocol: test any program that speaks it (test), or run one of this project's processes as a Maelstrom node (node).").exitOverride();
  m.command('test')
    .description("Spawn N copies of a program, route their messages through this network with faults, drive a workload against them, and check the history. Options marked (ours) are this project's; the others are Maelstrom's, with Maelstrom's meaning.")
    .requiredOption('-w, --workload <name>', `one of ${workloadNames.join(', ')}`)
    .requiredOption('--bin <program>', 'the node program (any executable that reads and writes JSON lines)')
    .option('--node-count <n>', `how many nodes, n0..n(N-1) (Maelstrom without it runs Jepsen's five, named n1..n5)`, String(maelstromDefaults.nodeCount))
    .option('--time-limit <s>', 'seconds of workload, before the recovery wait and the final reads', String(maelstromDefaults.timeLimitS))
    .option('--rate <r>', 'operations per second, all clients together', String(maelstromDefaults.rate))
    .option('--concurrency <c>', 'client processes, a number or a multiple of the node count ("2n")', maelstromDefaults.concurrency)
    .option('--latency <ms>', 'mean one-way latency between nodes, and between nodes and services (clients see none)', String(maelstromDefaults.latencyMs))
    .option('--latency-dist <dist>', 'constant, uniform or exponential', maelstromDefaults.latencyDist)
    .option('--nemesis <list>', `faults, comma-separated: partition (Maelstrom's: a minority, one node alone, a bridge, or a ring of majorities); ${nemesisKinds.filter((k) => k !== 'partition').join(', ')} (ours)`)
    .option('--nemesis-interval <s>', 'a fault starts at half of this many seconds, then every this many, and lasts half of it; each starts and ends inside the workload', String(maelstromDefaults.nemesisIntervalS))
    .option('--recovery-ms <ms>', '(ours) wait after the faults heal, before the final reads (Maelstrom always waits 10 s)', '10000')
    .option('--allow-no-faults', '(ours) accept a valid verdict when a requested nemesis never fired; without it the verdict is unknown')
    .option('--consistency-models <list>', 'the models the history must satisfy, all of them; honoured by txn-list-append and txn-rw-register (read-uncommitted ... strict-serializable) and lin-kv (linearizable, strict-serializable); kafka, as in Maelstrom, takes none', 'strict-serializable')
    .option('--availability <a>', '"total" (every operation must succeed) or the fraction that must; below it the test is invalid')
    .option('--key-count <n>', 'lin-kv: keys; txn workloads: keys in use at a time (default 5)')
    .option('--max-txn-length <n>', 'txn workloads: micro-operations per transaction, at most', String(testDefaults.maxTxnLength))
    .option('--max-writes-per-key <n>', 'txn workloads: writes a key takes before a fresh key replaces it', String(testDefaults.maxWritesPerKey))
    .option('--log-stderr', "print every line the nodes write on stderr, as it comes, to this command's stderr")
    .option('--log-net-send', "print every message as it is sent (dropped ones too) to this command's stderr")
    .option('--log-net-recv', "print every message as it is delivered to this command's stderr")
    .option('--topology <name>', `broadcast's topology, as Maelstrom builds it: ${topologies.join(', ')} (tree is tree2; none is ours)`, maelstromDefaults.topology)
    .option('--seed <n>', '(ours) seeds the latencies and the fault schedule', '1')
    .option('--log-dir <dir>', "(ours) keep each node's stderr in DIR/n0.log ... (default: in the results folder)")
    .option('--out <dir>', "(ours: Maelstrom always writes store/) the results folder's root, as Jepsen's store/: DIR/<workload>/<time>/ with report.html, report.json (the report schema of every pillars command), results.json, results.edn, history.jsonl, the series as CSV, command.txt, the node logs and latency-raw.svg, latency-quantiles.svg, rate.svg (Jepsen's plots); DIR/latest links to the newest (default: \"store\", Maelstrom's)")
    .option('--store <dir>', '(ours) the same as --out', 'store')
    .option('--no-store', '(ours) keep no results folder')
    .option('--json <file>', '(ours) write the result as JSON')
    .option('--history <file>', '(ours) write the history as JSON lines (Jepsen shape)')
    .option('--html <file>', '(ours) write a self-contained HTML report: the verdict and witness, charts of operations and latency, the faults')
    .allowExcessArguments(true)
    .argument('[args...]', 'arguments for the program (after --)')
    .addHelpText('after', '\nExit code: 0 valid, 1 invalid (the witness is printed), 2 unknown or bad input.\nExample: pillars maelstrom test -w broadcast --bin ./node.py --node-count 5 --time-limit 20 --rate 100 --latency 20 --nemesis partition,kill')
    .action(async (args: string[], o: TestFlags) => (await import('./maelstrom.js')).maelstromTest(args, o, setExit));
  m.command('node')
    .description("Run one of this project's processes (pillars list) as a Maelstrom node on stdin/stdout, e.g. the Raft KV for Maelstrom's lin-kv workload.")
    .requiredOption('--process <name>', 'the process, e.g. truth/raft-kv')
    .option('--config <json>', "the process's config as JSON (its schema's defaults otherwise)", '{}')
    .option('--data <dir>', "keep each node's disk in DIR/<node id>, so kill -9 loses only what was not fsynced (default: in memory)")
    .addHelpText('after', "\nExample (a script for Maelstrom's --bin): exec npx pillars maelstrom node --process truth/raft-kv --data /tmp/raft")
    .action(async (o: MaelstromNodeFlags) => (await import('./maelstrom.js')).maelstromNode(o));
  return m;
}
