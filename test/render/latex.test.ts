import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toLatex } from '../../src/render/latex.js';
import { renderLatex } from '../../src/render/katex.js';
import { treeArbitrary } from '../../src/symbolic/arbitrary.js';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import { DOMAIN_NAMES } from '../../src/symbolic/domains.js';
import { parse } from '../../src/symbolic/parse/index.js';

const latexOf = (name: string): string => {
  const b = BUILTIN_LOSSES.find((l) => l.name === name)!;
  const p = parse(b.prefix, { domain: b.domain });
  return toLatex(p.tree, p.domain);
};
const of = (text: string, domain: 'multi' | 'binary' | 'reg'): string => toLatex(parse(text, { domain }).tree, domain);

/** Braces, and \left/\right pairs, balance and never close before they open. */
function balanced(s: string): boolean {
  let braces = 0;
  let delims = 0;
  for (let k = 0; k < s.length; k++) {
    if (s[k] === '\\') {
      if (s.startsWith('\\left', k)) delims++;
      else if (s.startsWith('\\right', k)) delims--;
      else if (s[k + 1] === '{' || s[k + 1] === '}') k++;
      if (delims < 0) return false;
      continue;
    }
    if (s[k] === '{') braces++;
    if (s[k] === '}') braces--;
    if (braces < 0) return false;
  }
  return braces === 0 && delims === 0;
}

describe('toLatex: the published losses (raw mode, pinned)', () => {
  it('should print autoloss-a-cls as the inner product of y(1+sin w) and log softmax(x)', () => {
    assert.equal(latexOf('autoloss-a-cls'), '-\\left\\langle y (1+\\sin w), \\log \\operatorname{softmax}(x)\\right\\rangle');
  });
  it('should print autoloss-a-reg with fractions and minimal parentheses', () => {
    assert.equal(latexOf('autoloss-a-reg'), '1-\\left(\\frac{i}{u}-\\frac{e-(i+2)}{e}\\right)');
  });
  it('should print autoloss-b-cls in the paper notation (wy, 1-y, erf, gd, log without parentheses)', () => {
    assert.equal(
      latexOf('autoloss-b-cls'),
      '-(w y (1+\\operatorname{erf}(\\sigma(1-y))) \\cdot \\log \\sigma(x)+(\\operatorname{gd}(x)-w y) (1-w y-(1-\\sigma(x))) \\log(1-\\sigma(x)))',
    );
  });
  it('should print autoloss-b-reg as written, nested fractions and all', () => {
    assert.equal(
      latexOf('autoloss-b-reg'),
      '-\\frac{\\frac{-(-e+1+i)}{-(3+2+u)}+\\frac{e}{e}+\\frac{-e}{-1}}{-\\left(\\frac{-\\left(u+\\frac{i}{1}\\right)}{-3}-e\\right)}',
    );
  });
  it('should print the baselines', () => {
    assert.equal(latexOf('iou'), '1-\\frac{i}{u}');
    assert.equal(latexOf('giou'), '1-\\frac{i}{u}+\\frac{e-u}{e}');
    assert.equal(latexOf('ce'), '-\\left\\langle y, \\log \\operatorname{softmax}(x)\\right\\rangle');
  });
});

describe('toLatex: parentheses and spacing', () => {
  it('should keep parentheses that change the meaning and drop those that do not', () => {
    assert.equal(of('Sub(U,Sub(I,E))', 'reg'), 'u-(i-e)');
    assert.equal(of('Sub(Sub(U,I),E)', 'reg'), 'u-i-e');
    assert.equal(of('Mul(Add(U,I),E)', 'reg'), '(u+i) e');
    assert.equal(of('Neg(Neg(U))', 'reg'), '-(-u)');
    assert.equal(of('Add(U,-2)', 'reg'), 'u-2');
    assert.equal(of('Mul(U,-2)', 'reg'), 'u (-2)');
  });
  it('should write a product with a number or after a bare function with a dot', () => {
    assert.equal(of('Mul(U,2)', 'reg'), 'u \\cdot 2');
    assert.equal(of('Mul(Log(U),I)', 'reg'), '\\log u \\cdot i');
    assert.equal(of('Mul(2,Div(1,3))', 'reg'), '2 \\cdot \\frac{1}{3}');
  });
  it('should parenthesize a function argument that is not an atom', () => {
    assert.equal(of('Log(Add(U,I))', 'reg'), '\\log(u+i)');
    assert.equal(of('Sin(Log(U))', 'reg'), '\\sin(\\log u)');
    assert.equal(of('Log(Q)', 'binary'), '\\log(w y)');
    assert.equal(of('Mul(NY,X)', 'binary'), '(1-y) x');
  });
  it('should use growing parentheses only around tall content', () => {
    assert.equal(of('Sig(Div(I,U))', 'reg'), '\\sigma\\left(\\frac{i}{u}\\right)');
    assert.equal(of('Mul(Add(U,Div(I,E)),U)', 'reg'), '\\left(u+\\frac{i}{e}\\right) u');
    assert.equal(of('Sig(Sub(U,I))', 'reg'), '\\sigma(u-i)');
  });
  it('should print exact constants, including non-terminating rationals', () => {
    assert.equal(of('Add(U,0.25)', 'reg'), 'u+0.25');
    assert.equal(of('Exp(pi)', 'reg'), 'e^{\\pi}');
  });
});

describe('toLatex: simplified mode', () => {
  it('should print the tree after the symbolic engine', () => {
    const { tree } = parse('Add(Mul(1,Div(I,U)),Sub(E,E))', { domain: 'reg' });
    assert.equal(toLatex(tree, 'reg'), '1 \\cdot \\frac{i}{u}+e-e');
    assert.equal(toLatex(tree, 'reg', { mode: 'simplified' }), '\\frac{i}{u}');
  });
});

describe('toLatex: every printable tree renders', () => {
  for (const domain of DOMAIN_NAMES) {
    it(`should give KaTeX-valid, balanced LaTeX for random ${domain} trees`, () => {
      const all = treeArbitrary(domain, { maxDepth: 6, decimals: true, ops: undefined });
      fc.assert(
        fc.property(all, (t) => {
          const tex = toLatex(t, domain);
          assert.ok(balanced(tex), `unbalanced: ${tex}`);
          renderLatex(tex, 'html');
          renderLatex(tex, 'mathml');
        }),
        { numRuns: domain === 'multi' ? 334 : 333, seed: 5 },
      );
    });
  }
  // Written by hand from SEMANTICS.md's notation (not printed by the code under test):
  // each operator on a tall argument (u − 1/3, growing delimiters) and on a bare input.
  const OPERATOR_LATEX: [string, string, string][] = [
    ['Abs', '\\left|u-\\frac{1}{3}\\right|', '\\left|x\\right|'],
    ['Cos', '\\cos\\left(u-\\frac{1}{3}\\right)', '\\cos x'],
    ['Exp', 'e^{u-\\frac{1}{3}}', 'e^{x}'],
    ['Log', '\\log\\left(u-\\frac{1}{3}\\right)', '\\log x'],
    ['Neg', '-\\left(u-\\frac{1}{3}\\right)', '-x'],
    ['Relu', '\\operatorname{relu}\\left(u-\\frac{1}{3}\\right)', '\\operatorname{relu}(x)'],
    ['Salf', '\\operatorname{alf}\\left(u-\\frac{1}{3}\\right)', '\\operatorname{alf}(x)'],
    ['Serf', '\\operatorname{erf}\\left(u-\\frac{1}{3}\\right)', '\\operatorname{erf}(x)'],
    ['Sgdf', '\\operatorname{gd}\\left(u-\\frac{1}{3}\\right)', '\\operatorname{gd}(x)'],
    ['Sig', '\\sigma\\left(u-\\frac{1}{3}\\right)', '\\sigma(x)'],
    ['Sin', '\\sin\\left(u-\\frac{1}{3}\\right)', '\\sin x'],
    ['Softplus', '\\operatorname{softplus}\\left(u-\\frac{1}{3}\\right)', '\\operatorname{softplus}(x)'],
    ['Sqrt', '\\sqrt{u-\\frac{1}{3}}', '\\sqrt{x}'],
    ['Tanh', '\\tanh\\left(u-\\frac{1}{3}\\right)', '\\tanh x'],
  ];
  for (const [name, tall, bare] of OPERATOR_LATEX) {
    it(`should print ${name} exactly, and KaTeX should accept it`, () => {
      assert.equal(of(`${name}(Sub(U,Div(1,3)))`, 'reg'), tall);
      assert.equal(of(`${name}(X)`, 'binary'), bare);
      renderLatex(tall, 'html');
      renderLatex(bare, 'mathml');
    });
  }
  it('should print the axis operators exactly', () => {
    const tex = of('Dot(Softmax(X),Y)', 'multi');
    assert.equal(tex, '\\left\\langle \\operatorname{softmax}(x), y\\right\\rangle');
    renderLatex(tex, 'mathml');
    assert.equal(of('Mul(Add(X,Y),Sub(Z,Y))', 'multi'), '(x+y) (w-y)');
  });
});
