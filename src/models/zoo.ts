/**
 * The model zoo: exact layer shapes of well-known networks, with seeded synthetic weights.
 * `zooLayers` gives the topology alone (fast, no weights); `loadZooModel` adds seeded Laplace
 * weights (src/models/synthetic.ts), labelled synthetic.
 *
 * Only conv / depthwise-conv / fc kernels are weights here; biases, batch-norm parameters,
 * position embeddings and LayerNorm are not (a few per cent at most; see docs/MODELS.md).
 *
 * Geometry follows SCALE-Sim: the ifmap is given already padded and the output size is
 * ceil((H − R + S) / S). The zoo gives each conv the padded ifmap it actually reads,
 *
 *   ifmap = (out − 1)·S + R,   out = floor((H + 2·pad − R) / S) + 1   (the framework's size)
 *
 * which is H + 2·pad for every stride-1 layer and leaves out the padded rows a strided conv never
 * reaches (ResNet-50 conv1: 229, not 230, so that SCALE-Sim's formula gives 112 like PyTorch
 * instead of 113). Every layer's output size is thus the next layer's input size.
 */
import { HwsimError } from '../errors.js';
import { syntheticModel, weightCount } from './synthetic.js';
import type { LayerSpec, Model } from './types.js';

/** What happens to a tensor between the layer that produced it and the layer that reads it. */
export type ZooOp =
  | { op: 'pool'; k: number; s: number; p: number } // max/avg pool, framework (floor) output size
  | { op: 'gap' } // global average pool → 1×1
  | { op: 'flatten' } // H×W×C → 1×1×(H·W·C)
  | { op: 'tokens' } // H×W×C patch grid → (H·W + 1 class token) tokens × 1, C features
  | { op: 'attention' } // qkv (3·D features) → attention output (D features), same tokens
  | { op: 'cls' }; // tokens → the class token only

/** A tensor reference: the output of layer `from` (null: the network input) after `via`. */
export interface ZooRef {
  from: string | null;
  via: ZooOp[];
}

/** A layer with how it connects, for checking that the shapes chain. */
export interface ZooNode extends ZooRef {
  spec: LayerSpec;
  /** unpadded input as the framework sees it (for fc: tokens × 1 × features) */
  inH: number;
  inW: number;
  inC: number;
  /** the framework padding of a conv (0 for fc) */
  pad: number;
  /** for the last layer of a residual block: the tensor its output is added to */
  residual?: ZooRef;
}

interface T extends ZooRef {
  h: number;
  w: number;
  c: number;
}

class Net {
  readonly nodes: ZooNode[] = [];
  private readonly names = new Set<string>();

  input(h: number, w: number, c: number): T {
    return { h, w, c, from: null, via: [] };
  }

  private add(node: ZooNode): void {
    if (this.names.has(node.spec.name)) throw new Error(`zoo: duplicate layer name ${node.spec.name}`);
    this.names.add(node.spec.name);
    this.nodes.push(node);
  }

  conv(name: string, x: T, filters: number, k: number, s: number, p: number, depthwise = false): T {
    const out = Math.floor((x.h + 2 * p - k) / s) + 1;
    const outW = Math.floor((x.w + 2 * p - k) / s) + 1;
    const spec: LayerSpec = {
      name,
      kind: depthwise ? 'dwconv' : 'conv',
      ifmapH: (out - 1) * s + k,
      ifmapW: (outW - 1) * s + k,
      filterH: k,
      filterW: k,
      channels: x.c,
      filters: depthwise ? x.c : filters,
      stride: s,
      weightShape: depthwise ? [x.c, 1, k, k] : [filters, x.c, k, k],
    };
    this.add({ spec, from: x.from, via: x.via, inH: x.h, inW: x.w, inC: x.c, pad: p });
    return { h: out, w: outW, c: spec.filters, from: name, via: [] };
  }

  dw(name: string, x: T, k: number, s: number, p: number): T {
    return this.conv(name, x, x.c, k, s, p, true);
  }

  /** fc over x.h tokens (x.w must be 1). */
  fc(name: string, x: T, outputs: number): T {
    if (x.w !== 1) throw new Error(`zoo: fc ${name} on a ${x.h}x${x.w} input`);
    const spec: LayerSpec = {
      name, kind: 'fc', ifmapH: x.h, ifmapW: 1, filterH: 1, filterW: 1,
      channels: x.c, filters: outputs, stride: 1, weightShape: [outputs, x.c],
    };
    this.add({ spec, from: x.from, via: x.via, inH: x.h, inW: 1, inC: x.c, pad: 0 });
    return { h: x.h, w: 1, c: outputs, from: name, via: [] };
  }

  /** Records that layer `onto`'s output is added to `x`. */
  residual(onto: string, x: T): void {
    const node = this.nodes.find((n) => n.spec.name === onto)!;
    node.residual = { from: x.from, via: x.via };
  }
}

function pool(x: T, k: number, s: number, p = 0): T {
  const h = Math.floor((x.h + 2 * p - k) / s) + 1;
  const w = Math.floor((x.w + 2 * p - k) / s) + 1;
  return { ...x, h, w, via: [...x.via, { op: 'pool', k, s, p }] };
}
function gap(x: T): T {
  return { ...x, h: 1, w: 1, via: [...x.via, { op: 'gap' }] };
}
function flatten(x: T): T {
  return { ...x, h: 1, w: 1, c: x.h * x.w * x.c, via: [...x.via, { op: 'flatten' }] };
}

// ---------------------------------------------------------------------------------------------
// networks

/** torchvision ResNet (v1.5: a bottleneck's stride sits on its 3×3 conv). */
function resnet(blocks: number[], bottleneck: boolean): ZooNode[] {
  const n = new Net();
  let x = n.conv('conv1', n.input(224, 224, 3), 64, 7, 2, 3);
  x = pool(x, 3, 2, 1);
  const expansion = bottleneck ? 4 : 1;
  const widths = [64, 128, 256, 512];
  for (let li = 0; li < 4; li++) {
    const planes = widths[li];
    for (let b = 0; b < blocks[li]; b++) {
      const s = b === 0 && li > 0 ? 2 : 1;
      const pre = `layer${li + 1}.${b}`;
      const inp = x;
      let y: T;
      let last: string;
      if (bottleneck) {
        y = n.conv(`${pre}.conv1`, inp, planes, 1, 1, 0);
        y = n.conv(`${pre}.conv2`, y, planes, 3, s, 1);
        y = n.conv(`${pre}.conv3`, y, planes * expansion, 1, 1, 0);
        last = `${pre}.conv3`;
      } else {
        y = n.conv(`${pre}.conv1`, inp, planes, 3, s, 1);
        y = n.conv(`${pre}.conv2`, y, planes, 3, 1, 1);
        last = `${pre}.conv2`;
      }
      let id = inp;
      if (s !== 1 || inp.c !== planes * expansion) {
        id = n.conv(`${pre}.downsample`, inp, planes * expansion, 1, s, 0);
      }
      n.residual(last, id);
      x = y;
    }
  }
  n.fc('fc', gap(x), 1000);
  return n.nodes;
}

/** MobileNetV2 1.0 at 224 (torchvision): 17 inverted-residual blocks. */
function mobilenetv2(): ZooNode[] {
  const n = new Net();
  let x = n.conv('conv1', n.input(224, 224, 3), 32, 3, 2, 1);
  // t (expansion), c (output channels), n (repeats), s (first stride): Sandler et al. 2018, Table 2
  const settings: [number, number, number, number][] = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
  ];
  let block = 1;
  for (const [t, c, reps, s0] of settings) {
    for (let r = 0; r < reps; r++) {
      const s = r === 0 ? s0 : 1;
      const pre = `block${block++}`;
      const inp = x;
      let y = inp;
      if (t !== 1) y = n.conv(`${pre}.expand`, y, inp.c * t, 1, 1, 0);
      y = n.dw(`${pre}.dw`, y, 3, s, 1);
      y = n.conv(`${pre}.project`, y, c, 1, 1, 0);
      if (s === 1 && inp.c === c) n.residual(`${pre}.project`, inp);
      x = y;
    }
  }
  x = n.conv('conv_last', x, 1280, 1, 1, 0);
  n.fc('classifier', gap(x), 1000);
  return n.nodes;
}

/** VGG-16 (configuration D). */
function vgg16(): ZooNode[] {
  const n = new Net();
  let x = n.input(224, 224, 3);
  const cfg = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
  cfg.forEach((stage, si) => {
    stage.forEach((c, ci) => {
      x = n.conv(`conv${si + 1}_${ci + 1}`, x, c, 3, 1, 1);
    });
    x = pool(x, 2, 2);
  });
  // torchvision's adaptive 7×7 average pool is the identity at 224×224
  x = n.fc('fc6', flatten(x), 4096);
  x = n.fc('fc7', x, 4096);
  n.fc('fc8', x, 1000);
  return n.nodes;
}

/** torchvision's single-tower AlexNet (64/192/384/256/256 filters). */
function alexnet(): ZooNode[] {
  const n = new Net();
  let x = n.conv('conv1', n.input(224, 224, 3), 64, 11, 4, 2);
  x = n.conv('conv2', pool(x, 3, 2), 192, 5, 1, 2);
  x = n.conv('conv3', pool(x, 3, 2), 384, 3, 1, 1);
  x = n.conv('conv4', x, 256, 3, 1, 1);
  x = n.conv('conv5', x, 256, 3, 1, 1);
  // the adaptive 6×6 average pool is the identity at 224×224
  x = n.fc('fc6', flatten(pool(x, 3, 2)), 4096);
  x = n.fc('fc7', x, 4096);
  n.fc('fc8', x, 1000);
  return n.nodes;
}

/** LeNet-300-100: the MNIST MLP 784-300-100-10. */
function lenet300100(): ZooNode[] {
  const n = new Net();
  let x = flatten(n.input(28, 28, 1));
  x = n.fc('fc1', x, 300);
  x = n.fc('fc2', x, 100);
  n.fc('fc3', x, 10);
  return n.nodes;
}

/** Caffe's LeNet (examples/mnist/lenet_train_test.prototxt); Caffe's layer names. */
function lenet5(): ZooNode[] {
  const n = new Net();
  let x = n.conv('conv1', n.input(28, 28, 1), 20, 5, 1, 0);
  x = n.conv('conv2', pool(x, 2, 2), 50, 5, 1, 0);
  x = n.fc('ip1', flatten(pool(x, 2, 2)), 500);
  n.fc('ip2', x, 10);
  return n.nodes;
}

/** DeiT-B = ViT-B/16 at 224: 14×14 patches + class token = 197 tokens, width 768, 12 blocks. */
function deitB(): ZooNode[] {
  const n = new Net();
  const p = n.conv('patch_embed', n.input(224, 224, 3), 768, 16, 16, 0);
  let x: T = { h: p.h * p.w + 1, w: 1, c: p.c, from: p.from, via: [{ op: 'tokens' }] };
  for (let b = 0; b < 12; b++) {
    const pre = `blocks.${b}`;
    const inp = x;
    const qkv = n.fc(`${pre}.attn.qkv`, inp, 3 * 768);
    // QKᵀ and attention·V are activation × activation: no weights, not layers here
    const att = n.fc(`${pre}.attn.proj`, { ...qkv, c: 768, via: [{ op: 'attention' }] }, 768);
    n.residual(`${pre}.attn.proj`, inp);
    const h = n.fc(`${pre}.mlp.fc1`, att, 3072);
    x = n.fc(`${pre}.mlp.fc2`, h, 768);
    n.residual(`${pre}.mlp.fc2`, att);
  }
  n.fc('head', { ...x, h: 1, via: [{ op: 'cls' }] }, 1000);
  return n.nodes;
}

interface Entry {
  build: () => ZooNode[];
  title: string;
  input: string;
}

/** resnet50 first: it is the default network of examples and error messages. */
const ZOO: Record<string, Entry> = {
  resnet50: { build: () => resnet([3, 4, 6, 3], true), title: 'ResNet-50 (He et al. 2016)', input: '224x224' },
  resnet18: { build: () => resnet([2, 2, 2, 2], false), title: 'ResNet-18 (He et al. 2016)', input: '224x224' },
  resnet101: { build: () => resnet([3, 4, 23, 3], true), title: 'ResNet-101 (He et al. 2016)', input: '224x224' },
  mobilenetv2: { build: mobilenetv2, title: 'MobileNetV2 1.0 (Sandler et al. 2018)', input: '224x224' },
  vgg16: { build: vgg16, title: 'VGG-16 (Simonyan & Zisserman 2015)', input: '224x224' },
  alexnet: { build: alexnet, title: 'AlexNet (Krizhevsky 2014, torchvision single tower)', input: '224x224' },
  'lenet-300-100': { build: lenet300100, title: 'LeNet-300-100 (LeCun et al. 1998)', input: '28x28' },
  'lenet-5': { build: lenet5, title: 'LeNet-5 (Caffe variant)', input: '28x28' },
  'deit-b': { build: deitB, title: 'DeiT-B / ViT-B/16 (Touvron et al. 2021)', input: '224x224, 197 tokens' },
};

const cache = new Map<string, ZooNode[]>();

function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_ .]/g, '');
}

/** The canonical zoo name for `name` (case, '-', '_' and '.' ignored), or a HwsimError. */
/** The canonical zoo name `name` stands for (case, '-', '_' and '.' ignored), or undefined. */
export function zooKey(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(ZOO, name)) return name;
  const want = normalise(String(name));
  return Object.keys(ZOO).find((k) => normalise(k) === want);
}

function resolve(name: string): string {
  const key = zooKey(name);
  if (key) return key;
  throw new HwsimError(`'${name}' is not a zoo network`, `use one of: ${zooNames().join(', ')}`);
}

/** The zoo's networks, canonical names (resnet50 first). */
export function zooNames(): string[] {
  return Object.keys(ZOO);
}

/** Every layer of a zoo network with how it connects (for shape checks). Do not modify. */
export function zooGraph(name: string): readonly ZooNode[] {
  const key = resolve(name);
  let nodes = cache.get(key);
  if (!nodes) {
    nodes = ZOO[key].build();
    cache.set(key, nodes);
  }
  return nodes;
}

/** The layer shapes of a zoo network, topology only (fresh copies: callers may change them). */
export function zooLayers(name: string): LayerSpec[] {
  return zooGraph(name).map((n) => ({ ...n.spec, weightShape: [...n.spec.weightShape] }));
}

/** Total weights (conv/dwconv/fc kernels) of a zoo network. */
export function zooWeightCount(name: string): number {
  return zooGraph(name).reduce((a, n) => a + weightCount(n.spec), 0);
}

function shortCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e3).toFixed(1)}K`;
}

/** e.g. "ResNet-50 (He et al. 2016), 224x224, 25.5M weights" */
export function zooDescription(name: string): string {
  const key = resolve(name);
  const e = ZOO[key];
  return `${e.title}, ${e.input}, ${shortCount(zooWeightCount(key))} weights`;
}

/** A zoo network with seeded synthetic (Laplace) weights; labelled synthetic. */
export function loadZooModel(name: string, seed = 1): Model {
  const key = resolve(name);
  const desc = `${zooDescription(key)}; synthetic weights (seeded Laplace, seed ${seed}), not trained`;
  return syntheticModel(key, 'synthetic zoo', zooLayers(key), seed, desc);
}
