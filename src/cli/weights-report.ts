/**
 * `hwsim run` on weights without a graph (a .npy/.npz/.safetensors, or a tfjs file without a
 * topology): the kernels are exact but the feature-map sizes, strides and padding are not in the
 * file, so the chip is not simulated. What is reported is what the file determines: per layer and
 * in total the coded bytes, bits/weight and the gap to the entropy bound, read back from the
 * container written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeContainer } from '../codecs/container.js';
import { modelFigures } from '../codecs/inspect.js';
import { encodeModel, type EncodeOptions } from '../codecs/model-codec.js';
import { decodeContainer } from '../codecs/model-image.js';
import { HwsimError } from '../errors.js';
import type { Model } from '../models/types.js';
import { GEOMETRY_NOTE } from '../models/loaders/tensors.js';
import { fixed, percent, textTable } from '../report/text-table.js';
import { writeOutput } from '../io/output.js';

export const NO_LATENCY = 'no latency: the file holds kernels but no layer geometry (feature-map sizes, strides, padding), and hwsim does not guess it; ' +
  'give --topology <zoo network | topology.csv | model.onnx> to pair the weights with one (or bring an .onnx or tfjs model with its graph)';

export function weightsOnlyReport(model: Model, codec: EncodeOptions, argv: Record<string, unknown>, ms: number): void {
  imageWeightsReport(writeContainer(encodeModel(model, codec)), model.name, argv, ms);
}

/** A .hwz encoded from weights without a graph: its specs hold placeholder sizes, so it is reported like its model. */
export function hasNoGeometry(description: string): boolean {
  return description.includes(GEOMETRY_NOTE);
}

export function imageWeightsReport(bytes: Uint8Array, label: string, argv: Record<string, unknown>, ms: number): void {
  const { image, layers } = decodeContainer(bytes, label);
  const model = { name: image.model.name, description: image.model.description };
  const f = modelFigures(image, layers);
  const rows = f.layers.map((l, i) => [l.name, image.specs[i].kind, l.codec, l.params, l.bins,
    fixed(l.bitsPerWeight, 3), l.codec === 'tans' ? percent(l.gapToEntropy) : '-', Math.ceil(l.codedBits / 8) + l.overheadBytes]);
  const t = f.total;
  rows.push(['total', '', '', t.params, '', fixed(t.bitsPerWeight, 3), percent(t.tansGapToEntropy), bytes.length]);
  if (argv.layers !== false) process.stdout.write(`${model.name}: ${model.description}\n\n${textTable(['layer', 'kind', 'codec', 'params', 'bins', 'bits/w', 'vs H', 'B'], rows)}\n\n`);
  process.stdout.write(
    `weights      ${t.params.toLocaleString('en-US')} params, ${fixed(t.bitsPerWeight, 3)} bits/weight (payload), ${fixed((8 * bytes.length) / t.params, 3)} with headers and trailer; ` +
    `entropy bound ${fixed(t.entropyBits / t.params, 3)}; image ${bytes.length.toLocaleString('en-US')} B (int8: ${t.params.toLocaleString('en-US')} B)\n` +
    `${NO_LATENCY}\n` +
    `encoded and verified in ${(ms / 1000 + 0).toFixed(2)} s (loading included)\n`);
  if (argv.json) {
    const out = String(argv.out ?? 'hwsim-out');
    try {
      mkdirSync(out, { recursive: true });
    } catch (err) {
      throw new HwsimError(`cannot create --out directory ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give a writable directory');
    }
    const file = join(out, `${model.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-weights.json`);
    writeOutput(file, JSON.stringify({ tool: 'hwsim', latency: null, why: NO_LATENCY, imageBytes: bytes.length, ...f }, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
}
