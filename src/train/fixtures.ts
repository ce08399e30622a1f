/**
 * The trained LeNets the project ships (test/fixtures/lenet/, written by scripts/train-lenet.ts):
 * `<name>-dense.safetensors` (trained) and `<name>.safetensors` (FC layers pruned by magnitude and
 * fine-tuned with the mask: the model DeepSZ starts from). Float32 weights and biases by the
 * names of src/train/lenet.ts; the training settings and the top-1 in the metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HwsimError } from '../errors.js';
import { parseSafetensors } from '../models/loaders/safetensors.js';
import type { Model } from '../models/types.js';
import { zooDescription, zooLayers } from '../models/zoo.js';
import { packageRoot } from '../package-root.js';
import { Lenet, LENETS, type LenetName } from './lenet.js';

export type LenetVariant = 'pruned' | 'dense';

export function fixturePath(name: LenetName, variant: LenetVariant): string {
  return join(packageRoot(), 'test', 'fixtures', 'lenet', `${name}${variant === 'dense' ? '-dense' : ''}.safetensors`);
}

/** The LeNet a name stands for ('lenet-300-100', 'lenet5', ...), or undefined. */
export function lenetName(arg: string): LenetName | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ .]/g, '');
  return LENETS.find((n) => norm(n) === norm(arg));
}

/** A trained LeNet from its fixture file (or any .safetensors with the same parameter names). */
export function loadLenet(name: LenetName, variant: LenetVariant = 'pruned', path = fixturePath(name, variant)): Lenet {
  if (!existsSync(path)) {
    throw new HwsimError(`the trained ${name} is not at ${path}`, 'train it with `node dist/scripts/train-lenet.js` (after `npx tsc -p .`)');
  }
  const tensors = parseSafetensors(new Uint8Array(readFileSync(path)), path);
  const net = new Lenet(name);
  for (const p of net.params) {
    const t = tensors.find((x) => x.name === p.name);
    if (!t) throw new HwsimError(`${path}: no tensor '${p.name}'`, `a ${name} file holds ${net.params.map((q) => q.name).join(', ')}`);
    if (t.shape.join('x') !== p.shape.join('x')) throw new HwsimError(`${path}: tensor '${p.name}' has shape ${t.shape.join('×')}, ${name} needs ${p.shape.join('×')}`);
    p.data.set(t.data);
  }
  return net;
}

/** The LeNet as an hwsim model: the zoo's layer specs with the trained weights (biases are not layers). */
export function lenetModel(net: Lenet, source: string): Model {
  const specs = zooLayers(net.name);
  return {
    name: net.name, source, synthetic: false,
    description: `${zooDescription(net.name)}; trained by hwsim on the mnist package's digits (scripts/train-lenet.ts)`,
    layers: specs.map((spec) => ({ spec, weights: Float32Array.from(net.param(`${spec.name}.weight`).data) })),
  };
}
