/** `hwsim cosim tans`: the generated RTL under Verilator against the reference decoder and the cycle model. */
import { runTansCosim } from '../cosim/tans-cosim.js';
import { configName } from '../rtl/tans-rtl.js';
import { tansParamOptions, tansParamsFrom } from './cmd-rtl.js';
import type { CliCommand } from './main.js';

export const command: CliCommand = {
  register: (y, setExit) => y.command(
    'cosim <block>',
    'co-simulate generated RTL (Verilator) against the TypeScript decoder and cycle model, bit and cycle exact',
    (c) => tansParamOptions(c.positional('block', { choices: ['tans'] as const, demandOption: true, describe: 'the block' }))
      .option('layers', { type: 'number', default: 4, describe: 'synthetic layers (a table reload between each)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the weights and of the stall pattern' })
      .option('stall-rate', { type: 'number', default: 0.2, describe: 'probability that in_valid or an out_ready is low in a cycle' })
      .option('symbols', { type: 'number', default: 400, describe: 'mean symbols per stream per layer' })
      .option('corrupt', { type: 'array', number: true, default: [] as number[], describe: 'layer indices whose stream 0 gets one flipped bit (error_o must match the model)' })
      .example('$0 cosim tans --states 64 --symbol-bits 5 --streams 4 --stall-rate 0.3', ''),
    async (argv) => {
      const p = tansParamsFrom(argv as unknown as Record<string, unknown>);
      const r = await runTansCosim({
        params: p, layers: argv.layers, seed: argv.seed, stallRate: argv.stallRate, symbolsPerStream: argv.symbols,
        corruptLayers: (argv.corrupt as number[]).map(Number),
      });
      const errs = r.perLayer.filter((l) => l.rtlError).length;
      process.stdout.write(
        `${r.pass ? 'PASS' : 'FAIL'} cosim ${configName(p)} seed ${argv.seed} stall-rate ${argv.stallRate}\n` +
        `  Verilator build: ${r.build.cached ? 'cached' : `built in ${r.build.seconds.toFixed(1)} s`} (${r.build.dir})\n` +
        `  layers ${r.layers} (table reloads ${r.layers - 1}, corrupted ${r.perLayer.filter((l) => l.corrupt).length}, error_o raised in ${errs})\n` +
        `  symbols compared ${r.symbolsCompared} (values, int8 weights and transfer cycles)\n` +
        `  layer cycle counts equal ${r.cycleCountsCompared}/${r.layers}; RTL ${r.rtlCycles} cycles, model ${r.modelCycles}\n` +
        `  mismatches ${r.mismatches}${r.firstMismatch ? `; first: ${r.firstMismatch}` : ''}\n` +
        `  speed: RTL ${fmtRate(r.symbolsCompared, r.rtlSeconds)}, cycle model ${fmtRate(r.symbolsCompared, r.modelSeconds)} symbols/s\n`);
      if (!r.pass) setExit(1);
    },
  ),
};

function fmtRate(n: number, s: number): string {
  return s > 0 ? Math.round(n / s).toLocaleString('en-US') : 'n/a';
}
