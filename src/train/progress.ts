/**
 * The training progress display: a cli-progress bar with the step, each loss
 * term and the ETA on a terminal; on a pipe, a plain line every few percent
 * so logs stay readable.
 */
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  readonly total: number;
  readonly start: number;
  /** Print nothing at all. */
  readonly quiet?: boolean;
  readonly stream?: NodeJS.WriteStream;
  readonly label?: string;
}

function fmtTerms(terms: Record<string, number>): string {
  return Object.entries(terms)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4)}`)
    .join(' ');
}

function fmtEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class TrainProgress {
  private readonly bar?: cliProgress.SingleBar;
  private readonly t0 = Date.now();
  private readonly every: number;
  private readonly stream: NodeJS.WriteStream;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.every = Math.max(1, Math.round(o.total / 20));
    if (!o.quiet && this.stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: `${o.label ? `${o.label} ` : ''}[{bar}] step {value}/{total} | {terms} | ETA {etaText}`, stream: this.stream, hideCursor: true, barsize: 24 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(o.total, o.start, { terms: '', etaText: '?' });
    }
  }

  /** Reports that `step` steps are done, with the last step's loss terms. */
  update(step: number, terms: Record<string, number>): void {
    const done = step - this.o.start;
    const eta = done > 0 ? ((Date.now() - this.t0) / 1000 / done) * (this.o.total - step) : NaN;
    if (this.bar) this.bar.update(step, { terms: fmtTerms(terms), etaText: fmtEta(eta) });
    else if (!this.o.quiet && (step % this.every === 0 || step === this.o.total)) {
      this.stream.write(`${this.o.label ? `${this.o.label} ` : ''}step ${step}/${this.o.total} | ${fmtTerms(terms)} | ETA ${fmtEta(eta)}\n`);
    }
  }

  /** A message that must not be drawn over by the bar. */
  log(line: string): void {
    if (this.o.quiet) return;
    if (this.bar) {
      this.bar.stop();
      this.stream.write(`${line}\n`);
      this.bar.start(this.o.total, this.bar.getProgress() * this.o.total, { terms: '', etaText: '?' });
    } else this.stream.write(`${line}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}
