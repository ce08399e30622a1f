/**
 * A model's layers against the limits (src/limits.ts), from their specs alone: the layer count,
 * each layer's ifmap (what the chip model walks) and the weights they hold (what gets allocated).
 * Called before synthetic weights are drawn for a topology, and on every loaded weights file.
 */
import { checkLimit } from '../limits.js';
import { weightCount } from './synthetic.js';
import type { LayerSpec } from './types.js';

/** H × W × C × repeat of one layer's ifmap. */
export function ifmapElements(s: LayerSpec): number {
  return s.ifmapH * s.ifmapW * s.channels * (s.repeat ?? 1);
}

/** Throws a HwsimError (size asked, limit) when the specs exceed a limit; `where` names the input. */
export function checkLayerSpecs(specs: readonly LayerSpec[], where: string): void {
  checkLimit('maxLayers', specs.length, `${where}: the layer count`);
  let weights = 0;
  for (const s of specs) {
    checkLimit('maxIfmapElements', ifmapElements(s),
      `${where}: layer '${s.name}' with a ${s.ifmapH}×${s.ifmapW}×${s.channels}${s.repeat && s.repeat > 1 ? `×${s.repeat}` : ''} ifmap`);
    weights += weightCount(s);
    checkLimit('maxWeights', weights, `${where}: the layers up to '${s.name}' (${s.weightShape.join('×')} weights in it)`);
  }
}
