/**
 * `--codec auto --auto-objective cycles`: a layer's cycles as the chip model gives them, the layer
 * run alone on the chip (its record fetched from DRAM, decoded by its codec's source, computed by
 * the array, with its own activation traffic), from the first DRAM request to its last cycle.
 * Alone, nothing of the neighbouring layers overlaps it (in a whole run a layer's header and
 * weights are prefetched during the one before), so the figure is the layer's own cost: what a
 * choice between codecs should compare.
 */
import { readContainer, writeContainer } from '../codecs/container.js';
import type { CodedLayer } from '../codecs/codec.js';
import type { LayerSpec } from '../models/types.js';
import { activationTraffic } from './activation.js';
import type { ChipConfig } from './config.js';
import { runPipeline } from './pipeline.js';
import { chipLayers } from './simulate.js';
import { sourcesFor } from './sources.js';

/** A `LayerCycles` for encodeModel: layer `index` of `specs` coded as `layer`, alone on `cfg`. */
export function layerCyclesOn(cfg: ChipConfig): (index: number, specs: readonly LayerSpec[], layer: CodedLayer) => number {
  let act: ReturnType<typeof activationTraffic> | null = null;
  return (index, specs, layer) => {
    act ??= activationTraffic(specs.map((spec) => ({ spec, params: spec.weightShape.reduce((a, b) => a * b, 1) })), cfg.sramKb);
    const image = readContainer(writeContainer({
      model: { name: 'layer', source: 'auto', synthetic: false, description: '' }, options: {}, specs: [specs[index]], layers: [layer],
    }), `layer ${specs[index].name}`);
    const layers = chipLayers(image, cfg, [act[index]], index);
    return runPipeline(cfg, layers, sourcesFor(cfg, image)).totalCycles;
  };
}
