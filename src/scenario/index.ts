/** Scenarios: the schema and loader, workloads, the runner, reports. */
export { parseScenario, ScenarioError, isScenarioError, deepMerge, checkLabel, peersOf, withPeers, declaredMetrics, undeclaredMetrics, type Scenario, type ParseOptions } from './load.js';
export { MetricCatalog, RUNNER_METRICS, OPERATION_METRICS, HISTOGRAM_SUFFIXES, runnerMetrics, hist, per, pattern, editDistance, type MetricDecl, type MetricScope, type MetricPattern } from './metric-catalog.js';
export { runVariant, runVariants, judge, VariantRun, type RunOptions, type RunResult } from './runner.js';
export { formatTable, REPORT_SCHEMA_VERSION, withCapturedEvents, type VariantReport, type CheckReport } from './report.js';
export { processes, registerProcesses, type ProcessEntry, type ProcessTable } from './processes.js';
export { checks, registerChecks, type CheckEntry, type CheckTable, type RunFacts, type CheckVerdict } from './checks.js';
export type { ResolvedVariant, Workload, Fault, Expectation } from './schema.js';
export { captureDefaults, type CaptureOptions, type RunCapture } from './capture.js';
export type { FaultEvent, MessageSequence, SequenceMessage } from './fault-tap.js';
export { shrink, ddmin, materializeFaults, failedChecks, ShrinkError, isShrinkError, shrinkRunsMaxDefault, type ShrinkOptions, type ShrinkResult } from './shrink.js';
