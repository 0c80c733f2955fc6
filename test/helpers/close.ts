import assert from 'node:assert/strict';

/** Fixture tolerance: relative 1e-9 or absolute 1e-12, non-finite values at the same places. */
export function assertClose(actual: ArrayLike<number | string>, expected: ArrayLike<number | string>, where = '', rel = 1e-9, abs = 1e-12): void {
  assert.equal(actual.length, expected.length, `${where}: length`);
  for (let k = 0; k < expected.length; k++) {
    const a = typeof actual[k] === 'string' ? Number(actual[k]) : (actual[k] as number);
    const e = typeof expected[k] === 'string' ? Number(expected[k]) : (expected[k] as number);
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${where}[${k}]: got ${a}, expected ${e}`);
      continue;
    }
    const ok = Math.abs(a - e) <= abs || Math.abs(a - e) <= rel * Math.abs(e);
    assert.ok(ok, `${where}[${k}]: got ${a}, expected ${e}`);
  }
}
