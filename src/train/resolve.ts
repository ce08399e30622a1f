/**
 * What `hwsim eval` and `hwsim deepsz` take as a model: a LeNet by name (the trained fixture), a
 * .safetensors of a LeNet (the fixtures' tensor names), or a .hwz image of a LeNet, decoded by
 * each layer's reference decoder. An image holds the weight layers only: the biases come from the
 * trained fixture (or `biases`, a .safetensors of the same LeNet).
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeContainer } from '../codecs/model-image.js';
import { HwsimError } from '../errors.js';
import { parseSafetensors } from '../models/loaders/safetensors.js';
import { zooLayers } from '../models/zoo.js';
import { fixturePath, lenetName, loadLenet, type LenetVariant } from './fixtures.js';
import { LENETS, type Lenet, type LenetName } from './lenet.js';

export interface ResolvedLenet {
  net: Lenet;
  /** where the weights came from, for the report */
  source: string;
  /** where the biases came from when not with the weights */
  biases?: string;
}

const HELP = `lenet-300-100 or lenet-5 (the trained fixtures), a .safetensors of one, or a .hwz image of one`;

/** The LeNet whose weight layers have these shapes, in order. */
function lenetByShapes(shapes: number[][]): LenetName | undefined {
  return LENETS.find((n) => {
    const specs = zooLayers(n);
    return specs.length === shapes.length && specs.every((s, i) => s.weightShape.join('x') === shapes[i].join('x'));
  });
}

export function resolveLenet(arg: string, opts: { variant?: LenetVariant; biases?: string } = {}): ResolvedLenet {
  const name = lenetName(arg);
  if (name && !existsSync(arg)) {
    const variant = opts.variant ?? 'pruned';
    return { net: loadLenet(name, variant), source: fixturePath(name, variant) };
  }
  if (!existsSync(arg)) throw new HwsimError(`'${arg}' is neither a LeNet nor an existing file`, `give ${HELP}`);
  if (/\.safetensors$/i.test(arg)) {
    const names = new Set(parseSafetensors(new Uint8Array(readFileSync(arg)), arg).map((t) => t.name));
    const which = names.has('fc1.weight') ? 'lenet-300-100' : names.has('ip1.weight') ? 'lenet-5' : undefined;
    if (!which) throw new HwsimError(`${arg} is not a LeNet: no tensor fc1.weight (lenet-300-100) or ip1.weight (lenet-5)`, `give ${HELP}`);
    return { net: loadLenet(which, 'pruned', arg), source: arg };
  }
  if (/\.hwz$/i.test(arg)) {
    const { image, layers } = decodeContainer(new Uint8Array(readFileSync(arg)), arg);
    if (image.model.synthetic) {
      throw new HwsimError(`${arg} holds synthetic weights (${image.model.name}): their accuracy means nothing`,
        'encode a trained LeNet: hwsim deepsz lenet-300-100 -o l.hwz, or hwsim encode test/fixtures/lenet/lenet-300-100.safetensors -o l.hwz');
    }
    const which = lenetByShapes(layers.map((l) => l.shape));
    if (!which) throw new HwsimError(`${arg} is not a LeNet image: its layer shapes ${layers.map((l) => l.shape.join('×')).join(', ')} match neither LeNet`, `give ${HELP}`);
    const biases = opts.biases ?? fixturePath(which, 'pruned');
    const net = loadLenet(which, 'pruned', biases);
    zooLayers(which).forEach((spec, i) => net.param(`${spec.name}.weight`).data.set(layers[i].values));
    return { net, source: arg, biases };
  }
  throw new HwsimError(`'${arg}' is not a LeNet, a .safetensors or a .hwz`, `give ${HELP}`);
}
