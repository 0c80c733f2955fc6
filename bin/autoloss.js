#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm install builds it through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('autoloss: the CLI is not built; run `npm install` (or `npm run build`) in the package first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// Let pending output drain, then exit with the command's code.
process.exitCode = code;
