/** The model-serving story system: a demand world with a 2019 -> 2020 shift, predictors, and a server guarded by the model guards. */
export { modelServing, modelServingConfigSchema, type ModelServingConfig } from './model-serving.js';
export { fitLeastSquares, predictLinear, type LinearFit } from './least-squares.js';
export { era2019, era2020, eraSchema, featureNames, type Era, type FeatureName } from './demand-world.js';
export { buildPredictor, predictorSpecSchema, type Predictor, type PredictorSpec } from './predictors.js';
