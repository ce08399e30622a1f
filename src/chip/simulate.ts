/**
 * Runs an encoded model on the chip twice: with its tANS-coded weights through the decoders, and
 * the same chip with plain int8 weights (raw codec: DRAM bytes = weights, no decoder, bypass) as
 * the baseline. Builds the chip's view of each layer (GEMM mapping, DRAM image, activation
 * spills) and derives the per-layer figures the reports print.
 */
import { Worker } from 'node:worker_threads';
import type { EncodedLayer, EncodedModel } from '../codecs/model-codec.js';
import type { LayerSpec } from '../models/types.js';
import type { ChipConfig } from './config.js';
import { PEAK_WINDOW_CYCLES } from './dram.js';
import { gemmDims, mapLayer } from './mac-array.js';
import { runPipeline, STALL_CAUSES, type ChipLayer, type PipelineResult, type StallCause } from './pipeline.js';
import { TansSource, tansEngineModel, type TansEngineFactory } from './tans-source.js';
import { RawBypass, rawBypassWidth, type WeightSource } from './weight-source.js';

export type Bound = 'compute' | 'dram' | 'decoder';

/** A layer is compute-bound when its stalls are at most this share of its cycles. */
export const COMPUTE_BOUND_STALL_SHARE = 0.05;

/** What a layer and a whole run both report. */
interface RunCounters {
  cycles: number;
  computeCycles: number;
  stalls: Record<StallCause, number>;
  stallCycles: number;
  weightBytes: number;
  tableBytes: number;
  actBytes: number;
  dramBytes: number;
  avgBandwidth: number;
  macUtilization: number;
  /** weights out / (decoders × cycles the decoders spent, table loads included); null for raw */
  decoderUtilization: number | null;
}

export interface LayerRunStats extends RunCounters {
  start: number;
  end: number;
  decoderLoadCycles: number;
  decoderBlockedCycles: number;
  decoderStarvedCycles: number;
  bound: Bound;
}

export interface LayerReport {
  name: string;
  kind: LayerSpec['kind'];
  codec: 'tans' | 'raw';
  params: number;
  bins: number;
  gemm: { M: number; K: number; N: number; copies: number; folds: number; packing: number };
  macs: number;
  ifmapBytes: number;
  ofmapBytes: number;
  actReadBytes: number;
  actWriteBytes: number;
  bitsPerWeight: number;
  entropyBitsPerWeight: number;
  gapToEntropy: number;
  tans: LayerRunStats;
  int8: LayerRunStats;
  speedup: number;
  weightTrafficSaved: number;
}

export interface RunTotals extends RunCounters {
  latencyMs: number;
  /** the highest layer-average bandwidth */
  peakBandwidth: number;
  /** the most bytes issued in one aligned window of `peakWindowCycles` cycles, per cycle */
  peakWindowBandwidth: number;
  peakWindowCycles: number;
  /** the largest weight traffic of one layer (payload + table) */
  peakLayerWeightBytes: number;
  fifoFullCycles: number;
  bounds: Record<Bound, number>;
}

export interface RunReport {
  model: { name: string; synthetic: boolean; description: string; source: string };
  chip: ChipConfig;
  codec: {
    states: number; decoders: number; bins?: number; bitsPerWeight?: number; perChannel?: boolean; rdLambda?: number;
    keepEdges?: boolean; split?: string;
  };
  params: number;
  macs: number;
  /** stored bits (payload + tables, raw layers at 8) per weight */
  bitsPerWeight: number;
  /** entropy bound of the quantized symbols per weight (all layers) */
  entropyBitsPerWeight: number;
  /** payload bits / entropy bound − 1 over the tANS-coded layers */
  gapToEntropy: number;
  /** bytes of the double-buffered weight buffer the mapping needs (2 × largest group) */
  weightBufferBytes: number;
  tans: RunTotals;
  int8: RunTotals;
  speedup: number;
  weightTrafficSaved: number;
  dramTrafficSaved: number;
  layers: LayerReport[];
  simulatedCycles: number;
}

/** Activation spills: what each layer reads from and writes to DRAM (docs/hw/activation-sram.md). */
export function activationTraffic(specs: readonly { spec: LayerSpec; params: number }[], sramKb: number):
  { ifmap: number; ofmap: number; read: number; write: number }[] {
  const sram = sramKb * 1024;
  let prevInDram = true; // the network input comes from DRAM
  return specs.map(({ spec, params }, i) => {
    const rep = spec.repeat ?? 1;
    const ifmap = spec.ifmapH * spec.ifmapW * spec.channels * rep;
    const d = gemmDims(spec, params);
    const ofmap = d.M * d.N * d.copies; // M = output pixels × repeat
    const fits = ifmap + ofmap <= sram;
    const last = i === specs.length - 1;
    // an ifmap the previous layer kept on chip is read from SRAM even when this layer spills
    const read = prevInDram ? ifmap : 0;
    const write = !fits || last ? ofmap : 0;
    prevInDram = !fits;
    return { ifmap, ofmap, read, write };
  });
}

/** The weight layers as the int8 baseline sees them: every layer raw, `ceil(params/4)` words. */
export interface PlainLayer {
  spec: LayerSpec;
  params: number;
}

function buildLayers(enc: readonly (PlainLayer | EncodedLayer)[], cfg: ChipConfig, int8: boolean,
  act = activationTraffic(enc, cfg.sramKb)): ChipLayer[] {
  return enc.map((l, i): ChipLayer => {
    const mapping = mapLayer(l.spec, l.params, cfg.dataflow, cfg.macRows, cfg.macCols);
    const e = 'codec' in l ? l : undefined;
    const tans = !int8 && e !== undefined && e.codec === 'tans';
    return {
      name: l.spec.name,
      codec: tans ? 'tans' : 'raw',
      params: l.params,
      words: tans ? e!.words!.length : Math.ceil(l.params / 4),
      data: tans ? e!.words : undefined,
      tableBytes: tans ? e!.tableBytes : 0,
      encoded: tans ? e : undefined,
      mapping,
      actReadBytes: act[i].read,
      actWriteBytes: act[i].write,
    };
  });
}

/** Maps every layer (cheap); throws the HwsimError a bad topology deserves before any long work. */
export function checkMapping(layers: readonly PlainLayer[], cfg: ChipConfig): void {
  for (const l of layers) mapLayer(l.spec, l.params, cfg.dataflow, cfg.macRows, cfg.macCols);
}

/** The int8 baseline: the same chip, every layer's weights raw int8 through the bypass. */
export function runInt8(layers: readonly PlainLayer[], cfg: ChipConfig,
  onProgress?: (layer: number, layers: number) => void): PipelineResult {
  const intLayers = buildLayers(layers, cfg, true);
  return runPipeline(cfg, intLayers, { raw: new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle)) }, { onProgress });
}

/**
 * Starts the int8 baseline on a worker thread (it needs only the topology, so it can run while the
 * main thread encodes). Falls back to the calling thread when no compiled worker is at hand (the
 * test runner executes the TypeScript sources).
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

function boundOf(cycles: number, stallCycles: number, s: Record<StallCause, number>): Bound {
  if (stallCycles <= COMPUTE_BOUND_STALL_SHARE * cycles) return 'compute';
  return s.dram + s.fifo + s.activation >= s.decoder + s.table ? 'dram' : 'decoder';
}

function layerStats(cfg: ChipConfig, cl: ChipLayer, r: PipelineResult, i: number): LayerRunStats {
  const t = r.layers[i];
  const cycles = t.end - t.start;
  const stallCycles = STALL_CAUSES.reduce((a, c) => a + t.stalls[c], 0);
  const weightBytes = cl.words * 4;
  const actBytes = cl.actReadBytes + cl.actWriteBytes;
  const dramBytes = weightBytes + cl.tableBytes + actBytes;
  const srcCycles = t.sourceEnd - t.sourceStart;
  return {
    cycles, start: t.start, end: t.end, computeCycles: t.compute, stalls: { ...t.stalls }, stallCycles,
    weightBytes, tableBytes: cl.tableBytes, actBytes, dramBytes,
    avgBandwidth: cycles > 0 ? dramBytes / cycles : 0,
    macUtilization: cycles > 0 ? cl.mapping.macs / (cfg.macRows * cfg.macCols * cycles) : 0,
    decoderUtilization: cl.codec === 'tans' && srcCycles > 0 ? cl.params / (cfg.decoders * srcCycles) : null,
    decoderLoadCycles: t.sourceLoad,
    decoderBlockedCycles: t.sourceBlocked,
    decoderStarvedCycles: t.sourceStarved,
    bound: boundOf(cycles, stallCycles, t.stalls),
  };
}

function totalsOf(cfg: ChipConfig, stats: LayerRunStats[], layers: ChipLayer[], r: PipelineResult): RunTotals {
  const sum = (f: (s: LayerRunStats) => number) => stats.reduce((a, s) => a + f(s), 0);
  const cycles = r.totalCycles;
  const stalls = { dram: 0, fifo: 0, decoder: 0, table: 0, activation: 0 } as Record<StallCause, number>;
  for (const s of stats) for (const c of STALL_CAUSES) stalls[c] += s.stalls[c];
  const bounds: Record<Bound, number> = { compute: 0, dram: 0, decoder: 0 };
  for (const s of stats) bounds[s.bound]++;
  const dramBytes = sum((s) => s.dramBytes);
  const macs = layers.reduce((a, l) => a + l.mapping.macs, 0);
  let tansWeights = 0;
  let decCycles = 0;
  layers.forEach((l, i) => {
    if (l.codec === 'tans') { tansWeights += l.params; decCycles += r.layers[i].sourceEnd - r.layers[i].sourceStart; }
  });
  return {
    cycles,
    latencyMs: cycles / (cfg.clockMhz * 1000),
    computeCycles: sum((s) => s.computeCycles),
    stalls,
    stallCycles: sum((s) => s.stallCycles),
    weightBytes: sum((s) => s.weightBytes),
    tableBytes: sum((s) => s.tableBytes),
    actBytes: sum((s) => s.actBytes),
    dramBytes,
    avgBandwidth: cycles > 0 ? dramBytes / cycles : 0,
    peakBandwidth: Math.max(0, ...stats.map((s) => s.avgBandwidth)),
    peakWindowBandwidth: r.peakWindowBytes / PEAK_WINDOW_CYCLES,
    peakWindowCycles: PEAK_WINDOW_CYCLES,
    peakLayerWeightBytes: Math.max(0, ...stats.map((s) => s.weightBytes + s.tableBytes)),
    macUtilization: cycles > 0 ? macs / (cfg.macRows * cfg.macCols * cycles) : 0,
    decoderUtilization: decCycles > 0 ? tansWeights / (cfg.decoders * decCycles) : null,
    fifoFullCycles: r.fifoFullCycles,
    bounds,
  };
}

export interface SimulateOptions {
  /** the decoder model; default: the cycle-exact TansEngineModel */
  engine?: TansEngineFactory;
  /** the int8 baseline's result when it was run elsewhere (startInt8) */
  int8?: PipelineResult;
  onProgress?: (phase: string, done: number, total: number) => void;
}

function engineParams(cfg: ChipConfig, enc: EncodedModel) {
  let maxBins = 2;
  for (const l of enc.layers) if (l.codec === 'tans' && l.bins > maxBins) maxBins = l.bins;
  return {
    states: enc.options.states,
    symbolBits: Math.max(1, Math.ceil(Math.log2(maxBins))),
    streams: cfg.decoders,
    inWidth: 32,
    streamFifoDepth: cfg.streamFifoDepth,
  };
}

/** Runs the tANS chip and, unless given, the int8 baseline in this thread. */
export function simulateModel(enc: EncodedModel, cfg: ChipConfig, opts: SimulateOptions = {}): RunReport {
  const rTans = runTans(enc, cfg, opts);
  const rInt = opts.int8 ?? runInt8(enc.layers, cfg, (l, n) => opts.onProgress?.('int8', l, n));
  return makeReport(enc, cfg, rTans, rInt);
}

/** The tANS chip: coded layers through the engine, raw edge layers through the bypass. */
export function runTans(enc: EncodedModel, cfg: ChipConfig, opts: SimulateOptions = {}): PipelineResult {
  const hasTans = enc.layers.some((l) => l.codec === 'tans');
  const raw: WeightSource = new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle));
  const tansLayers = buildLayers(enc.layers, cfg, false);
  const tansSource = hasTans ? new TansSource(opts.engine ?? tansEngineModel, engineParams(cfg, enc)) : undefined;
  return runPipeline(cfg, tansLayers, { tans: tansSource, raw }, { onProgress: (l, n) => opts.onProgress?.('tANS', l, n) });
}

/** Figures per layer and in total from the two runs. */
export function makeReport(enc: EncodedModel, cfg: ChipConfig, rTans: PipelineResult, rInt: PipelineResult): RunReport {
  const act = activationTraffic(enc.layers, cfg.sramKb);
  const tansLayers = buildLayers(enc.layers, cfg, false, act);
  const intLayers = buildLayers(enc.layers, cfg, true, act);
  const sT = tansLayers.map((cl, i) => layerStats(cfg, cl, rTans, i));
  const sI = intLayers.map((cl, i) => layerStats(cfg, cl, rInt, i));
  const layers = enc.layers.map((l: EncodedLayer, i): LayerReport => {
    const m = tansLayers[i].mapping;
    const stored = l.codedBits + l.tableBytes * 8;
    return {
      name: l.spec.name, kind: l.spec.kind, codec: l.codec, params: l.params, bins: l.bins,
      gemm: { ...m.dims, folds: m.folds, packing: m.packing },
      macs: m.macs,
      ifmapBytes: act[i].ifmap, ofmapBytes: act[i].ofmap, actReadBytes: act[i].read, actWriteBytes: act[i].write,
      bitsPerWeight: stored / l.params,
      entropyBitsPerWeight: l.entropyBits / l.params,
      gapToEntropy: l.entropyBits > 0 ? l.codedBits / l.entropyBits - 1 : 0,
      tans: sT[i], int8: sI[i],
      speedup: sI[i].cycles / sT[i].cycles,
      weightTrafficSaved: 1 - (sT[i].weightBytes + sT[i].tableBytes) / (sI[i].weightBytes + sI[i].tableBytes),
    };
  });
  const tT = totalsOf(cfg, sT, tansLayers, rTans);
  const tI = totalsOf(cfg, sI, intLayers, rInt);
  const params = enc.layers.reduce((a, l) => a + l.params, 0);
  const stored = enc.layers.reduce((a, l) => a + l.codedBits + l.tableBytes * 8, 0);
  const entropy = enc.layers.reduce((a, l) => a + l.entropyBits, 0);
  const coded = enc.layers.filter((l) => l.codec === 'tans');
  const codedPayload = coded.reduce((a, l) => a + l.codedBits, 0);
  const codedEntropy = coded.reduce((a, l) => a + l.entropyBits, 0);
  const maxGroup = Math.max(...tansLayers.map((l) => l.mapping.maxGroupWeights));
  return {
    model: enc.model,
    chip: { ...cfg },
    codec: {
      states: enc.options.states, decoders: cfg.decoders, bins: enc.options.bins, bitsPerWeight: enc.options.bitsPerWeight,
      perChannel: enc.options.perChannel, rdLambda: enc.options.rdLambda, keepEdges: enc.options.keepEdges, split: enc.options.split,
    },
    params,
    macs: tansLayers.reduce((a, l) => a + l.mapping.macs, 0),
    bitsPerWeight: stored / params,
    entropyBitsPerWeight: entropy / params,
    gapToEntropy: codedEntropy > 0 ? codedPayload / codedEntropy - 1 : 0,
    weightBufferBytes: 2 * maxGroup,
    tans: tT,
    int8: tI,
    speedup: tI.cycles / tT.cycles,
    weightTrafficSaved: 1 - (tT.weightBytes + tT.tableBytes) / (tI.weightBytes + tI.tableBytes),
    dramTrafficSaved: 1 - tT.dramBytes / tI.dramBytes,
    layers,
    simulatedCycles: rTans.simulatedCycles + rInt.simulatedCycles,
  };
}
