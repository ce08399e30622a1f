/** `hwsim synth tans`: Yosys + nextpnr-ice40 figures (LUTs, FFs, BRAMs, Fmax) for one or more configurations. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { estimateSynth, ICE40_CAPACITY, ICE40_PACKAGES, synthMarkdown, synthTans, toolVersions, type SynthResult } from '../rtl/synth-ice40.js';
import { checkIce40Target, type Ice40Target } from '../rtl/tans-rtl.js';
import { engineParamOptions, engineSweepFrom, wmSweepFrom } from '../params/cli.js';
import { synthWm, wmSynthMarkdown, type WmSynthResult } from '../rtl/synth-wm.js';
import type { CliCommand } from './main.js';
import { oneString, oneSwitch, writeOutput } from '../io/output.js';

export const command: CliCommand = {
  register: (y) => y.command(
    'synth <block>',
    'synthesize generated RTL for iCE40 (Yosys + nextpnr) and report LUTs, FFs, BRAMs and Fmax',
    (c) => engineParamOptions(c.positional('block', { choices: ['tans', 'wm'] as const, demandOption: true, describe: 'the block' }), 'synth')
      .option('device', { choices: ['hx8k', 'up5k', 'hx1k', 'lp8k'] as const, default: 'hx8k' as const, describe: 'iCE40 device (hx8k fits L=256, S=8; up5k, synthesized through a 26-pin wrapper, places up to S=7 at L=64 with 2-word lane FIFOs)' })
      .option('package', { type: 'string', describe: `device package: ${Object.entries(ICE40_PACKAGES).map(([d, ps]) => `${d}: ${ps.join('/')}`).join('; ')} (default: the first)` })
      .option('markdown', { type: 'string', describe: 'also write the results as a markdown table (docs/hw/synthesis.md)' })
      .option('freq', { type: 'number', default: 100, describe: 'timing goal in MHz (nextpnr --freq); a run that misses it still reports its Fmax' })
      .option('seeds', { type: 'string', describe: 'nextpnr seeds, comma-separated: Fmax is the median over them (default 1,2,3)' })
      .option('force', { type: 'boolean', default: false, describe: 'run configurations estimated larger than the device anyway' })
      .example('$0 synth tans --states 64,128,256 --streams 1,4,8 --markdown docs/hw/synthesis.md', 'the README table')
      .example('$0 synth tans --states 64 --streams 1,4,8 --count-bits 22', 'a leaner engine: 22-bit counters (docs/hw/synthesis.md, "Area")')
      .example('$0 synth wm --lanes 1,2 --levels 4 --symbol-bits 4 --buffer-words 64 --markdown docs/hw/wm-synthesis.md', 'the query unit (prints the table and writes it; run again with --device up5k to add its table)'),
    async (argv) => {
      const pkg = argv.package === undefined ? ICE40_PACKAGES[argv.device][0] : oneString(argv.package, '--package');
      const target: Ice40Target = { device: argv.device, package: pkg, freqMhz: argv.freq };
      const seedText = argv.seeds === undefined ? '1,2,3' : oneString(argv.seeds, '--seeds');
      const seeds = seedText.split(',').map((x) => Number(x.trim()));
      check(seeds.length >= 1 && seeds.length <= 9 && seeds.every((x) => Number.isInteger(x) && x >= 1 && x <= 1_000_000),
        `--seeds ${seedText} is not a list of 1 to 9 integers 1..1000000`, 'e.g. --seeds 1,2,3');
      // the device and package go into a shell script: only known names pass
      checkIce40Target(target);
      const markdown = argv.markdown === undefined ? undefined : oneString(argv.markdown, '--markdown');
      if (markdown !== undefined) {
        check(existsSync(dirname(markdown)) && statSync(dirname(markdown)).isDirectory(), `--markdown ${markdown}: the directory ${dirname(markdown)} does not exist`,
          `create it first, or give another path`);
        check(!existsSync(markdown) || statSync(markdown).isFile(), `--markdown ${markdown} is not a regular file`, 'give a file name');
      }
      if (argv.block === 'wm') {
        await synthWmCli(argv as unknown as Record<string, unknown>, target, seeds, markdown);
        return;
      }
      // every configuration is checked before the first tool runs, its size too
      const configs = engineSweepFrom(argv as unknown as Record<string, unknown>, 'synth');
      const estimates = configs.map((p) => estimateSynth(p, target.device));
      const tooBig = configs.findIndex((_, i) => !estimates[i].fits);
      if (tooBig >= 0 && !oneSwitch(argv.force, '--force')) {
        const p = configs[tooBig];
        const e = estimates[tooBig];
        const bigger = (Object.keys(ICE40_CAPACITY) as Ice40Target['device'][])
          .filter((d) => estimateSynth(p, d).fits && ICE40_CAPACITY[d].logicCells > ICE40_CAPACITY[target.device].logicCells);
        throw new HwsimError(`${e.line} (estimated from the measured table in docs/hw/synthesis.md)`,
          [e.maxStreams > 0 ? `use --streams ${e.maxStreams} or fewer at --states ${p.states}` : `use smaller --states`,
            bigger.length ? `a bigger device (--device ${bigger[0]})` : '', 'or --force to run it anyway'].filter(Boolean).join(', '));
      }
      const versions = toolVersions();
      const results: SynthResult[] = [];
      process.stdout.write(`iCE40 ${target.device} ${target.package}; ${versions.yosys}; ${versions.nextpnr}\n`);
      process.stdout.write(`goal ${target.freqMhz} MHz, seeds ${seeds.join(',')}${target.device === 'up5k' ? '; through the pin-limited wrapper tans_engine_pins' : ''}\n`);
      process.stdout.write('    L   S   LUTs    FFs  BRAMs        LCs   Fmax MHz (median; per seed)  critical path\n');
      for (const [i, p] of configs.entries()) {
        // synthesis takes from seconds to minutes: say how big each run is before it starts
        process.stderr.write(`synthesizing ${estimates[i].line}\n`);
        const r = await synthTans(p, target, seeds);
        results.push(r);
        process.stdout.write(`${String(p.states).padStart(5)} ${String(p.streams).padStart(3)} ${String(r.luts).padStart(6)} ${String(r.ffs).padStart(6)} ` +
          `${String(r.brams).padStart(6)} ${`${r.logicCells}/${r.logicCellsAvailable}`.padStart(10)} ${r.fmaxMhz.toFixed(1).padStart(10)} (${r.fmaxBySeed.join(', ')})  ` +
          `${r.criticalPath}\n`);
      }
      if (markdown !== undefined) {
        writeOutput(markdown, synthMarkdown(results, versions));
        process.stdout.write(`wrote ${markdown}\n`);
      }
    },
  ),
};

/** `hwsim synth wm`: every configuration checked first, then synthesized one after the other. */
async function synthWmCli(argv: Record<string, unknown>, target: Ice40Target, seeds: number[], markdown: string | undefined): Promise<void> {
  const configs = wmSweepFrom(argv, 'synth');
  check(!oneSwitch(argv.force, '--force'), '--force has no effect on hwsim synth wm (no size estimate refuses a configuration)', 'leave --force out');
  const versions = toolVersions();
  process.stdout.write(`iCE40 ${target.device} ${target.package}; ${versions.yosys}; ${versions.nextpnr}\n`);
  process.stdout.write(`goal ${target.freqMhz} MHz, seeds ${seeds.join(',')}${target.device === 'up5k' ? '; through the pin-limited wrapper wm_query_unit_pins' : ''}\n`);
  process.stdout.write(' lanes  W  levels  B  buffer   LUTs    FFs  BRAMs        LCs   Fmax MHz  critical path\n');
  const results: WmSynthResult[] = [];
  for (const p of configs) {
    process.stderr.write(`synthesizing lanes ${p.wmLanes}, load words ${p.wmLoadWords}, levels ${p.wmLevels}, symbol bits ${p.symbolBits}, buffer ${p.wmBufferWords} words\n`);
    const r = await synthWm(p, target, seeds);
    results.push(r);
    process.stdout.write(`${String(p.wmLanes).padStart(6)} ${String(p.wmLoadWords).padStart(2)} ${String(p.wmLevels).padStart(7)} ${String(p.symbolBits).padStart(2)} ` +
      `${String(p.wmBufferWords).padStart(7)} ${String(r.luts).padStart(6)} ${String(r.ffs).padStart(6)} ${String(r.brams).padStart(6)} ` +
      `${`${r.logicCells}/${r.logicCellsAvailable}`.padStart(10)} ${r.fits ? r.fmaxMhz.toFixed(1).padStart(10) : '-'.padStart(10)}  ` +
      `${r.fits ? `${r.criticalPath} (per seed ${r.fmaxBySeed.join(', ')})` : 'does not fit the device'}\n`);
  }
  if (markdown !== undefined) {
    const cmd = ['hwsim synth wm', ...process.argv.slice(process.argv.indexOf('wm') + 1).filter((a) => a !== '--markdown' && a !== markdown)].join(' ');
    // the other devices' tables of an earlier run stay
    const text = wmSynthMarkdown(results, versions, cmd, existsSync(markdown) ? readFileSync(markdown, 'utf8') : '');
    writeOutput(markdown, text);
    process.stdout.write(`\n${text}wrote ${markdown}\n`);
  }
}
