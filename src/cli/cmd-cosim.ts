/** `hwsim cosim tans`: the generated RTL under Verilator against the reference decoder and the cycle model. */
import { runTansCosim } from '../cosim/tans-cosim.js';
import { configName } from '../rtl/tans-rtl.js';
import { loadModel, MODEL_ARG_HELP } from '../models/load.js';
import { engineParamOptions, engineParamsFrom, wmEngineParamsFrom } from '../params/cli.js';
import { runWmCosim, WM_ERROR_CODES } from '../cosim/wm-cosim.js';
import { WM_CORRUPTIONS, WM_COSIM_FORMS, type WmCorruption, type WmCosimForm } from '../cosim/wm-vectors.js';
import { wmConfigName } from '../rtl/wm-rtl.js';
import { ACCESS_ORDERS } from '../cosim/wm-access-cosim.js';
import { cosimWmAccess, MATRIX_CHOICES, type WmAccessArgs } from './cosim-wm-access.js';
import type { CliCommand } from './main.js';
import { check, HwsimError } from '../errors.js';

export const command: CliCommand = {
  register: (y, setExit) => y.command(
    'cosim <block>',
    'co-simulate generated RTL (Verilator) against the TypeScript decoder and cycle model, bit and cycle exact',
    (c) => engineParamOptions(c.positional('block', { choices: ['tans', 'wm'] as const, demandOption: true, describe: 'the block' }), 'cosim')
      .option('layers', { type: 'number', describe: 'layers to run, a table reload between each: synthetic ones (default 4), or the first of --weights (default all)' })
      .option('weights', { type: 'string', describe: `real layers instead of synthetic ones, through the encoder hwsim encode uses: ${MODEL_ARG_HELP}` })
      .option('bins', { type: 'number', describe: 'with --weights: quantization bins per layer (odd, at most 2^symbol-bits) (default 15)' })
      .option('max-weights', { type: 'number', describe: 'with --weights: a larger layer keeps only its first output channels (default 65536)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the weights and of the stall pattern' })
      .option('stall-rate', { type: 'number', default: 0.2, describe: 'probability that in_valid or an out_ready is low in a cycle' })
      .option('symbols', { type: 'number', describe: 'mean symbols per stream per layer (default 400; wm: mean weights per synthetic layer, default 2000)' })
      .option('corrupt-as', { type: 'string', describe: `wm: how --corrupt layers are corrupted, one of ${WM_CORRUPTIONS.join(', ')} or a comma list taken in turn (default: all in turn); 'consistent' flips a bitmap bit and fixes the directory and zeros, so that only the walk can tell` })
      .option('access', { type: 'string', describe: `wm: co-simulate the random-access port instead of the streaming unit, positions in order: ${ACCESS_ORDERS.join(' or ')} (with --rank-cache)` })
      .option('matrix', { type: 'string', describe: `wm --access: the matrices the sequences are stored as, ${MATRIX_CHOICES.join(', ')} (default both)` })
      .option('accesses', { type: 'number', describe: 'wm --access: positions per layer (sequential: the first so many; random: default the length, at most 20000)' })
      .option('rows', { type: 'boolean', describe: 'wm --access: element-wise layers and row requests (row r, element j: a select on the delimiter finds the row start, then access), against RowAccess and wmRowAccessCycles' })
      .option('form', { choices: WM_COSIM_FORMS, describe: 'wm: how the layers are encoded: block (the weights) or element (rows, a delimiter after each, which takes its lane\'s cycle and delivers no weight) (default block)' })
      .option('netlist', { type: 'boolean', describe: 'tans: co-simulate the engine as Yosys synthesizes it for the iCE40 (the netlist `hwsim synth` places and routes, with Yosys\'s cell models) instead of the RTL: a gate-level check of the synthesis' })
      .option('pgo', { type: 'boolean', describe: 'tans: build the Verilator harness with profile-guided optimization (an instrumented build, a short training run, a second build): about twice the first build\'s time, then about 15 % faster on long runs; kept apart from the plain build' })
      .option('corrupt', { type: 'array', number: true, default: [] as number[], describe: 'layer indices to corrupt: one stream gets a flipped data, state or padding bit, a dropped last word, an extra zero word or 2 to 11 extra words, so that the reference decoder rejects it; error_o must be raised exactly where the reference decoder rejects' })
      .example('$0 cosim tans --states 64 --symbol-bits 5 --streams 4 --stall-rate 0.3', '')
      .example('$0 cosim tans --states 64 --streams 4 --netlist --corrupt 1 3', 'the synthesized netlist (gate level) against the reference decoder')
      .example('$0 cosim tans --states 256 --streams 8 --weights .cache/models/nsfwjs-mobilenet_v2/model.json', 'trained MobileNetV2 layers')
      .example('$0 cosim wm --lanes 4 --levels 16 --buffer-words 8192 --weights test/fixtures/lenet/lenet-5.safetensors', 'the query unit on LeNet-5')
      .example('$0 cosim wm --lanes 3 --levels 12 --buffer-words 4096 --form element', 'element-wise layers (rows and delimiters)')
      .example('$0 cosim wm --access random --rank-cache level --levels 16 --buffer-words 4096', 'the random-access port, one cache slot per level')
      .example('$0 cosim wm --access random --rows --levels 16 --buffer-words 4096', 'row requests: select on the delimiter, then access'),
    async (argv) => {
      check(argv.block !== 'wm' || argv.netlist === undefined, '--netlist is a flag of hwsim cosim tans',
        'leave it out for wm (its co-simulation runs the RTL)');
      check(argv.block !== 'wm' || argv.pgo === undefined, '--pgo is a flag of hwsim cosim tans', 'leave it out for wm');
      check(!(argv.pgo && argv.netlist), '--pgo builds the RTL harness; --netlist simulates the synthesized netlist',
        'leave one of them out');
      if (argv.block === 'wm' && argv.access !== undefined) {
        check(argv.form === undefined, '--form is a flag of the query unit\'s streaming co-simulation, not of --access',
          'leave --form out with --access (the port answers positions of the sequence as it is stored)');
        if (!await cosimWmAccess(argv as unknown as Record<string, unknown> & WmAccessArgs)) setExit(1);
        return;
      }
      for (const flag of ['access', 'matrix', 'accesses', 'rankCache', 'rows'] as const) {
        const name = flag === 'rankCache' ? 'rank-cache' : flag;
        check((argv as Record<string, unknown>)[flag] === undefined, `--${name} is a flag of hwsim cosim wm --access`, `leave --${name} out, or run \`hwsim cosim wm --access random\``);
      }
      if (argv.block === 'wm') {
        const ok = await cosimWm(argv as unknown as Record<string, unknown> & WmArgs);
        if (!ok) setExit(1);
        return;
      }
      check(corruptAsText(argv.corruptAs) === undefined, '--corrupt-as is a flag of hwsim cosim wm',
        'leave it out for tans (its corruptions are chosen per stream)');
      check(argv.form === undefined, '--form is a flag of hwsim cosim wm', 'leave it out for tans');
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
        params: p, layers: argv.layers, seed: argv.seed, stallRate: argv.stallRate, symbolsPerStream: argv.symbols ?? 400,
        corruptLayers: (argv.corrupt as number[]).map(Number),
        weights: model ? { model, bins, maxWeightsPerLayer: maxWeights } : undefined, netlist: argv.netlist === true,
        pgo: argv.pgo === true,
      });
      const errs = r.perLayer.filter((l) => l.rtlError).length;
      process.stdout.write(
        `${r.pass ? 'PASS' : 'FAIL'} cosim ${configName(p)} seed ${argv.seed} stall-rate ${argv.stallRate}\n` +
        `  weights: ${model ? `${model.name}, ${model.synthetic ? 'SYNTHETIC' : 'trained'} (${model.source}), ${bins} bins, tables by the encoder` : 'synthetic cosim layers (seeded Laplace-like symbols)'}\n` +
        (r.level === 'netlist' ? `  gate level: the Yosys iCE40 netlist of the engine (synthesized in ${r.yosysSeconds!.toFixed(1)} s) with Yosys's cell models\n` : '') +
        `  Verilator build${argv.pgo ? ' (profile-guided)' : ''}: ${r.build.cached ? 'cached' : `built in ${r.build.seconds.toFixed(1)} s`} (${r.build.dir})\n` +
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

interface WmArgs {
  layers?: number; weights?: string; bins?: number; maxWeights?: number; seed: number; stallRate: number; symbols?: number;
  corrupt: number[]; corruptAs?: string; form?: WmCosimForm;
}

/** `hwsim cosim wm`: prints the comparison; false when it failed. */
async function cosimWm(argv: Record<string, unknown> & WmArgs): Promise<boolean> {
  const p = wmEngineParamsFrom(argv, 'cosim');
  const kinds = (corruptAsText(argv.corruptAs) ?? WM_CORRUPTIONS.join(',')).split(',').map((k) => k.trim());
  for (const k of kinds) {
    check((WM_CORRUPTIONS as readonly string[]).includes(k), `--corrupt-as ${k} is not a corruption`, `use one of ${WM_CORRUPTIONS.join(', ')}`);
  }
  const corrupt = new Map<number, WmCorruption>();
  (argv.corrupt ?? []).map(Number).forEach((layer, i) => {
    check(Number.isInteger(layer) && layer >= 0, `--corrupt ${layer} is not a layer index`, 'give layer indices from 0, e.g. --corrupt 1');
    corrupt.set(layer, kinds[i % kinds.length] as WmCorruption);
  });
  const model = argv.weights === undefined ? undefined : loadModel(argv.weights, { seed: argv.seed });
  const r = await runWmCosim({
    params: p, seed: argv.seed, stallRate: argv.stallRate, layers: argv.layers, weightsPerLayer: argv.symbols,
    model, bins: argv.bins, maxWeightsPerLayer: argv.maxWeights, corrupt, form: argv.form,
  });
  for (const [i] of corrupt) check(i < r.layers.length, `--corrupt ${i}: there are only ${r.layers.length} layers`, `give indices 0..${r.layers.length - 1}`);
  const rejected = r.layers.filter((l) => l.refRejects).length;
  const lines = [
    `${r.pass ? 'PASS' : 'FAIL'} cosim ${wmConfigName(p)} seed ${argv.seed} stall-rate ${argv.stallRate}`,
    `  weights: ${model ? `${model.name}, ${model.synthetic ? 'SYNTHETIC' : 'trained'} (${model.source})` : 'synthetic Laplace layers'}, encoded by wmCodec ${argv.form ?? 'block'}-wise`,
    `  Verilator build: ${r.build.cached ? 'cached' : `built in ${r.build.seconds.toFixed(1)} s`} (${r.build.dir})`,
    `  layers ${r.layers.length} (corrupted ${r.layers.filter((l) => l.corrupt).length}, rejected by the reference decoder ${rejected}, ` +
      `error_o raised in ${r.layers.filter((l) => l.rtl.error).length}; missed ${r.missedCorruptions}, false errors ${r.falseErrors})`,
    '  layer                        weights   RTL load/start/decode  model load/start/decode   result',
    ...r.layers.map((l) => `  ${l.name.padEnd(28)} ${String(l.weights).padStart(7)}  ` +
      `${`${l.rtl.load}/${l.rtl.start}/${l.rtl.decode}`.padStart(22)}   ${(l.model ? `${l.model.load}/${l.model.start}/${l.model.decode}` : '-').padStart(22)}   ` +
      `${l.rtl.error ? `error_o (${WM_ERROR_CODES[l.rtl.code]})` : l.rtl.done ? 'done' : 'unfinished'}${l.corrupt ? ` [${l.corrupt}: reference ${l.refRejects ? 'rejects' : 'accepts'}]` : ''}`),
    `  weights compared ${r.symbolsCompared} (value against wmCodec.decode, delivery cycle against WmSource)`,
    `  layer cycle counts equal ${r.cycleCountsEqual}/${r.layers.filter((l) => l.model).length}; RTL ${r.rtlCycles} cycles, model ${r.modelCycles}`,
    `  protocol violations ${r.protocolViolations}; mismatches ${r.mismatches}${r.firstMismatch ? `; first: ${r.firstMismatch}` : ''}`,
    `  speed: RTL ${fmtRate(r.symbolsCompared, r.rtlSeconds)} weights/s, cycle model ${fmtRate(r.symbolsCompared, r.modelSeconds)} weights/s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return r.pass;
}

/** --corrupt-as as given: once, not empty (undefined when absent). */
function corruptAsText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new HwsimError(`--corrupt-as given ${v.length} times`, 'give --corrupt-as once, the kinds separated by commas');
  check(typeof v === 'string' && v.trim() !== '', '--corrupt-as needs a value', `give one of ${WM_CORRUPTIONS.join(', ')} or a comma list of them`);
  return v as string;
}
