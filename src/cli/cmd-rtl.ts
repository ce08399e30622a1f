/** `hwsim rtl tans`: write the engine's Verilog, file list, FuseSoC core and iCE40 scripts. */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { check } from '../errors.js';
import type { TansDecoderParams } from '../chip/tans-decoder.js';
import { normalizeCounts } from '../codecs/tans/normalize.js';
import { buildDecodeTable, checkCounts, spreadTuned, type DecodeTable } from '../codecs/tans/table.js';
import { engineParamOptions, engineParamsFrom } from '../params/cli.js';
import { engineMarkdownTable } from '../params/markdown.js';
import { configName, generateTansRtl, writeGenerated } from '../rtl/tans-rtl.js';
import type { CliCommand } from './main.js';

/** The engine flags of `hwsim rtl` and `hwsim cosim`, from the parameter declaration. */
/** The table of a --rom-image: given normalized counts, or a Laplace-shaped demo over 2^B - 1 bins. */
function romTable(p: TansDecoderParams, counts?: string): DecodeTable {
  let c: Int32Array;
  if (counts !== undefined) {
    c = Int32Array.from(counts.split(',').map((v) => Number(v.trim())));
    check(c.every((v) => Number.isInteger(v)), `--counts ${counts} is not a comma-separated list of integers`);
    checkCounts(c, p.states);
    check(c.length <= 1 << p.symbolBits, `--counts has ${c.length} symbols, ${p.symbolBits}-bit symbols allow ${1 << p.symbolBits}`,
      'raise --symbol-bits or pass fewer counts');
  } else {
    const bins = Math.min(31, (1 << p.symbolBits) - 1, p.states - 1) | 1;
    const hist = Float64Array.from({ length: bins }, (_, i) => Math.exp(-Math.abs(i - (bins - 1) / 2)));
    c = normalizeCounts(hist, p.states);
  }
  return buildDecodeTable(c, spreadTuned(c));
}

export const command: CliCommand = {
  register: (y) => y.command(
    'rtl <block>',
    'generate synthesizable Verilog for a hardware block (tans: the tANS weight decompression engine)',
    (c) => engineParamOptions(c.positional('block', { choices: ['tans'] as const, demandOption: true, describe: 'the block' }), 'rtl')
      .option('out', { alias: 'o', type: 'string', describe: 'output directory (default generated/<config>/, e.g. generated/tans_L64_B5_S4)' })
      .option('rom-image', { type: 'string', describe: 'also write a $readmemh image of a decode table (file name inside --out)' })
      .option('counts', { type: 'string', describe: 'normalized counts (summing to --states) of the --rom-image table; default: a Laplace-shaped demo table' })
      .option('print-param-table', { type: 'boolean', default: false, describe: 'print the markdown parameter table (docs/hw/tans-decoder.md) and exit' })
      .example('$0 rtl tans --states 64 --symbol-bits 5 --streams 4', 'writes generated/tans_L64_B5_S4/')
      .example('$0 rtl tans --states 256 --streams 8 --out rtl/ --rom-image table.mem', 'with a table image for TableInit'),
    (argv) => {
      if (argv.printParamTable) {
        process.stdout.write(engineMarkdownTable() + '\n');
        return;
      }
      const p = engineParamsFrom(argv as unknown as Record<string, unknown>, 'rtl');
      const dir = argv.out ?? join('generated', configName(p));
      return generateTansRtl(p, {
        romImage: argv.romImage ? { name: argv.romImage, table: romTable(p, argv.counts) } : undefined,
      }).then((files) => {
        writeGenerated(dir, files);
        process.stdout.write(`wrote ${files.length} files to ${dir}/: ${files.map((f) => f.name).join(' ')}\n` +
          `top: tans_engine (lint: verilator --lint-only -Wall -F ${join(dir, 'tans_engine.f')} --top-module tans_engine)\n`);
      });
    },
  ),
};
