/**
 * The one convolution every detector uses. It goes through the project's
 * backend-aware `conv2d` (differentiable on every backend, including wasm,
 * which lacks a native filter gradient).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { conv2d } from '../train/conv.js';

export function conv(x: tfTypes.Tensor4D, filter: tfTypes.Tensor4D, stride: number, pad: 'same' | 'valid' | number = 'same'): tfTypes.Tensor4D {
  return conv2d(x, filter, stride, pad);
}
