/** `n` deterministic values in [-1, 1) from `seed`, the same on every backend and run. */
export function data(n: number, seed: number): Float32Array {
  let s = seed * 2654435761 + 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** One 2-D convolution case: batch, input size, square kernel, channels, strides and padding. */
export interface ConvCase {
  n: number;
  h: number;
  w: number;
  k: number;
  cin: number;
  cout: number;
  stride: [number, number];
  pad: 'same' | 'valid' | number;
}
