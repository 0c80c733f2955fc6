/**
 * autoloss/symbolic: the language and its exact symbolic engine.
 *
 * @example
 * import { parse, rationalForm, rationalFormJson } from 'autoloss/symbolic';
 * const { tree, domain } = parse('Sub(1,Div(I,U))');
 * rationalFormJson(rationalForm(tree, domain)); // { numerator: '-i + u', denominator: 'u' }
 */
export { parse, parseTemplate, ParseError, type Parsed, type ParseOptions, type Syntax } from './parse/index.js';
export { resolveLoss, builtinLoss, BUILTIN_LOSSES, type BuiltinLoss, type ResolvedLoss } from './builtins.js';
export { DOMAINS, DOMAIN_NAMES, INPUT_NAMES, type Domain, type InputName } from './domains.js';
export { constant, input, op, named, size, depth, inputsOf, type Node } from './node.js';
export { REGISTRY, ALL_OPS, searchOps, opSpec } from './registry.js';
export type { OpSpec } from './op-spec.js';
export { evaluate, evaluateRaw, EvalError, type Batch, type Inputs } from './evaluate.js';
export { simplify, type Simplified, type SimplifyOptions } from './simplify/simplify.js';
export { rationalForm, rationalFormJson, rationalFormInfix, formToTree, type RationalForm } from './poly/rational-form.js';
export { canonical, canonicalHash } from './canonical.js';
export { equivalent, type Equivalence } from './equivalence.js';
export { derivative } from './derivative.js';
export { compileKernel } from './compile-js.js';
export { treeArbitrary, type TreeArbitraryOptions } from './arbitrary.js';
