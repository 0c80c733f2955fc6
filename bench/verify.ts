/**
 * `npm run bench:verify`: how many candidate losses per second go through the
 * convergence-property checks and through the optimisation simulation, on
 * random trees from each domain's search space (seeded), and the compiled
 * value-and-gradient kernel beside PyTorch autograd (bench/verify_peer.py
 * through Debian's /usr/bin/python3) on the same trees and points, as ratios:
 * once per candidate (compile + one evaluation, the search's filter) and in
 * the steady state (one loss run 100 times, as the simulation does) after
 * 20 warm-up runs on both sides, whose cost (compilation and the JIT's
 * tier-up here, the first calls there) is printed beside.
 *
 * Single-threaded, and timed in CPU time of this process (process.cpuUsage;
 * time.process_time in the peer), so the figures are per core and hold on a
 * busy machine. The peer runs on one thread, really one (OMP_NUM_THREADS=1,
 * set_num_threads(1), set_num_interop_threads(1)); its live thread count is
 * printed. The steady state is measured in BENCH_ROUNDS rounds (ours, then
 * the peer, in turn; default 3), and its ratio is the median of the rounds'
 * ratios, with their spread: the machine may be shared, and one
 * measurement of each side could land in different phases of its speed.
 * Options (env): BENCH_TREES (default 2000 per domain), BENCH_SIM (default
 * 60 per domain), BENCH_PEER (default 300 per domain; 0 skips the peer),
 * BENCH_SEED (default 1), BENCH_ROUNDS (default 3).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { treeArbitrary } from '../src/symbolic/arbitrary.js';
import { lower } from '../src/symbolic/lower.js';
import { compileKernel, type CompiledKernel } from '../src/symbolic/compile-js.js';
import { tapeKernel, TapeWorkspace } from '../src/verify/tape-kernel.js';
import { DOMAINS, DOMAIN_NAMES, type Domain, type InputName } from '../src/symbolic/domains.js';
import { size, type Node } from '../src/symbolic/node.js';
import { toNumber } from '../src/symbolic/rational.js';
import { NAMED_CONSTANTS, opSpec } from '../src/symbolic/registry.js';
import { toPrefix } from '../src/render/prefix.js';
import { LossKernel } from '../src/verify/loss-kernel.js';
import { simulate } from '../src/verify/simulate.js';
import { PointCache, verifyLoss } from '../src/verify/verify-loss.js';
import { makeRng as seededRng } from '../src/util/rng.js';
import { ONE_THREAD_ENV, PYTHON } from './peer-server.js';
import { median } from './tensor-timing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TREES = Number(process.env['BENCH_TREES'] ?? 2000);
const SIM = Number(process.env['BENCH_SIM'] ?? 60);
const PEER = Number(process.env['BENCH_PEER'] ?? 300);
const SEED = Number(process.env['BENCH_SEED'] ?? 1);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const POINTS = 256;
const STEADY = 30;
const REPEAT = 100;
/** Runs of each steady-state loss before its timed runs, on both sides: compilation and the JIT's tier-up (or PyTorch's first calls) are timed apart. */
const WARM = 20;
const COLS = 6;

const say = (s = ''): void => void process.stdout.write(`${s}\n`);
/** CPU milliseconds of this process so far. */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;

function trees(domain: Domain, n: number, seed: number): Node[] {
  return fc.sample(treeArbitrary(domain, { maxDepth: 5 }), { seed, numRuns: n });
}

/** Python (PyTorch) source of a tree from the registry's python templates, one SSA line per node. */
function pythonSource(tree: Node): string {
  const lines: string[] = [];
  const names = new Map<Node, string>();
  const go = (n: Node): string => {
    if (n.kind === 'const') return `torch.tensor(${toNumber(n.value)}, dtype=torch.float64)`;
    if (n.kind === 'named') return `torch.tensor(${NAMED_CONSTANTS[n.name].value}, dtype=torch.float64)`;
    if (n.kind === 'input') return n.name;
    if (n.kind === 'pattern') throw new Error('pattern in a candidate');
    const hit = names.get(n);
    if (hit) return hit;
    const args = n.args.map(go);
    const v = `t${names.size}`;
    lines.push(`    ${v} = ${opSpec(n.op).code.python.replace(/#1/g, args[0]!).replace(/#2/g, args[1] ?? '')}`);
    names.set(n, v);
    return v;
  };
  const out = go(tree);
  return `def f(${DOMAINS.reg.inputs.concat(DOMAINS.multi.inputs, DOMAINS.binary.inputs).map((i) => `${i.name}=None`).filter((v, k, a) => a.indexOf(v) === k).join(', ')}):\n${lines.join('\n')}\n    return ${out}\n`;
}

function points(domain: Domain): Record<string, number[]> {
  const r = seededRng(SEED);
  const rows = POINTS;
  const cols = domain === 'reg' ? 1 : COLS;
  const out: Record<string, number[]> = {};
  for (const spec of DOMAINS[domain].inputs) {
    out[spec.name] = Array.from({ length: rows * cols }, () => (domain === 'reg' ? 1 + 100 * r() : -5 + 10 * r()));
  }
  return out;
}

/**
 * The steady state of `few` losses: each compiled, run WARM times (timed
 * apart with its compilation, `warmMs`), then REPEAT times (`steadyMs`), as
 * the simulation and training run one loss.
 */
function steadyState(few: readonly Node[], domain: Domain, wrt: InputName[], inputs: Record<InputName, Float64Array>, rows: number, cols: number): { warmMs: number; steadyMs: number } {
  let warmMs = 0;
  let steadyMs = 0;
  for (const tree of few) {
    let t = cpu();
    const k = compileKernel(tree, domain, { wrt });
    const grads = Object.fromEntries(wrt.map((w) => [w, new Float64Array(rows * cols)]));
    const value = new Float64Array(rows * cols);
    for (let r = 0; r < WARM; r++) k.run(inputs, rows, cols, { value, grads });
    warmMs += cpu() - t;
    t = cpu();
    for (let r = 0; r < REPEAT; r++) k.run(inputs, rows, cols, { value, grads });
    steadyMs += cpu() - t;
  }
  return { warmMs, steadyMs };
}

function main(): void {
  say('== bench:verify (one core) ==');
  say(`random trees from each domain's search space (depth ≤ 5, fast-check seed ${SEED}); property checks with 300 points each`);
  // Draw each property's points once, as a long run does.
  const pointCache = new PointCache();
  for (const d of DOMAIN_NAMES) verifyLoss(d === 'reg' ? 'giou' : d === 'binary' ? 'focal' : 'ce', { points: pointCache });

  say('\n-- property checks --');
  const sizes: string[] = [];
  say('domain   candidates  filter (fail-fast, no shrink)  rejected  full (all properties, shrunk counterexamples)');
  for (const domain of DOMAIN_NAMES) {
    const ts = trees(domain, TREES, SEED);
    sizes.push(`${domain} ${(ts.reduce((a, t) => a + size(t), 0) / ts.length).toFixed(1)} nodes on average, ${new Set(ts).size} distinct`);
    let t = cpu();
    let rejected = 0;
    // One workspace for the tape's intermediate values across candidates, as a filtering caller holds.
    const workspace = new TapeWorkspace();
    for (const tree of ts) if (verifyLoss({ tree, domain }, { failFast: true, shrink: false, points: pointCache, workspace }).verdict === 'fail') rejected++;
    const filterMs = cpu() - t;
    const some = ts.slice(0, Math.min(200, ts.length));
    t = cpu();
    for (const tree of some) verifyLoss({ tree, domain }, { points: pointCache, workspace });
    const fullMs = cpu() - t;
    say(`${domain.padEnd(9)}${String(ts.length).padEnd(12)}${rate(ts.length, filterMs).padEnd(31)}${`${((100 * rejected) / ts.length).toFixed(1)}%`.padEnd(10)}${rate(some.length, fullMs)} (${some.length} trees)`);
  }

  say(`(${sizes.join('; ')})`);

  say('\n-- optimisation simulation (150 steps, 48 boxes or samples) --');
  for (const domain of DOMAIN_NAMES) {
    const ts = trees(domain, SIM, SEED + 1);
    const t = cpu();
    let pass = 0;
    for (const tree of ts) if (simulate(new LossKernel(tree, domain)).pass) pass++;
    const ms = cpu() - t;
    say(`${domain.padEnd(9)}${rate(ts.length, ms).padEnd(12)} ${pass}/${ts.length} random trees pass`);
  }

  if (PEER <= 0) return;
  say(`\n-- compiled value+gradient kernel vs PyTorch autograd (${POINTS} points, ${COLS} classes; compile + one evaluation per candidate) --`);
  if (!existsSync(PYTHON)) {
    say(`(peer skipped: ${PYTHON} not found)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-verify-'));
  try {
    const jobs = DOMAIN_NAMES.map((domain) => {
      const ts = trees(domain, PEER, SEED + 2);
      const pts = points(domain);
      const wrt: InputName[] = domain === 'reg' ? ['U', 'I', 'E'] : ['X'];
      const rows = POINTS;
      const cols = domain === 'reg' ? 1 : COLS;
      const inputs = Object.fromEntries(Object.entries(pts).map(([k, v]) => [k, Float64Array.from(v)])) as Record<InputName, Float64Array>;
      const time = (make: (tree: Node) => CompiledKernel): number => {
        const t = cpu();
        for (const tree of ts) {
          const grads = Object.fromEntries(wrt.map((w) => [w, new Float64Array(rows * cols)]));
          make(tree).run(inputs, rows, cols, { value: new Float64Array(rows * cols), grads });
        }
        return cpu() - t;
      };
      const workspace = new TapeWorkspace();
      const tapeMs = time((tree) => tapeKernel(lower(tree, domain, { wrt }), workspace));
      const jitMs = time((tree) => compileKernel(tree, domain, { wrt }));
      const { warmMs, steadyMs } = steadyState(ts.slice(0, STEADY), domain, wrt, inputs, rows, cols);
      return { domain, wrt, rows, cols, points: pts, inputs, trees: ts, sources: ts.map(pythonSource), prefix: ts.map((t) => toPrefix(t)), tapeMs, jitMs, warmMs, steadyMs, steady: Math.min(STEADY, ts.length), warm: WARM, repeat: REPEAT, n: ts.length };
    });
    const file = join(dir, 'jobs.json');
    const env = { ...process.env, ...ONE_THREAD_ENV };
    type Peer = { live_threads: number } & Record<string, { ms: number; n: number; warmMs: number; steadyMs: number }>;
    /** The peer on the same trees, its steady state on the `round`-th slice of STEADY of them (as ours); the once-per-candidate timing only in the first round, the one that reports it. */
    const runPeer = (round = 0): Peer | string => {
      writeFileSync(file, JSON.stringify(jobs.map(({ tapeMs, jitMs, warmMs, steadyMs, inputs, trees, ...j }) => ({ ...j, steadyFrom: round * j.steady, steadyOnly: round > 0 }))));
      const r = spawnSync(PYTHON, [join(HERE, 'verify_peer.py'), file], { encoding: 'utf8', timeout: 600_000, env });
      return r.status === 0 ? (JSON.parse(r.stdout) as Peer) : `peer failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
    };
    const first = runPeer();
    if (typeof first === 'string') {
      say(`(${first})`);
      return;
    }
    const { live_threads: threads, ...peer } = first;
    // Further rounds of the steady state, ours then the peer's, each on the next losses (new code: a loss
    // compiled again would find V8's code for its source, and the round would not be a new candidate's).
    const steadyRatios = jobs.map((j) => [peer[j.domain]!.steadyMs / j.steadyMs]);
    const oursSteady = jobs.map((j) => [j.steadyMs]);
    const peerSteady = jobs.map((j) => [peer[j.domain]!.steadyMs]);
    const rounds = Math.min(ROUNDS, Math.floor(PEER / STEADY));
    for (let round = 1; round < rounds; round++) {
      const mine = jobs.map((j) => steadyState(j.trees.slice(round * STEADY, (round + 1) * STEADY), j.domain, j.wrt, j.inputs, j.rows, j.cols).steadyMs);
      const p = runPeer(round);
      if (typeof p === 'string') {
        say(`(${p})`);
        return;
      }
      jobs.forEach((j, i) => {
        oursSteady[i]!.push(mine[i]!);
        peerSteady[i]!.push(p[j.domain]!.steadyMs);
        steadyRatios[i]!.push(p[j.domain]!.steadyMs / mine[i]!);
      });
    }
    say(`PyTorch peer: ${threads} live threads (OMP_NUM_THREADS=1, set_num_threads(1), set_num_interop_threads(1))`);
    say('domain   batch interpreter   generated JS   PyTorch autograd   interpreter/PyTorch   generated/PyTorch');
    for (const j of jobs) {
      const p = peer[j.domain]!;
      const ratio = (ms: number) => `${(p.ms / ms).toFixed(2)}×`;
      say(`${j.domain.padEnd(9)}${rate(j.n, j.tapeMs).padEnd(20)}${rate(j.n, j.jitMs).padEnd(15)}${rate(p.n, p.ms).padEnd(19)}${ratio(j.tapeMs).padEnd(22)}${ratio(j.jitMs)}`);
    }
    say('(ratios > 1 mean ours is faster; candidates per CPU second, each compiled or planned and evaluated once with gradients)');
    say(`\n-- steady state: one loss evaluated with gradients ${REPEAT} times on the same ${POINTS} points (as in the simulation), ${STEADY} losses, after ${WARM} warm-up runs; ${steadyRatios[0]!.length} rounds, each on the next ${STEADY} losses --`);
    say('domain   generated JS     PyTorch autograd   generated/PyTorch   by round                 warm-up: ours     PyTorch    ours/PyTorch');
    jobs.forEach((j, i) => {
      const p = peer[j.domain]!;
      const evals = j.steady * REPEAT;
      const perLoss = (ms: number): string => `${(ms / j.steady).toFixed(2)} ms`;
      const byRound = steadyRatios[i]!.map((x) => `${x.toFixed(2)}×`).join(' ');
      say(`${j.domain.padEnd(9)}${rate(evals, median(oursSteady[i]!)).padEnd(17)}${rate(evals, median(peerSteady[i]!)).padEnd(19)}${`${median(steadyRatios[i]!).toFixed(2)}×`.padEnd(20)}${byRound.padEnd(25)}${perLoss(j.warmMs).padEnd(17)}${perLoss(p.warmMs).padEnd(11)}${(j.warmMs / p.warmMs).toFixed(2)}×`);
    });
    say(`(steady: evaluations per CPU second, medians over the rounds, and the median of the rounds' ratios; warm-up, from the first round: CPU time per loss of compiling it and its first ${WARM} runs, where the JIT tiers up)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
