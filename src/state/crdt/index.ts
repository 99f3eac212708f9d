export { type Crdt, canonicalJson } from './crdt.js';
export { gCounter, pnCounter, type GCounter, type PNCounter } from './counters.js';
export { gSet, twoPSet, orSet, type GSet, type TwoPSet, type ORSet } from './sets.js';
export { ORSetReplica, type ORSetDelta } from './or-set-replica.js';
export { ORSetDotStore, ElementTable, sharedElementTable } from './or-set-dot-store.js';
export { lwwRegister, mvRegister, type LwwRegister, type MvRegister } from './registers.js';
export { orMap, type ORMap } from './or-map.js';
