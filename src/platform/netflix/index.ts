/** Netflix's play path on the five pillars (a story system for scenarios/netflix-play.yaml). */
export { netflixPlay, netflixPlayConfigSchema, type NetflixPlayConfig } from './platform.js';
export { DependencyCommand, type CommandOutcome } from './dependency-command.js';
export { dependencies, pillarOf, type Dependency, type GuardConfig } from './config.js';
