/**
 * The RAS form of a layer: by FLOPs (MACs) per parameter against the declared threshold
 * (`--wm-fpr-threshold`). A weight that meets few inputs (fully connected: 1 MAC per weight) is
 * reached where it is needed, element-wise; a weight that meets many (a convolution's weight meets
 * every output position) is worth decoding once per block into an on-chip buffer.
 */
import { gemmDims } from '../../chip/mac-array.js';
import type { LayerSpec } from '../../models/types.js';
import type { CodecEncodeOptions } from '../codec.js';

/** MACs per weight of one inference */
export function flopsPerParam(spec: LayerSpec, params: number): number {
  return gemmDims(spec, params).M;
}

export function wmFormFor(spec: LayerSpec, params: number, threshold: number): Pick<CodecEncodeOptions, 'wmForm'> {
  return { wmForm: flopsPerParam(spec, params) < threshold ? 'element' : 'block' };
}
