/**
 * Rendering and export speed: the LaTeX printer on the 124 expressions of
 * shared/fixtures/reference-values.json, in ms per expression, beside SymPy's
 * `latex()` on the same expressions in the same run (Debian's /usr/bin/python3
 * and bench/render_peer.py, when python3-sympy is present), and the PyTorch
 * and tfjs code generators, KaTeX and the whole default report as absolute
 * figures.
 *
 * Run: node --import tsx bench/render.ts
 * Options (env): BENCH_REPS (default 7), AUTOLOSS_FIXTURES (the fixtures folder, default ../shared/fixtures).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPytorch } from '../src/export/pytorch.js';
import { toTfjs } from '../src/export/tfjs.js';
import { renderLatex } from '../src/render/katex.js';
import { toLatex } from '../src/render/latex.js';
import { writeReport } from '../src/render/report/report.js';
import type { Domain } from '../src/symbolic/domains.js';
import type { Node } from '../src/symbolic/node.js';
import { parse } from '../src/symbolic/parse/index.js';
import { PYTHON } from './peer-server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env['BENCH_REPS'] ?? 7);
const FIXTURES = process.env['AUTOLOSS_FIXTURES'] ?? join(HERE, '..', '..', 'shared', 'fixtures');

interface Case {
  readonly tree: Node;
  readonly domain: Domain;
  readonly expr: string;
}

function cases(): Case[] {
  const p = join(FIXTURES, 'reference-values.json');
  if (!existsSync(p)) throw new Error(`${p} not found; set AUTOLOSS_FIXTURES to the fixtures folder`);
  return (JSON.parse(readFileSync(p, 'utf8')) as { cases: { expr: string; domain: Domain }[] }).cases.map((c) => ({ ...parse(c.expr, { domain: c.domain }), expr: c.expr }));
}

/** Best-of-REPS ms per case of `f`, after warming up. */
function time<C extends Case>(cs: readonly C[], f: (c: C) => unknown): number {
  for (let w = 0; w < 3; w++) for (const c of cs) f(c);
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (const c of cs) f(c);
    best = Math.min(best, performance.now() - t0);
  }
  return best / cs.length;
}

function sympyLatex(exprs: readonly string[]): { version: string; ms: number } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(join(tmpdir(), 'autoloss-bench-'));
  try {
    const spec = join(dir, 'exprs.json');
    writeFileSync(spec, JSON.stringify({ exprs, reps: REPS }));
    const r = spawnSync(PYTHON, [join(HERE, 'render_peer.py'), spec], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return `SymPy peer failed: ${r.stderr.trim().split('\n').pop()}`;
    const out = JSON.parse(r.stdout) as { sympy: string; ms_per_expr: number };
    return { version: out.sympy, ms: out.ms_per_expr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (ms: number): string => `${ms.toFixed(4)} ms`;

const cs = cases();
const ours = time(cs, (c) => toLatex(c.tree, c.domain));
const peer = sympyLatex(cs.map((c) => c.expr));
const torch = time(cs, (c) => toPytorch(c.tree, c.domain, { name: 'Loss' }));
const tfjs = time(cs, (c) => toTfjs(c.tree, c.domain, { name: 'loss' }));
const latex = cs.map((c) => ({ ...c, tex: toLatex(c.tree, c.domain) }));
const katex = time(latex, (c) => renderLatex(c.tex, 'html'));
const dir = mkdtempSync(join(tmpdir(), 'autoloss-bench-report-'));
const t0 = performance.now();
writeReport([], join(dir, 'report'));
const report = performance.now() - t0;
rmSync(dir, { recursive: true, force: true });

console.log(`bench:render, ${cs.length} expressions of reference-values.json, best of ${REPS}`);
console.log(`  LaTeX printer (ours)      ${fmt(ours)} per expression`);
if (typeof peer === 'string') console.log(`  SymPy latex()             skipped: ${peer}`);
else console.log(`  SymPy ${peer.version} latex()      ${fmt(peer.ms)} per expression   ratio SymPy/ours ${(peer.ms / ours).toFixed(1)}×`);
console.log(`  PyTorch module generator  ${fmt(torch)} per expression`);
console.log(`  tfjs module generator     ${fmt(tfjs)} per expression`);
console.log(`  KaTeX to HTML             ${fmt(katex)} per expression`);
console.log(`  default report (4 losses, plots, verification, assets)  ${report.toFixed(0)} ms`);
