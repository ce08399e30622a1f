/**
 * Activation sparsity (`--act-sparsity p`, src/chip/act-sparsity.ts): the seeded mask of zero
 * input channels, the weights it frees (against a by-hand rule per layer kind), the compacted
 * layer the array computes; then every source delivering exactly the needed weights: the
 * wavelet-matrix unit's deliveries against the reference decoder's values at those positions (in
 * every RAS form), its random-access cycles against an independent count with the rank cache, the
 * tANS engine still decoding every symbol, and holding a settled source changing nothing.
 */
import { describe, expect, it } from 'vitest';
import { compactedSpec, keptChannels, neededWeights } from '../src/chip/act-sparsity.js';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { WordFifo } from '../src/chip/fifo.js';
import { mapLayer } from '../src/chip/mac-array.js';
import { runPipeline } from '../src/chip/pipeline.js';
import { chipLayers } from '../src/chip/simulate.js';
import { sourcesFor } from '../src/chip/sources.js';
import { TansSource } from '../src/chip/tans-source.js';
import { RawBypass, rawBypassWidth, type WeightSource } from '../src/chip/weight-source.js';
import { RANK_CYCLES, WmSource, wmSelectCycles, wmSource } from '../src/chip/wm-source.js';
import type { WmLayer } from '../src/codecs/codec.js';
import { readContainer, writeContainer } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { layerMatrix, wmCodec } from '../src/codecs/wm/index.js';
import { RowAccess } from '../src/codecs/wm/ras.js';
import { CachedAccess } from '../src/codecs/wm/rank-cache.js';
import type { LayerSpec } from '../src/models/types.js';
import { assignCodes } from '../src/codecs/wm/matrix.js';
import { codeTree } from '../src/codecs/wm/nodes.js';
import { loadZooModel } from '../src/models/zoo.js';
import { neverSettled, sourcesBy } from './chip-fixtures.js';
import { runModel } from '../src/run.js';

const conv: LayerSpec = { name: 'c', kind: 'conv', ifmapH: 8, ifmapW: 8, filterH: 3, filterW: 3, channels: 10, filters: 4, stride: 1, weightShape: [4, 10, 3, 3] };
const fc: LayerSpec = { name: 'f', kind: 'fc', ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: 20, filters: 3, stride: 1, weightShape: [3, 20] };
const dw: LayerSpec = { name: 'd', kind: 'dwconv', ifmapH: 8, ifmapW: 8, filterH: 3, filterW: 3, channels: 6, filters: 6, stride: 1, weightShape: [6, 1, 3, 3] };

describe('the mask and the weights it frees', () => {
  it('zeroes round(p·C) input channels, seeded per layer, none in the first layer', () => {
    const a = keptChannels(conv, 3, 0.5);
    expect(a.reduce((s, k) => s + k, 0)).toBe(5);
    expect(keptChannels(conv, 3, 0.5)).toEqual(a); // deterministic
    expect(keptChannels(conv, 4, 0.5)).not.toEqual(a); // another layer, another mask
    expect(keptChannels(conv, 0, 0.9).every((k) => k === 1)).toBe(true);
    expect(keptChannels(conv, 2, 0.999).reduce((s, k) => s + k, 0)).toBe(1); // never every channel
  });

  it('frees exactly the weights of the zero channels ([out, in, kh, kw], [out, in], depthwise [C, 1, kh, kw])', () => {
    for (const spec of [conv, fc, dw]) {
      const kept = keptChannels(spec, 1, 0.5);
      const needed = neededWeights(spec, spec.weightShape, kept);
      const [, inC] = spec.weightShape;
      const inner = spec.weightShape.slice(2).reduce((a, b) => a * b, 1);
      needed.forEach((v, j) => {
        // by hand: the input channel of flat weight j
        const c = spec.kind === 'dwconv' ? Math.floor(j / inner) : Math.floor(j / inner) % inC;
        expect(v).toBe(kept[c]);
      });
      const count = needed.reduce((a, b) => a + b, 0);
      // the compacted layer holds exactly the needed weights (mapLayer checks K·N against them)
      const m = mapLayer(compactedSpec(spec, kept), count, 'ws', 16, 16);
      expect(m.groupWeights.reduce((a, b) => a + b, 0)).toBe(count);
    }
  });
});

function lenet(opts: { threshold?: number; tupleZeros?: number; codec?: 'wm' | 'tans' } = {}) {
  return readContainer(writeContainer(encodeModel(loadZooModel('lenet-5', 1), {
    codec: opts.codec ?? 'wm', bins: 15, wmFprThreshold: opts.threshold ?? 16, wmTupleZeros: opts.tupleZeros ?? 1,
  })), 'l5.hwz');
}

function runWm(cfg: ChipConfig, image: ReturnType<typeof lenet>, wrap: (s: WeightSource) => WeightSource = (s) => s) {
  const got = image.layers.map(() => new Map<number, number>());
  const index = new Map(image.specs.map((s, i) => [s.name, i]));
  const wm = wmSource(cfg, image, (name, pos, sym) => {
    const m = got[index.get(name)!];
    if (m.has(pos)) throw new Error(`weight ${pos} of ${name} delivered twice`);
    m.set(pos, sym);
  });
  const layers = chipLayers(image, cfg);
  const r = runPipeline(cfg, layers, sourcesBy({ raw: wrap(new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle))), wm: wrap(wm) }));
  return { r, got, layers, wm: wm as WmSource };
}

describe('the wavelet-matrix unit serves only the needed weights', () => {
  for (const [what, o] of [['block- and element-wise', {}], ['all element-wise', { threshold: 1e9 }], ['tuples', { tupleZeros: 0 }]] as const) {
    it(`delivers the reference decoder's values at exactly the needed positions (${what}, p = 0.5)`, () => {
      const cfg: ChipConfig = { ...DEFAULT_CHIP, actSparsity: 0.5 };
      const image = lenet(o);
      const { r, got, layers } = runWm(cfg, image);
      let sparseLayers = 0;
      image.layers.forEach((layer, i) => {
        const needed = layers[i].needed;
        if (i === 0) expect(needed).toBeUndefined(); // the image's channels are never zero
        if (layer.codec !== 'wm' || !needed) return;
        sparseLayers++;
        const ref = wmCodec.decode(layer);
        const positions = [...got[i].keys()].sort((a, b) => a - b);
        const expected = [...needed.keys()].filter((j) => needed[j]);
        expect(positions).toEqual(expected);
        expect(positions.length).toBeLessThan(ref.length);
        expect(positions.map((p) => got[i].get(p))).toEqual(positions.map((p) => ref[p]));
        expect(r.layers[i].weightsDelivered).toBe(expected.length);
      });
      expect(sparseLayers).toBe(2);
    });
  }

  it('element-wise random access takes the cycles of its model: per needed weight 1 + a directory read per rank miss, a select per row entered', () => {
    const image = lenet({ threshold: 1e9 });
    const i = 2; // ip1: fc, 500 rows of 800
    const layer = image.layers[i] as WmLayer;
    expect(layer.form).toBe('element');
    const lanes = 4;
    const cfg: ChipConfig = { ...DEFAULT_CHIP, actSparsity: 0.5, decoders: lanes };
    const chip = chipLayers(image, cfg)[i];
    const needed = chip.needed!;
    // the independent count: each lane's slice of needed weights through its own per-node cache
    const list = [...needed.keys()].filter((j) => needed[j]);
    const slice = Math.ceil(list.length / lanes);
    const rows = new RowAccess(layerMatrix(layer), layer);
    const select = wmSelectCycles(layer);
    expect(select).toBeGreaterThan(0);
    let longest = 0;
    for (let k = 0; k < lanes; k++) {
      const cache = new CachedAccess(layerMatrix(layer), 'node');
      let cycles = 0;
      let row = -1;
      for (const pos of list.slice(k * slice, (k + 1) * slice)) {
        const r = Math.floor(pos / 800);
        if (r !== row) { row = r; cycles += r === 0 ? 0 : select; } // row 0 starts at 0: no select
        const before = cache.stats.misses;
        cache.access(rows.rowStart(r) + pos % 800);
        cycles += 1 + (RANK_CYCLES - 1) * (cache.stats.misses - before);
      }
      longest = Math.max(longest, cycles);
    }
    // the unit alone: every payload word in the FIFO, unlimited buffer room
    const unit = wmSource(cfg, image) as WmSource;
    const fifo = new WordFifo(chip.payload.length);
    fifo.reserve(chip.payload.length);
    fifo.fill(chip.payload, 0, chip.payload.length);
    unit.begin(chip, chip.prefix);
    let guard = 0;
    while (!unit.layerDone && guard++ < 1e7) unit.step(fifo, 1 << 30);
    expect(unit.phaseCycles.decode).toBe(longest);
    expect(unit.randomAccesses).toBe(list.length);
    // the per-node cursors hit most of the time within a row's needed channels
    expect(unit.randomMisses).toBeGreaterThan(0);
  });

  it('holding a settled unit changes no cycle under sparsity (stepped every cycle gives the same run)', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, actSparsity: 0.5, dramBytesPerCycle: 2 };
    for (const o of [{}, { threshold: 1e9 }, { tupleZeros: 0 }]) {
      const image = lenet(o);
      const a = runWm(cfg, image).r;
      const b = runWm(cfg, image, neverSettled).r;
      expect(a.totalCycles).toBe(b.totalCycles);
      expect(a.layers.map((l) => l.sourceEnd)).toEqual(b.layers.map((l) => l.sourceEnd));
    }
  });
});

describe('tANS and the raw bypass under sparsity', () => {
  it('tANS decodes every symbol and delivers only the needed ones; compute shrinks with the compacted layer', () => {
    const image = lenet({ codec: 'tans' });
    const dense = { ...DEFAULT_CHIP };
    const sparse: ChipConfig = { ...DEFAULT_CHIP, actSparsity: 0.9 };
    const run = (cfg: ChipConfig) => {
      const layers = chipLayers(image, cfg);
      const src = sourcesFor(cfg, image);
      return { r: runPipeline(cfg, layers, src), layers, tans: src('tans') as TansSource };
    };
    const a = run(dense);
    const b = run(sparse);
    const i = 2;
    const n = image.layers[i].shape.reduce((x, y) => x * y, 1);
    const needed = b.layers[i].needed!.reduce((x, y) => x + y, 0);
    expect(b.r.layers[i].weightsDelivered).toBe(needed);
    expect(needed).toBeLessThan(0.2 * n);
    // every symbol of the coded layers decoded: the dropped ones and the delivered ones
    const codedNeeded = [1, 2].reduce((s, j) => s + b.layers[j].needed!.reduce((x, y) => x + y, 0), 0);
    const codedAll = [1, 2].reduce((s, j) => s + image.layers[j].shape.reduce((x, y) => x * y, 1), 0);
    expect(b.tans.dropped + codedNeeded).toBe(codedAll);
    // the engine cannot jump: its span on the layer is at least n / lanes cycles, as when dense
    expect(b.r.layers[i].sourceEnd - b.r.layers[i].sourceStart).toBeGreaterThanOrEqual(Math.ceil(n / DEFAULT_CHIP.decoders));
    expect(b.r.layers[i].compute).toBeLessThan(a.r.layers[i].compute);
    // stepped every cycle: the same run
    const layers = chipLayers(image, sparse);
    const src = sourcesFor(sparse, image);
    const held = runPipeline(sparse, layers, sourcesBy({ raw: neverSettled(src('raw')), tans: neverSettled(src('tans')) }));
    expect(held.totalCycles).toBe(b.r.totalCycles);
  });

  it('the raw bypass delivers only the needed weights', () => {
    const image = lenet({ codec: 'tans' });
    const cfg: ChipConfig = { ...DEFAULT_CHIP, actSparsity: 0.5 };
    const layers = chipLayers(image, cfg);
    const r = runPipeline(cfg, layers, sourcesFor(cfg, image));
    const last = layers.length - 1;
    expect(image.layers[last].codec).toBe('raw');
    expect(r.layers[last].weightsDelivered).toBe(layers[last].needed!.reduce((x, y) => x + y, 0));
    expect(r.layers[last].weightsDelivered).toBeLessThan(image.layers[last].shape.reduce((x, y) => x * y, 1));
  });
});

describe('hwsim run --act-sparsity', () => {
  it('reports the layer\'s weights and bits per weight as when dense (the image is the same), fewer cycles and MACs', async () => {
    const model = loadZooModel('lenet-5', 1);
    const dense = (await runModel(model, { codec: 'wm', bins: 15 }, { chip: DEFAULT_CHIP })).report;
    const sparse = (await runModel(model, { codec: 'wm', bins: 15 }, { chip: { ...DEFAULT_CHIP, actSparsity: 0.9 } })).report;
    expect(sparse.layers.map((l) => l.params)).toEqual(dense.layers.map((l) => l.params));
    expect(sparse.layers.map((l) => l.bitsPerWeight)).toEqual(dense.layers.map((l) => l.bitsPerWeight));
    expect(sparse.tans.cycles).toBeLessThan(dense.tans.cycles);
    expect(sparse.macs).toBeLessThan(dense.macs);
    expect(sparse.chip.actSparsity).toBe(0.9);
  });
});

describe('block-wise under sparsity', () => {
  it('DECODE: per run of needed blocks RANK_CYCLES per internal node, then one cycle per weight, counted independently', () => {
    const model = loadZooModel('lenet-5', 1);
    // blocks of 25 weights (one input channel's 5×5 kernel of conv2), so that most hold no needed weight
    const coded = encodeModel(model, { codec: 'wm', bins: 15 });
    const i = 1;
    const dense = coded.layers[i] as WmLayer;
    coded.layers[i] = wmCodec.encode(wmCodec.decode(dense), { shape: dense.shape, quant: dense.quant },
      { states: 64, streams: 8, split: 'channel', effort: 'fast', wmForm: 'block', wmBlockWeights: 25 });
    const image = readContainer(writeContainer(coded), 'b.hwz');
    const layer = image.layers[i] as WmLayer;
    expect(layer.blockWeights).toBe(25);
    expect(layer.form).toBe('block');
    const lanes = 4;
    const cfg: ChipConfig = { ...DEFAULT_CHIP, actSparsity: 0.9, decoders: lanes };
    const chip = chipLayers(image, cfg)[i];
    const needed = chip.needed!;
    const n = needed.length;
    const B = layer.blockWeights;
    const nodes = codeTree(assignCodes(layer.lengths)).level.length;
    const blockNeeded = (b: number) => needed.subarray(b * B, (b + 1) * B).some((x) => x === 1);
    const slice = Math.ceil(n / lanes);
    let longest = 0;
    let jumped = 0;
    for (let k = 0; k < lanes; k++) {
      let cycles = 0;
      let inRun = false;
      for (let p = k * slice; p < Math.min(n, (k + 1) * slice); p++) {
        if (!blockNeeded(Math.floor(p / B))) { inRun = false; jumped++; continue; }
        if (!inRun) { cycles += RANK_CYCLES * nodes; inRun = true; }
        cycles++;
      }
      longest = Math.max(longest, cycles);
    }
    const unit = wmSource(cfg, image) as WmSource;
    const fifo = new WordFifo(chip.payload.length);
    fifo.reserve(chip.payload.length);
    fifo.fill(chip.payload, 0, chip.payload.length);
    unit.begin(chip, chip.prefix);
    let guard = 0;
    while (!unit.layerDone && guard++ < 1e7) unit.step(fifo, 1 << 30);
    expect(jumped).toBeGreaterThan(0.8 * n); // p = 0.9: most blocks jumped
    expect(unit.phaseCycles.decode).toBe(longest);
    // and the weights delivered are the reference's at exactly the needed positions
    const got = new Map<number, number>();
    const unit2 = wmSource(cfg, image, (_name, pos, sym) => got.set(pos, sym)) as WmSource;
    const fifo2 = new WordFifo(chip.payload.length);
    fifo2.reserve(chip.payload.length);
    fifo2.fill(chip.payload, 0, chip.payload.length);
    unit2.begin(chip, chip.prefix);
    while (!unit2.layerDone) unit2.step(fifo2, 1 << 30);
    const ref = wmCodec.decode(layer);
    const expected = [...needed.keys()].filter((j) => needed[j]);
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(expected);
    expect(expected.map((p) => got.get(p))).toEqual(expected.map((p) => ref[p]));
  });
});
