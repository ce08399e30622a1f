/**
 * A walked graph plus the file's tensors → a Model: each weight layer's kernel taken by name,
 * checked against the shape the graph gives it, turned into the canonical layout, and (with
 * --fold-bn) scaled by the BatchNormalization that follows it: w'[o] = w[o] · γ[o] / √(σ²[o] + ε).
 */
import { HwsimError } from '../../errors.js';
import { checkLayerSpecs } from '../checks.js';
import { permute } from '../loaders/tensors.js';
import type { NamedTensor } from '../loaders/safetensors.js';
import type { Model, ModelLayer } from '../types.js';
import { graphSummary, walkGraph, type Graph, type WalkedGraph } from './ir.js';

export interface FoldBn {
  layer: string;
  bn: string;
  gamma?: string;
  variance: string;
  epsilon: number;
}

export interface GraphModelInput {
  name: string;
  path: string;
  /** "TensorFlow.js layers-model", "ONNX" */
  format: string;
  graph: Graph;
  tensors: ReadonlyMap<string, NamedTensor>;
  /** weight name → axis permutation from the file's layout to the canonical one (identity when absent) */
  perms: ReadonlyMap<string, number[]>;
  folds?: readonly FoldBn[];
  foldBn?: boolean;
  /** a remark for the description (e.g. quantization kept from the file) */
  note?: string;
}

export interface GraphModel { model: Model; walked: WalkedGraph }

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** A NaN or infinite weight is named here, not deep in the quantizer. */
export function checkFinite(w: Float32Array, tensor: string, path: string): void {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) {
      throw new HwsimError(`${path}: tensor '${tensor}' holds ${w[i]} at flat index ${i}`,
        'weights must be finite float32 values: fix or drop the NaN/infinite ones (float64 values beyond ±3.4e38 overflow float32)');
    }
  }
}

export function modelFromGraph(input: GraphModelInput): GraphModel {
  const { path, graph, tensors, perms } = input;
  const walked = walkGraph(graph);
  const used = new Set<string>();
  const layers: ModelLayer[] = walked.layers.map((l) => {
    const t = tensors.get(l.weight);
    if (!t) throw new HwsimError(`${path}: layer '${l.node}' (${l.type}) needs weight '${l.weight}', which the file does not hold`, 'the graph and the weights disagree: export the model again');
    used.add(l.weight);
    const perm = perms.get(l.weight) ?? t.shape.map((_, i) => i);
    const permuted = perm.map((p) => t.shape[p]);
    const want = l.spec.weightShape;
    // a depthwise kernel [C, mult, kh, kw] lies in memory as [C·mult, 1, kh, kw]
    const got = l.kind === 'dwconv' && permuted.length === 4 ? [permuted[0] * permuted[1], 1, permuted[2], permuted[3]] : permuted;
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new HwsimError(`${path}: weight '${l.weight}' has shape ${shapeText(t.shape)}; layer '${l.node}' (${l.type}) on a ${shapeText(l.inShape)} input needs ${shapeText(want)} (canonical order)`,
        'the weights do not fit the graph: export the model again, or check --input-shape');
    }
    const weights = perm.every((p, i) => p === i) ? t.data.slice() : permute(t.data, t.shape, perm);
    checkFinite(weights, l.weight, path);
    return { spec: l.spec, weights };
  });
  const folded: string[] = [];
  if (input.foldBn) {
    for (const f of input.folds ?? []) {
      const layer = layers.find((x) => x.spec.name === f.layer);
      if (!layer) continue;
      const out = layer.spec.weightShape[0];
      const v = vector(tensors, f.variance, out, path, f.bn);
      const g = f.gamma ? vector(tensors, f.gamma, out, path, f.bn) : undefined;
      const per = layer.weights.length / out;
      for (let o = 0; o < out; o++) {
        const k = (g ? g[o] : 1) / Math.sqrt(v[o] + f.epsilon);
        if (!Number.isFinite(k)) throw new HwsimError(`${path}: BatchNormalization '${f.bn}' scales channel ${o} by ${k}`, 'its moving variance must be ≥ 0: fix the file or leave out --fold-bn');
        for (let i = o * per; i < (o + 1) * per; i++) layer.weights[i] *= k;
      }
      folded.push(f.bn);
    }
  }
  checkLayerSpecs(layers.map((l) => l.spec), path);
  if (layers.length === 0) {
    throw new HwsimError(`${path}: the graph has no conv or dense layers with weights`, 'hwsim models the layers that hold weights: give a network with conv/dense layers');
  }
  const params = layers.reduce((a, l) => a + l.weights.length, 0);
  const other = [...tensors.keys()].filter((k) => !used.has(k)).length;
  const description = `${input.format} from ${path.replace(/^.*[\\/]/, '')}: ${layers.length} layers, ${params.toLocaleString('en-US')} weights` +
    `${other ? ` (${other} other tensors: biases, BN, constants)` : ''}; ${graphSummary(walked, graph.skipped)}` +
    `${folded.length ? `; ${folded.length} BatchNormalizations folded into the layer before them` : ''}${input.note ? `; ${input.note}` : ''}`;
  return {
    model: { name: input.name, source: path, synthetic: false, description, layers, geometry: 'graph' },
    walked,
  };
}

function vector(tensors: ReadonlyMap<string, NamedTensor>, name: string, n: number, path: string, bn: string): Float32Array {
  const t = tensors.get(name);
  if (!t || t.data.length !== n) {
    throw new HwsimError(`${path}: BatchNormalization '${bn}' needs ${n} values in '${name}', the file holds ${t ? t.data.length : 'none'}`,
      'the BN does not match the layer before it: leave out --fold-bn or export the model again');
  }
  return t.data;
}
