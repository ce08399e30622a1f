/**
 * The RAS form of a layer. A pruned layer (zero fraction above `--wm-tuple-zeros`) stores
 * (distance, value) tuples. Otherwise by FLOPs (MACs) per parameter against the declared threshold
 * (`--wm-fpr-threshold`): a weight that meets few inputs (fully connected: 1 MAC per weight) is
 * reached where it is needed, element-wise; a weight that meets many (a convolution's weight meets
 * every output position) is worth decoding once per block into an on-chip buffer.
 */
import { gemmDims } from '../../chip/mac-array.js';
import type { LayerSpec } from '../../models/types.js';
import type { CodecEncodeOptions } from '../codec.js';
import { maxGapSymbols, zeroFraction } from './ras.js';

/** MACs per weight of one inference */
export function flopsPerParam(spec: LayerSpec, params: number): number {
  return gemmDims(spec, params).M;
}

export function wmFormFor(spec: LayerSpec, symbols: Uint8Array, bins: number,
  opts: { wmFprThreshold: number; wmTupleZeros: number }): Pick<CodecEncodeOptions, 'wmForm'> {
  if (opts.wmTupleZeros < 1 && maxGapSymbols(bins) >= 2 && zeroFraction(symbols, bins) > opts.wmTupleZeros) return { wmForm: 'tuples' };
  return { wmForm: flopsPerParam(spec, symbols.length) < opts.wmFprThreshold ? 'element' : 'block' };
}
