/**
 * The mean numpy computes for a float64 vector: a reduction started from 0
 * that adds pairwise sums of blocks of at most 8192 values (numpy's buffer
 * size), divided by the count. pycocotools' summary numbers are such means,
 * so reproducing the summation order reproduces them to the last bit.
 */

const BLOCK = 8192;

/** numpy's pairwise_sum: sequential below 8 values, 8 accumulators up to 128, halves above. */
function pairwiseSum(a: ArrayLike<number>, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [a[lo]!, a[lo + 1]!, a[lo + 2]!, a[lo + 3]!, a[lo + 4]!, a[lo + 5]!, a[lo + 6]!, a[lo + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + a[lo + i + j]!;
    let res = (r[0]! + r[1]! + (r[2]! + r[3]!)) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[lo + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}

/** np.sum of a float64 vector. */
function numpySum(a: ArrayLike<number>): number {
  let acc = 0;
  for (let lo = 0; lo < a.length; lo += BLOCK) acc += pairwiseSum(a, lo, Math.min(BLOCK, a.length - lo));
  return acc;
}

/**
 * np.mean of a float64 vector (NaN for an empty one, as numpy gives).
 *
 * @example
 * numpyMean([0.1, 0.2, 0.3]); // 0.20000000000000004, bit for bit what numpy prints
 */
export function numpyMean(a: ArrayLike<number>): number {
  return numpySum(a) / a.length;
}
