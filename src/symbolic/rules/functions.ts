/**
 * Identities of the S-shaped functions and the other unary operators,
 * written in the direction that shortens: σ(−x) = 1 − σ(x) rewrites
 * 1 − σ(x) to σ(−x); log σ(x) = −softplus(−x) rewrites −softplus(−x) to
 * log σ(x). Serf, Salf and Sgdf are odd about ½ like σ, so the same rules hold.
 * Written in the lowered spelling (`simplify/spelling.ts`): 1 − σ(x) is
 * Add(1, Neg(σ(x))). σ(−(−x)) needs no rule: `double-neg` applies below it.
 */
import { belowClamp, nonZero, shapeAtLeast, type Rule } from './rule.js';

const S_SHAPED = ['Sig', 'Serf', 'Salf', 'Sgdf'] as const;
const kebab = (op: string) => op.toLowerCase();

// prettier-ignore
export const FUNCTION_RULES: readonly Rule[] = [
  ...S_SHAPED.flatMap((s): Rule[] => [
    { name: `${kebab(s)}-complement`, lhs: `Add(1,Neg(${s}(?a)))`,       rhs: `${s}(Neg(?a))` },
    { name: `${kebab(s)}-sum`,        lhs: `Add(${s}(?a),${s}(Neg(?a)))`, rhs: '1' },
  ]),
  { name: 'log-sig-neg',       lhs: 'Log(Sig(Neg(?a)))',                  rhs: 'Neg(Softplus(?a))' },
  { name: 'neg-softplus-neg',  lhs: 'Neg(Softplus(Neg(?a)))',             rhs: 'Log(Sig(?a))' },
  // softplus(a) − softplus(−a): the second term has become log σ(a) by the rule above.
  { name: 'softplus-diff',     lhs: 'Add(Softplus(?a),Log(Sig(?a)))',     rhs: '?a' },
  { name: 'log-exp',           lhs: 'Log(Exp(?a))',                       rhs: '?a', when: belowClamp('a') },
  { name: 'abs-neg',           lhs: 'Abs(Neg(?a))',                       rhs: 'Abs(?a)' },
  { name: 'abs-abs',           lhs: 'Abs(Abs(?a))',                       rhs: 'Abs(?a)' },
  { name: 'relu-relu',         lhs: 'Relu(Relu(?a))',                     rhs: 'Relu(?a)' },
  { name: 'abs-relu',          lhs: 'Abs(Relu(?a))',                      rhs: 'Relu(?a)' },
  { name: 'relu-abs',          lhs: 'Relu(Abs(?a))',                      rhs: 'Abs(?a)' },
  { name: 'sqrt-square',       lhs: 'Sqrt(Mul(?a,?a))',                   rhs: 'Abs(?a)' },
  { name: 'cos-neg',           lhs: 'Cos(Neg(?a))',                       rhs: 'Cos(?a)' },
  { name: 'dot-softmax-one',   lhs: 'Dot(Softmax(?a),1)',                 rhs: '1' },
  { name: 'dot-div-cancel',    lhs: 'Dot(Mul(?a,Div(1,?b)),?b)',          rhs: 'Dot(?a,1)', when: nonZero('b'), requires: shapeAtLeast('a', 'b') },
];
