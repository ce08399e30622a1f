/** Turns the <model> argument of a command into a Model: a zoo name or a file users bring. */
import { existsSync } from 'node:fs';
import { HwsimError } from '../errors.js';
import { loadWeightsFile, WEIGHT_FORMATS } from '../models/loaders/index.js';
import type { Model } from '../models/types.js';
import { loadZooModel, zooKey, zooNames } from '../models/zoo.js';

export const MODEL_ARG_HELP = `a zoo network (see \`hwsim zoo\`) or a weights file: ${WEIGHT_FORMATS}`;

export function resolveModel(arg: string, seed: number): Model {
  const key = zooKey(arg);
  if (key) return loadZooModel(key, seed);
  if (existsSync(arg)) return loadWeightsFile(arg);
  throw new HwsimError(`'${arg}' is neither a zoo network nor an existing file`,
    `use one of: ${zooNames().join(', ')}; or give a path to a weights file (${WEIGHT_FORMATS})`);
}
