/**
 * Checkpoints: everything a run needs to continue exactly where it stopped —
 * the weights, the optimizer's slots and update count, the step, the RNG
 * state and the run's configuration. A checkpoint is a folder
 * (`state.json`, `weights.bin`, `optimizer.bin`, float32 little-endian) that
 * is written beside the old one and swapped in by rename, so a crash never
 * leaves a half-written checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import type { OptimizerState } from './optimizer.js';

export interface CheckpointData<C> {
  /** Steps completed; the resumed run starts at this step. */
  readonly step: number;
  readonly rngState: number;
  readonly config: C;
  readonly params: ReadonlyMap<string, { shape: number[]; data: Float32Array }>;
  readonly optimizer: OptimizerState;
}

interface Layout {
  name: string;
  slot?: number;
  shape?: number[];
  offset: number;
  length: number;
}

function pack(entries: { name: string; slot?: number; shape?: number[]; data: Float32Array }[]): { layout: Layout[]; bytes: Uint8Array } {
  const total = entries.reduce((a, e) => a + e.data.length, 0);
  const all = new Float32Array(total);
  const layout: Layout[] = [];
  let o = 0;
  for (const e of entries) {
    all.set(e.data, o);
    layout.push({ name: e.name, ...(e.slot === undefined ? {} : { slot: e.slot }), ...(e.shape ? { shape: e.shape } : {}), offset: o, length: e.data.length });
    o += e.data.length;
  }
  // Float32Array is host-endian; every platform Node runs on is little-endian.
  return { layout, bytes: new Uint8Array(all.buffer) };
}

/** Writes checkpoint folder `dir` atomically (temporary sibling, then rename). */
export function saveCheckpoint<C>(dir: string, ck: CheckpointData<C>): void {
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    const w = pack([...ck.params].map(([name, p]) => ({ name, shape: p.shape, data: p.data })));
    const o = pack(Object.entries(ck.optimizer.slots).flatMap(([name, arrs]) => arrs.map((data, slot) => ({ name, slot, data }))));
    writeFileSync(join(tmp, 'weights.bin'), w.bytes);
    writeFileSync(join(tmp, 'optimizer.bin'), o.bytes);
    const state = { format: 'autoloss-checkpoint', version: 1, step: ck.step, rngState: ck.rngState, config: ck.config, weights: w.layout, optimizer: { kind: ck.optimizer.kind, t: ck.optimizer.t, slots: o.layout } };
    writeFileSync(join(tmp, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
    throw e;
  }
}

function floats(path: string): Float32Array {
  const b = readFileSync(path);
  if (b.byteLength % 4 !== 0) throw new UserError(`checkpoint file ${path} is truncated (${b.byteLength} bytes is not a whole number of float32 values)`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Reads a checkpoint folder; a missing or damaged one is a UserError naming the file. */
export function loadCheckpoint<C>(dir: string): CheckpointData<C> {
  const statePath = join(dir, 'state.json');
  if (!existsSync(statePath)) throw new UserError(`no checkpoint in ${dir} (expected ${statePath})`);
  let state: {
    format?: string;
    step: number;
    rngState: number;
    config: C;
    weights: Layout[];
    optimizer: { kind: OptimizerState['kind']; t: number; slots: Layout[] };
  };
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    throw new UserError(`checkpoint ${statePath} is not valid JSON: ${(e as Error).message}`);
  }
  if (state.format !== 'autoloss-checkpoint' || !Number.isInteger(state.step) || !Array.isArray(state.weights)) {
    throw new UserError(`checkpoint ${statePath} is not an autoloss checkpoint (field format/step/weights)`);
  }
  const w = floats(join(dir, 'weights.bin'));
  const o = floats(join(dir, 'optimizer.bin'));
  const params = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const l of state.weights) {
    if (l.offset + l.length > w.length) throw new UserError(`checkpoint ${join(dir, 'weights.bin')} is shorter than state.json says (parameter ${l.name})`);
    params.set(l.name, { shape: l.shape ?? [], data: w.slice(l.offset, l.offset + l.length) });
  }
  const slots: Record<string, Float32Array[]> = {};
  for (const l of state.optimizer.slots) {
    if (l.offset + l.length > o.length) throw new UserError(`checkpoint ${join(dir, 'optimizer.bin')} is shorter than state.json says (parameter ${l.name})`);
    (slots[l.name] ??= [])[l.slot ?? 0] = o.slice(l.offset, l.offset + l.length);
  }
  return { step: state.step, rngState: state.rngState, config: state.config, params, optimizer: { kind: state.optimizer.kind, t: state.optimizer.t, slots } };
}
