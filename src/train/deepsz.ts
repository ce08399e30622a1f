/**
 * DeepSZ on a LeNet the project can evaluate (docs/DEEPSZ.md):
 *
 *   1. assessment: each FC layer alone through the sz codec at every candidate bound (log-spaced
 *      1e-4 … 1e-1), the others untouched: its bytes and the test top-1 with it decoded;
 *   2. optimization: the bound of each layer by the DP over the loss budget (src/codecs/sz/optimize.ts),
 *      timed against brute force;
 *   3. the image: FC layers in sz at the chosen bounds, conv layers as `hwsim encode` codes them
 *      (tANS, edges raw), and its top-1 with every layer decoded at once.
 *
 * The FC layers keep their pruning: a layer's sparsity is its fraction of zero weights (the
 * pruned fixtures), or `sparsity` when given.
 */
import { layerHeaderBytes, type ModelImage } from '../codecs/container.js';
import { encodeModel } from '../codecs/model-codec.js';
import { encodeSzLayer, szCodec } from '../codecs/sz/index.js';
import { checkSparsity } from '../codecs/sz/sparse.js';
import { bruteForce, optimizeBounds, type Choice } from '../codecs/sz/optimize.js';
import type { SzLayer } from '../codecs/codec.js';
import { check, HwsimError } from '../errors.js';
import type { Model } from '../models/types.js';
import { accuracy, fcInputs, type Lenet } from './lenet.js';
import type { Digits } from './mnist.js';

/** 1e-4 … 1e-1, four per decade */
export const DEFAULT_BOUNDS: readonly number[] = Array.from({ length: 13 }, (_, k) => Number((10 ** (-4 + k / 4)).toPrecision(3)));

export interface Candidate {
  eb: number;
  /** layer header + payload */
  bytes: number;
  valueBytes: number;
  indexBytes: number;
  indexRawBytes: number;
  indexTansBytes: number;
  escapes: number;
  correct: number;
  /** test samples lost against the uncompressed model (may be negative) */
  loss: number;
}

export interface AssessedLayer {
  name: string;
  weights: number;
  values: number;
  sparsity: number;
  /** float32 bytes of the dense layer: what the ratio compares against */
  denseBytes: number;
  candidates: Candidate[];
}

export interface Assessment {
  model: string;
  testCount: number;
  baselineCorrect: number;
  layers: AssessedLayer[];
  seconds: number;
}

const zerosOf = (w: Float32Array) => { let z = 0; for (let i = 0; i < w.length; i++) if (w[i] === 0) z++; return z; };

/** The sparsity a layer is coded at: `given`, or its own fraction of zeros. */
export function layerSparsity(w: Float32Array, given?: number): number {
  if (given !== undefined) { checkSparsity(given); return given; }
  return zerosOf(w) / w.length;
}

export function fcLayerNames(model: Model): string[] {
  return model.layers.filter((l) => l.spec.kind === 'fc').map((l) => l.spec.name);
}

function encodeAt(w: Float32Array, shape: readonly number[], eb: number, sparsity: number) {
  return encodeSzLayer(w, shape, { errorBound: eb, sparsity });
}

const recordBytes = (layer: SzLayer) => layerHeaderBytes(layer).length + szCodec.payloadLength(layer);

export function assess(net: Lenet, test: Digits, opts: { bounds?: readonly number[]; sparsity?: number; log?: (s: string) => void } = {}): Assessment {
  const t0 = performance.now();
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const inputs = fcInputs(net, test);
  const baselineCorrect = Math.round(accuracy(net, test, inputs) * test.count);
  const layers: AssessedLayer[] = [];
  for (const name of net.weightLayers) {
    const p = net.param(`${name}.weight`);
    if (p.shape.length !== 2) continue;
    const original = Float32Array.from(p.data);
    const sparsity = layerSparsity(original, opts.sparsity);
    const candidates: Candidate[] = [];
    for (const eb of bounds) {
      const { layer, stats } = encodeAt(original, p.shape, eb, sparsity);
      p.data.set(szCodec.decodeValues!(layer));
      const correct = Math.round(accuracy(net, test, inputs) * test.count);
      candidates.push({
        eb, bytes: recordBytes(layer), valueBytes: stats.valueBytes, indexBytes: stats.indexBytes, indexRawBytes: stats.indexRawBytes,
        indexTansBytes: stats.indexTansBytes, escapes: stats.escapes, correct, loss: baselineCorrect - correct,
      });
      opts.log?.(`assess ${name} eb ${eb}: ${recordBytes(layer)} B, top-1 ${(100 * correct / test.count).toFixed(2)} %`);
    }
    p.data.set(original);
    const values = original.length - Math.floor(sparsity * original.length);
    layers.push({ name, weights: original.length, values, sparsity, denseBytes: 4 * original.length, candidates });
  }
  return { model: net.name, testCount: test.count, baselineCorrect, layers, seconds: (performance.now() - t0) / 1000 };
}

export interface DeepszResult {
  assessment: Assessment;
  budgetFraction: number;
  /** the budget in test samples: floor(fraction · test digits) */
  budgetSamples: number;
  /** digits the DP's budget was lowered by until the joint loss fit the budget */
  tightened: number;
  choice: Choice;
  dpMs: number;
  bruteMs: number;
  bruteBytes: number;
  layers: Array<{ name: string; sparsity: number; eb: number; valueBytes: number; indexBytes: number; indexRawBytes: number; indexTansBytes: number; bytes: number; denseBytes: number; ratio: number; predictedLoss: number }>;
  fcBytes: number;
  fcDenseBytes: number;
  ratio: number;
  top1Before: number;
  top1After: number;
  image: ModelImage;
}

export function checkBudget(fraction: number): void {
  check(Number.isFinite(fraction) && fraction > 0 && fraction < 1, `loss budget ${+(fraction * 100).toPrecision(6)} % is outside (0, 100 %)`,
    'give the top-1 accuracy you accept to lose, e.g. --loss-budget 0.3%');
}

/** Median milliseconds of `f` over a few runs (timing figures, not asserted anywhere). */
function timeMs<T>(f: () => T): { ms: number; out: T } {
  const times: number[] = [];
  let out!: T;
  for (let i = 0; i < 5; i++) { const t = performance.now(); out = f(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  return { ms: times[2], out };
}

/** The image for one choice of bounds, and its top-1 with every FC layer decoded at once. */
function build(net: Lenet, model: Model, test: Digits, inputs: { x: Float32Array; size: number }, assessment: Assessment, pick: number[]) {
  // conv layers as `hwsim encode` codes them, FC layers in sz at the chosen bounds
  const image = encodeModel(model, { codec: 'tans' });
  const layers: DeepszResult['layers'] = [];
  const originals = new Map<string, Float32Array>();
  assessment.layers.forEach((al, i) => {
    const c = al.candidates[pick[i]];
    const li = image.specs.findIndex((s) => s.name === al.name);
    const { layer, stats } = encodeAt(model.layers[li].weights, model.layers[li].spec.weightShape, c.eb, al.sparsity);
    image.layers[li] = layer;
    const p = net.param(`${al.name}.weight`);
    originals.set(al.name, Float32Array.from(p.data));
    p.data.set(szCodec.decodeValues!(layer));
    const bytes = recordBytes(layer);
    layers.push({
      name: al.name, sparsity: al.sparsity, eb: c.eb, valueBytes: stats.valueBytes, indexBytes: stats.indexBytes,
      indexRawBytes: stats.indexRawBytes, indexTansBytes: stats.indexTansBytes, bytes, denseBytes: al.denseBytes,
      ratio: al.denseBytes / bytes, predictedLoss: c.loss,
    });
  });
  const top1 = accuracy(net, test, inputs);
  for (const [name, w] of originals) net.param(`${name}.weight`).data.set(w);
  return { image, layers, top1 };
}

/**
 * Bounds for a budget: the DP on the one-layer-at-a-time losses (taken as additive, as DeepSZ
 * does), then the image checked with every layer decoded together; while that loses more than the
 * budget, the DP runs again on a budget one digit smaller (`tightened` counts those steps).
 */
export function deepsz(net: Lenet, model: Model, test: Digits, budgetFraction: number, assessment: Assessment): DeepszResult {
  checkBudget(budgetFraction);
  if (fcLayerNames(model).length === 0) throw new HwsimError(`${model.name} has no FC layers`, 'DeepSZ codes fully connected layers');
  const budgetSamples = Math.floor(budgetFraction * assessment.testCount);
  const cands = assessment.layers.map((l) => ({ bytes: l.candidates.map((c) => c.bytes), loss: l.candidates.map((c) => c.loss) }));
  const top1Before = assessment.baselineCorrect / assessment.testCount;
  // the conv part is not coded: its outputs (the first FC layer's inputs) are computed once
  const inputs = fcInputs(net, test);
  let inner = budgetSamples;
  for (;;) {
    const dp = timeMs(() => optimizeBounds(cands, inner));
    const bf = timeMs(() => bruteForce(cands, inner));
    const choice = dp.out;
    if (!choice.pick) {
      throw new HwsimError(`no choice of bounds keeps the loss within ${budgetSamples} of ${assessment.testCount} test digits`,
        'raise --loss-budget, or add smaller bounds with --bounds');
    }
    const built = build(net, model, test, inputs, assessment, choice.pick);
    const lost = Math.round((top1Before - built.top1) * assessment.testCount);
    if (lost <= budgetSamples || inner === 0) {
      built.image.options = { codec: 'sz', lossBudget: budgetFraction, errorBounds: Object.fromEntries(built.layers.map((l) => [l.name, l.eb])) };
      const fcBytes = built.layers.reduce((a, l) => a + l.bytes, 0);
      const fcDenseBytes = built.layers.reduce((a, l) => a + l.denseBytes, 0);
      return {
        assessment, budgetFraction, budgetSamples, tightened: budgetSamples - inner, choice, dpMs: dp.ms, bruteMs: bf.ms, bruteBytes: bf.out.bytes,
        layers: built.layers, fcBytes, fcDenseBytes, ratio: fcDenseBytes / fcBytes, top1Before, top1After: built.top1, image: built.image,
      };
    }
    inner--;
  }
}
