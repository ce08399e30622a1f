/**
 * The figures of a run (`hwsim run`, the library's `simulate`): per layer and in total, for the
 * image on the chip and for the same chip with int8 weights, from the two pipeline results. This
 * is the report's schema; run-report.ts prints it as a table, JSON and CSV.
 */
import type { ContainerImage, ModelMeta } from '../codecs/container.js';
import type { CodecId } from '../codecs/codec.js';
import type { ActivationTraffic } from '../chip/activation.js';
import type { ChipConfig } from '../chip/config.js';
import { PEAK_WINDOW_CYCLES } from '../chip/dram.js';
import { STALL_CAUSES, type ChipLayer, type PipelineResult, type StallCause } from '../chip/pipeline.js';
import type { LayerSpec } from '../models/types.js';
import { dramModelFigures, energyFigures, type DramModelFigures, type LayerEnergy, type RunEnergy } from './energy-figures.js';

export type Bound = 'compute' | 'dram' | 'decoder';

/** A layer is compute-bound when its stalls are at most this share of its cycles. */
export const COMPUTE_BOUND_STALL_SHARE = 0.05;

/** What a layer and a whole run both report. */
export interface RunCounters {
  cycles: number;
  computeCycles: number;
  stalls: Record<StallCause, number>;
  stallCycles: number;
  /** payload bytes fetched from DRAM */
  weightBytes: number;
  /** layer header bytes fetched from DRAM (record prefix: codec byte, lengths, binary header) */
  headerBytes: number;
  actBytes: number;
  dramBytes: number;
  avgBandwidth: number;
  macUtilization: number;
  /** weights out / (decoders × cycles the decoders spent, table build and load included); null without a decoder */
  decoderUtilization: number | null;
}

export interface LayerRunStats extends RunCounters {
  start: number;
  end: number;
  /** table build + load cycles of the decoder (0 for raw layers) */
  decoderLoadCycles: number;
  decoderBlockedCycles: number;
  decoderStarvedCycles: number;
  bound: Bound;
}

export interface LayerReport {
  name: string;
  kind: LayerSpec['kind'];
  codec: CodecId;
  params: number;
  bins: number;
  gemm: { M: number; K: number; N: number; copies: number; folds: number; packing: number };
  macs: number;
  ifmapBytes: number;
  ofmapBytes: number;
  actReadBytes: number;
  actWriteBytes: number;
  /** bits fetched per weight: payload + header */
  bitsPerWeight: number;
  entropyBitsPerWeight: number;
  gapToEntropy: number;
  /** decode-table bytes held on chip while the layer decodes (3L for tANS) */
  tableBytes: number;
  tans: LayerRunStats;
  int8: LayerRunStats;
  speedup: number;
  weightTrafficSaved: number;
  /** access counts and pJ by component, tANS and int8 (docs/ENERGY.md) */
  energy: LayerEnergy;
}

export interface RunTotals extends RunCounters {
  latencyMs: number;
  /** the highest layer-average bandwidth */
  peakBandwidth: number;
  /** the most bytes issued in one aligned window of `peakWindowCycles` cycles, per cycle */
  peakWindowBandwidth: number;
  peakWindowCycles: number;
  /** the largest weight traffic of one layer (payload + header) */
  peakLayerWeightBytes: number;
  fifoFullCycles: number;
  bounds: Record<Bound, number>;
}

export interface RunReport {
  model: ModelMeta;
  chip: ChipConfig;
  /** the image's coding: table size and streams of its tANS layers, and the settings it was encoded with */
  codec: { states: number | null; decoders: number; options: Record<string, unknown> };
  /** bytes of the .hwz image the chip ran */
  imageBytes: number;
  params: number;
  macs: number;
  /** fetched bits (payload + headers) per weight */
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
  /** energy per inference by component, tANS vs int8, and the energy-delay product */
  energy: RunEnergy;
  /** the DRAM model and, for a detailed one, its row-buffer hit rates */
  dramModel: DramModelFigures;
}

function boundOf(cycles: number, stallCycles: number, s: Record<StallCause, number>): Bound {
  if (stallCycles <= COMPUTE_BOUND_STALL_SHARE * cycles) return 'compute';
  return s.dram + s.fifo + s.activation >= s.decoder + s.header ? 'dram' : 'decoder';
}

function layerStats(cfg: ChipConfig, cl: ChipLayer, r: PipelineResult, i: number, decoded: boolean): LayerRunStats {
  const t = r.layers[i];
  const cycles = t.end - t.start;
  const stallCycles = STALL_CAUSES.reduce((a, c) => a + t.stalls[c], 0);
  const weightBytes = cl.words * 4;
  const headerBytes = cl.prefix.length;
  const actBytes = cl.actReadBytes + cl.actWriteBytes;
  const dramBytes = weightBytes + headerBytes + actBytes;
  const srcCycles = t.sourceEnd - t.sourceStart;
  return {
    cycles, start: t.start, end: t.end, computeCycles: t.compute, stalls: { ...t.stalls }, stallCycles,
    weightBytes, headerBytes, actBytes, dramBytes,
    avgBandwidth: cycles > 0 ? dramBytes / cycles : 0,
    macUtilization: cycles > 0 ? cl.mapping.macs / (cfg.macRows * cfg.macCols * cycles) : 0,
    decoderUtilization: decoded && srcCycles > 0 ? cl.params / (cfg.decoders * srcCycles) : null,
    decoderLoadCycles: t.sourceLoad,
    decoderBlockedCycles: t.sourceBlocked,
    decoderStarvedCycles: t.sourceStarved,
    bound: boundOf(cycles, stallCycles, t.stalls),
  };
}

function totalsOf(cfg: ChipConfig, stats: LayerRunStats[], layers: ChipLayer[], r: PipelineResult): RunTotals {
  const sum = (f: (s: LayerRunStats) => number) => stats.reduce((a, s) => a + f(s), 0);
  const cycles = r.totalCycles;
  const stalls = Object.fromEntries(STALL_CAUSES.map((c) => [c, sum((s) => s.stalls[c])])) as Record<StallCause, number>;
  const bounds: Record<Bound, number> = { compute: 0, dram: 0, decoder: 0 };
  for (const s of stats) bounds[s.bound]++;
  const dramBytes = sum((s) => s.dramBytes);
  const macs = layers.reduce((a, l) => a + l.mapping.macs, 0);
  let decodedWeights = 0;
  let decCycles = 0;
  stats.forEach((s, i) => {
    if (s.decoderUtilization !== null) { decodedWeights += layers[i].params; decCycles += r.layers[i].sourceEnd - r.layers[i].sourceStart; }
  });
  return {
    cycles,
    latencyMs: cycles / (cfg.clockMhz * 1000),
    computeCycles: sum((s) => s.computeCycles),
    stalls,
    stallCycles: sum((s) => s.stallCycles),
    weightBytes: sum((s) => s.weightBytes),
    headerBytes: sum((s) => s.headerBytes),
    actBytes: sum((s) => s.actBytes),
    dramBytes,
    avgBandwidth: cycles > 0 ? dramBytes / cycles : 0,
    peakBandwidth: Math.max(0, ...stats.map((s) => s.avgBandwidth)),
    peakWindowBandwidth: r.peakWindowBytes / PEAK_WINDOW_CYCLES,
    peakWindowCycles: PEAK_WINDOW_CYCLES,
    peakLayerWeightBytes: Math.max(0, ...stats.map((s) => s.weightBytes + s.headerBytes)),
    macUtilization: cycles > 0 ? macs / (cfg.macRows * cfg.macCols * cycles) : 0,
    decoderUtilization: decCycles > 0 ? decodedWeights / (cfg.decoders * decCycles) : null,
    fifoFullCycles: r.fifoFullCycles,
    bounds,
  };
}

/** What the report needs of each layer's decoded symbols (model-image.ts: verifyImage). */
export interface LayerEntropy { entropyBits: number; tableBytes: number }

export interface RunInputs {
  image: ContainerImage;
  entropy: readonly LayerEntropy[];
  cfg: ChipConfig;
  act: readonly ActivationTraffic[];
  layers: ChipLayer[];
  int8Layers: ChipLayer[];
  run: PipelineResult;
  int8: PipelineResult;
}

export function makeReport(x: RunInputs): RunReport {
  const { image, cfg, act, layers: cl, int8Layers: il } = x;
  const sT = cl.map((l, i) => layerStats(cfg, l, x.run, i, l.codec !== 'raw'));
  const sI = il.map((l, i) => layerStats(cfg, l, x.int8, i, false));
  const maxGroup = Math.max(...cl.map((l) => l.mapping.maxGroupWeights));
  const energy = energyFigures(cfg, cl, il, x.run, x.int8, x.entropy.map((e) => e.tableBytes), 2 * maxGroup);
  // the layer's weights (with --act-sparsity the chip layer's params are only the needed ones)
  const weightsOf = (i: number) => image.layers[i].shape.reduce((a, b) => a * b, 1);
  const layers = cl.map((l, i): LayerReport => {
    const spec = image.specs[i];
    const m = l.mapping;
    const fetched = (sT[i].weightBytes + sT[i].headerBytes) * 8;
    const entropy = x.entropy[i].entropyBits;
    const n = weightsOf(i);
    return {
      name: l.name, kind: spec.kind, codec: l.codec, params: n, bins: image.layers[i].quant.bins,
      gemm: { ...m.dims, folds: m.folds, packing: m.packing },
      macs: m.macs,
      ifmapBytes: act[i].ifmap, ofmapBytes: act[i].ofmap, actReadBytes: act[i].read, actWriteBytes: act[i].write,
      bitsPerWeight: fetched / n,
      entropyBitsPerWeight: entropy / n,
      gapToEntropy: entropy > 0 ? (sT[i].weightBytes * 8) / entropy - 1 : 0,
      tableBytes: x.entropy[i].tableBytes,
      tans: sT[i], int8: sI[i],
      speedup: sI[i].cycles / sT[i].cycles,
      weightTrafficSaved: 1 - (sT[i].weightBytes + sT[i].headerBytes) / (sI[i].weightBytes + sI[i].headerBytes),
      energy: energy.layers[i],
    };
  });
  const tT = totalsOf(cfg, sT, cl, x.run);
  const tI = totalsOf(cfg, sI, il, x.int8);
  const params = cl.reduce((a, _, i) => a + weightsOf(i), 0);
  const entropy = x.entropy.reduce((a, l) => a + l.entropyBits, 0);
  const coded = layers.filter((l) => l.codec !== 'raw');
  const codedPayload = coded.reduce((a, l) => a + l.tans.weightBytes * 8, 0);
  const codedEntropy = coded.reduce((a, l) => a + l.entropyBitsPerWeight * l.params, 0);
  const tansLayers = image.layers.filter((l) => l.codec === 'tans');
  return {
    model: image.model,
    chip: { ...cfg },
    codec: { states: tansLayers.length ? Math.max(...tansLayers.map((l) => l.states)) : null, decoders: cfg.decoders, options: image.options },
    imageBytes: image.fileBytes,
    params,
    macs: cl.reduce((a, l) => a + l.mapping.macs, 0),
    bitsPerWeight: ((tT.weightBytes + tT.headerBytes) * 8) / params,
    entropyBitsPerWeight: entropy / params,
    gapToEntropy: codedEntropy > 0 ? codedPayload / codedEntropy - 1 : 0,
    weightBufferBytes: 2 * maxGroup,
    tans: tT,
    int8: tI,
    speedup: tI.cycles / tT.cycles,
    weightTrafficSaved: 1 - (tT.weightBytes + tT.headerBytes) / (tI.weightBytes + tI.headerBytes),
    dramTrafficSaved: 1 - tT.dramBytes / tI.dramBytes,
    layers,
    simulatedCycles: x.run.simulatedCycles + x.int8.simulatedCycles,
    energy: energy.run,
    dramModel: dramModelFigures(cfg, x.run, x.int8),
  };
}
