export { type Balancer, Outstanding, checkBackends } from './balancer.js';
export { RoundRobin } from './round-robin.js';
export { RandomBalancer } from './random.js';
export { LeastOutstanding } from './least-outstanding.js';
export { WeightedRoundRobin } from './weighted.js';
export { PowerOfChoices } from './power-of-choices.js';
export { PeakEwma } from './peak-ewma.js';
export { ConsistentHash } from './consistent-hash.js';
export { Maglev, maglevTableSizeDefault } from './maglev.js';
