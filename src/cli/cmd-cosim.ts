/** `hwsim cosim tans`: the generated RTL under Verilator against the reference decoder and the cycle model. */
import { runTansCosim } from '../cosim/tans-cosim.js';
import { configName } from '../rtl/tans-rtl.js';
import { loadModel, MODEL_ARG_HELP } from '../models/load.js';
import { engineParamOptions, engineParamsFrom } from '../params/cli.js';
import type { CliCommand } from './main.js';
import { HwsimError } from '../errors.js';

export const command: CliCommand = {
  register: (y, setExit) => y.command(
    'cosim <block>',
    'co-simulate generated RTL (Verilator) against the TypeScript decoder and cycle model, bit and cycle exact',
    (c) => engineParamOptions(c.positional('block', { choices: ['tans'] as const, demandOption: true, describe: 'the block' }), 'cosim')
      .option('layers', { type: 'number', describe: 'layers to run, a table reload between each: synthetic ones (default 4), or the first of --weights (default all)' })
      .option('weights', { type: 'string', describe: `real layers instead of synthetic ones, through the encoder hwsim encode uses: ${MODEL_ARG_HELP}` })
      .option('bins', { type: 'number', describe: 'with --weights: quantization bins per layer (odd, at most 2^symbol-bits) (default 15)' })
      .option('max-weights', { type: 'number', describe: 'with --weights: a larger layer keeps only its first output channels (default 65536)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the weights and of the stall pattern' })
      .option('stall-rate', { type: 'number', default: 0.2, describe: 'probability that in_valid or an out_ready is low in a cycle' })
      .option('symbols', { type: 'number', default: 400, describe: 'mean symbols per stream per layer' })
      .option('corrupt', { type: 'array', number: true, default: [] as number[], describe: 'layer indices to corrupt: one stream gets a flipped data, state or padding bit, a dropped last word or an extra word, so that the reference decoder rejects it; error_o must be raised exactly where the reference decoder rejects' })
      .example('$0 cosim tans --states 64 --symbol-bits 5 --streams 4 --stall-rate 0.3', '')
      .example('$0 cosim tans --states 256 --streams 8 --weights .cache/models/nsfwjs-mobilenet_v2/model.json', 'trained MobileNetV2 layers'),
    async (argv) => {
      const p = engineParamsFrom(argv as unknown as Record<string, unknown>, 'cosim');
      for (const [flag, v] of [['--bins', argv.bins], ['--max-weights', argv.maxWeights]] as const) {
        if (v !== undefined && argv.weights === undefined) {
          throw new HwsimError(`${flag} has no effect without --weights (synthetic layers choose their own bins and sizes)`,
            `leave ${flag} out, or give --weights <model>; synthetic layers take --symbols and --layers`);
        }
      }
      const bins = argv.bins ?? 15;
      const maxWeights = argv.maxWeights ?? 65536;
      const model = argv.weights === undefined ? undefined : loadModel(argv.weights, { seed: argv.seed });
      const r = await runTansCosim({
        params: p, layers: argv.layers, seed: argv.seed, stallRate: argv.stallRate, symbolsPerStream: argv.symbols,
        corruptLayers: (argv.corrupt as number[]).map(Number),
        weights: model ? { model, bins, maxWeightsPerLayer: maxWeights } : undefined,
      });
      const errs = r.perLayer.filter((l) => l.rtlError).length;
      process.stdout.write(
        `${r.pass ? 'PASS' : 'FAIL'} cosim ${configName(p)} seed ${argv.seed} stall-rate ${argv.stallRate}\n` +
        `  weights: ${model ? `${model.name}, ${model.synthetic ? 'SYNTHETIC' : 'trained'} (${model.source}), ${bins} bins, tables by the encoder` : 'synthetic cosim layers (seeded Laplace-like symbols)'}\n` +
        `  Verilator build: ${r.build.cached ? 'cached' : `built in ${r.build.seconds.toFixed(1)} s`} (${r.build.dir})\n` +
        `  layers ${r.layers} (table reloads ${r.layers - 1}, corrupted ${r.perLayer.filter((l) => l.corrupt).length}, ` +
        `rejected by the reference decoder ${r.perLayer.filter((l) => l.refRejects).length}, error_o raised in ${errs}; ` +
        `missed ${r.missedCorruptions}, false errors ${r.falseErrors})\n` +
        `  symbols compared ${r.symbolsCompared} (values, int8 weights and transfer cycles)\n` +
        `  layer cycle counts equal ${r.cycleCountsCompared}/${r.layers}; RTL ${r.rtlCycles} cycles, model ${r.modelCycles}\n` +
        `  protocol checks ${r.protocol.checked ? 'on' : 'OFF'}: violations ${r.protocol.violations}; resets at random points ${r.protocol.resets}, ` +
        `loads offered while running ${r.protocol.busyLoads}, load gap cycles ${r.protocol.loadGaps}\n` +
        `  mismatches ${r.mismatches}${r.firstMismatch ? `; first: ${r.firstMismatch}` : ''}\n` +
        `  speed: RTL ${fmtRate(r.symbolsCompared, r.rtlSeconds)} symbols/s (${fmtRate(r.symbolsCompared, r.rtlCpuSeconds)} per CPU second), cycle model ${fmtRate(r.symbolsCompared, r.modelSeconds)} symbols/s\n`);
      if (!r.pass) setExit(1);
    },
  ),
};

function fmtRate(n: number, s: number): string {
  return s > 0 ? Math.round(n / s).toLocaleString('en-US') : 'n/a';
}
