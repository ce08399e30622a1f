/** Turns the <model> argument of a command into a Model: a zoo name or a file users bring. */
import { existsSync } from 'node:fs';
import { HwsimError } from '../errors.js';
import { loadWeightsFile } from '../models/loaders/index.js';
import type { Model } from '../models/types.js';
import { loadZooModel, zooNames } from '../models/zoo.js';

export const MODEL_ARG_HELP =
  'a zoo network (see `hwsim zoo`) or a weights file: .npy, .npz, .safetensors, tfjs model.json';

export function resolveModel(arg: string, seed: number): Model {
  if (zooNames().includes(arg)) return loadZooModel(arg, seed);
  if (existsSync(arg)) return loadWeightsFile(arg);
  throw new HwsimError(`'${arg}' is neither a zoo network nor an existing file`,
    `use one of: ${zooNames().join(', ')}; or give a path to ${MODEL_ARG_HELP.split(': ')[1]}`);
}
