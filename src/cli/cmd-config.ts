/** `hwsim config`: the effective chip configuration (defaults ← --config file ← flags). */
import type { Argv } from 'yargs';
import { formatChipConfig, resolveChipConfig, type ChipFlags } from '../chip/config.js';
import { chipOptions } from './chip-flags.js';
import type { CliCommand } from './main.js';

export const command: CliCommand = {
  register: (y: Argv) => y.command(
    'config',
    'show the effective chip configuration (defaults, --config file, flags)',
    (c) => chipOptions(c)
      .option('print', { type: 'boolean', default: true, describe: 'print the configuration (on by default; --no-print only validates it)' })
      .option('json', { type: 'boolean', default: false, describe: 'print it as JSON, ready for --config' })
      .example('$0 config --print --json > chip.json', 'a config file to edit')
      .example('$0 config --mac 32x32 --dram-bw 4', 'what a run with these flags would simulate'),
    (argv) => {
      const cfg = resolveChipConfig(argv as unknown as ChipFlags);
      if (!argv.print) return;
      if (argv.json) process.stdout.write(JSON.stringify(cfg, null, 2) + '\n');
      else process.stdout.write(`${formatChipConfig(cfg)}\n`);
    },
  ),
};
