/** The correlated-models story system: a fraud screen whose models vote, in a world whose fraud tactic shifts. */
export { fraudScreen, fraudScreenConfigSchema, type FraudScreenConfig, type FraudMemberSpec } from './fraud-screen.js';
export { fitLogistic, predictLogistic, type LogisticFit } from './logistic.js';
export { drawTransaction, featureNames, modelInput, type FeatureName, type Tactic, type Transaction } from './fraud-world.js';
