/**
 * A whole model through the codecs: quantize each layer (zero-point, per-layer precision), encode
 * it (tANS, or raw int8 for the edge layers), and verify by decoding before anything is reported.
 * No layer is stored larger than raw: when a layer's tANS record (header with its table, and
 * payload) would take more bytes than the same symbols as raw bytes, the raw record is kept, with
 * the same quantizer (bins and step), so the weights decode to the same values.
 * This is the step between a model file and both the .hwz container and the chip simulator.
 */
import { check, HwsimError } from '../errors.js';
import type { LayerSpec, Model } from '../models/types.js';
import { varintBytes } from './bytes.js';
import { params, type CodecEncodeOptions, type CodedLayer, type LayerBase, type RawLayer, type TansLayer } from './codec.js';
import { layerHeaderBytes, type ModelImage } from './container.js';
import { codecById } from './registry.js';
import { allocateBits, quantize, quantizeInt8, quantizeWith } from './quant/index.js';
import { rawCodec } from './raw/index.js';
import { tansCodec } from './tans/index.js';
import { encodeSzLayer } from './sz/index.js';
import { wmCodec } from './wm/index.js';
import { wmFormFor } from './wm/choose.js';
import type { CodecParams } from '../params/generated-types.js';
import { CODEC_DEFAULTS, validateCodecParams } from '../params/groups.js';

/** What encodeModel takes: codec parameters (src/params); absent ones take their declared defaults. */
export type EncodeOptions = Partial<CodecParams>;

/** Tensors the quantizer sees: edge layers stay int8 when keepEdges is on (the paper's setting). */
export function isEdge(index: number, count: number, keepEdges: boolean): boolean {
  return keepEdges && count > 2 && (index === 0 || index === count - 1);
}

/**
 * The file's own quantizer as hwsim's: the weights are level · step (per output channel when the
 * file says), so the bins are 2·max|level| + 1; levels beyond ±127 (an int8 −128) do not fit.
 */
function keptQuantizer(weights: Float32Array, quant: NonNullable<Model['layers'][number]['quant']>, name: string) {
  const steps = quant.stepsPerChannel;
  const per = steps ? weights.length / steps.length : weights.length;
  let top = 0;
  for (let i = 0; i < weights.length; i++) {
    const level = Math.round(Math.abs(weights[i]) / (steps ? steps[Math.floor(i / per)] : quant.step));
    if (level > top) top = level;
  }
  check(top <= 127, `layer ${name}: the file's quantization has level ${top} (beyond ±127)`,
    'hwsim\'s zero-point quantizer keeps levels in ±127: leave out --keep-quantization to requantize');
  return { bins: Math.max(3, 2 * top + 1), step: quant.step, stepsPerChannel: steps };
}

/** Bytes a layer's record takes in the container (FORMAT.md §4): codec byte, lengths, header, payload, CRC. */
export function recordBytes(layer: CodedLayer): number {
  const header = layerHeaderBytes(layer).length;
  const payload = codecById(layer.codec).payloadLength(layer as never);
  return 1 + varintBytes(header) + header + varintBytes(payload) + payload + 4;
}

/** A layer's symbols coded with tANS, and as raw bytes when that is smaller: the record sizes of both. */
export interface TansOrRaw { layer: TansLayer | RawLayer; tansBytes: number; rawBytes: number }

export function tansOrRaw(symbols: Uint8Array, base: LayerBase, opts: CodecEncodeOptions): TansOrRaw {
  const tans = tansCodec.encode(symbols, base, opts);
  const raw = { codec: 'raw' as const, ...base };
  // a raw record: the common header and one byte per weight (no need to build it to size it)
  const header = layerHeaderBytes(raw).length;
  const n = params(base.shape);
  const rawBytes = 1 + varintBytes(header) + header + varintBytes(n) + n + 4;
  const tansBytes = recordBytes(tans);
  return { layer: tansBytes > rawBytes ? rawCodec.encode(symbols, base, opts) : tans, tansBytes, rawBytes };
}

/** `onLayer(done, total, weightsDone, weightsTotal)` after each layer: encoding a large model takes a while. */
export type EncodeProgress = (layersDone: number, layers: number, weightsDone: number, weights: number) => void;

/**
 * `--auto-objective cycles`: the chip cycles of layer `index` (of the model's `specs`) coded as
 * `layer`, from the chip model (src/chip/layer-cycles.ts); the core's codecs know no chip.
 */
export type LayerCycles = (index: number, specs: readonly LayerSpec[], layer: CodedLayer) => number;

/** What `--codec auto` chose: codecs by layer count, then each layer's, e.g. "auto (bytes): tans 3, wm 1, raw 2: conv1 raw, ...". */
export function autoChoiceLine(codecs: readonly string[], names: readonly string[], objective: string): string {
  const counts = new Map<string, number>();
  for (const c of codecs) counts.set(c, (counts.get(c) ?? 0) + 1);
  return `auto (${objective}): ${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')} layers: ${names.map((n, i) => `${n} ${codecs[i]}`).join(', ')}`;
}

/** `--codec auto`: the candidate that meets the objective (ties: tans, wm, raw, in that order). */
function chooseAuto(candidates: CodedLayer[], objective: 'bytes' | 'cycles', cost: (l: CodedLayer) => number): CodedLayer {
  if (candidates.length === 1) return candidates[0];
  let best = candidates[0];
  let bestCost = objective === 'bytes' ? recordBytes(best) : cost(best);
  for (const c of candidates.slice(1)) {
    const v = objective === 'bytes' ? recordBytes(c) : cost(c);
    if (v < bestCost) { best = c; bestCost = v; }
  }
  return best;
}

export function encodeModel(model: Model, options: EncodeOptions, onLayer?: EncodeProgress, layerCycles?: LayerCycles): ModelImage {
  const opts = validateCodecParams(options);
  const { keepEdges, split, effort } = opts;
  const n = model.layers.length;
  check(n > 0, `model ${model.name} has no weight layers`);
  // --codec sz: FC layers (edges included) pruned and SZ-coded; conv layers tANS or, with
  // --conv-codec raw, int8
  const codecOf = (i: number): 'raw' | 'tans' | 'sz' => {
    const fc = model.layers[i].spec.kind === 'fc';
    if (opts.codec === 'sz' && fc) return 'sz';
    if (opts.codec === 'sz' && opts.convCodec === 'raw') return 'raw';
    return isEdge(i, n, keepEdges) ? 'raw' : 'tans';
  };
  const choice = model.layers.map((_, i) => codecOf(i));
  const coded = choice.map((c) => c === 'tans');
  // Precision per coded layer: fixed bins, or an entropy budget shared by all coded layers.
  const budget = opts.bins === undefined ? opts.bitsPerWeight : undefined;
  // layers that bring their own quantizer (ONNX --keep-quantization) are not allocated
  const codedWeights = model.layers.filter((l, i) => coded[i] && !l.quant).map((l) => l.weights);
  const allocation = budget !== undefined && codedWeights.length > 0
    ? allocateBits(codedWeights, budget, { maxBins: Math.min(255, opts.states - 1), states: opts.states })
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
    if (choice[i] === 'sz') {
      try {
        return encodeSzLayer(weights, spec.weightShape, { errorBound: opts.errorBound, sparsity: opts.sparsity }).layer;
      } catch (err) {
        if (err instanceof HwsimError) throw new HwsimError(`layer ${spec.name}: ${err.message}`, err.fix);
        throw err;
      }
    }
    const own = layer.quant ? quantizeWith(weights, keptQuantizer(weights, layer.quant, spec.name)) : undefined;
    if (!coded[i]) {
      const q = own ?? quantizeInt8(weights);
      return rawCodec.encode(q.symbols, { shape: [...spec.weightShape], quant: q.params }, codecOpts);
    }
    const q = own ?? (opts.bins !== undefined
      ? quantize(weights, opts.bins, {
        method: opts.rdLambda === undefined ? 'mse' : 'rd', lambda: opts.rdLambda,
        perChannel: opts.perChannel ? { channels: spec.weightShape[0] } : undefined,
      })
      : quantizeWith(weights, allocation[a++]));
    check(opts.codec === 'wm' || opts.codec === 'auto' || q.params.bins <= opts.states,
      `layer ${spec.name}: ${q.params.bins} bins do not fit ${opts.states} states`, 'use more --states or fewer bins');
    try {
      const base = { shape: [...spec.weightShape], quant: q.params };
      if (opts.codec === 'auto') {
        const wmForm = wmFormFor(spec, q.symbols, q.params.bins, opts);
        const candidates: CodedLayer[] = [];
        if (q.params.bins <= opts.states) candidates.push(tansCodec.encode(q.symbols, base, codecOpts));
        candidates.push(wmCodec.encode(q.symbols, base, { ...codecOpts, ...wmForm }), rawCodec.encode(q.symbols, base, codecOpts));
        check(opts.autoObjective === 'bytes' || layerCycles, '--auto-objective cycles needs a chip to simulate the layers on, and this command has none',
          'use --auto-objective bytes here, or hwsim run / hwsim encode, which simulate on their chip');
        return chooseAuto(candidates, opts.autoObjective, (l) => layerCycles!(i, model.layers.map((x) => x.spec), l));
      }
      if (opts.codec === 'wm') return wmCodec.encode(q.symbols, base, { ...codecOpts, ...wmFormFor(spec, q.symbols, q.params.bins, opts) });
      return tansOrRaw(q.symbols, base, codecOpts).layer;
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
