/**
 * `npm run bench:simplify`: exact rational normal forms of the 50 expressions
 * of shared/fixtures/rational-forms.json and of generated random rational
 * regression expressions, in ms per expression, beside SymPy's
 * `cancel(together(·))` on the same expressions in the same run (through
 * Debian's /usr/bin/python3 and bench/simplify_peer.py) when python3-sympy is
 * present. Prints the ratio SymPy / ours (goal: at least 20).
 *
 * First, before anything else has run (cold: nothing compiled, no cache),
 * one pass over BENCH_COLD (default 3,000) distinct generated expressions,
 * each seen once: their canonical hashes (what the search's funnel dedupes
 * every candidate by), then, on another 3,000, their exact rational forms;
 * in expressions per second, wall clock and process CPU time (on a loaded
 * machine CPU time is the fairer figure), beside SymPy's one pass of
 * cancel(together(·)) over the first set with its cache empty (goal: the
 * hash at ≥ 10,000 expressions/s and ≥ 80× SymPy).
 *
 * Options (env): BENCH_REPS (default 7), BENCH_GENERATED (default 200),
 * BENCH_COLD (default 3000), AUTOLOSS_FIXTURES (the fixtures folder, default
 * ../shared/fixtures).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { toPrefix } from '../src/render/prefix.js';
import { canonicalHash } from '../src/symbolic/canonical.js';
import { treeArbitrary } from '../src/symbolic/arbitrary.js';
import { size, type Node } from '../src/symbolic/node.js';
import { parse } from '../src/symbolic/parse/index.js';
import { formStats, rationalForm } from '../src/symbolic/poly/rational-form.js';
import { opSpec } from '../src/symbolic/registry.js';
import { simplify } from '../src/symbolic/simplify/simplify.js';
import { PYTHON } from './peer-server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env['BENCH_REPS'] ?? 7);
const GENERATED = Number(process.env['BENCH_GENERATED'] ?? 200);
const COLD = Number(process.env['BENCH_COLD'] ?? 3000);
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

/**
 * Distinct random rational regression trees of 12 to 40 nodes, depth ≤ 7
 * (a fixed seed), drawn without computing any form (that would warm up the
 * code being measured); some divide by an identically zero divisor, as the
 * search's candidates do.
 */
function distinctTrees(n: number, seed: number): Node[] {
  const ops = ['Add', 'Sub', 'Mul', 'Div', 'Neg'].map((o) => opSpec(o as 'Add'));
  const seen = new Set<string>();
  const out: Node[] = [];
  for (let round = 0; out.length < n && round < 20; round++) {
    for (const t of fc.sample(treeArbitrary('reg', { maxDepth: 7, ops }), { seed: seed + round, numRuns: n * 40 })) {
      if (out.length >= n) break;
      if (size(t) < 12 || size(t) > 40) continue;
      const p = toPrefix(t);
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(t);
    }
  }
  return out;
}

/** Expressions per second of one pass of `f` over `trees`: [wall clock, process CPU time]. */
function onePass(trees: readonly Node[], f: (t: Node) => unknown): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const t of trees) f(t);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return [(1000 * trees.length) / wall, (1e6 * trees.length) / (cpu.user + cpu.system)];
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

function sympyPeer(sets: Record<string, string[]>, cold: string[]): { version: string; ms: Record<string, number>; cached: Record<string, number>; cold: { wall_ms: number; cpu_ms: number } } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(join(tmpdir(), 'autoloss-bench-'));
  try {
    const spec = join(dir, 'exprs.json');
    writeFileSync(spec, JSON.stringify({ sets, reps: Math.max(2, Math.ceil(REPS / 2)), cold }));
    const r = spawnSync(PYTHON, [join(HERE, 'simplify_peer.py'), spec], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()!;
    const out = JSON.parse(r.stdout) as { sympy: string; ms_per_expr: Record<string, number>; cached_ms_per_expr: Record<string, number>; cold: { wall_ms: number; cpu_ms: number } };
    return { version: out.sympy, ms: out.ms_per_expr, cached: out.cached_ms_per_expr, cold: out.cold };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The cold one-pass figures come first: nothing has computed a form or a hash yet in this process.
const coldHashTrees = distinctTrees(COLD, 7000);
const hashed = new Set(coldHashTrees);
const coldFormTrees = distinctTrees(COLD, 9000).filter((t) => !hashed.has(t));
const coldHash = onePass(coldHashTrees, (t) => canonicalHash(t, 'reg'));
const coldForm = onePass(coldFormTrees, (t) => {
  try {
    rationalForm(t, 'reg');
  } catch {
    // No form (a divisor identically zero): the attempt is the cost.
  }
});
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
const peer = sympyPeer(sets, coldHashTrees.map((t) => toPrefix(t)));

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
console.log(`first pass over the fixture set (after the cold passes below): ${cold.toFixed(3)} ms per expression`);
const rate = (x: number) => `${Math.round(x).toLocaleString('en-US')}/s`;
const sympyCold = typeof peer === 'string' ? undefined : peer.cold;
console.log('');
console.log(`Cold, one pass, each expression seen once, first thing in the process (${coldHashTrees.length} and ${coldFormTrees.length} distinct expressions):`);
console.log(`${'what'.padEnd(34)}${pad('wall', 12)}${pad('CPU', 12)}${pad('× SymPy wall', 14)}${pad('× SymPy CPU', 13)}`);
const coldRow = (what: string, [wall, cpu]: [number, number]) =>
  console.log(
    `${what.padEnd(34)}${pad(rate(wall), 12)}${pad(rate(cpu), 12)}${pad(sympyCold ? `${((sympyCold.wall_ms * wall) / 1000).toFixed(0)}×` : '—', 14)}${pad(sympyCold ? `${((sympyCold.cpu_ms * cpu) / 1000).toFixed(0)}×` : '—', 13)}`,
  );
coldRow('canonical hash (canonicalHash)', coldHash);
coldRow('exact rational form (rationalForm)', coldForm);
if (sympyCold) console.log(`${'SymPy cancel(together(·))'.padEnd(34)}${pad(rate(1000 / sympyCold.wall_ms), 12)}${pad(rate(1000 / sympyCold.cpu_ms), 12)}`);
console.log('goal: the canonical hash at ≥ 10,000 expressions/s and ≥ 80× SymPy; CPU: process CPU time (all threads), the fairer figure on a loaded machine');
console.log('terms: numerator + denominator terms of the reduced form, mean; simplify(): our whole simplifier (rules + normal form)');
console.log(
  typeof peer === 'string'
    ? `SymPy peer not run: ${peer}`
    : `SymPy ${peer.version}: cancel(together(expr)) with U, I, E positive, cache cleared before each round; "cached": one more round reusing SymPy's cache. ratio = SymPy ms / ours (goal ≥ 20×)`,
);
