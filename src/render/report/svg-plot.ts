/**
 * Line plots as inline SVG, no library: panels side by side with axes, ticks,
 * a shared legend, lines broken where values are not finite and clipped to a
 * robust y-range (so one pole does not flatten every other curve).
 */

export interface Series {
  readonly label: string;
  readonly color: string;
  /** SVG stroke-dasharray, '' for solid. */
  readonly dash: string;
  readonly width?: number;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface Panel {
  readonly title: string;
  readonly xLabel: string;
  readonly series: readonly Series[];
}

const PANEL_W = 420;
const PANEL_H = 260;
const M = { left: 56, right: 14, top: 26, bottom: 40 };

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Round tick positions covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4))));

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i]!;
}

/** y-range over the finite values: the 2nd–98th percentiles widened by 8%, at least a small span. */
function robustRange(series: readonly Series[]): [number, number] {
  const ys = series.flatMap((s) => s.y.filter(Number.isFinite)).sort((a, b) => a - b);
  if (ys.length === 0) return [-1, 1];
  let lo = quantile(ys, 0.02);
  let hi = quantile(ys, 0.98);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function panelSvg(p: Panel, ox: number, clipId: string): string {
  const xs = p.series.flatMap((s) => s.x.filter(Number.isFinite));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const [y0, y1] = robustRange(p.series);
  const w = PANEL_W - M.left - M.right;
  const h = PANEL_H - M.top - M.bottom;
  const sx = (x: number): number => ox + M.left + ((x - x0) / (x1 - x0 || 1)) * w;
  const sy = (y: number): number => M.top + (1 - (y - y0) / (y1 - y0)) * h;
  const parts: string[] = [];
  parts.push(`<clipPath id="${clipId}"><rect x="${ox + M.left}" y="${M.top}" width="${w}" height="${h}"/></clipPath>`);
  parts.push(`<rect x="${ox + M.left}" y="${M.top}" width="${w}" height="${h}" fill="#fff" stroke="#999"/>`);
  for (const t of ticks(x0, x1)) {
    parts.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${M.top}" y2="${M.top + h}" stroke="#eee"/>`);
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${M.top + h + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${ox + M.left}" x2="${ox + M.left + w}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="${t === 0 ? '#bbb' : '#eee'}"/>`);
    parts.push(`<text x="${ox + M.left - 4}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${ox + M.left + w / 2}" y="${PANEL_H - 6}" text-anchor="middle">${escapeXml(p.xLabel)}</text>`);
  parts.push(`<text x="${ox + M.left + w / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeXml(p.title)}</text>`);
  const lines: string[] = [];
  for (const s of p.series) {
    // Break the line at non-finite values; clip the rest to the panel.
    let seg: string[] = [];
    const flush = (): void => {
      if (seg.length > 1) lines.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.6}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${seg.join(' ')}"/>`);
      seg = [];
    };
    s.x.forEach((x, k) => {
      const y = s.y[k]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return flush();
      // Keep far-off points finite in SVG coordinates; the clip path hides them.
      const yy = Math.max(y0 - 10 * (y1 - y0), Math.min(y1 + 10 * (y1 - y0), y));
      seg.push(`${sx(x).toFixed(1)},${sy(yy).toFixed(1)}`);
    });
    flush();
  }
  parts.push(`<g clip-path="url(#${clipId})">${lines.join('')}</g>`);
  return parts.join('');
}

/** One legend entry: a label drawn with its line style. */
export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly dash: string;
}

/**
 * An SVG element with the panels side by side and a legend below.
 *
 * @example
 * svgPlot('p1', [{ title: 'loss', xLabel: 'IoU', series: [{ label: 'IoU loss', color: '#000', dash: '', x: [0, 1], y: [1, 0] }] }], [])
 * // '<svg class="plot" …'
 */
export function svgPlot(id: string, panels: readonly Panel[], legend: readonly LegendEntry[]): string {
  const perRow = 3;
  const legendRows = Math.ceil(legend.length / perRow);
  const width = PANEL_W * panels.length;
  const height = PANEL_H + 8 + legendRows * 18;
  const body = panels.map((p, k) => panelSvg(p, k * PANEL_W, `${id}-clip${k}`)).join('');
  const colW = width / perRow;
  const leg = legend
    .map((e, k) => {
      const x = (k % perRow) * colW + 16;
      const y = PANEL_H + 14 + Math.floor(k / perRow) * 18;
      return `<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/><text x="${x + 34}" y="${y + 4}">${escapeXml(e.label)}</text>`;
    })
    .join('');
  return `<svg class="plot" id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img">${body}${leg}</svg>`;
}
