/**
 * Server-side KaTeX: the printer's LaTeX as HTML (for pages that load KaTeX's
 * CSS and fonts) or as MathML (self-contained, for anything that renders
 * MathML). Errors are thrown, never rendered as red text: every LaTeX string
 * the printer produces must be valid.
 */
import katex from 'katex';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type KatexTarget = 'html' | 'mathml';

/**
 * Renders LaTeX in display style.
 *
 * @example
 * renderLatex('\\frac{i}{u}', 'mathml') // '<span class="katex"><math …'
 */
export function renderLatex(latex: string, to: KatexTarget, displayMode = true): string {
  return katex.renderToString(latex, {
    displayMode,
    output: to === 'html' ? 'html' : 'mathml',
    throwOnError: true,
    // Unicode or unknown-command leniency would hide printer mistakes.
    strict: 'error',
    trust: false,
  });
}

/** The folder holding KaTeX's CSS and fonts, for pages that bundle them. */
export function katexDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('katex/dist/katex.min.css'));
}
