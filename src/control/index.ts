/**
 * The control pillar: automation will betray you; build the kill switch. Circuit breakers, retries
 * with backoff and budgets, timeouts, bulkheads, rate limiters and kill switches, each a policy
 * that composes with `wrap`, each on the clock it is given (realClock() from pillars/adapters/real-clock
 * in a service, the node's virtual clock in the simulator; there is no default).
 */
export * from './errors.js';
export { wrap, noop, neverAborted, type Policy, type Operation, type ExecuteContext } from './policy.js';
export { CircuitBreaker, circuitBreaker, type Permit, type BreakerState, type BreakerEvent, type CircuitBreakerOptions } from './breaker/circuit-breaker.js';
export { ConsecutiveFailures, CountWindow, TimeWindow, type TripStrategy, type CountWindowOptions, type TimeWindowOptions } from './breaker/strategies.js';
export { Retry, retry, type RetryOptions, type RetryEvent } from './retry/retry.js';
export { exponentialBackoff, constantBackoff, type Backoff, type BackoffOptions, type Jitter } from './retry/backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './retry/retry-budget.js';
export { Timeout, timeout } from './timeout.js';
export { Bulkhead, bulkhead, KeyedBulkhead, keyedBulkhead, type BulkheadOptions } from './bulkhead.js';
export { AdaptiveConcurrency, AimdLimit, GradientLimit, type ConcurrencyLimit, type AimdOptions, type GradientOptions } from './adaptive-limit.js';
export { TokenBucket, SlidingWindow, tokenBucket, slidingWindow, type Limiter } from './rate-limiter.js';
export { KillSwitch, RateKillSwitch, BudgetKillSwitch, type SwitchEvent, type RateKillSwitchOptions, type BudgetKillSwitchOptions } from './kill-switch.js';
export { HeartbeatDetector } from './detect/heartbeat.js';
export { PhiAccrualDetector, erfc, type PhiAccrualOptions } from './detect/phi-accrual.js';
export { Health, type HealthKind, type HealthReport, type CheckResult } from './detect/health.js';
export { OutlierEjection, type OutlierEjectionOptions } from './detect/outlier-ejection.js';
export { SlidingCounters } from './sliding-counters.js';
export { ParameterBoard, checkPeriods, controlLevels, type ControlLevel, type ParameterChange } from './hierarchy.js';
