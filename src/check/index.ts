/** Histories and the checkers that judge them. */
export { History, toJsonLine, NANOS_PER_MS, type HistoryEvent, type EventType } from './history.js';
export { checkBroadcastComplete, type CheckOutcome } from './broadcast.js';
export { checkErlangC, type ErlangCInput } from './queueing.js';
export { checkLinearizable, searchStepsMax, sameValue, describeViolation, operationsOf, models, registerModel, kvModel, bankModel, type Model, type Op, type Violation, type LinearizabilityResult, type CheckOptions } from './linearizability.js';
export { parseHistory, fromMaelstromLinKv, HistoryFormatError } from './history-file.js';
export { checkBalanceFloor } from './bank.js';
export { checkNoLostIncrements } from './counter.js';
export { checkTxns, checkListAppend, checkRwRegister, txnsFromEvents, describeTxnAnomaly, anomaliesForbiddenBy, modelsViolatedBy, modelsConsistentWith, consistencyModels, type Txn, type Micro, type TxnEvent, type TxnAnomaly, type TxnAnomalyKind, type TxnCheckResult, type TxnCheckOptions, type ConsistencyModel } from './txn.js';
