/**
 * The tfjs namespace the detectors use. `@tensorflow/tfjs-core` alone
 * registers no gradients; importing the `@tensorflow/tfjs` bundle once
 * registers every kernel's gradient on the same engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor4D, Scalar, Variable } from '@tensorflow/tfjs-core';
