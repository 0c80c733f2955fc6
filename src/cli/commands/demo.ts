import type { Command } from 'commander';
import { runDemo } from '../demo.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('the main job on the built-in default (what `npm start` runs): the published losses end to end')
    .option('--out <dir>', 'where reports and runs are written', 'out')
    .option('--quick', 'skip the slow stages (training)')
    .action(async (opts: { out: string; quick?: boolean }) => {
      await runDemo(opts);
    });
}
