/** The forms a loss can be printed in (`render --form`, `report --to tex`, `export --to latex`); no imports, so the CLI can read it at start-up. */
export const LATEX_FORMS = ['given', 'simplified', 'rational'] as const;
export type LatexForm = (typeof LATEX_FORMS)[number];
