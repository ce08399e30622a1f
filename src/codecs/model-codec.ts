/**
 * A whole model through the codecs: quantize each layer (zero-point, per-layer precision), encode
 * it (tANS, or raw int8 for the edge layers), and verify by decoding before anything is reported.
 * This is the step between a model file and both the .hwz container and the chip simulator.
 */
import { check, HwsimError } from '../errors.js';
import type { Model } from '../models/types.js';
import type { CodedLayer } from './codec.js';
import type { ModelImage } from './container.js';
import { allocateBits, quantize, quantizeInt8, quantizeWith } from './quant/index.js';
import { rawCodec } from './raw/index.js';
import { tansCodec } from './tans/index.js';
import { wmCodec } from './wm/index.js';
import { wmFormFor } from './wm/choose.js';
import type { CodecParams } from '../params/generated-types.js';
import { CODEC_DEFAULTS, validateCodecParams } from '../params/groups.js';

/** What encodeModel takes: codec parameters (src/params); absent ones take their declared defaults. */
export type EncodeOptions = Partial<CodecParams>;

/** Tensors the quantizer sees: edge layers stay int8 when keepEdges is on (the paper's setting). */
function isEdge(index: number, count: number, keepEdges: boolean): boolean {
  return keepEdges && count > 2 && (index === 0 || index === count - 1);
}

/** `onLayer(done, total, weightsDone, weightsTotal)` after each layer: encoding a large model takes a while. */
export type EncodeProgress = (layersDone: number, layers: number, weightsDone: number, weights: number) => void;

export function encodeModel(model: Model, options: EncodeOptions, onLayer?: EncodeProgress): ModelImage {
  const opts = validateCodecParams(options);
  const { keepEdges, split, effort } = opts;
  const n = model.layers.length;
  check(n > 0, `model ${model.name} has no weight layers`);
  const coded = model.layers.map((_, i) => !isEdge(i, n, keepEdges));
  // Precision per coded layer: fixed bins, or an entropy budget shared by all coded layers.
  const budget = opts.bins === undefined ? opts.bitsPerWeight : undefined;
  const codedWeights = model.layers.filter((_, i) => coded[i]).map((l) => l.weights);
  const allocation = budget !== undefined && codedWeights.length > 0
    ? allocateBits(codedWeights, budget, { maxBins: Math.min(255, opts.states - 1) })
    : [];
  const codecOpts = { states: opts.states, streams: opts.streams, split, effort };
  const weights = model.layers.reduce((s, l) => s + l.weights.length, 0);
  let weightsDone = 0;
  let a = 0;
  const layers = model.layers.map((layer, i): CodedLayer => {
    const coded = encodeLayer(layer, i);
    weightsDone += layer.weights.length;
    onLayer?.(i + 1, n, weightsDone, weights);
    return coded;
  });
  function encodeLayer(layer: Model['layers'][number], i: number): CodedLayer {
    const { spec, weights } = layer;
    if (!coded[i]) {
      const q = quantizeInt8(weights);
      return rawCodec.encode(q.symbols, { shape: [...spec.weightShape], quant: q.params }, codecOpts);
    }
    const q = opts.bins !== undefined
      ? quantize(weights, opts.bins, {
        method: opts.rdLambda === undefined ? 'mse' : 'rd', lambda: opts.rdLambda,
        perChannel: opts.perChannel ? { channels: spec.weightShape[0] } : undefined,
      })
      : quantizeWith(weights, allocation[a++]);
    check(opts.codec === 'wm' || q.params.bins <= opts.states,
      `layer ${spec.name}: ${q.params.bins} bins do not fit ${opts.states} states`, 'use more --states or fewer bins');
    try {
      const base = { shape: [...spec.weightShape], quant: q.params };
      if (opts.codec === 'wm') return wmCodec.encode(q.symbols, base, { ...codecOpts, ...wmFormFor(spec, weights.length, opts.wmFprThreshold) });
      return tansCodec.encode(q.symbols, base, codecOpts);
    } catch (err) {
      if (err instanceof HwsimError) throw new HwsimError(`layer ${spec.name}: ${err.message}`, err.fix);
      throw err;
    }
  }
  return {
    model: { name: model.name, synthetic: model.synthetic, description: model.description, source: model.source },
    // the settings that differ from the declared defaults (the container keeps them, informative)
    options: Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && v !== (CODEC_DEFAULTS as Record<string, unknown>)[k])),
    specs: model.layers.map((l) => l.spec),
    layers,
  };
}
