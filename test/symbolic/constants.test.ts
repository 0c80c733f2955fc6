/**
 * The semantic constants: their values are the reference's (CSE-Autoloss's
 * released code and mmdetection), and every code generator writes the
 * table's value, so a change to the table reaches the exported code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mmdetConfig } from '../../src/export/mmdet-configs.js';
import { toMmdet } from '../../src/export/mmdet.js';
import { toPytorch } from '../../src/export/pytorch.js';
import { toTfjs } from '../../src/export/tfjs.js';
import { builtinLoss } from '../../src/symbolic/builtins.js';
import { BOX_EPS, EXP_CLAMP, FOCAL_ALPHA, FOCAL_GAMMA, GUARD_EPS } from '../../src/symbolic/constants.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { opSpec } from '../../src/symbolic/registry.js';
import { pairGeometry } from '../../src/verify/box-geometry.js';

const reg = parse('Sub(1,Div(I,U))').tree;
const binary = parse('Neg(Log(Sig(X)))', { domain: 'binary' }).tree;

describe('semantic constants', () => {
  it("should hold the reference's values", () => {
    assert.equal(GUARD_EPS, 1e-20);
    assert.equal(EXP_CLAMP, 88);
    assert.equal(BOX_EPS, 1e-7);
    assert.equal(FOCAL_ALPHA, 0.25);
    assert.equal(FOCAL_GAMMA, 2);
  });

  it('should reach the generated PyTorch, tfjs and mmdetection code', () => {
    const py = toPytorch(reg, 'reg', { name: 'L' });
    assert.ok(py.includes(`U = area_p + area_t - I + ${BOX_EPS}\n`), 'PyTorch U');
    assert.ok(py.includes(`E = enclose_wh[:, 0] * enclose_wh[:, 1] + ${BOX_EPS}\n`), 'PyTorch E');
    assert.ok(py.includes(`Div(a, b) = a / (b + ${GUARD_EPS})`), 'PyTorch guard note');
    assert.ok(toPytorch(binary, 'binary', { name: 'L' }).includes(`alpha_t = ${FOCAL_ALPHA} * PY + ${1 - FOCAL_ALPHA} * (1 - PY)`), 'PyTorch α_t');
    const ts = toTfjs(reg, 'reg', { name: 'l' });
    assert.ok(ts.includes(`const U = tf.add(tf.sub(tf.add(areaP, areaT), I), ${BOX_EPS});`), 'tfjs U');
    assert.ok(ts.includes(`const E = tf.add(tf.mul(ew, eh), ${BOX_EPS});`), 'tfjs E');
    assert.ok(toTfjs(binary, 'binary', { name: 'l' }).includes(`tf.mul(${FOCAL_ALPHA}, PY), tf.mul(${1 - FOCAL_ALPHA}, NY)`), 'tfjs α_t');
    assert.ok(toMmdet(reg, 'reg', { name: 'L' }).includes(`+ ${BOX_EPS}\n`), 'mmdetection U, E');
    assert.ok(toMmdet(binary, 'binary', { name: 'L' }).includes(`alpha=${FOCAL_ALPHA},`), 'mmdetection α');
    assert.ok(mmdetConfig('L', 'l', 'binary', 'fcos').includes(`alpha=${FOCAL_ALPHA},`), 'mmdetection config α');
  });

  it("should be the operators' guards in every code template and in the float64 values", () => {
    const [div, log, exp] = [opSpec('Div'), opSpec('Log'), opSpec('Exp')];
    for (const lang of ['python', 'tfjs', 'js'] as const) {
      assert.ok(div.code[lang].includes(String(GUARD_EPS)), `Div ${lang}`);
      assert.ok(log.code[lang].includes(String(GUARD_EPS)), `Log ${lang}`);
      assert.ok(exp.code[lang].includes(String(EXP_CLAMP)), `Exp ${lang}`);
    }
    assert.equal(div.value(1, 0), 1 / GUARD_EPS);
    // Unary operators ignore their second argument.
    assert.equal(exp.value(EXP_CLAMP + 5, 0), Math.exp(EXP_CLAMP));
    assert.equal(log.value(0, 0), Math.log(GUARD_EPS));
  });

  it('should be what the runtime computes with', () => {
    const g = pairGeometry([0, 0, 2, 2], [1, 1, 3, 3]);
    assert.equal(g.U, 4 + 4 - 1 + BOX_EPS);
    assert.equal(g.E, 9 + BOX_EPS);
    assert.ok(builtinLoss('focal')!.prefix.includes(`Mul(${FOCAL_ALPHA},PY)`));
  });
});
