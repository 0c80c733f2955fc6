/**
 * autoloss as a library: the language and symbolic engine, verification,
 * rendering and export. Training lives in `autoloss/train` style modules
 * loaded on demand (they import TensorFlow.js).
 *
 * @example
 * import { parse, toLatex, verifyLoss } from 'autoloss';
 * toLatex(parse('1 - i/u').tree, 'reg'); // '1-\\frac{i}{u}'
 * verifyLoss('giou').verdict; // 'pass'
 */
export * from './symbolic/index.js';
export { toPrefix } from './render/prefix.js';
export { toInfix } from './render/infix.js';
export { toLatex } from './render/latex.js';
export { renderLatex } from './render/katex.js';
export { writeReport } from './render/report/report.js';
export { toPytorch } from './export/pytorch.js';
export { toTfjs } from './export/tfjs.js';
export { verifyLoss, properties, simulate } from './verify/index.js';
