/** A model by name or path: a zoo network, a weights file users bring, or a SCALE-Sim topology. */
import { existsSync } from 'node:fs';
import { HwsimError } from '../errors.js';
import { loadWeightsFile, WEIGHT_FORMATS, type LoadOptions } from './loaders/index.js';
import { pairWithTopology } from './pair.js';
import { loadScaleSimTopology, parseScaleSimTopology } from './scalesim.js';
import { readRegularFile } from './loaders/files.js';
import type { LayerSpec, Model } from './types.js';
import { loadZooModel, zooKey, zooLayers, zooNames } from './zoo.js';

export const MODEL_ARG_HELP = `a zoo network (see \`hwsim zoo\`) or a weights file: ${WEIGHT_FORMATS}`;

export interface ModelLoadOptions extends LoadOptions {
  /** a zoo name, a SCALE-Sim .csv or an .onnx model giving the geometry of a weights file without a graph */
  pairTopology?: string;
}

/**
 * `name` a zoo network (seeded synthetic weights, `seed`), a weights file, or with `topology` also
 * a SCALE-Sim topology .csv (synthetic weights).
 */
export function loadModel(arg: string, opts: { seed?: number; topology?: boolean; load?: ModelLoadOptions } = {}): Model {
  const seed = opts.seed ?? 1;
  const pair = opts.load?.pairTopology;
  if (opts.topology && /\.csv$/i.test(arg)) return loadScaleSimTopology(arg, seed);
  const key = zooKey(arg);
  if (key) return loadZooModel(key, seed);
  if (existsSync(arg)) {
    const model = loadWeightsFile(arg, opts.load);
    if (pair === undefined) return model;
    if (model.geometry !== 'none') {
      throw new HwsimError(`--topology ${pair}: ${arg} has its own graph`, 'leave out --topology: the geometry comes from the file');
    }
    return pairWithTopology(model, topologySpecs(pair, opts.load), pair);
  }
  throw new HwsimError(`'${arg}' is neither a zoo network nor an existing file`,
    `use one of: ${zooNames().join(', ')}; or give a path to a weights file (${WEIGHT_FORMATS}${opts.topology ? ', or a SCALE-Sim topology .csv' : ''})`);
}

/** The layer geometry a --topology names. */
function topologySpecs(topology: string, load: LoadOptions = {}): LayerSpec[] {
  const key = zooKey(topology);
  if (key) return zooLayers(key);
  if (/\.csv$/i.test(topology)) {
    return parseScaleSimTopology(new TextDecoder().decode(readRegularFile(topology, topology, 'give the path of a SCALE-Sim topology CSV')), topology);
  }
  if (/\.onnx$/i.test(topology)) return loadWeightsFile(topology, { ...load, foldBn: false }).layers.map((l) => l.spec);
  throw new HwsimError(`--topology ${topology} is neither a zoo network, a .csv nor an .onnx file`,
    `give one of: ${zooNames().join(', ')}; a SCALE-Sim topology .csv; or an .onnx model`);
}
