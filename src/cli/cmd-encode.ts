/** `hwsim encode`: quantize + tANS-encode a model into a verified .hwz image. */
import type { Argv } from 'yargs';
import { DEFAULT_BITS_PER_WEIGHT, encodeModel, type EncodeOptions } from '../codecs/model-codec.js';
import { toContainer } from '../codecs/model-image.js';
import type { CliCommand } from './main.js';
import { MODEL_ARG_HELP, resolveModel } from './resolve-model.js';
import { percent } from './text-table.js';
import { writeOutput } from './output.js';

/** The codec flags `encode` and `run` share (`run` takes its stream count from --decoders). */
export function codecOptions<T>(y: Argv<T>) {
  return y
    .option('states', { alias: 'L', type: 'number', default: 64, describe: 'tANS table size L (power of two, 32..4096)' })
    .option('bins', { type: 'number', describe: 'fix every coded layer to N zero-point bins (odd, 3..255)' })
    .option('bits-per-weight', { type: 'number', describe: `average entropy budget per weight; each layer's bins and step are chosen to meet it with the least total squared error (default ${DEFAULT_BITS_PER_WEIGHT} when --bins is not given)` })
    .option('per-channel', { type: 'boolean', default: false, describe: 'with --bins: one quantizer step per output channel instead of one per layer' })
    .option('rd-lambda', { type: 'number', describe: 'with --bins: choose each step by least MSE + λ·entropy (rate-distortion; λ in squared-weight units per bit) instead of least MSE' })
    .option('split', { choices: ['channel', 'interleaved'] as const, default: 'channel' as const, describe: 'stream split: by input channel (as in the paper) or interleaved weights' })
    .option('keep-edges', { type: 'boolean', default: true, describe: 'keep first and last layers raw int8 (--no-keep-edges to code them too)' })
    .option('effort', { choices: ['fast', 'best'] as const, default: 'fast' as const, describe: 'tANS table search effort' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the synthetic zoo weights' });
}

export function encodeOptionsFrom(argv: {
  states: number; bins?: number; bitsPerWeight?: number; perChannel: boolean; rdLambda?: number;
  split: 'channel' | 'interleaved'; keepEdges: boolean; effort: 'fast' | 'best';
}, streams: number): EncodeOptions {
  return {
    states: argv.states, bins: argv.bins, bitsPerWeight: argv.bitsPerWeight, perChannel: argv.perChannel,
    rdLambda: argv.rdLambda, streams, split: argv.split, keepEdges: argv.keepEdges, effort: argv.effort,
  };
}

export const command: CliCommand = {
  register: (y) => y.command(
    'encode <model>',
    'quantize and tANS-encode a model into a .hwz image (verified by decoding)',
    (c) => codecOptions(c.positional('model', { type: 'string', demandOption: true, describe: MODEL_ARG_HELP }))
      .option('streams', { alias: 'S', type: 'number', default: 8, describe: 'parallel streams per layer sharing one table (one per decoder)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the .hwz file to write' })
      .example('$0 encode resnet50 --states 64 -o r50.hwz', 'synthetic ResNet-50, 64-state tables')
      .example('$0 encode weights.safetensors --bins 15 -o w.hwz', 'your own weights, 15 bins per layer'),
    (argv) => {
      const start = performance.now();
      const model = resolveModel(argv.model, argv.seed);
      const encoded = encodeModel(model, encodeOptionsFrom(argv, argv.streams));
      const image = toContainer(encoded);
      writeOutput(argv.output, image);
      const params = encoded.layers.reduce((a, l) => a + l.params, 0);
      const coded = encoded.layers.reduce((a, l) => a + l.codedBits, 0);
      const tans = encoded.layers.filter((l) => l.codec === 'tans');
      const tansGap = tans.reduce((a, l) => a + l.codedBits, 0) / tans.reduce((a, l) => a + l.entropyBits, 0) - 1;
      const raw = encoded.layers.length - tans.length;
      const secs = (performance.now() - start) / 1000;
      process.stdout.write(
        `${model.name}: ${model.synthetic ? 'SYNTHETIC weights (' + model.description + ')' : model.description}\n` +
        `encoded ${encoded.layers.length} layers, ${params.toLocaleString('en-US')} weights at L=${argv.states}, S=${argv.streams}: ` +
        `${(coded / params).toFixed(3)} bits/weight${raw ? ` (${raw} raw int8 edge layers included)` : ''}, ` +
        `${tans.length ? `tANS layers ${percent(tansGap)} vs their entropy bound, ` : ''}` +
        `${image.length.toLocaleString('en-US')} bytes; verified by decoding; ${secs.toFixed(2)} s\n` +
        `wrote ${argv.output}\n`);
    },
  ),
};
