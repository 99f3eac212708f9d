/** The workloads `pillars maelstrom test -w NAME` knows, as Maelstrom defines them. */
import type { WorkloadDefinition } from '../workload.js';
import type { WorkloadName } from '../options.js';
import { echoWorkload } from './echo.js';
import { uniqueIdsWorkload } from './unique-ids.js';
import { broadcastWorkload, gSetWorkload } from './sets.js';
import { gCounterWorkload, pnCounterWorkload } from './counter.js';
import { linKvWorkload } from './lin-kv.js';
import { kafkaWorkload } from './kafka.js';
import { txnListAppendWorkload, txnRwRegisterWorkload } from './txn.js';

/** Held to workloadNames (options.ts, which the command's help lists) by the compiler: every name, no other. */
export const workloads: Record<string, WorkloadDefinition> = {
  echo: echoWorkload,
  'unique-ids': uniqueIdsWorkload,
  broadcast: broadcastWorkload,
  'g-set': gSetWorkload,
  'g-counter': gCounterWorkload,
  'pn-counter': pnCounterWorkload,
  'lin-kv': linKvWorkload,
  kafka: kafkaWorkload,
  'txn-list-append': txnListAppendWorkload,
  'txn-rw-register': txnRwRegisterWorkload,
} satisfies Record<WorkloadName, WorkloadDefinition>;

export { topologies, topologyOf } from './sets.js';
