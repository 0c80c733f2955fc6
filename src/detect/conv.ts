/**
 * The one convolution every detector uses. It goes through the project's
 * backend-aware `conv2d` (differentiable on every backend, including wasm,
 * which lacks a native filter gradient), and `conv2dBias` when the layer has
 * a bias, so that the bias and a following ReLU are no passes of their own.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { conv2d, conv2dBias } from '../train/conv.js';
import { tf } from './tf.js';

/** A convolution, with a bias and a ReLU applied in the same kernel when given. */
export function conv(x: tfTypes.Tensor4D, filter: tfTypes.Tensor4D, stride: number, pad: 'same' | 'valid' | number = 'same', bias?: tfTypes.Tensor1D, relu = false): tfTypes.Tensor4D {
  if (bias) return conv2dBias(x, filter, bias, stride, pad, relu);
  const y = conv2d(x, filter, stride, pad);
  return relu ? (tf.relu(y) as tfTypes.Tensor4D) : y;
}
