/**
 * `npm run bench:simplify`: exact rational normal forms of the 50 expressions
 * of shared/fixtures/rational-forms.json and of generated random rational
 * regression expressions, in ms per expression, beside SymPy's
 * `cancel(together(·))` on the same expressions in the same run (through
 * Debian's /usr/bin/python3 and bench/simplify_peer.py) when python3-sympy is
 * present. Prints the ratio SymPy / ours (goal: at least 20).
 *
 * Options (env): BENCH_REPS (default 7), BENCH_GENERATED (default 200),
 * AUTOLOSS_FIXTURES (the fixtures folder, default ../shared/fixtures).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { toPrefix } from '../src/render/prefix.js';
import { treeArbitrary } from '../src/symbolic/arbitrary.js';
import { size, type Node } from '../src/symbolic/node.js';
import { parse } from '../src/symbolic/parse/index.js';
import { formStats, rationalForm } from '../src/symbolic/poly/rational-form.js';
import { opSpec } from '../src/symbolic/registry.js';
import { simplify } from '../src/symbolic/simplify/simplify.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const REPS = Number(process.env['BENCH_REPS'] ?? 7);
const GENERATED = Number(process.env['BENCH_GENERATED'] ?? 200);
const FIXTURES = process.env['AUTOLOSS_FIXTURES'] ?? join(HERE, '..', '..', 'shared', 'fixtures');

function fixtureExprs(): string[] {
  const p = join(FIXTURES, 'rational-forms.json');
  if (!existsSync(p)) throw new Error(`${p} not found; set AUTOLOSS_FIXTURES to the fixtures folder`);
  return (JSON.parse(readFileSync(p, 'utf8')) as { cases: { expr: string }[] }).cases.map((c) => c.expr);
}

/** Random rational regression trees of 12 to 40 nodes, depth ≤ 7 (a fixed seed), keeping those with a form. */
function generatedExprs(n: number): string[] {
  const ops = ['Add', 'Sub', 'Mul', 'Div', 'Neg'].map((o) => opSpec(o as 'Add'));
  const trees = fc.sample(treeArbitrary('reg', { maxDepth: 7, ops }), { seed: 2021, numRuns: n * 60 });
  const out: string[] = [];
  for (const t of trees) {
    if (out.length >= n) break;
    if (size(t) < 12 || size(t) > 40) continue;
    try {
      rationalForm(t, 'reg');
      out.push(toPrefix(t));
    } catch {
      // A divisor that is identically zero: no form, skip.
    }
  }
  return out;
}

/** ms per expression of `f` over `trees` in the first pass (cold: JIT not warmed up). */
function firstPass(trees: readonly Node[], f: (t: Node) => unknown): number {
  const t0 = performance.now();
  for (const t of trees) f(t);
  return (performance.now() - t0) / trees.length;
}

/** Best-of-REPS ms per expression of `f` over `trees`, after warming up. */
function time(trees: readonly Node[], f: (t: Node) => unknown): number {
  for (let w = 0; w < 3; w++) for (const t of trees) f(t);
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (const t of trees) f(t);
    best = Math.min(best, performance.now() - t0);
  }
  return best / trees.length;
}

function sympyPeer(sets: Record<string, string[]>): { version: string; ms: Record<string, number>; cached: Record<string, number> } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(join(tmpdir(), 'autoloss-bench-'));
  try {
    const spec = join(dir, 'exprs.json');
    writeFileSync(spec, JSON.stringify({ sets, reps: Math.max(2, Math.ceil(REPS / 2)) }));
    const r = spawnSync(PYTHON, [join(HERE, 'simplify_peer.py'), spec], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()!;
    const out = JSON.parse(r.stdout) as { sympy: string; ms_per_expr: Record<string, number>; cached_ms_per_expr: Record<string, number> };
    return { version: out.sympy, ms: out.ms_per_expr, cached: out.cached_ms_per_expr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fixtureTrees = fixtureExprs().map((e) => parse(e, { domain: 'reg' }).tree);
// Before anything else runs rationalForm: the cost a one-shot CLI call sees.
const cold = firstPass(fixtureTrees, (t) => rationalForm(t, 'reg'));
const sets: Record<string, string[]> = { fixture: fixtureExprs(), generated: generatedExprs(GENERATED) };
const trees = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.map((e) => parse(e, { domain: 'reg' }).tree)]));
const sizes = Object.fromEntries(Object.entries(trees).map(([k, ts]) => [k, ts.reduce((s, t) => s + formStats(rationalForm(t, 'reg')).numTerms + formStats(rationalForm(t, 'reg')).denTerms, 0) / ts.length]));

const ours: Record<string, number> = {};
const simplified: Record<string, number> = {};
for (const [k, ts] of Object.entries(trees)) {
  ours[k] = time(ts, (t) => rationalForm(t, 'reg'));
  simplified[k] = time(ts, (t) => simplify(t, 'reg'));
}
const peer = sympyPeer(sets);

const pad = (s: string, n: number) => s.padStart(n);
const ratio = (a: number | undefined, b: number) => (a === undefined ? '—' : `${(a / b).toFixed(1)}×`);
console.log('Exact rational normal form, ms per expression (best of %d runs)', REPS);
console.log(`${'set'.padEnd(10)}${pad('exprs', 6)}${pad('terms', 7)}${pad('ours', 9)}${pad('SymPy', 9)}${pad('ratio', 9)}${pad('cached', 9)}${pad('ratio', 9)}${pad('simplify()', 12)}`);
for (const k of Object.keys(sets)) {
  const sym = typeof peer === 'string' ? undefined : peer.ms[k];
  const cached = typeof peer === 'string' ? undefined : peer.cached[k];
  const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(3));
  console.log(
    `${k.padEnd(10)}${pad(String(sets[k]!.length), 6)}${pad(sizes[k]!.toFixed(1), 7)}${pad(f(ours[k]), 9)}${pad(f(sym), 9)}${pad(ratio(sym, ours[k]!), 9)}${pad(f(cached), 9)}${pad(ratio(cached, ours[k]!), 9)}${pad(f(simplified[k]), 12)}`,
  );
}
console.log(`first pass over the fixture set, before any warm-up: ${cold.toFixed(3)} ms per expression`);
console.log('terms: numerator + denominator terms of the reduced form, mean; simplify(): our whole simplifier (rules + normal form)');
console.log(
  typeof peer === 'string'
    ? `SymPy peer not run: ${peer}`
    : `SymPy ${peer.version}: cancel(together(expr)) with U, I, E positive, cache cleared before each round; "cached": one more round reusing SymPy's cache. ratio = SymPy ms / ours (goal ≥ 20×)`,
);
