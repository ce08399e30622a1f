/** `hwsim encode`: quantize + tANS-encode a model into a verified .hwz image. */
import { autoChoiceLine, encodeModel, isEdge } from '../codecs/model-codec.js';
import { DEFAULT_CHIP } from '../chip/config.js';
import { layerCyclesOn } from '../chip/layer-cycles.js';
import { codecParamOptions, codecParamsFrom } from '../params/cli.js';
import { writeContainer } from '../codecs/container.js';
import { decodeContainer } from '../codecs/model-image.js';
import type { CliCommand } from './main.js';
import { applyLimitFlags, limitOptions } from './limit-flags.js';
import { Progress } from '../report/progress.js';
import { loadModel, MODEL_ARG_HELP } from '../models/load.js';
import { modelOptions, modelOptionsFrom } from './model-flags.js';
import { percent } from '../report/text-table.js';
import { oneString, refuseInputAsOutput, writeOutput } from '../io/output.js';

export const command: CliCommand = {
  register: (y) => y.command(
    'encode <model>',
    'quantize and tANS-encode a model into a .hwz image (verified by decoding)',
    (c) => modelOptions(limitOptions(codecParamOptions(c.positional('model', { type: 'string', demandOption: true, describe: MODEL_ARG_HELP }), 'encode'), 'encode'))
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the .hwz file to write' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' })
      .example('$0 encode resnet50 --states 64 -o r50.hwz', 'synthetic ResNet-50, 64-state tables')
      .example('$0 encode weights.safetensors --bins 15 -o w.hwz', 'your own weights, 15 bins per layer'),
    (argv) => {
      applyLimitFlags(argv, 'encode');
      const start = performance.now();
      const input = oneString(argv.model, 'the model');
      const output = oneString(argv.output, '--output');
      refuseInputAsOutput(output, [input]); // before the work, and again when writing
      const codec = codecParamsFrom(argv, 'encode');
      const model = loadModel(input, { seed: codec.seed, load: modelOptionsFrom(argv) });
      // a large model, or --effort best at large L, takes minutes: say how far it is
      const progress = new Progress({ quiet: argv.quiet });
      const what = `encoding ${model.name} (L = ${codec.states}, ${codec.streams} streams)`;
      let image: Uint8Array;
      try {
        // --auto-objective cycles: the default chip (hwsim run --codec auto chooses for its own chip)
        image = writeContainer(encodeModel(model, codec, (l, n, done, total) =>
          progress.update(`${what}: layer ${l}/${n}`, { done, total, unit: 'weights' }), layerCyclesOn(DEFAULT_CHIP)));
      } finally {
        progress.done();
      }
      // what is reported is read back from the bytes written: the file, verified by decoding
      const { layers } = decodeContainer(image, output);
      writeOutput(output, image, { inputs: [input] });
      const params = layers.reduce((a, l) => a + l.symbols.length, 0);
      const coded = layers.reduce((a, l) => a + l.payloadBits, 0);
      const tans = layers.filter((l) => l.codec === 'tans');
      const tansGap = tans.reduce((a, l) => a + l.payloadBits, 0) / tans.reduce((a, l) => a + l.entropyBits, 0) - 1;
      const raw = layers.filter((l) => l.codec === 'raw').length;
      const sz = layers.filter((l) => l.codec === 'sz').length;
      const wm = layers.filter((l) => l.codec === 'wm');
      const wmGap = wm.reduce((a, l) => a + l.payloadBits, 0) / wm.reduce((a, l) => a + l.entropyBits, 0) - 1;
      const edges = layers.filter((l, i) => l.codec === 'raw' && isEdge(i, layers.length, codec.keepEdges)).length;
      const rawNote = raw === 0 ? '' : ` (${[edges ? `${edges} raw int8 edge layers` : '', raw - edges ? `${raw - edges} raw ${codec.codec === 'sz' && codec.convCodec === 'raw' ? 'by --conv-codec raw' : codec.codec === 'auto' ? 'chosen by --codec auto' : 'because tANS would be larger'}` : ''].filter(Boolean).join(', ')} included)`;
      const secs = (performance.now() - start) / 1000;
      process.stdout.write(
        `${model.name}: ${model.synthetic ? 'SYNTHETIC weights (' + model.description + ')' : model.description}\n` +
        `encoded ${layers.length} layers, ${params.toLocaleString('en-US')} weights ${codec.codec === 'wm' ? 'as wavelet matrices' : codec.codec === 'auto' ? `per layer tans (L=${codec.states}, S=${codec.streams}), wm or raw` : `at L=${codec.states}, S=${codec.streams}`}: ` +
        `${(coded / params).toFixed(3)} bits/weight${rawNote}${sz ? `, ${sz} sz (DeepSZ) layers` : ''}, ` +
        `${tans.length ? `tANS layers ${percent(tansGap)} vs their entropy bound, ` : ''}` +
        `${wm.length ? `wm layers ${percent(wmGap)} vs their entropy bound (rank directories included), ` : ''}` +
        `${image.length.toLocaleString('en-US')} bytes; verified by decoding; ${secs.toFixed(2)} s\n` +
        (codec.codec === 'auto' ? `${autoChoiceLine(layers.map((l) => l.codec), layers.map((l) => l.name), codec.autoObjective)}\n` : '') +
        `wrote ${output}\n`);
    },
  ),
};
