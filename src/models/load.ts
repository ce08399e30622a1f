/** A model by name or path: a zoo network, a weights file users bring, or a SCALE-Sim topology. */
import { existsSync } from 'node:fs';
import { HwsimError } from '../errors.js';
import { loadWeightsFile, WEIGHT_FORMATS, type LoadOptions } from './loaders/index.js';
import { loadScaleSimTopology } from './scalesim.js';
import type { Model } from './types.js';
import { loadZooModel, zooKey, zooNames } from './zoo.js';

export const MODEL_ARG_HELP = `a zoo network (see \`hwsim zoo\`) or a weights file: ${WEIGHT_FORMATS}`;

/**
 * `name` a zoo network (seeded synthetic weights, `seed`), a weights file, or with `topology` also
 * a SCALE-Sim topology .csv (synthetic weights).
 */
export function loadModel(arg: string, opts: { seed?: number; topology?: boolean; load?: LoadOptions } = {}): Model {
  const seed = opts.seed ?? 1;
  if (opts.topology && /\.csv$/i.test(arg)) return loadScaleSimTopology(arg, seed);
  const key = zooKey(arg);
  if (key) return loadZooModel(key, seed);
  if (existsSync(arg)) return loadWeightsFile(arg, opts.load);
  throw new HwsimError(`'${arg}' is neither a zoo network nor an existing file`,
    `use one of: ${zooNames().join(', ')}; or give a path to a weights file (${WEIGHT_FORMATS}${opts.topology ? ', or a SCALE-Sim topology .csv' : ''})`);
}
