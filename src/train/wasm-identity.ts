/**
 * Identity without a copy on wasm.
 *
 * tfjs-core saves every tensor a gradient needs by running the Identity
 * kernel on it (`Engine.saveTensorsForBackwardMode`, and the `save` of every
 * custom gradient). The wasm backend of tfjs 4.22 implements Identity as a
 * fresh allocation and a full copy, so a training step copies every saved
 * activation once (about 600 copies per FCOS step) and frees them after the
 * backward pass. Tensors are immutable and the wasm backend counts references
 * per buffer (its Reshape already shares buffers the same way), so the clone
 * can share its input's buffer, as the cpu backend's Identity does. Nothing
 * in this project writes into a tensor's buffer in place: the optimizer
 * assigns new tensors.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';

interface RefCounting {
  incRef(dataId: object): void;
}

const installed = new WeakSet<object>();

/** Replaces wasm's Identity kernel by a shared-buffer one (see the file comment). Idempotent; `setupBackend` calls it. */
export function installSharedIdentity(tf: Tf): void {
  if (installed.has(tf.registerKernel) || tf.getKernel('Identity', 'wasm') === undefined) return;
  installed.add(tf.registerKernel);
  const stock = tf.getKernel('Identity', 'wasm')!;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tfc.TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      (args.backend as unknown as RefCounting).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
