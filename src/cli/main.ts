/**
 * The `autoloss` command line. Each command lives in `commands/<name>.ts` and
 * exports `register(program)`; they are discovered from that folder so that a
 * new command is one new file. Commands import heavy modules (tfjs, KaTeX)
 * inside their actions, so `autoloss parse` starts fast.
 */
import { Command, CommanderError } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT, formatError, UserError } from './errors.js';

export interface CommandModule {
  register(program: Command): void;
}

async function buildProgram(): Promise<Command> {
  const program = new Command('autoloss')
    .description('Design, simplify, verify, render, train and search loss functions for object detectors (CSE-Autoloss).')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map'))
    .sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Partial<CommandModule>;
    mod.register?.(program);
  }
  for (const c of program.commands) c.exitOverride();
  return program;
}

/**
 * An expression such as `-dot(y, log(softmax(x)))` or a value such as `-1`
 * starts with '-' and would be read as a flag; a leading space (which the
 * parser ignores) keeps it an argument. A flag is `-x`, `--name` or
 * `--name=value`: a dash or two, then a name and nothing else before `=`.
 */
function protectExpression(arg: string): string {
  return /^-(?!-?[A-Za-z][\w-]*(=|$))/.test(arg) ? ` ${arg}` : arg;
}

export async function main(argv: string[]): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram();
    await program.parseAsync(argv.map(protectExpression), { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.badInput;
    }
    if (e instanceof UserError) {
      process.stderr.write(`${formatError(e)}\n`);
      return EXIT.badInput;
    }
    const detail = process.env['AUTOLOSS_DEBUG'] ? `\n${(e as Error).stack}` : ' (set AUTOLOSS_DEBUG=1 for details)';
    process.stderr.write(`autoloss: internal error: ${(e as Error)?.message ?? String(e)}${detail}\n`);
    return EXIT.internal;
  }
}
