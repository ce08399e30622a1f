/** `hwsim synth tans`: Yosys + nextpnr-ice40 figures (LUTs, FFs, BRAMs, Fmax) for one or more configurations. */
import { ICE40_PACKAGES, synthMarkdown, synthTans, toolVersions, type SynthResult } from '../rtl/synth-ice40.js';
import type { Ice40Target } from '../rtl/tans-rtl.js';
import { engineParamOptions, engineSweepFrom } from '../params/cli.js';
import type { CliCommand } from './main.js';
import { writeOutput } from './output.js';

export const command: CliCommand = {
  register: (y) => y.command(
    'synth <block>',
    'synthesize generated RTL for iCE40 (Yosys + nextpnr) and report LUTs, FFs, BRAMs and Fmax',
    (c) => engineParamOptions(c.positional('block', { choices: ['tans'] as const, demandOption: true, describe: 'the block' }), 'synth')
      .option('device', { choices: ['hx8k', 'up5k', 'hx1k', 'lp8k'] as const, default: 'hx8k' as const, describe: 'iCE40 device (hx8k fits L=256, S=8; up5k does not)' })
      .option('package', { type: 'string', describe: 'device package (default: ct256 for hx8k, sg48 for up5k)' })
      .option('markdown', { type: 'string', describe: 'also write the results as a markdown table (docs/hw/synthesis.md)' })
      .example('$0 synth tans --states 64,128,256 --streams 1,4,8 --markdown docs/hw/synthesis.md', 'the README table'),
    async (argv) => {
      const target: Ice40Target = { device: argv.device, package: argv.package ?? ICE40_PACKAGES[argv.device], freqMhz: 12 };
      // every configuration is checked before the first tool runs
      const configs = engineSweepFrom(argv as unknown as Record<string, unknown>, 'synth');
      const versions = toolVersions();
      const results: SynthResult[] = [];
      process.stdout.write(`iCE40 ${target.device} ${target.package}; ${versions.yosys}; ${versions.nextpnr}\n`);
      process.stdout.write('    L   S   LUTs    FFs  BRAMs        LCs   Fmax MHz  table B (3L)\n');
      for (const p of configs) {
        const r = await synthTans(p, target);
        results.push(r);
        process.stdout.write(`${String(p.states).padStart(5)} ${String(p.streams).padStart(3)} ${String(r.luts).padStart(6)} ${String(r.ffs).padStart(6)} ` +
          `${String(r.brams).padStart(6)} ${`${r.logicCells}/${r.logicCellsAvailable}`.padStart(10)} ${r.fmaxMhz.toFixed(1).padStart(10)}  ` +
          `${r.tableBytes} (${3 * p.states})\n`);
      }
      if (argv.markdown) {
        writeOutput(argv.markdown, synthMarkdown(results, versions));
        process.stdout.write(`wrote ${argv.markdown}\n`);
      }
    },
  ),
};
