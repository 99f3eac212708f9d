/** The state pillar: keep data alive when servers die. */
export { FloodOnce, GossipUntilAcked, floodOnce, gossipUntilAcked, floodConfigSchema, gossipConfigSchema, type GossipConfig } from './broadcast.js';
