import { setupBackend } from '../src/train/backend.js';
import { tf } from '../src/detect/tf.js';
import { makeBatch, makeStep } from './train-step.js';
await setupBackend('wasm');
const batch = makeBatch();
const d = (process.argv[2] ?? 'fcos') as 'fcos';
const s = makeStep(d, batch);
s.step(); s.step();
const info = await tf.profile(() => { s.step(); });
const by = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = by.get(key) ?? { ms: 0, calls: 0 }; e.ms += Number(k.kernelTimeMs) || 0; e.calls++; by.set(key, e);
}
for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.argv[3] ?? 30))) console.log(e.ms.toFixed(1).padStart(8), String(e.calls).padStart(4), k);
