/**
 * Losses known by name wherever an expression is accepted: the four published
 * CSE-Autoloss losses and the baselines that are expressions.
 */
import { FOCAL_ALPHA } from './constants.js';
import type { Domain } from './domains.js';
import { parse, type Parsed, type ParseOptions } from './parse/index.js';
import { ParseError } from './parse/errors.js';

export interface BuiltinLoss {
  readonly name: string;
  readonly domain: Domain;
  readonly prefix: string;
  readonly title: string;
  /** The paper's closed form, as SEMANTICS.md writes it, where there is one. */
  readonly paperForm?: string;
  readonly published: boolean;
}

export const BUILTIN_LOSSES: readonly BuiltinLoss[] = [
  {
    name: 'autoloss-a-cls',
    domain: 'multi',
    title: 'CSE-Autoloss-A cls',
    prefix: 'Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))',
    paperForm: '−(1+sin w)·y·log softmax(x)',
    published: true,
  },
  {
    name: 'autoloss-a-reg',
    domain: 'reg',
    title: 'CSE-Autoloss-A reg',
    prefix: 'Add(1,Neg(Add(Div(I,U),Neg(Div(Add(E,Neg(Add(I,2))),E)))))',
    paperForm: '(1 − i/u) + (1 − (i+2)/e)',
    published: true,
  },
  {
    name: 'autoloss-b-cls',
    domain: 'binary',
    title: 'CSE-Autoloss-B cls',
    prefix:
      'Neg(Add(Mul(Q,Mul(Add(1,Serf(Sig(NY))),Log(Sig(X)))),Mul(Add(Sgdf(X),Neg(Q)),Mul(Add(Add(1,Neg(Q)),Neg(Add(1,Neg(Sig(X))))),Log(Add(1,Neg(Sig(X))))))))',
    paperForm: '−[wy(1+erf(σ(1−y)))·log σ(x) + (gd(x)−wy)(σ(x)−wy)·log(1−σ(x))]',
    published: true,
  },
  {
    name: 'autoloss-b-reg',
    domain: 'reg',
    title: 'CSE-Autoloss-B reg',
    prefix:
      'Neg(Div(Add(Div(Neg(Add(Neg(E),Add(1,I))),Neg(Add(3,Add(2,U)))),Add(Div(E,E),Div(Neg(E),Neg(1)))),Neg(Add(Div(Neg(Add(U,Div(I,1))),Neg(3)),Neg(E)))))',
    paperForm: '(3eu+12e+3i+3u+18) / (−3eu+iu+u²−15e+5i+5u)',
    published: true,
  },
  {
    name: 'ce',
    domain: 'multi',
    title: 'Cross-entropy',
    prefix: 'Neg(Dot(Y,Log(Softmax(X))))',
    paperForm: '−y·log softmax(x)',
    published: false,
  },
  {
    name: 'focal',
    domain: 'binary',
    title: `Focal loss (α=${FOCAL_ALPHA}, γ=2)`,
    prefix:
      `Neg(Add(Mul(Mul(${FOCAL_ALPHA},PY),Mul(Mul(Sub(1,Sig(X)),Sub(1,Sig(X))),Log(Sig(X)))),Mul(Mul(${1 - FOCAL_ALPHA},NY),Mul(Mul(Sig(X),Sig(X)),Log(Sub(1,Sig(X)))))))`,
    paperForm: `−[${FOCAL_ALPHA}·y·(1−σ(x))²·log σ(x) + ${1 - FOCAL_ALPHA}·(1−y)·σ(x)²·log(1−σ(x))]`,
    published: false,
  },
  {
    name: 'iou',
    domain: 'reg',
    title: 'IoU loss',
    prefix: 'Sub(1,Div(I,U))',
    paperForm: '1 − i/u',
    published: false,
  },
  {
    name: 'giou',
    domain: 'reg',
    title: 'GIoU loss',
    prefix: 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))',
    paperForm: '1 − i/u + (e−u)/e',
    published: false,
  },
];

export function builtinLoss(name: string): BuiltinLoss | undefined {
  return BUILTIN_LOSSES.find((b) => b.name === name.toLowerCase());
}

export interface ResolvedLoss extends Parsed {
  /** The built-in's name when the text named one. */
  readonly builtin?: BuiltinLoss;
  readonly source: string;
}

/**
 * An expression or a built-in loss's name, parsed. A built-in of another
 * domain than the one asked for is an error naming both.
 */
export function resolveLoss(text: string, options: ParseOptions = {}): ResolvedLoss {
  const b = builtinLoss(text.trim());
  if (b) {
    if (options.domain && options.domain !== b.domain) {
      throw new ParseError(`built-in loss '${b.name}' is in domain ${b.domain}, not ${options.domain}`, 1, text);
    }
    return { ...parse(b.prefix, { domain: b.domain }), builtin: b, source: b.prefix };
  }
  return { ...parse(text, options), source: text };
}
