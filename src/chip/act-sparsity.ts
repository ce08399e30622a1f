/**
 * Activation sparsity (`--act-sparsity p`, docs/hw/wm-query-unit.md "Activation sparsity"): ReLU
 * zeros let the array skip the weights that would multiply them.
 *
 * The model is a deterministic seeded mask of **zero input channels** per layer: of a layer's C
 * input channels, round(p·C) (at most C − 1) are zero. Why channels and not single input elements:
 * a fully connected layer's input channel *is* one input element, so there the mask is exactly
 * "ReLU zeros"; a convolution's weight meets its input channel at every output position, so a
 * weight can only be skipped when its whole input channel is zero (a single zero element frees no
 * weight). The first layer's input is the network's input (an image), not a ReLU output: it keeps
 * every channel.
 *
 * The weights needed are those of the nonzero input channels; the array computes the compacted
 * layer (the same layer with only the nonzero channels: K = Fh·Fw·C' rows of a fold, or C'
 * depthwise copies), so its compute cycles shrink with the fewer row folds (docs/hw/mac-array.md):
 * a weight-stationary array loads only the needed weights into its rows, and the ifmap feeder
 * skips the zero channels, which the layer before marks as it writes them.
 */
import type { LayerSpec } from '../models/types.js';
import { permutation, seeded } from '../train/rng.js';

/** per input channel: 1 nonzero (its weights needed), 0 zero (skipped) */
export function keptChannels(spec: LayerSpec, layerIndex: number, p: number): Uint8Array {
  const C = spec.channels;
  const kept = new Uint8Array(C).fill(1);
  if (p <= 0 || layerIndex === 0) return kept;
  const zeros = Math.min(C - 1, Math.round(p * C));
  // one seed per layer: the same layer gets the same mask whatever codec or chip runs it
  const order = permutation(C, seeded(0x5a5a0000 + layerIndex));
  for (let k = 0; k < zeros; k++) kept[order[k]] = 0;
  return kept;
}

/** The weights needed (1) in flat canonical order ([out, in, kh, kw]; depthwise [C, 1, kh, kw]). */
export function neededWeights(spec: LayerSpec, shape: readonly number[], kept: Uint8Array): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n);
  const depthwise = spec.kind === 'dwconv';
  const inC = depthwise ? 1 : shape[1];
  const multiplier = depthwise ? shape[0] / spec.channels : 1;
  for (let j = 0, run = 0; j < n; j += inner, run++) {
    // a run of `inner` weights shares its input channel: depthwise, the output channel's own
    const c = depthwise ? Math.floor(run / multiplier) : run % inC;
    if (kept[c]) out.fill(1, j, j + inner);
  }
  return out;
}

/** The layer the array computes: only the nonzero input channels. */
export function compactedSpec(spec: LayerSpec, kept: Uint8Array): LayerSpec {
  let c = 0;
  for (let k = 0; k < kept.length; k++) c += kept[k];
  return c === spec.channels ? spec : { ...spec, channels: c };
}
