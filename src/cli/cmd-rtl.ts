/** `hwsim rtl tans`: write the engine's Verilog, file list, FuseSoC core and iCE40 scripts. */
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import type { TansDecoderParams } from '../chip/tans-decoder.js';
import { normalizeCounts } from '../codecs/tans/normalize.js';
import { buildDecodeTable, checkCounts, spreadTuned, type DecodeTable } from '../codecs/tans/table.js';
import { engineParamOptions, engineParamsFrom, wmEngineParamsFrom } from '../params/cli.js';
import { engineMarkdownTable, wmEngineMarkdownTable } from '../params/markdown.js';
import { configName, generateTansRtl, writeGenerated } from '../rtl/tans-rtl.js';
import { generateWmRtl, WM_ACCESS_FILE, WM_ACCESS_TOP, WM_TOP, wmConfigName } from '../rtl/wm-rtl.js';
import type { CliCommand } from './main.js';
import { oneString } from '../io/output.js';

/** The engine flags of `hwsim rtl` and `hwsim cosim`, from the parameter declaration. */
/** The table of a --rom-image: given normalized counts, or a Laplace-shaped demo over 2^B - 1 bins. */
function romTable(p: TansDecoderParams, counts?: string): DecodeTable {
  let c: Int32Array;
  if (counts !== undefined) {
    const fix = `give comma-separated non-negative integers summing to --states (${p.states}), at most ${1 << p.symbolBits} of them ` +
      `(--symbol-bits ${p.symbolBits}), e.g. --counts ${exampleCounts(p.states)}`;
    const words = counts.split(',').map((v) => v.trim());
    const bad = words.find((w) => !/^\d{1,9}$/.test(w));
    check(bad === undefined, `--counts ${counts}: ${JSON.stringify(bad)} is not a non-negative integer`, fix);
    c = Int32Array.from(words.map(Number));
    check(c.length <= 1 << p.symbolBits, `--counts has ${c.length} symbols, ${p.symbolBits}-bit symbols allow ${1 << p.symbolBits}`,
      `raise --symbol-bits or pass fewer counts: ${fix}`);
    const sum = c.reduce((a, b) => a + b, 0);
    check(sum === p.states, `--counts sum to ${sum}, not to --states ${p.states}`, fix);
    check(c.some((v) => v > 0), '--counts are all zero', fix);
    checkCounts(c, p.states);
  } else {
    const bins = Math.min(31, (1 << p.symbolBits) - 1, p.states - 1) | 1;
    const hist = Float64Array.from({ length: bins }, (_, i) => Math.exp(-Math.abs(i - (bins - 1) / 2)));
    c = normalizeCounts(hist, p.states);
  }
  return buildDecodeTable(c, spreadTuned(c));
}

/** --counts given once, as text. */
function countsArg(v: unknown): string {
  if (Array.isArray(v)) throw new HwsimError(`--counts given ${v.length} times`, 'give --counts once, the counts separated by commas');
  check(typeof v === 'string' && v.trim() !== '', `--counts needs a list of counts, got ${JSON.stringify(v)}`,
    'give comma-separated non-negative integers summing to --states, e.g. --counts 16,32,16');
  return v;
}

/** A valid --counts for the fix line: three symbols, the middle one the most likely. */
function exampleCounts(states: number): string {
  const side = Math.floor(states / 4);
  return `${side},${states - 2 * side},${side}`;
}

export const command: CliCommand = {
  register: (y) => y.command(
    'rtl <block>',
    'generate synthesizable Verilog for a hardware block (tans: the tANS weight decompression engine; wm: the wavelet-matrix query unit)',
    (c) => engineParamOptions(c.positional('block', { choices: ['tans', 'wm'] as const, demandOption: true, describe: 'the block' }), 'rtl')
      .option('out', { alias: 'o', type: 'string', describe: 'output directory (default generated/<config>/, e.g. generated/tans_L64_B5_S4 or generated/wm_P2_W2_D8_B5_M1024)' })
      .option('rom-image', { type: 'string', describe: 'also write a $readmemh image of a decode table (file name inside --out)' })
      .option('counts', { type: 'string', describe: 'normalized counts (summing to --states) of the --rom-image table; default: a Laplace-shaped demo table' })
      .option('print-param-table', { type: 'boolean', default: false, describe: 'print the markdown parameter table (docs/hw/tans-decoder.md) and exit' })
      .example('$0 rtl tans --states 64 --symbol-bits 5 --streams 4', 'writes generated/tans_L64_B5_S4/')
      .example('$0 rtl tans --states 256 --streams 8 --out rtl/ --rom-image table.mem', 'with a table image for TableInit')
      .example('$0 rtl wm --lanes 4 --levels 16 --buffer-words 8192', 'writes generated/wm_P4_W2_D16_B5_M8192/'),
    (argv) => {
      if (argv.printParamTable) {
        process.stdout.write((argv.block === 'wm' ? wmEngineMarkdownTable() : engineMarkdownTable()) + '\n');
        return;
      }
      if (argv.block === 'wm') {
        for (const [flag, v] of [['--rom-image', argv.romImage], ['--counts', argv.counts]] as const) {
          check(v === undefined, `${flag} is a flag of the tANS engine (its decode table); the wm query unit has no table image`, `leave ${flag} out`);
        }
        const p = wmEngineParamsFrom(argv as unknown as Record<string, unknown>, 'rtl');
        const out = argv.out === undefined ? undefined : oneString(argv.out, '--out');
        const dir = out ?? join('generated', wmConfigName(p));
        const files = generateWmRtl(p);
        writeGenerated(dir, files);
        process.stdout.write(`wrote ${files.length} files to ${dir}/: ${files.map((f) => f.name).join(' ')}\n` +
          `top: ${WM_TOP} (lint: verilator --lint-only -Wall -F ${join(dir, 'wm_query_unit.f')} --top-module ${WM_TOP})\n` +
          `random-access port: ${WM_ACCESS_TOP}, rank cache ${p.wmRankCache} (lint: verilator --lint-only -Wall ${join(dir, WM_ACCESS_FILE)})\n`);
        return;
      }
      const p = engineParamsFrom(argv as unknown as Record<string, unknown>, 'rtl');
      const out = argv.out === undefined ? undefined : oneString(argv.out, '--out');
      const romName = argv.romImage === undefined ? undefined : oneString(argv.romImage, '--rom-image');
      const counts = argv.counts === undefined ? undefined : countsArg(argv.counts);
      check(counts === undefined || romName !== undefined, '--counts has no effect without --rom-image',
        'add --rom-image table.mem to write the table of these counts, or drop --counts');
      const dir = out ?? join('generated', configName(p));
      // writeGenerated writes plain names inside dir only, each through a temporary file and a rename
      return generateTansRtl(p, {
        romImage: romName !== undefined ? { name: romName, table: romTable(p, counts) } : undefined,
      }).then((files) => {
        writeGenerated(dir, files);
        process.stdout.write(`wrote ${files.length} files to ${dir}/: ${files.map((f) => f.name).join(' ')}\n` +
          `top: tans_engine (lint: verilator --lint-only -Wall -F ${join(dir, 'tans_engine.f')} --top-module tans_engine)\n`);
      });
    },
  ),
};
