/**
 * Plain-text tables of verdicts for the terminal: one line per property,
 * counterexamples indented under their property.
 */
import type { Counterexample, LossVerdict } from './verify-loss.js';

const pad = (s: string, n: number): string => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));
const num = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(10)).toString() : String(v));
const list = (a: readonly number[]): string => `[${a.map(num).join(', ')}]`;

function counterexampleLines(c: Counterexample): string[] {
  const lines = [`counterexample (${c.shrinks} shrinks): ${c.message}`];
  lines.push(`inputs: ${Object.entries(c.inputs).map(([k, v]) => `${k}=${list(v)}`).join(' ')}`);
  lines.push(`value: ${list(c.value)}`);
  lines.push(`gradient: ${Object.entries(c.gradient).map(([k, v]) => `${k}=${list(v)}`).join(' ')}`);
  if (c.boxes) {
    const box = (b: readonly number[]) => list(b);
    const preds = c.boxes.pred.length > 3 ? `${box(c.boxes.pred[0]!)} … ${box(c.boxes.pred[c.boxes.pred.length - 1]!)} (${c.boxes.pred.length} boxes)` : c.boxes.pred.map(box).join(' ');
    lines.push(`boxes: target ${box(c.boxes.target)} pred ${preds}`);
  }
  return lines;
}

/**
 * The verdicts as a table.
 *
 * @example
 * process.stdout.write(formatVerdicts([verifyLoss('iou')]));
 */
export function formatVerdicts(verdicts: readonly LossVerdict[]): string {
  const out: string[] = [];
  for (const v of verdicts) {
    out.push('');
    out.push(`${v.name ?? v.expr}  (${v.domain})  ${v.verdict.toUpperCase()}`);
    if (v.name) out.push(`  ${v.expr}`);
    for (const p of v.properties) {
      out.push(`  ${pad(p.name, 26)}${pad(p.status, 6)}${p.status === 'pass' ? `${p.checked} points` : ''}`);
      if (p.counterexample) for (const l of counterexampleLines(p.counterexample)) out.push(`      ${l}`);
    }
    if (v.simulation) {
      const s = v.simulation;
      const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : String(x));
      const detail = `${s.metric} ${f(s.before)} → ${f(s.after)} (${s.improvement >= 0 ? '+' : ''}${f(s.improvement)}, threshold ${s.threshold}, ${s.steps} steps)`;
      out.push(`  ${pad('simulation', 26)}${pad(s.pass ? 'pass' : 'fail', 6)}${detail}${s.reason && !s.pass ? `: ${s.reason}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
