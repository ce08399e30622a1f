/** The model zoo: weight counts against published figures, shape chaining, synthetic weights. */
import { describe, expect, it } from 'vitest';
import { HwsimError } from '../src/errors.js';
import { fanIn, laplaceScale, syntheticModel, syntheticWeights, weightCount } from '../src/models/synthetic.js';
import type { LayerSpec } from '../src/models/types.js';
import { loadZooModel, zooDescription, zooGraph, zooLayers, zooNames, type ZooOp, type ZooRef } from '../src/models/zoo.js';

const sumWeights = (specs: LayerSpec[]) => specs.reduce((a, s) => a + weightCount(s), 0);
const sumFilters = (specs: LayerSpec[]) => specs.reduce((a, s) => a + s.filters, 0);
const fcBiases = (specs: LayerSpec[]) => specs.filter((s) => s.kind === 'fc').reduce((a, s) => a + s.filters, 0);
const convs = (specs: LayerSpec[]) => specs.filter((s) => s.kind !== 'fc');

/**
 * Published parameter totals (weights + biases + BN etc.) and what of them is not a weight here.
 * Sources:
 *  - torchvision model cards (docs.pytorch.org/vision/stable/models, "num_params"):
 *    resnet18 11,689,512; resnet50 25,557,032; resnet101 44,549,160; mobilenet_v2 3,504,872;
 *    vgg16 138,357,544; alexnet 61,100,840. ResNets/MobileNetV2: each conv is followed by a
 *    BatchNorm (γ, β: 2 per channel) and has no bias; only the classifier has a bias.
 *    VGG/AlexNet: every conv and fc has a bias, no BN.
 *  - DeiT-B: timm deit_base_patch16_224, 86,567,656 parameters (DeiT paper, Touvron et al. 2021,
 *    Table 1: 86M): weights + biases of patch_embed and every Linear + 2·768 per LayerNorm
 *    (2 per block + final) + pos_embed 197·768 + cls_token 768.
 *  - LeNet-300-100 and LeNet-5 (Caffe): Han et al. 2016 "Deep Compression", Tables 2–3: 267K and
 *    431K parameters: weights + one bias per output (266,610 and 431,080 exactly).
 */
const PUBLISHED: Record<string, { total: number; nonWeights: (s: LayerSpec[]) => number; weights: number }> = {
  resnet50: { total: 25_557_032, nonWeights: (s) => 2 * sumFilters(convs(s)) + fcBiases(s), weights: 25_502_912 },
  resnet18: { total: 11_689_512, nonWeights: (s) => 2 * sumFilters(convs(s)) + fcBiases(s), weights: 11_678_912 },
  resnet101: { total: 44_549_160, nonWeights: (s) => 2 * sumFilters(convs(s)) + fcBiases(s), weights: 44_442_816 },
  mobilenetv2: { total: 3_504_872, nonWeights: (s) => 2 * sumFilters(convs(s)) + fcBiases(s), weights: 3_469_760 },
  vgg16: { total: 138_357_544, nonWeights: (s) => sumFilters(s), weights: 138_344_128 },
  alexnet: { total: 61_100_840, nonWeights: (s) => sumFilters(s), weights: 61_090_496 },
  'lenet-300-100': { total: 266_610, nonWeights: (s) => sumFilters(s), weights: 266_200 },
  'lenet-5': { total: 431_080, nonWeights: (s) => sumFilters(s), weights: 430_500 },
  'deit-b': {
    total: 86_567_656,
    nonWeights: (s) => sumFilters(s) + (12 * 2 + 1) * 2 * 768 + 197 * 768 + 768,
    weights: 86_292_480,
  },
};

describe('zoo weight counts', () => {
  it('the published-figures table lists exactly the zoo networks, resnet50 first', () => {
    expect(Object.keys(PUBLISHED).sort()).toEqual([...zooNames()].sort());
    expect(zooNames()[0]).toBe('resnet50');
  });
  for (const [name, p] of Object.entries(PUBLISHED)) {
    it(`${name}: weights match the published total less biases/BN/embeddings`, () => {
      const specs = zooLayers(name);
      const w = sumWeights(specs);
      expect(w).toBe(p.weights);
      expect(w + p.nonWeights(specs)).toBe(p.total);
    });
  }
  it('ResNet-50: 25,502,912 weights, fc 2048 -> 1000, 4 downsample convs, 54 layers; ResNet-101 layer count; descriptions', () => {
    // ResNet-50 conv+fc incl. downsample convs; fc 2048 → 1000
    const r50 = zooLayers('resnet50');
    expect(sumWeights(r50)).toBe(25_502_912);
    expect(r50[r50.length - 1]).toMatchObject({ name: 'fc', kind: 'fc', channels: 2048, filters: 1000, weightShape: [1000, 2048] });
    expect(r50.filter((s) => s.name.endsWith('downsample'))).toHaveLength(4);
    expect(r50).toHaveLength(1 + 16 * 3 + 4 + 1);
    expect(zooLayers('resnet101')).toHaveLength(1 + 33 * 3 + 4 + 1);
    expect(zooDescription('resnet50')).toBe('ResNet-50 (He et al. 2016), 224x224, 25.5M weights');
    expect(zooDescription('vgg16')).toMatch(/138\.3M weights/);
    expect(zooDescription('lenet-300-100')).toMatch(/266\.2K weights/);
  });
});

describe('zoo layer conventions', () => {
  it('names are unique and shapes are consistent', () => {
    for (const name of zooNames()) {
      const specs = zooLayers(name);
      expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
      for (const s of specs) {
        expect(s.stride).toBeGreaterThanOrEqual(1);
        expect(s.ifmapH).toBeGreaterThanOrEqual(s.filterH);
        if (s.kind === 'fc') {
          expect(s).toMatchObject({ ifmapW: 1, filterH: 1, filterW: 1, stride: 1, weightShape: [s.filters, s.channels] });
        } else if (s.kind === 'dwconv') {
          expect(s.filters).toBe(s.channels);
          expect(s.weightShape).toEqual([s.channels, 1, s.filterH, s.filterW]);
        } else {
          expect(s.weightShape).toEqual([s.filters, s.channels, s.filterH, s.filterW]);
        }
      }
    }
  });
  it('SCALE-Sim geometry of named layers', () => {
    const r50 = zooLayers('resnet50');
    const get = (n: string) => r50.find((s) => s.name === n)!;
    // 7×7/2 on 224 padded by 3: the conv reads 229 of the 230 padded rows; ceil((229−7+2)/2) = 112
    expect(get('conv1')).toMatchObject({ ifmapH: 229, ifmapW: 229, filterH: 7, channels: 3, filters: 64, stride: 2 });
    expect(get('layer1.0.conv2')).toMatchObject({ ifmapH: 58, ifmapW: 58, filterH: 3, channels: 64, filters: 64, stride: 1 });
    expect(get('layer1.0.downsample')).toMatchObject({ ifmapH: 56, filterH: 1, channels: 64, filters: 256, stride: 1 });
    expect(get('layer2.0.conv2')).toMatchObject({ ifmapH: 57, filterH: 3, channels: 128, filters: 128, stride: 2 });
    const mb = zooLayers('mobilenetv2');
    expect(mb.filter((s) => s.kind === 'dwconv')).toHaveLength(17);
    expect(mb.find((s) => s.name === 'block2.dw')).toMatchObject({ kind: 'dwconv', ifmapH: 113, channels: 96, filters: 96, stride: 2, weightShape: [96, 1, 3, 3] });
    expect(mb[mb.length - 1]).toMatchObject({ name: 'classifier', channels: 1280, filters: 1000 });
    const deit = zooLayers('deit-b');
    expect(deit[0]).toMatchObject({ name: 'patch_embed', ifmapH: 224, filterH: 16, stride: 16, channels: 3, filters: 768 });
    expect(deit.find((s) => s.name === 'blocks.11.attn.qkv')).toMatchObject({ kind: 'fc', ifmapH: 197, ifmapW: 1, channels: 768, filters: 2304 });
    expect(deit[deit.length - 1]).toMatchObject({ name: 'head', ifmapH: 1, channels: 768, filters: 1000 });
    expect(zooLayers('lenet-5').map((s) => s.weightShape)).toEqual([[20, 1, 5, 5], [50, 20, 5, 5], [500, 800], [10, 500]]);
  });
});

/** SCALE-Sim's output size (no padding). */
const ofmap = (h: number, r: number, s: number) => Math.ceil((h - r + s) / s);

/** The shape of a tensor reference, computed independently of the zoo builder. */
function shapeOf(ref: ZooRef, byName: Map<string, LayerSpec>, input: { h: number; w: number; c: number }) {
  let t = { ...input };
  if (ref.from !== null) {
    const p = byName.get(ref.from)!;
    expect(p, `producer ${ref.from}`).toBeDefined();
    t = { h: ofmap(p.ifmapH, p.filterH, p.stride), w: ofmap(p.ifmapW, p.filterW, p.stride), c: p.filters };
  }
  for (const op of ref.via as ZooOp[]) {
    switch (op.op) {
      case 'pool':
        t = { ...t, h: Math.floor((t.h + 2 * op.p - op.k) / op.s) + 1, w: Math.floor((t.w + 2 * op.p - op.k) / op.s) + 1 };
        break;
      case 'gap': t = { ...t, h: 1, w: 1 }; break;
      case 'flatten': t = { h: 1, w: 1, c: t.h * t.w * t.c }; break;
      case 'tokens': t = { h: t.h * t.w + 1, w: 1, c: t.c }; break;
      case 'attention': expect(t.c % 3).toBe(0); t = { ...t, c: t.c / 3 }; break;
      case 'cls': t = { ...t, h: 1 }; break;
    }
  }
  return t;
}

describe('zoo layers chain', () => {
  for (const name of zooNames()) {
    it(`${name}: each layer's input is its producer's output`, () => {
      const nodes = zooGraph(name);
      const byName = new Map(nodes.map((n) => [n.spec.name, n.spec]));
      const input = name.startsWith('lenet') ? { h: 28, w: 28, c: 1 } : { h: 224, w: 224, c: 3 };
      const order = new Map(nodes.map((n, i) => [n.spec.name, i]));
      nodes.forEach((n, i) => {
        const s = n.spec;
        if (n.from !== null) expect(order.get(n.from)!).toBeLessThan(i);
        const t = shapeOf(n, byName, input);
        expect({ h: t.h, w: t.w, c: t.c }, s.name).toEqual({ h: n.inH, w: n.inW, c: n.inC });
        expect(s.channels).toBe(n.inC);
        if (s.kind === 'fc') {
          expect(s.ifmapH).toBe(n.inH);
        } else {
          // the padded ifmap gives PyTorch's output size under SCALE-Sim's formula
          const torch = Math.floor((n.inH + 2 * n.pad - s.filterH) / s.stride) + 1;
          expect(ofmap(s.ifmapH, s.filterH, s.stride), s.name).toBe(torch);
          expect(s.ifmapH).toBeLessThanOrEqual(n.inH + 2 * n.pad);
          expect(s.ifmapH).toBeGreaterThan(n.inH + 2 * n.pad - s.stride);
        }
        if (n.residual) {
          const r = shapeOf(n.residual, byName, input);
          const o = { h: ofmap(s.ifmapH, s.filterH, s.stride), w: ofmap(s.ifmapW, s.filterW, s.stride), c: s.filters };
          expect(r, `residual of ${s.name}`).toEqual(o);
        }
      });
      // every layer but the last feeds some later layer
      const used = new Set(nodes.flatMap((n) => [n.from, n.residual?.from]));
      for (const n of nodes.slice(0, -1)) expect(used.has(n.spec.name), n.spec.name).toBe(true);
    });
  }
  it('has 16 / 10 / 24 residual connections in resnet50 / mobilenetv2 / deit-b', () => {
    expect(zooGraph('resnet50').filter((n) => n.residual)).toHaveLength(16);
    expect(zooGraph('mobilenetv2').filter((n) => n.residual)).toHaveLength(10);
    expect(zooGraph('deit-b').filter((n) => n.residual)).toHaveLength(24);
  });
});

describe('synthetic weights', () => {
  it('loads a zoo model labelled synthetic', () => {
    const m = loadZooModel('lenet-5', 3);
    expect(m).toMatchObject({ name: 'lenet-5', source: 'synthetic zoo', synthetic: true });
    expect(m.description).toMatch(/synthetic/);
    expect(m.layers.map((l) => l.weights.length)).toEqual(m.layers.map((l) => weightCount(l.spec)));
  });
  it('is deterministic per seed', () => {
    const bytes = (seed: number) => loadZooModel('lenet-5', seed).layers.map((l) => Buffer.from(l.weights.buffer));
    const a = bytes(1), b = bytes(1), c = bytes(2);
    a.forEach((x, i) => expect(x.equals(b[i])).toBe(true));
    a.forEach((x, i) => expect(x.equals(c[i])).toBe(false));
    // layers differ from each other even with the same shape
    const specs = zooLayers('resnet50').filter((s) => s.name === 'layer1.1.conv2' || s.name === 'layer1.2.conv2');
    const [w1, w2] = syntheticWeights(specs, 1);
    expect(Buffer.from(w1.buffer).equals(Buffer.from(w2.buffer))).toBe(false);
  });
  it('draws Laplace(0, 1/sqrt(fanIn))', () => {
    const specs = zooLayers('resnet50');
    const pick = ['conv1', 'layer3.0.conv2', 'layer4.0.downsample', 'fc'].map((n) => specs.find((s) => s.name === n)!);
    const ws = syntheticWeights(pick, 7);
    pick.forEach((s, i) => {
      const w = ws[i];
      const b = laplaceScale(s);
      expect(b).toBeCloseTo(Math.sqrt(2 / fanIn(s)) / Math.SQRT2, 12);
      let mean = 0, abs = 0, sq = 0, pos = 0;
      for (const v of w) { mean += v; abs += Math.abs(v); sq += v * v; if (v > 0) pos++; }
      const n = w.length;
      mean /= n; abs /= n; sq /= n;
      // Laplace(0, b): E|x| = b, E x² = 2b² (std = sqrt(2/fanIn), He's), median 0; bounds are 5
      // standard errors: sd(x) = b√2, sd(|x|) = b, sd(x²) = √20·b², sd(sign) = 1
      const se = 5 / Math.sqrt(n);
      expect(Math.abs(mean) / b).toBeLessThan(Math.SQRT2 * se);
      expect(Math.abs(abs / b - 1)).toBeLessThan(se);
      expect(Math.abs(sq / (2 * b * b) - 1)).toBeLessThan((Math.sqrt(20) / 2) * se);
      expect(Math.abs(pos / n - 0.5)).toBeLessThan(0.5 * se);
      // kurtosis: Laplace's is 6 (a Gaussian's 3)
      let m4 = 0;
      for (const v of w) m4 += v ** 4;
      expect(m4 / n / (sq * sq)).toBeGreaterThan(n > 1e5 ? 5.5 : 4.5);
    });
  });
  it('uses kh·kw as the fan-in of a depthwise conv', () => {
    const dw = zooLayers('mobilenetv2').find((s) => s.kind === 'dwconv')!;
    expect(fanIn(dw)).toBe(9);
  });
  it('loads ResNet-50 with all 25,502,912 weights (its speed is measured in bench/, not asserted here)', () => {
    const m = loadZooModel('resnet50', 1);
    expect(m.layers.reduce((a, l) => a + l.weights.length, 0)).toBe(25_502_912);
  });
  it('builds a model from any specs (e.g. a SCALE-Sim topology)', () => {
    const specs: LayerSpec[] = [{ name: 'CONV_DP', kind: 'dwconv', ifmapH: 10, ifmapW: 10, filterH: 3, filterW: 3, channels: 8, filters: 8, stride: 1, weightShape: [8, 1, 3, 3] }];
    const m = syntheticModel('t', 'topo.csv', specs, 5, 'SCALE-Sim topology, synthetic weights');
    expect(m).toMatchObject({ name: 't', source: 'topo.csv', synthetic: true });
    expect(m.layers[0].weights).toHaveLength(72);
    expect(() => syntheticWeights(specs, 1.5)).toThrow(HwsimError);
  });
});

describe('zoo names', () => {
  it('rejects an unknown name, listing the zoo', () => {
    let err: unknown;
    try { zooLayers('resnet51'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HwsimError);
    const e = err as HwsimError;
    expect(e.message).toContain('resnet51');
    for (const n of zooNames()) expect(e.fix).toContain(n);
    expect(() => loadZooModel('nope')).toThrow(HwsimError);
    expect(() => zooDescription('nope')).toThrow(HwsimError);
  });
  it('accepts spelling variants', () => {
    expect(zooLayers('ResNet-50')).toEqual(zooLayers('resnet50'));
    expect(loadZooModel('LeNet_5').name).toBe('lenet-5');
  });
  it('returns copies callers may change', () => {
    const a = zooLayers('lenet-5');
    a[0].weightShape[0] = 99;
    a[0].filters = 99;
    expect(zooLayers('lenet-5')[0].weightShape[0]).toBe(20);
    expect(zooLayers('lenet-5')[0].filters).toBe(20);
  });
});

describe('synthetic weights are drawn when first read, and digested by their recipe', () => {
  it('the same bytes as drawing them at once; a digest that tells seeds apart without drawing any', async () => {
    const { modelDigest } = await import('../src/io/image-cache.js');
    const a = loadZooModel('lenet-5', 1);
    // nothing drawn yet: every layer's weights are behind a getter
    expect(a.layers.every((l) => typeof Object.getOwnPropertyDescriptor(l, 'weights')?.get === 'function')).toBe(true);
    const digest = modelDigest(a);
    expect(modelDigest(loadZooModel('lenet-5', 1))).toBe(digest);
    expect(modelDigest(loadZooModel('lenet-5', 2))).not.toBe(digest);
    expect(a.weightRecipe).toMatch(/seed 1, generator [0-9a-f]{64}/);
    const eager = syntheticWeights(a.layers.map((l) => l.spec), 1);
    a.layers.forEach((l, i) => expect(l.weights).toEqual(eager[i]));
    // read twice: the same array (drawn once)
    expect(a.layers[0].weights).toBe(a.layers[0].weights);
  });
});
