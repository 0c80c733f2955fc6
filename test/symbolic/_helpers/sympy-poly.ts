/**
 * Evaluates the polynomial strings SymPy prints in rational-forms.json
 * (`4.0*E**2*I + 6.66666666666667*E - 3`): sums of products of numbers and
 * powers of U, I, E. A hand-written reader, so the check does not go through
 * the code under test.
 */
export function evalSympyPoly(text: string, vars: Readonly<Record<string, number>>): number {
  const src = text.replace(/\s+/g, '');
  let total = 0;
  // Split at + or - that are not part of an exponent (e.g. 1e-5).
  const terms = src.match(/[+-]?[^+-]+(?:[eE][+-]?\d+[^+-]*)?/g) ?? [];
  for (const term of terms) {
    let sign = 1;
    let body = term;
    if (body.startsWith('-')) {
      sign = -1;
      body = body.slice(1);
    } else if (body.startsWith('+')) body = body.slice(1);
    let v = sign;
    // `**` becomes `^` so that the remaining `*` and `/` separate factors.
    const parts = body.replace(/\*\*/g, '^').split(/([*/])/);
    for (let j = 0; j < parts.length; j += 2) {
      const factor = parts[j]!;
      const [base, exp] = factor.split('^') as [string, string | undefined];
      const x = base in vars ? vars[base]! : Number(base);
      if (!Number.isFinite(x)) throw new Error(`cannot read factor '${factor}' of '${text}'`);
      const f = exp === undefined ? x : x ** Number(exp);
      v = parts[j - 1] === '/' ? v / f : v * f;
    }
    total += v;
  }
  return total;
}
