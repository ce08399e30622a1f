/**
 * The R×C systolic MAC array (docs/hw/mac-array.md). Compute is analytic per fold, with the
 * formulas of SCALE-Sim v2 (Samajdar et al., "A Systematic Methodology for Characterizing
 * Scalability of DNN Accelerators using SCALE-Sim", ISPASS 2020; the cycle counts are the row
 * counts of the demand matrices in scalesim/compute/systolic_compute_{ws,os,is}.py):
 *
 *   a layer is a GEMM  ofmap[M×N] = ifmap[M×K] · filter[K×N]
 *     M = Eh·Ew·repeat (ofmap pixels; tokens for a matmul), K = Fh·Fw·C, N = filters
 *     Eh = ceil((H − Fh + s) / s), Ew likewise (no padding, as in SCALE-Sim)
 *   ws: spatial Sr = K, Sc = N, temporal T = M;  per fold 2R + C + T − 2 cycles
 *   is: spatial Sr = K, Sc = M, temporal T = N;  per fold 2R + C + T − 2 cycles
 *   os: spatial Sr = M, Sc = N, temporal T = K;  per fold  R + C + T − 2 cycles
 *   folds = ceil(Sr / R) · ceil(Sc / C); a fold costs the same cycles however full it is.
 *
 * The weight path delivers weights in "groups": the weights a stretch of folds needs and nothing
 * else. ws: one group per fold (its rows×cols weights, fold order: column folds outer, row folds
 * inner, as SCALE-Sim). os: one group per column fold (K × cols weights), held while the row folds
 * over M run. is: one group per row fold over K (rows × N weights), held while the column folds
 * over M run (SCALE-Sim runs the M folds outer; the order does not change the cycle total, and
 * ours streams every weight once).
 *
 * Depthwise layers: each channel is its own GEMM (M = Eh·Ew, K = Fh·Fw, N = multiplier). ws packs
 * g = min(floor(R/K), floor(C/N)) channels block-diagonally into one fold (channel j on rows
 * j·K..(j+1)·K−1 and its own columns; the off-diagonal weights are zeros the array holds but DRAM
 * never stores); when a channel does not fit (K > R), g = 1 and the channel folds like a GEMM.
 * os and is cannot share the broadcast operand between channels, so they run one channel at a
 * time (g = 1).
 */
import { HwsimError } from '../errors.js';
import type { LayerSpec } from '../models/types.js';
import type { Dataflow } from './config.js';

export interface GemmDims {
  M: number;
  K: number;
  N: number;
  /** independent GEMMs of this shape (depthwise channels; 1 otherwise) */
  copies: number;
}

/** SCALE-Sim v2's cycles of one fold. */
export function foldCycles(df: Dataflow, R: number, C: number, T: number): number {
  return df === 'os' ? R + C + T - 2 : 2 * R + C + T - 2;
}

/** SCALE-Sim's spatial/temporal split of a GEMM. */
export function spatialTemporal(df: Dataflow, M: number, K: number, N: number): { Sr: number; Sc: number; T: number } {
  if (df === 'ws') return { Sr: K, Sc: N, T: M };
  if (df === 'is') return { Sr: K, Sc: M, T: N };
  return { Sr: M, Sc: N, T: K };
}

/** SCALE-Sim v2's compute cycles of one GEMM on an R×C array. */
export function scaleSimCycles(df: Dataflow, R: number, C: number, M: number, K: number, N: number): { folds: number; perFold: number; total: number } {
  const { Sr, Sc, T } = spatialTemporal(df, M, K, N);
  const folds = Math.ceil(Sr / R) * Math.ceil(Sc / C);
  const perFold = foldCycles(df, R, C, T);
  return { folds, perFold, total: folds * perFold };
}

export function outputSize(inSize: number, filter: number, stride: number): number {
  return Math.ceil((inSize - filter + stride) / stride);
}

export function gemmDims(spec: LayerSpec, params: number): GemmDims {
  const eh = outputSize(spec.ifmapH, spec.filterH, spec.stride);
  const ew = outputSize(spec.ifmapW, spec.filterW, spec.stride);
  if (!(eh >= 1 && ew >= 1)) {
    throw new HwsimError(`layer ${spec.name}: a ${spec.filterH}x${spec.filterW} filter does not fit its ${spec.ifmapH}x${spec.ifmapW} input`,
      'make IFMAP Height/Width at least the filter size (SCALE-Sim applies no padding: pad the input dimensions yourself)');
  }
  // a layer applied `repeat` times with the same weights streams all its inputs through them
  const M = eh * ew * (spec.repeat ?? 1);
  if (spec.kind === 'dwconv') {
    const K = spec.filterH * spec.filterW;
    const mult = params / (spec.channels * K);
    if (!(Number.isInteger(mult) && mult >= 1)) {
      throw new HwsimError(`layer ${spec.name}: ${params} weights is not a multiple of channels × filter (${spec.channels} × ${K})`,
        'a depthwise layer holds channels × filterH × filterW × multiplier weights');
    }
    return { M, K, N: mult, copies: spec.channels };
  }
  const K = spec.filterH * spec.filterW * spec.channels;
  const N = spec.filters;
  if (K * N !== params) {
    throw new HwsimError(`layer ${spec.name}: ${params} weights, but the topology implies K×N = ${K}×${N} = ${K * N}`,
      'check the layer\'s Channels, Num Filter and filter size against its weight tensor');
  }
  return { M, K, N, copies: 1 };
}

/** How a layer runs on the array: its weight groups and the compute cycles each group takes. */
export interface LayerMapping {
  dims: GemmDims;
  /** weights per group (sum = the layer's parameters) */
  groupWeights: Int32Array;
  /** SCALE-Sim compute cycles of the folds of each group */
  groupCycles: Float64Array;
  folds: number;
  /** sum of groupCycles: the layer's cycles when weights are never late */
  computeCycles: number;
  /** useful MACs (M·K·N per copy) */
  macs: number;
  /** channels packed per fold (depthwise on ws), 1 otherwise */
  packing: number;
  /** the largest group: one half of the double-buffered weight buffer must hold it */
  maxGroupWeights: number;
}

/** Groups of one GEMM of shape M×K×N (appended to the lists). */
function gemmGroups(df: Dataflow, R: number, C: number, M: number, K: number, N: number,
  weights: number[], cycles: number[]): number {
  const { Sr, Sc, T } = spatialTemporal(df, M, K, N);
  const per = foldCycles(df, R, C, T);
  const fr = Math.ceil(Sr / R);
  const fc = Math.ceil(Sc / C);
  if (df === 'ws') {
    for (let j = 0; j < fc; j++) {
      const cols = Math.min(C, Sc - j * C);
      for (let i = 0; i < fr; i++) {
        const rows = Math.min(R, Sr - i * R);
        weights.push(rows * cols);
        cycles.push(per);
      }
    }
  } else if (df === 'os') {
    for (let j = 0; j < fc; j++) {
      const cols = Math.min(C, Sc - j * C);
      weights.push(K * cols);
      cycles.push(per * fr);
    }
  } else {
    for (let i = 0; i < fr; i++) {
      const rows = Math.min(R, Sr - i * R);
      weights.push(rows * N);
      cycles.push(per * fc);
    }
  }
  return fr * fc;
}

/**
 * Mappings already made, by everything a mapping depends on (a sweep maps the same layers on every
 * point's array, and each point three times: checks, coded run, int8 baseline). Bounded: cleared
 * when full.
 */
const mappingMemo = new Map<string, LayerMapping>();
const MAPPING_MEMO_ENTRIES = 4096;

/** How `spec` runs on an R×C array in dataflow `df` (shared: callers never modify a mapping). */
export function mapLayer(spec: LayerSpec, params: number, df: Dataflow, R: number, C: number): LayerMapping {
  const key = `${spec.kind} ${spec.ifmapH} ${spec.ifmapW} ${spec.filterH} ${spec.filterW} ${spec.channels} ${spec.filters} ` +
    `${spec.stride} ${spec.repeat ?? 1} ${params} ${df} ${R} ${C}`;
  let m = mappingMemo.get(key);
  if (!m) {
    m = computeMapping(spec, params, df, R, C);
    if (mappingMemo.size >= MAPPING_MEMO_ENTRIES) mappingMemo.clear();
    mappingMemo.set(key, m);
  }
  return m;
}

function computeMapping(spec: LayerSpec, params: number, df: Dataflow, R: number, C: number): LayerMapping {
  const dims = gemmDims(spec, params);
  const { M, K, N, copies } = dims;
  const weights: number[] = [];
  const cycles: number[] = [];
  let folds = 0;
  let packing = 1;
  if (copies === 1) {
    folds = gemmGroups(df, R, C, M, K, N, weights, cycles);
  } else if (df === 'ws' && K <= R && N <= C) {
    // block-diagonal packing of g channels per fold
    packing = Math.min(Math.floor(R / K), Math.floor(C / N));
    const per = foldCycles(df, R, C, M);
    for (let ch = 0; ch < copies; ch += packing) {
      const g = Math.min(packing, copies - ch);
      weights.push(g * K * N);
      cycles.push(per);
      folds++;
    }
  } else {
    for (let ch = 0; ch < copies; ch++) folds += gemmGroups(df, R, C, M, K, N, weights, cycles);
  }
  const groupWeights = Int32Array.from(weights);
  const groupCycles = Float64Array.from(cycles);
  let computeCycles = 0;
  let maxGroupWeights = 0;
  let sumW = 0;
  for (let g = 0; g < groupWeights.length; g++) {
    computeCycles += groupCycles[g];
    sumW += groupWeights[g];
    if (groupWeights[g] > maxGroupWeights) maxGroupWeights = groupWeights[g];
  }
  if (sumW !== params) throw new Error(`internal: layer ${spec.name} groups hold ${sumW} weights, not ${params}`);
  return { dims, groupWeights, groupCycles, folds, computeCycles, macs: M * K * N * copies, packing, maxGroupWeights };
}
