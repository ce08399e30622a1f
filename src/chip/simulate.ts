/**
 * An image on the chip: the DRAM serves exactly the container's bytes (each layer's record
 * prefix into the staging buffer, then its payload words into the FIFO), the decoder slot takes
 * each layer's source from the codec registry (sources.ts), and the same chip runs the int8
 * baseline (every layer a raw record, as `hwsim encode` would write it with int8 weights).
 */
import { Worker } from 'node:worker_threads';
import type { ContainerImage } from '../codecs/container.js';
import { layerHeaderBytes } from '../codecs/container.js';
import { ByteWriter } from '../codecs/bytes.js';
import type { CodecId, LayerHeader } from '../codecs/codec.js';
import { compactedSpec, keptChannels, neededWeights } from './act-sparsity.js';
import { codecById } from '../codecs/registry.js';
import type { LayerSpec } from '../models/types.js';
import { activationTraffic } from './activation.js';
import type { ChipConfig } from './config.js';
import { mapLayer } from './mac-array.js';
import { runPipeline, type ChipLayer, type PipelineResult } from './pipeline.js';
import { sourcesFor, type SourceOptions } from './sources.js';

/** The weight layers as the int8 baseline sees them: the topology only. */
export interface PlainLayer {
  spec: LayerSpec;
  params: number;
}

const countOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A record's payload as 32-bit words (copied: a record's payload need not be 4-byte aligned in the
 * file), once per record: the points of a sweep share one image and so one copy (which also lets
 * the fast timing model keep what it derives from the words).
 */
const payloadWords = new WeakMap<Uint8Array, Uint32Array>();
function wordsOf(payload: Uint8Array): Uint32Array {
  let words = payloadWords.get(payload);
  if (!words) {
    words = new Uint32Array(Math.ceil(payload.length / 4));
    new Uint8Array(words.buffer).set(payload);
    payloadWords.set(payload, words);
  }
  return words;
}

/** The image's layers as the chip runs them: geometry, mapping, activation spills, DRAM bytes. */
export function chipLayers(image: ContainerImage, cfg: ChipConfig, act = activationTraffic(plainLayers(image), cfg.sramKb), firstIndex = 0): ChipLayer[] {
  return image.layers.map((layer, i): ChipLayer => {
    const spec = image.specs[i];
    const params = countOf(layer.shape);
    const { prefix, payload } = image.records[i];
    // a coded layer's words as the container reader decoded them (its verification walked them)
    const words = layer.codec === 'tans' && layer.words.length * 4 === payload.length ? layer.words : wordsOf(payload);
    const sparse = sparsityOf(spec, layer.shape, layer.codec, firstIndex + i, cfg);
    return {
      name: spec.name, codec: layer.codec, params: sparse?.params ?? params, words: words.length, prefix, payload: words,
      needed: sparse?.needed,
      mapping: sparse?.mapping ?? mapLayer(spec, params, cfg.dataflow, cfg.macRows, cfg.macCols),
      actReadBytes: act[i].read, actWriteBytes: act[i].write,
    };
  });
}

/**
 * With `--act-sparsity p` (src/chip/act-sparsity.ts): the weights the array needs and the
 * compacted layer it computes, or undefined when every weight is needed. The sz decoder writes
 * whole rows (its layers run dense).
 */
function sparsityOf(spec: LayerSpec, shape: readonly number[], codec: CodecId, index: number, cfg: ChipConfig) {
  if (!(cfg.actSparsity > 0) || codec === 'sz') return undefined;
  const kept = keptChannels(spec, index, cfg.actSparsity);
  if (kept.every((k) => k === 1)) return undefined;
  const needed = neededWeights(spec, shape, kept);
  let params = 0;
  for (let j = 0; j < needed.length; j++) params += needed[j];
  return { needed, params, mapping: mapLayer(compactedSpec(spec, kept), params, cfg.dataflow, cfg.macRows, cfg.macCols) };
}

export function plainLayers(image: ContainerImage): PlainLayer[] {
  return image.layers.map((l, i) => ({ spec: image.specs[i], params: countOf(l.shape) }));
}

/** The record prefix of a raw int8 layer of this shape (bins 255, one step), as the container writes it. */
function rawPrefix(shape: readonly number[]): Uint8Array {
  const header: LayerHeader = { codec: 'raw', shape: [...shape], quant: { bins: 255, step: 1 } };
  const bytes = layerHeaderBytes(header);
  const w = new ByteWriter();
  w.u8(codecById('raw').tag);
  w.varint(bytes.length);
  w.bytes(bytes);
  w.varint(countOf(shape));
  return w.result();
}

/** The int8 baseline's layers: raw records (the bypass never looks at the weight values). */
export function int8ChipLayers(layers: readonly PlainLayer[], cfg: ChipConfig, act = activationTraffic(layers, cfg.sramKb)): ChipLayer[] {
  return layers.map((l, i): ChipLayer => {
    // the same activation sparsity as the coded run: the baseline skips the same weights
    const sparse = sparsityOf(l.spec, l.spec.weightShape, 'raw', i, cfg);
    return {
      name: l.spec.name, codec: 'raw', params: sparse?.params ?? l.params, words: Math.ceil(l.params / 4), prefix: rawPrefix(l.spec.weightShape),
      needed: sparse?.needed,
      mapping: sparse?.mapping ?? mapLayer(l.spec, l.params, cfg.dataflow, cfg.macRows, cfg.macCols),
      actReadBytes: act[i].read, actWriteBytes: act[i].write,
    };
  });
}

/** Maps every layer (cheap); throws the HwsimError a bad topology deserves before any long work. */
export function checkMapping(layers: readonly PlainLayer[], cfg: ChipConfig): void {
  for (const l of layers) mapLayer(l.spec, l.params, cfg.dataflow, cfg.macRows, cfg.macCols);
}

export type ProgressFn = (layer: number, layers: number) => void;

/** The image's layers on the chip (chipLayers), in this thread. */
export function runImage(image: ContainerImage, cfg: ChipConfig, layers: ChipLayer[],
  opts: SourceOptions & { onProgress?: ProgressFn } = {}): PipelineResult {
  return runPipeline(cfg, layers, sourcesFor(cfg, image, opts), { onProgress: opts.onProgress, dramTrace: opts.dramTrace });
}

/** The int8 baseline: the same chip, every layer's weights raw int8 through the bypass. */
export function runInt8(layers: readonly PlainLayer[], cfg: ChipConfig, onProgress?: ProgressFn): PipelineResult {
  const raw = sourcesFor(cfg, { model: { name: '', source: '', synthetic: false, description: '' }, options: {}, specs: [], layers: [] });
  return runPipeline(cfg, int8ChipLayers(layers, cfg), raw, { onProgress });
}

/**
 * Starts the int8 baseline on a worker thread (it needs only the topology, so it can run while the
 * main thread encodes). Runs in the calling thread when no compiled worker is at hand (the test
 * runner executes the TypeScript sources).
 */
export function startInt8(layers: readonly PlainLayer[], cfg: ChipConfig): { result: () => Promise<PipelineResult>; cancel: () => void } {
  const url = new URL('./int8-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js')) return { result: () => Promise.resolve(runInt8(layers, cfg)), cancel: () => undefined };
  const plain = layers.map((l) => ({ spec: l.spec, params: l.params }));
  // constructed synchronously, so that the worker runs while this thread is busy encoding
  const worker = new Worker(url, { workerData: { layers: plain, cfg } });
  const result = new Promise<PipelineResult>((resolve, reject) => {
    worker.once('message', (m: PipelineResult) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`internal: int8 worker exited with ${code}`)); });
  });
  result.catch(() => undefined); // reported when awaited
  return { result: () => result, cancel: () => { void worker.terminate(); } };
}

