/** Timing and the side-by-side table shared by the benchmarks. */
import { availableParallelism, loadavg } from 'node:os';

/** Median wall-clock and CPU milliseconds (CPU: all threads of the process). */
export interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** The median of `xs` (the mean of the two middle values of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The medians of the wall and of the CPU times of `ts`, each on its own. */
export function medianTiming(ts: readonly Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
}

/** Runs `step` `warmup` times (default once), then `reps` timed times. */
export function measure(step: () => void, reps: number, warmup = 1): Timing {
  for (let i = 0; i < warmup; i++) step();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    step();
    walls.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpus.push((d.user + d.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/**
 * Prints rows beside a reference row as ratios of wall time and of CPU time.
 * CPU time (core-milliseconds) is what to trust on a busy machine: waiting
 * for a core does not count, while wall time does.
 */
export function printTable(title: string, reference: { name: string; t: Timing } | string, rows: { name: string; t: Timing }[]): void {
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(38)}${'wall ms'.padStart(10)}${'ratio'.padStart(9)}${'CPU ms'.padStart(11)}${'ratio'.padStart(9)}`);
  const ref = typeof reference === 'string' ? undefined : reference.t;
  const line = (name: string, t: Timing) => {
    const r = (a: number, b: number | undefined) => (b === undefined ? '' : `${(a / b).toFixed(2)}×`).padStart(9);
    console.log(`  ${name.padEnd(38)}${t.wall.toFixed(2).padStart(10)}${r(t.wall, ref?.wall)}${t.cpu.toFixed(1).padStart(11)}${r(t.cpu, ref?.cpu)}`);
  };
  if (typeof reference === 'string') console.log(`  PyTorch peer unavailable: ${reference}`);
  else line(reference.name, reference.t);
  for (const row of rows) line(row.name, row.t);
}

export function printLoad(write: (line: string) => void = console.log): void {
  write(`load average: ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${availableParallelism()} cores (other work inflates wall times, PyTorch's threaded ones most; CPU times are robust)`);
}
