/**
 * autoloss/verify: convergence properties of loss expressions, their
 * counterexamples, the optimisation simulation, and the fast-check kit.
 *
 * @example
 * import { verifyLoss, properties } from 'autoloss/verify';
 * verifyLoss('giou', { simulate: true }).verdict; // 'pass'
 * fc.assert(properties.descentTowardTarget('giou'));
 */
export { properties, PropertyViolation, type KitOptions } from './kit.js';
export { verifyLoss, checkProperty, PointCache, type LossVerdict, type PropertyVerdict, type Counterexample, type VerifyLossOptions } from './verify-loss.js';
export { simulate, accuracy, averagePrecision, type SimulationOptions, type SimulationResult } from './simulate.js';
export { PROPERTIES, PROPERTY_NAMES, checkPoint, type Encoded, propertiesFor, propertyDef, isPropertyName, type PropertyDef, type PropertyName, type Violation } from './properties.js';
export { LossKernel, type LossLike, type KernelBackend } from './loss-kernel.js';
export { tapeKernel } from './tape-kernel.js';
export { DEFAULT_OPTIONS, resolveOptions, type VerifyOptions } from './options.js';
export { pairGeometry, boxGradient, boxAt, iou, type Box, type PairGeometry } from './box-geometry.js';
export { formatVerdicts } from './format.js';
export { verifyStage, verifyBuiltins } from './stage.js';
