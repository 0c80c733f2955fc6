/**
 * A PyTorch peer kept running between measurements: the peer script, given
 * "serve" in its spec, prints one JSON line when ready, then answers each
 * request line on stdin ("step", "matmul N", …) with one JSON line of that
 * run's timing. A bench interleaves the peer's runs with its own one by one,
 * so both sides are timed in the same phase of a shared machine's speed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { medianTiming, type Timing } from './tensor-timing.js';

/** Debian's python3, which has torch (the PATH's may not). */
export const PYTHON = '/usr/bin/python3';

/** One thread, really one: OpenMP and the BLAS read these when torch loads. */
export const ONE_THREAD_ENV = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

export class PeerServer {
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private stderr = '';
  private closed = false;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    proc.stderr.on('data', (d: Buffer) => void (this.stderr += d.toString()));
    proc.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(undefined);
    });
  }

  /** Starts `script` with `spec` (serve mode) on one thread; its ready line, or a string that says why it did not start. */
  static async start<R>(script: string, spec: object): Promise<{ peer: PeerServer; ready: R } | string> {
    if (!existsSync(PYTHON)) return `${PYTHON} not found`;
    const peer = new PeerServer(spawn(PYTHON, [script, JSON.stringify({ ...spec, serve: true })], { env: { ...process.env, ...ONE_THREAD_ENV } }));
    const line = await peer.next();
    if (line === undefined) return `peer failed: ${peer.lastError() || 'it exited'}`;
    return { peer, ready: JSON.parse(line) as R };
  }

  private lastError(): string {
    return this.stderr.split('\n').filter(Boolean).pop() ?? '';
  }

  private next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined || this.closed) return Promise.resolve(line);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** One request and its JSON answer. */
  async request<T>(cmd: string): Promise<T> {
    this.proc.stdin.write(`${cmd}\n`);
    const line = await this.next();
    if (line === undefined) throw new Error(`the PyTorch peer exited: ${this.lastError()}`);
    return JSON.parse(line) as T;
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/** How long each side rests before its turn: V8's background threads (the collector, the compiler) finish the work our runs left, not during the peer's. */
const SETTLE_MS = 30;

/**
 * `reps` turns of the peer's `cmd` and of `ours`, one side after the other;
 * the medians of each side. A turn is two runs back to back, of which the
 * second is timed: it overlaps the background work of the first, as a run
 * in a training loop does.
 */
export async function interleaved(peer: PeerServer, cmd: string, ours: () => Promise<Timing> | Timing, reps: number): Promise<{ ours: Timing; peer: Timing }> {
  const o: Timing[] = [], p: Timing[] = [];
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  for (let i = 0; i < reps; i++) {
    await settle();
    await peer.request<Timing>(cmd);
    p.push(await peer.request<Timing>(cmd));
    await settle();
    await ours();
    o.push(await ours());
  }
  return { ours: medianTiming(o), peer: medianTiming(p) };
}
