import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { toTfjs } from '../../src/export/tfjs.js';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import { DOMAINS, type Domain } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { constant, input, named, op } from '../../src/symbolic/node.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { rat } from '../../src/symbolic/rational.js';
import { assertClose } from '../helpers/close.js';
import { fixture, REPO } from '../helpers/paths.js';
import { trainingBatches } from './_helpers/training-batches.js';

interface FixtureCase {
  domain: Domain;
  expr: string;
  inputs: Record<string, unknown>;
  output: (number | string)[];
}

type Fn = (...t: tf.Tensor[]) => tf.Tensor;

const F32_MAX = 3.4028234663852886e38;

/**
 * Float32 agreement: rel 1e-4 / abs 1e-5, and a fixture value is only held
 * against float32 where float32 can represent it and the float64 value is
 * well conditioned in float32 (the same expression on inputs rounded to
 * float32 moves by less than the tolerance).
 */
function float32Comparable(expected: number, perturbed: number): boolean {
  if (!Number.isFinite(expected)) return true;
  if (Math.abs(expected) > F32_MAX / 16) return false;
  return Math.abs(perturbed - expected) <= 1e-5 + 1e-5 * Math.abs(expected);
}

describe('toTfjs', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoloss-tfjs-'));
    // The generated modules import @tensorflow/tfjs as a user's project would.
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should reproduce every reference-values fixture within float32 tolerance (elementwise entry)', async (t) => {
    const cases = (JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: FixtureCase[] }).cases;
    let compared = 0;
    let skipped = 0;
    for (const [k, c] of cases.entries()) {
      const { tree, domain } = parse(c.expr, { domain: c.domain });
      const file = join(dir, `case${k}.ts`);
      writeFileSync(file, toTfjs(tree, domain, { name: `case${k}` }));
      const mod = (await import(pathToFileURL(file).href)) as Record<string, Fn>;
      const names = DOMAINS[domain].inputs.map((i) => i.name);
      const tensors = names.map((n) => tf.tensor(c.inputs[n] as number[], undefined, 'float32'));
      const out = mod[`case${k}Elementwise`]!(...tensors);
      const got = Array.from(out.dataSync());
      tf.dispose([out, ...tensors]);
      // The float64 semantics on inputs rounded to float32, to tell ill-conditioned elements.
      const rounded = Object.fromEntries(
        names.map((n) => {
          const v = c.inputs[n] as number[] | number[][];
          const rows = v.length;
          const cols = Array.isArray(v[0]) ? (v[0] as number[]).length : 1;
          return [n, { rows, cols, data: Float64Array.from(Float32Array.from((v as number[]).flat() as number[])) }];
        }),
      );
      const perturbed = evaluate(tree, domain, rounded).data;
      const expected = c.output.map(Number);
      const keep = expected.map((e, j) => float32Comparable(e, perturbed[j]!));
      skipped += keep.filter((x) => !x).length;
      compared += keep.filter(Boolean).length;
      assertClose(got.filter((_, j) => keep[j]), expected.filter((_, j) => keep[j]), `case ${k} ${c.expr}`, 1e-4, 1e-5);
    }
    t.diagnostic(`${compared} elements compared, ${skipped} ill-conditioned in float32 left out`);
    assert.ok(compared > 10 * skipped, `only ${compared} elements comparable in float32, ${skipped} ill-conditioned`);
  });

  it('should compute the training-time inputs in the training entry (boxes, labels, IoUs)', async () => {
    for (const b of BUILTIN_LOSSES) {
      const { tree, domain } = parse(b.prefix, { domain: b.domain });
      const file = join(dir, `fw_${b.name.replace(/-/g, '_')}.ts`);
      writeFileSync(file, toTfjs(tree, domain, { name: 'loss' }));
      const mod = (await import(pathToFileURL(file).href)) as Record<string, (...a: unknown[]) => tf.Tensor>;
      const batch = trainingBatches(domain);
      const args = batch.args.map((a, j) => tf.tensor(a as number[][], undefined, batch.ints[j] ? 'int32' : 'float32'));
      const out = mod['loss']!(...args, { reduction: 'none' });
      assertClose(Array.from(out.dataSync()), batch.reduce(evaluate(tree, domain, batch.inputs)), b.name, 1e-4, 1e-5);
      tf.dispose([out, ...args]);
    }
  });

  it('should print exact constants and π from their values, not from text', async () => {
    const tree = op('Mul', constant(rat(1n, 3n)), op('Add', named('pi'), op('Mul', constant(rat(-2n, 7n)), input('U'))));
    const file = join(dir, 'consts.ts');
    writeFileSync(file, toTfjs(tree, 'reg', { name: 'consts' }));
    const mod = (await import(pathToFileURL(file).href)) as Record<string, Fn>;
    const U = [1, 2.5, 1e3];
    const t = tf.tensor1d(U);
    const out = mod['constsElementwise']!(t, t, t);
    const col = { rows: 3, cols: 1, data: Float64Array.from(U) };
    assertClose(Array.from(out.dataSync()), Array.from(evaluate(tree, 'reg', { U: col, I: col, E: col }).data), 'constants', 1e-6, 1e-6);
    tf.dispose([t, out]);
  });

  it('should emit code that type-checks under strict TypeScript', () => {
    const files = BUILTIN_LOSSES.map((b) => {
      const { tree, domain } = parse(b.prefix, { domain: b.domain });
      const file = join(dir, `typed_${b.name.replace(/-/g, '_')}.ts`);
      writeFileSync(file, toTfjs(tree, domain, { name: 'typedLoss' }));
      return file;
    });
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--skipLibCheck', ...files], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
