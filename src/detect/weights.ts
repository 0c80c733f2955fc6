/**
 * Backbone weights converted from PyTorch (`scripts/convert-torchvision.py`):
 * a safetensors file (8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw data) of
 * float32 tensors named as torchvision's ResNet state_dict names them.
 * Convolution weights are stored as PyTorch lays them out (O, I, kH, kW)
 * and are transposed here to tfjs's (kH, kW, I, O).
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import type { Params } from './params.js';

interface Entry {
  readonly dtype: string;
  readonly shape: number[];
  readonly data_offsets: [number, number];
}

/** The float32 tensors of a safetensors file, by name. */
function readSafetensors(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new UserError(`--weights ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.length < 8) throw new UserError(`--weights ${file}: not a safetensors file (too short)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n <= 0 || 8 + n > buf.length) throw new UserError(`--weights ${file}: not a safetensors file (header length ${n})`);
  let header: Record<string, Entry>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, Entry>;
  } catch {
    throw new UserError(`--weights ${file}: not a safetensors file (header is not JSON)`);
  }
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (e.dtype !== 'F32') throw new UserError(`--weights ${file}: tensor ${name} is ${e.dtype}; only F32 is read`);
    const [a, b] = e.data_offsets;
    const bytes = buf.subarray(8 + n + a, 8 + n + b);
    const data = new Float32Array(bytes.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(4 * i);
    out.set(name, { shape: e.shape, data });
  }
  return out;
}

/** OIHW → HWIO. */
function toHwio(data: Float32Array, [o, i, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < i!; b++)
      for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) out[((y * kw! + x) * i! + b) * o! + a] = data[((a * i! + b) * kh! + y) * kw! + x]!;
  return out;
}

/**
 * Loads torchvision ResNet weights into a detector's backbone: each
 * `backbone.<name>` parameter (conv `.w`, norm `.weight`/`.bias`/statistics)
 * takes `<name>.weight` etc. from the file. Every backbone tensor must be
 * found with its shape; extra tensors (torchvision's `fc`) are ignored.
 * Returns how many tensors were loaded.
 */
export function loadBackboneWeights(p: Params, file: string): number {
  const t = readSafetensors(file);
  let loaded = 0;
  const names = [...p.names(), ...p.bufferNames()].filter((n) => n.startsWith('backbone.'));
  for (const name of names) {
    const key = name.slice('backbone.'.length).replace(/\.w$/, '.weight');
    const src = t.get(key);
    if (!src) throw new UserError(`--weights ${file}: no tensor ${key} for ${name}; is it a torchvision ResNet of this depth, converted by scripts/convert-torchvision.py?`);
    const conv = name.endsWith('.w');
    const data = conv ? toHwio(src.data, src.shape) : src.data;
    const want = p.tensor(name).shape;
    const got = conv ? [src.shape[2], src.shape[3], src.shape[1], src.shape[0]] : src.shape;
    if (want.join() !== got.join()) throw new UserError(`--weights ${file}: ${key} has shape [${src.shape.join(', ')}], the network needs [${want.join(', ')}] (after OIHW→HWIO)`);
    p.setData(name, data);
    loaded++;
  }
  return loaded;
}
