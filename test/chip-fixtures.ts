/**
 * Chip-test fixtures: layers as the chip sees them, built the way `hwsim run` builds them. Coded
 * layers go through the real encoders and the container (writeContainer → readContainer →
 * chipLayers), so that DRAM serves exactly the bytes of a .hwz file; raw layers are the int8
 * baseline's records (int8ChipLayers). Activation traffic is zero unless a test sets it.
 */
import type { ChipConfig } from '../src/chip/config.js';
import type { ChipLayer, PipelineResult } from '../src/chip/pipeline.js';
import { chipLayers, int8ChipLayers } from '../src/chip/simulate.js';
import type { WeightSource } from '../src/chip/weight-source.js';
import type { CodecId, CodedLayer } from '../src/codecs/codec.js';
import { readContainer, writeContainer, type ContainerImage } from '../src/codecs/container.js';
import { rawCodec } from '../src/codecs/raw/index.js';
import { tansCodec } from '../src/codecs/tans/index.js';
import type { LayerSpec } from '../src/models/types.js';

export const countOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Symbols from a two-sided geometric distribution around the middle bin, from a fixed LCG. */
export function symbols(n: number, bins: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  const mid = (bins - 1) >> 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    let u = s / 2 ** 32;
    let k = 0;
    while (u < 0.5 && k < mid) { k++; u *= 2; }
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = mid + ((s & 1) ? k : -k);
  }
  return out;
}

/** A layer to put in an image: tANS (states, streams, bins) or raw int8 (bins 255). */
export type LayerRecipe =
  | { spec: LayerSpec; codec: 'tans'; states: number; streams: number; bins: number; seed?: number }
  | { spec: LayerSpec; codec: 'raw'; seed?: number };

/** Encodes one layer with the real encoder (tANS: verified by decoding, fast effort, channel split). */
export function encodeLayer(r: LayerRecipe): CodedLayer {
  const shape = [...r.spec.weightShape];
  if (r.codec === 'raw') return rawCodec.encode(symbols(countOf(shape), 255, r.seed ?? 7), { shape, quant: { bins: 255, step: 1 } }, { states: 64, streams: 1, split: 'channel', effort: 'fast' });
  return tansCodec.encode(symbols(countOf(shape), r.bins, r.seed ?? 7), { shape, quant: { bins: r.bins, step: 1 } },
    { states: r.states, streams: r.streams, split: 'channel', effort: 'fast' });
}

/** The layers as a .hwz file's bytes, read back: what `hwsim run file.hwz` simulates. */
export function containerOf(recipes: readonly LayerRecipe[]): ContainerImage {
  const bytes = writeContainer({
    model: { name: 'test', source: 'test', synthetic: true, description: 'chip test fixture' },
    options: {}, specs: recipes.map((r) => r.spec), layers: recipes.map(encodeLayer),
  });
  return readContainer(bytes, 'test.hwz');
}

/** The image's layers on the chip, activation traffic zero. */
export function chipImage(cfg: ChipConfig, recipes: readonly LayerRecipe[]): { image: ContainerImage; layers: ChipLayer[] } {
  const image = containerOf(recipes);
  return { image, layers: chipLayers(image, cfg, recipes.map(() => ({ ifmap: 0, ofmap: 0, read: 0, write: 0 }))) };
}

/** A raw int8 layer as the int8 baseline runs it (its record prefix is real, its payload dummy), no activations. */
export function int8Layer(cfg: ChipConfig, spec: LayerSpec): ChipLayer {
  return int8ChipLayers([{ spec, params: countOf(spec.weightShape) }], cfg, [{ ifmap: 0, ofmap: 0, read: 0, write: 0 }])[0];
}

/** sourceOf from a table of sources by codec. */
export function sourcesBy(table: Partial<Record<CodecId, WeightSource>>): (codec: CodecId) => WeightSource {
  return (codec) => {
    const s = table[codec];
    if (!s) throw new Error(`test: no source for codec ${codec}`);
    return s;
  };
}

/** The same source, never considered settled: the pipeline then steps it every cycle. */
export function neverSettled(s: WeightSource): WeightSource {
  return {
    lanes: s.lanes, isDecoder: s.isDecoder, readsWordValues: s.readsWordValues, settleCycles: Number.POSITIVE_INFINITY,
    begin: (l, prefix) => s.begin(l, prefix),
    preload: s.preload ? (l, prefix) => s.preload!(l, prefix) : undefined,
    step: (f, sp) => s.step(f, sp),
    get popped() { return s.popped; },
    get layerDone() { return s.layerDone; },
  };
}

/** sourcesFor (or any sourceOf) with every source wrapped once by `wrap`. */
export function wrapped(inner: (codec: CodecId) => WeightSource, wrap: (s: WeightSource) => WeightSource): (codec: CodecId) => WeightSource {
  const built = new Map<CodecId, WeightSource>();
  return (codec) => {
    let s = built.get(codec);
    if (!s) { s = wrap(inner(codec)); built.set(codec, s); }
    return s;
  };
}

/** Every figure of a run, everything the report is made of (not its diagnostics: steps, stretches, jumps). */
export function figures(r: PipelineResult) {
  return {
    total: r.totalCycles, layers: r.layers, weightBytes: r.dramWeightBytes, headerBytes: r.dramHeaderBytes,
    actBytes: r.dramActBytes, fifoFull: r.fifoFullCycles, peak: r.peakWindowBytes, device: r.dramDevice,
  };
}

/** A seeded generator of integers below n (the chip tests' random chips and networks). */
export function lcg(seed: number): (n: number) => number {
  return (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
}
