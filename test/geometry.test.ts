// Layer geometry from a model's own graph: a tfjs layers-model written here (padding, strides,
// dilation, depthwise with a multiplier, separable, a residual add, a concatenation, pooling),
// with every MAC count worked out by hand below; the trained nsfwjs MobileNetV2 and InceptionV3
// against counts made without the graph walker (the zoo's MobileNetV2, published InceptionV3
// figures); and graphs that cannot be walked, refused naming the node.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapLayer } from '../src/chip/mac-array.js';
import { walkGraph } from '../src/models/graph/ir.js';
import { kerasGraph } from '../src/models/graph/keras.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import type { Model } from '../src/models/types.js';
import { zooLayers } from '../src/models/zoo.js';
import { hwsimError } from './hwsim-error.js';

const dir = mkdtempSync(join(tmpdir(), 'hwsim-geometry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** MACs the chip's MAC array computes for the model (M·K·N per layer), not the walker's own figure. */
const chipMacs = (m: Model) => m.layers.reduce((a, l) => a + mapLayer(l.spec, l.weights.length, 'ws', 16, 16).macs, 0);

// ---------------------------------------------------------------- a Keras model written here

interface KLayer { class_name: string; name: string; config?: Record<string, unknown>; inbound?: string[] }
interface KWeight { name: string; shape: number[]; values?: number[] }

let count = 0;
/** A tfjs layers-model folder: model.json (Keras 2 functional topology) + one float32 shard. */
function kerasModel(layers: KLayer[], weights: KWeight[]): string {
  const folder = join(dir, `k${count++}`);
  mkdirSync(folder);
  const data: number[] = [];
  weights.forEach((w, wi) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) data.push(w.values ? w.values[i] : Math.sin(i * 0.37 + wi) * 0.2);
  });
  writeFileSync(join(folder, 'shard.bin'), new Uint8Array(Float32Array.from(data).buffer));
  const topology = {
    keras_version: '2.2.4', backend: 'tensorflow',
    model_config: {
      class_name: 'Model',
      config: {
        name: 'm',
        layers: layers.map((l) => ({
          name: l.name, class_name: l.class_name, config: { name: l.name, ...l.config },
          inbound_nodes: l.inbound ? [l.inbound.map((s) => [s, 0, 0, {}])] : [],
        })),
        input_layers: [[layers[0].name, 0, 0]], output_layers: [[layers[layers.length - 1].name, 0, 0]],
      },
    },
  };
  const manifest = [{ paths: ['shard.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }];
  writeFileSync(join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: manifest }));
  return join(folder, 'model.json');
}

const TINY: KLayer[] = [
  { class_name: 'InputLayer', name: 'in', config: { batch_input_shape: [null, 32, 32, 3] } },
  { class_name: 'ZeroPadding2D', name: 'pad', config: { padding: [[1, 2], [1, 2]] }, inbound: ['in'] },
  { class_name: 'Conv2D', name: 'c1', config: { filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'valid' }, inbound: ['pad'] },
  { class_name: 'BatchNormalization', name: 'bn1', config: { epsilon: 0.001 }, inbound: ['c1'] },
  { class_name: 'ReLU', name: 'r1', inbound: ['bn1'] },
  { class_name: 'DepthwiseConv2D', name: 'dw', config: { kernel_size: [3, 3], strides: [2, 2], padding: 'same', depth_multiplier: 2 }, inbound: ['r1'] },
  { class_name: 'Conv2D', name: 'pw', config: { filters: 16, kernel_size: [1, 1], padding: 'same' }, inbound: ['dw'] },
  { class_name: 'Conv2D', name: 'dil', config: { filters: 16, kernel_size: [3, 3], padding: 'same', dilation_rate: [2, 2] }, inbound: ['dw'] },
  { class_name: 'Add', name: 'add', inbound: ['pw', 'dil'] },
  { class_name: 'SeparableConv2D', name: 'sep', config: { filters: 24, kernel_size: [3, 3], padding: 'valid' }, inbound: ['add'] },
  { class_name: 'MaxPooling2D', name: 'mp', config: { pool_size: [2, 2], padding: 'same' }, inbound: ['sep'] },
  { class_name: 'AveragePooling2D', name: 'ap', config: { pool_size: [2, 2], strides: [2, 2], padding: 'same' }, inbound: ['sep'] },
  { class_name: 'Concatenate', name: 'cat', config: { axis: -1 }, inbound: ['mp', 'ap'] },
  { class_name: 'GlobalAveragePooling2D', name: 'gap', inbound: ['cat'] },
  { class_name: 'Dropout', name: 'drop', config: { rate: 0.5 }, inbound: ['gap'] },
  { class_name: 'Dense', name: 'fc', config: { units: 10 }, inbound: ['drop'] },
];
const GAMMA = [1, 2, 0.5, 1, 1, 3, 1, 0.25];
const VAR = [1, 4, 0.25, 0.999, 1, 1, 8.999, 1];
const TINY_WEIGHTS: KWeight[] = [
  { name: 'c1/kernel', shape: [3, 3, 3, 8] },
  { name: 'bn1/gamma', shape: [8], values: GAMMA },
  { name: 'bn1/beta', shape: [8] },
  { name: 'bn1/moving_mean', shape: [8] },
  { name: 'bn1/moving_variance', shape: [8], values: VAR },
  { name: 'dw/depthwise_kernel', shape: [3, 3, 8, 2] },
  { name: 'pw/kernel', shape: [1, 1, 16, 16] },
  { name: 'dil/kernel', shape: [3, 3, 16, 16] },
  { name: 'sep/depthwise_kernel', shape: [3, 3, 16, 1] },
  { name: 'sep/pointwise_kernel', shape: [1, 1, 16, 24] },
  { name: 'fc/kernel', shape: [48, 10] },
  { name: 'fc/bias', shape: [10] },
];

// By hand: out = floor((in + pads − k) / s) + 1 ('valid'), ceil(in / s) ('same'); MACs = out² · filters · (in channels / groups) · k².
//   pad  32 + 1 + 2 = 35
//   c1   floor((35 − 3) / 2) + 1 = 17: 17·17·8·3·9           = 62,424
//   dw   ceil(17 / 2) = 9, 8 channels × 2: 9·9·16·1·9        = 11,664
//   pw   9·9·16·16                                           = 20,736
//   dil  'same', dilation 2 (span 5): 9·9·16·16·9            = 186,624
//   add  9×9×16; sep depthwise 'valid' 3×3: 7·7·16·9         = 7,056
//        sep pointwise 7·7·24·16                             = 18,816
//   mp, ap  ceil(7 / 2) = 4: 4×4×24 each; cat 4×4×48; gap 48
//   fc   48·10                                               = 480
const TINY_MACS = 62_424 + 11_664 + 20_736 + 186_624 + 7_056 + 18_816 + 480;

describe('a tfjs layers-model written here: shapes walked from the input', () => {
  const path = kerasModel(TINY, TINY_WEIGHTS);

  it('gives every weight layer its exact output size, padding, stride and MACs (hand count above)', () => {
    const m = loadWeightsFile(path);
    expect(m.geometry).toBe('graph');
    expect(m.layers.map((l) => l.spec.name)).toEqual(['c1', 'dw', 'pw', 'dil', 'sep/depthwise', 'sep/pointwise', 'fc']);
    expect(chipMacs(m)).toBe(TINY_MACS);
    const spec = Object.fromEntries(m.layers.map((l) => [l.spec.name, l.spec]));
    // SCALE-Sim geometry: the padded rows a window reads, (out − 1)·s + k
    expect(spec.c1).toMatchObject({ kind: 'conv', ifmapH: 35, ifmapW: 35, stride: 2, channels: 3, filters: 8, weightShape: [8, 3, 3, 3] });
    expect(spec.dw).toMatchObject({ kind: 'dwconv', ifmapH: 19, stride: 2, channels: 8, filters: 16, weightShape: [16, 1, 3, 3] });
    expect(spec.dil).toMatchObject({ kind: 'conv', ifmapH: 11, channels: 16, filters: 16 });
    expect(spec['sep/depthwise']).toMatchObject({ kind: 'dwconv', ifmapH: 9, channels: 16, filters: 16 });
    expect(spec.fc).toMatchObject({ kind: 'fc', ifmapH: 1, channels: 48, filters: 10, weightShape: [10, 48] });
    expect(m.description).toMatch(/geometry from the graph \(input 32×32×3\): 0\.3 M MACs; 1 adds and 1 concatenations of branches walked; activation traffic is modelled as a chain/);
  });

  it('resolves same padding as TensorFlow does and keeps every tensor shape', () => {
    const names = new Set(TINY_WEIGHTS.map((w) => w.name));
    const w = walkGraph(kerasGraph(JSON.parse(JSON.stringify({ model_config: { class_name: 'Model', config: { layers: TINY.map((l) => ({
      name: l.name, class_name: l.class_name, config: { name: l.name, ...l.config }, inbound_nodes: l.inbound ? [l.inbound.map((s) => [s, 0, 0, {}])] : [],
    })) } } })), 'm', names)!.graph);
    const by = Object.fromEntries(w.layers.map((l) => [l.node, l]));
    expect(by.c1).toMatchObject({ inShape: [35, 35, 3], outShape: [17, 17, 8], pads: { top: 0, left: 0, bottom: 0, right: 0 } });
    // same, 17 → 9 at stride 2: total pad (9 − 1)·2 + 3 − 17 = 2, one each side
    expect(by.dw).toMatchObject({ inShape: [17, 17, 8], outShape: [9, 9, 16], pads: { top: 1, left: 1, bottom: 1, right: 1 }, groups: 8 });
    // same with dilation 2: span 5, total pad 4
    expect(by.dil).toMatchObject({ outShape: [9, 9, 16], pads: { top: 2, left: 2, bottom: 2, right: 2 }, dilation: [2, 2] });
    expect(w.shapes.get('cat')).toEqual([4, 4, 48]);
    expect(w.shapes.get('gap')).toEqual([48]);
    expect(w.joins).toEqual({ adds: 1, concats: 1 });
    expect(w.branches).toBe(true);
  });

  it('--fold-bn scales each output channel of the conv before it by γ / √(σ² + ε)', () => {
    const plain = loadWeightsFile(path).layers[0].weights;
    const m = loadWeightsFile(path, { foldBn: true });
    const folded = m.layers[0].weights;
    const per = 3 * 3 * 3;
    for (let o = 0; o < 8; o++) {
      const k = GAMMA[o] / Math.sqrt(VAR[o] + 0.001);
      for (let i = o * per; i < (o + 1) * per; i++) expect(folded[i]).toBeCloseTo(plain[i] * k, 6);
    }
    expect(m.layers[1].weights).toEqual(loadWeightsFile(path).layers[1].weights); // the BN follows c1 only
    expect(m.description).toContain('1 BatchNormalizations folded');
  });
});

describe('graphs that cannot be walked: refused naming the node', () => {
  const input = { class_name: 'InputLayer', name: 'in', config: { batch_input_shape: [null, 4, 4, 2] } };
  const conv = (name: string, k: number, inbound: string[], filters = 3) =>
    ({ class_name: 'Conv2D', name, config: { filters, kernel_size: [k, k], padding: 'valid' }, inbound });

  it('a window larger than its input (a negative output size)', () => {
    const p = kerasModel([input, conv('big', 7, ['in'])], [{ name: 'big/kernel', shape: [7, 7, 2, 3] }]);
    expect(hwsimError(() => loadWeightsFile(p)).message)
      .toBe(`${p} (Keras topology): node 'big' (Conv2D): a 7×7 window (stride 1×1, dilation 1×1) on a 4×4 input gives a -2×-2 output`);
  });

  it('a cycle', () => {
    const p = kerasModel([input, conv('a', 1, ['b']), conv('b', 1, ['a'], 2)],
      [{ name: 'a/kernel', shape: [1, 1, 2, 3] }, { name: 'b/kernel', shape: [1, 1, 3, 2] }]);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p} (Keras topology): node 'a': the graph has a cycle (through 'a', 'b')`);
  });

  it('a kernel whose shape disagrees with the layer the graph gives it', () => {
    const p = kerasModel([input, conv('c', 3, ['in'])], [{ name: 'c/kernel', shape: [3, 3, 5, 3] }]);
    expect(hwsimError(() => loadWeightsFile(p)).message)
      .toBe(`${p}: weight 'c/kernel' has shape [3, 3, 5, 3]; layer 'c' (Conv2D) on a [4, 4, 2] input needs [3, 2, 3, 3] (canonical order)`);
  });

  it('an unknown layer class; --skip-unsupported passes a weightless one through', () => {
    const p = kerasModel([input, { class_name: 'Lambda', name: 'fn', inbound: ['in'] }, conv('c', 3, ['fn'])], [{ name: 'c/kernel', shape: [3, 3, 2, 3] }]);
    const e = hwsimError(() => loadWeightsFile(p));
    expect(e.message).toBe(`${p} (Keras topology): layer 'fn' (Lambda): hwsim does not know this layer class`);
    expect(e.fix).toMatch(/--skip-unsupported/);
    const m = loadWeightsFile(p, { skipUnsupported: true });
    expect(chipMacs(m)).toBe(2 * 2 * 3 * 2 * 9);
    expect(m.description).toContain('1 unsupported nodes passed through unchanged (fn: Lambda)');
  });

  it('a symbolic input size needs --input-shape', () => {
    const p = kerasModel([{ ...input, config: { batch_input_shape: [null, null, null, 2] } }, conv('c', 3, ['in'])], [{ name: 'c/kernel', shape: [3, 3, 2, 3] }]);
    expect(hwsimError(() => loadWeightsFile(p)).fix).toBe('give the size to walk the graph with: --input-shape 1,224,224,2');
    expect(chipMacs(loadWeightsFile(p, { inputShape: [1, 10, 6, 2] }))).toBe(8 * 4 * 3 * 2 * 9);
    expect(hwsimError(() => loadWeightsFile(p, { inputShape: [1, 10, 6, 5] })).message).toMatch(/disagrees with the model's fixed input size 2 on axis 3/);
  });
});

// ---------------------------------------------------------------- trained models

const MODELS = join(import.meta.dirname, '..', '.cache', 'models');
const MOBILENET = join(MODELS, 'nsfwjs-mobilenet_v2', 'model.json');
const INCEPTION = join(MODELS, 'nsfwjs-inception_v3', 'model.json');

describe.skipIf(!existsSync(MOBILENET))('nsfwjs MobileNetV2 (Keras, 224×224) — needs `bash scripts/fetch-models.sh`', () => {
  it('MACs equal a count without the graph: the zoo\'s MobileNetV2 convs + the nsfwjs head 1280→256→128→5', () => {
    const m = loadWeightsFile(MOBILENET);
    // the zoo builds MobileNetV2 from Sandler et al.'s table, with its own shape arithmetic (zoo.ts)
    const zooConvs = zooLayers('mobilenetv2').filter((s) => s.kind !== 'fc')
      .reduce((a, s) => a + mapLayer(s, s.weightShape.reduce((x, y) => x * y, 1), 'ws', 16, 16).macs, 0);
    const independent = zooConvs + 1280 * 256 + 256 * 128 + 128 * 5;
    const macs = chipMacs(m);
    expect(Math.abs(macs / independent - 1)).toBeLessThan(0.005);
    expect(macs).toBe(independent); // in fact exactly
    expect(macs).toBe(299_855_360);
  });

  it('layer shapes: stride-2 stem on the padded 225×225 input, 7×7 at the end, the head on 1280 features', () => {
    const s = Object.fromEntries(loadWeightsFile(MOBILENET).layers.map((l) => [l.spec.name, l.spec]));
    expect(s.Conv1).toMatchObject({ ifmapH: 225, stride: 2, channels: 3, filters: 32 }); // ZeroPadding2D ((0, 1), (0, 1)) then 'valid'
    expect(s.block_13_depthwise).toMatchObject({ kind: 'dwconv', ifmapH: 15, stride: 2, channels: 576 }); // 14 → 7
    expect(s.block_16_project).toMatchObject({ ifmapH: 7, channels: 960, filters: 320 });
    expect(s.dense_1).toMatchObject({ kind: 'fc', ifmapH: 1, channels: 1280, filters: 256 });
  });
});

describe.skipIf(!existsSync(INCEPTION))('nsfwjs InceptionV3 (Keras, 299×299) — needs `bash scripts/fetch-models.sh`', () => {
  it('MACs within 0.5 % of the published 5.71 G (torchvision inception_v3 at 299, whose fc 2048→1000 is 2.0 M)', () => {
    const m = loadWeightsFile(INCEPTION);
    const convs = chipMacs(m) - (2048 * 256 + 256 * 128 + 128 * 5); // nsfwjs head: 2048→256→128→5 (checked below)
    expect(Math.abs((convs + 2048 * 1000) / 5.71e9 - 1)).toBeLessThan(0.005);
    expect(m.layers.filter((l) => l.spec.kind === 'conv')).toHaveLength(94);
    expect(m.layers.filter((l) => l.spec.kind === 'fc').map((l) => l.spec.weightShape)).toEqual([[256, 2048], [128, 256], [5, 128]]);
  });

  it('MACs equal a count written from the Keras InceptionV3 definition (conv2d_bn calls, no graph walking)', () => {
    let macs = 0, convs = 0;
    type T = { h: number; w: number; c: number };
    // conv2d_bn(x, filters, kh, kw, strides, padding): 'same' keeps the size at stride 1; 'valid': floor((n − k) / s) + 1
    const conv = (x: T, f: number, kh: number, kw: number, s = 1, valid = false): T => {
      const h = valid ? Math.floor((x.h - kh) / s) + 1 : Math.ceil(x.h / s);
      const w = valid ? Math.floor((x.w - kw) / s) + 1 : Math.ceil(x.w / s);
      macs += h * w * f * x.c * kh * kw;
      convs++;
      return { h, w, c: f };
    };
    const maxPool = (x: T): T => ({ h: Math.floor((x.h - 3) / 2) + 1, w: Math.floor((x.w - 3) / 2) + 1, c: x.c });
    const cat = (...xs: T[]): T => ({ ...xs[0], c: xs.reduce((a, x) => a + x.c, 0) });
    let x: T = { h: 299, w: 299, c: 3 };
    x = conv(x, 32, 3, 3, 2, true); x = conv(x, 32, 3, 3, 1, true); x = conv(x, 64, 3, 3);
    x = maxPool(x); x = conv(x, 80, 1, 1, 1, true); x = conv(x, 192, 3, 3, 1, true); x = maxPool(x);
    for (const pool of [32, 64, 64]) { // mixed0..2 (the average-pool branch keeps the size)
      x = cat(conv(x, 64, 1, 1), conv(conv(x, 48, 1, 1), 64, 5, 5), conv(conv(conv(x, 64, 1, 1), 96, 3, 3), 96, 3, 3), conv(x, pool, 1, 1));
    }
    x = cat(conv(x, 384, 3, 3, 2, true), conv(conv(conv(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, true), maxPool(x)); // mixed3
    for (const c of [128, 160, 160, 192]) { // mixed4..7
      const b7 = conv(conv(conv(x, c, 1, 1), c, 1, 7), 192, 7, 1);
      const b7d = conv(conv(conv(conv(conv(x, c, 1, 1), c, 7, 1), c, 1, 7), c, 7, 1), 192, 1, 7);
      x = cat(conv(x, 192, 1, 1), b7, b7d, conv(x, 192, 1, 1));
    }
    x = cat(conv(conv(x, 192, 1, 1), 320, 3, 3, 2, true), conv(conv(conv(conv(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, true), maxPool(x)); // mixed8
    for (let i = 0; i < 2; i++) { // mixed9, mixed10
      const b3 = conv(x, 384, 1, 1);
      const b3d = conv(conv(x, 448, 1, 1), 384, 3, 3);
      x = cat(conv(x, 320, 1, 1), conv(b3, 384, 1, 3), conv(b3, 384, 3, 1), conv(b3d, 384, 1, 3), conv(b3d, 384, 3, 1), conv(x, 192, 1, 1));
    }
    expect(x).toEqual({ h: 8, w: 8, c: 2048 });
    expect(convs).toBe(94);
    const head = 2048 * 256 + 256 * 128 + 128 * 5;
    expect(chipMacs(loadWeightsFile(INCEPTION))).toBe(macs + head);
  });

  it('stage shapes of Szegedy et al. 2016, Table 1: 35×35×288, 17×17×768, 8×8×1280, 8×8×2048', () => {
    const t = kerasGraph(JSON.parse(JSON.stringify(
      (JSON.parse(readFileSync(INCEPTION, 'utf8')) as { modelTopology: unknown }).modelTopology)), 'inception',
    new Set((JSON.parse(readFileSync(INCEPTION, 'utf8')) as { weightsManifest: { weights: { name: string }[] }[] })
      .weightsManifest.flatMap((g) => g.weights.map((w) => w.name))))!;
    const w = walkGraph(t.graph);
    expect(w.shapes.get('conv2d_1')).toEqual([149, 149, 32]);
    expect(w.shapes.get('mixed2')).toEqual([35, 35, 288]);
    expect(w.shapes.get('mixed7')).toEqual([17, 17, 768]);
    expect(w.shapes.get('mixed8')).toEqual([8, 8, 1280]);
    expect(w.shapes.get('mixed10')).toEqual([8, 8, 2048]);
    expect(w.joins.concats).toBe(15);
  });
});

// ---------------------------------------------------------------- a graph-model written here

/** A tfjs graph-model folder: GraphDef nodes as the converter writes them (ints as strings, strings base64). */
function graphModel(nodes: unknown[], weights: KWeight[]): string {
  const folder = join(dir, `g${count++}`);
  mkdirSync(folder);
  const data: number[] = [];
  weights.forEach((w, wi) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) data.push(w.values ? w.values[i] : Math.cos(i * 0.29 + wi) * 0.2);
  });
  writeFileSync(join(folder, 'shard.bin'), new Uint8Array(Float32Array.from(data).buffer));
  const consts = weights.map((w) => ({ name: w.name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT' } }, dtype: { type: 'DT_FLOAT' } } }));
  writeFileSync(join(folder, 'model.json'), JSON.stringify({
    format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.17.0',
    modelTopology: { node: [...consts, ...nodes], versions: { producer: 1 } },
    weightsManifest: [{ paths: ['shard.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
  }));
  return join(folder, 'model.json');
}
const b64 = (s: string) => Buffer.from(s).toString('base64');
const list = (...v: number[]) => ({ list: { i: v.map(String) } });
const NHWC = { s: b64('NHWC') };

// By hand: Pad 16 → 18; conv 3×3/2 VALID: floor((18 − 3) / 2) + 1 = 8: 8·8·8·3·9 = 13,824;
// depthwise 3×3/2 SAME: ceil(8 / 2) = 4: 4·4·8·9 = 1,152; conv 3×3/1 EXPLICIT pads 1: 4·4·16·8·9 = 18,432;
// Mean over H, W → 16; MatMul 16 → 5: 80.
const GD_MACS = 13_824 + 1_152 + 18_432 + 80;
const GD_NODES = [
  { name: 'input', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '-1' }, { size: '16' }, { size: '16' }, { size: '3' }] } } } },
  { name: 'pad', op: 'Pad', input: ['input', 'paddings'] },
  { name: 'conv', op: 'Conv2D', input: ['pad', 'w1'], attr: { strides: list(1, 2, 2, 1), padding: { s: b64('VALID') }, data_format: NHWC } },
  { name: 'dw', op: 'FusedDepthwiseConv2dNative', input: ['conv', 'wdw', 'bdw'], attr: { strides: list(1, 2, 2, 1), padding: { s: b64('SAME') }, dilations: list(1, 1, 1, 1), data_format: NHWC } },
  { name: 'conv2', op: '_FusedConv2D', input: ['dw', 'w2', 'b2'], attr: { strides: list(1, 1, 1, 1), padding: { s: b64('EXPLICIT') }, explicit_paddings: list(0, 0, 1, 1, 1, 1, 0, 0), data_format: NHWC } },
  { name: 'relu', op: 'Relu6', input: ['conv2'] },
  { name: 'mean', op: 'Mean', input: ['relu', 'axes'], attr: { keep_dims: { b: false } } },
  { name: 'fc', op: '_FusedMatMul', input: ['mean', 'wfc', 'bfc'], attr: { transpose_a: { b: false }, transpose_b: { b: false } } },
  { name: 'out', op: 'Identity', input: ['fc'] },
];
const GD_WEIGHTS: KWeight[] = [
  { name: 'paddings', shape: [4, 2], values: [0, 0, 1, 1, 1, 1, 0, 0] },
  { name: 'w1', shape: [3, 3, 3, 8] }, { name: 'wdw', shape: [3, 3, 8, 1] }, { name: 'bdw', shape: [8] },
  { name: 'w2', shape: [3, 3, 8, 16] }, { name: 'b2', shape: [16] }, { name: 'axes', shape: [2], values: [1, 2] },
  { name: 'wfc', shape: [16, 5] }, { name: 'bfc', shape: [5] },
];

describe('a tfjs graph-model written here (GraphDef nodes)', () => {
  it('walks Pad, VALID/SAME/EXPLICIT padding, strides, Mean and MatMul to the hand-counted MACs', () => {
    const m = loadWeightsFile(graphModel(GD_NODES, GD_WEIGHTS));
    expect(m.description).toMatch(/^TensorFlow\.js graph-model/);
    expect(chipMacs(m)).toBe(GD_MACS);
    const s = Object.fromEntries(m.layers.map((l) => [l.spec.name, l.spec]));
    expect(s.conv).toMatchObject({ ifmapH: 17, stride: 2, channels: 3, filters: 8 });
    expect(s.dw).toMatchObject({ kind: 'dwconv', ifmapH: 9, stride: 2, channels: 8, filters: 8 });
    expect(s.conv2).toMatchObject({ ifmapH: 6, channels: 8, filters: 16 });
    expect(s.fc).toMatchObject({ kind: 'fc', channels: 16, filters: 5, weightShape: [5, 16] });
  });

  it('refuses an unknown op by name; a cycle by name', () => {
    const p = graphModel([...GD_NODES.slice(0, 2), { name: 'up', op: 'ResizeBilinear', input: ['pad', 'axes'] }, { ...GD_NODES[2], input: ['up', 'w1'] }, ...GD_NODES.slice(3)], GD_WEIGHTS);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p} (graph-model): unsupported ops: up (ResizeBilinear)`);
    expect(chipMacs(loadWeightsFile(p, { skipUnsupported: true }))).toBe(GD_MACS);
    const c = graphModel([GD_NODES[0], { ...GD_NODES[1], input: ['relu', 'paddings'] }, ...GD_NODES.slice(2)], GD_WEIGHTS);
    expect(hwsimError(() => loadWeightsFile(c)).message).toMatch(/node 'pad': the graph has a cycle \(through 'pad', 'conv', 'dw', 'conv2', 'relu', \.\.\.\)/);
  });
});

const MID = join(MODELS, 'nsfwjs-mobilenet_v2_mid', 'model.json');
describe.skipIf(!existsSync(MID))('nsfwjs MobileNetV2 1.4 graph-model — needs `bash scripts/fetch-models.sh`', () => {
  it('MACs within 0.5 % of TF-slim\'s published 582 M for mobilenet_v2_1.4_224 (whose 1792→1001 logits are 1.79 M)', () => {
    const m = loadWeightsFile(MID);
    const convs = chipMacs(m) - 1792 * 5;
    expect(Math.abs((convs + 1792 * 1001) / 582e6 - 1)).toBeLessThan(0.005);
    expect(m.layers.filter((l) => l.spec.kind === 'dwconv')).toHaveLength(17);
    expect(m.layers[0].spec).toMatchObject({ ifmapH: 225, stride: 2, filters: 48 }); // SAME at stride 2 on 224: one row of padding, at the end
  });
});
