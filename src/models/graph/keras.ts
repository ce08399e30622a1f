/**
 * A Keras topology (the `modelTopology` of a TensorFlow.js layers-model: `model_config` of class
 * Model/Functional with `inbound_nodes`, or Sequential) as a hwsim graph (ir.ts). Layers that decide
 * shapes are read from their config (kernel_size, strides, padding, dilation_rate, filters, units,
 * pool_size, ZeroPadding2D/Cropping2D amounts, Concatenate axis); activations, BatchNormalization,
 * Dropout and the like pass shapes through. Kernels are the manifest weights `<layer>/kernel`,
 * `<layer>/depthwise_kernel`, `<layer>/pointwise_kernel` (TensorFlow layouts: HWIO, HWCM, [in, out]).
 */
import { HwsimError } from '../../errors.js';
import type { Graph, GraphNode, Op, Padding, Pads, Window } from './ir.js';

/** How a manifest weight becomes the canonical layout: the axis permutation. */
export const TF_CONV = [3, 2, 0, 1]; // [kh, kw, in, out] → [out, in, kh, kw]
export const TF_DEPTHWISE = [2, 3, 0, 1]; // [kh, kw, C, mult] → [C, mult, kh, kw] = [C·mult, 1, kh, kw] flat
export const TF_DENSE = [1, 0]; // [in, out] → [out, in]

export interface BnFold {
  /** the conv/dense node whose output the BatchNormalization reads (and nothing else does) */
  layer: string;
  bn: string;
  gamma?: string;
  variance: string;
  epsilon: number;
}

export interface KerasGraph {
  graph: Graph;
  /** weight name → permutation to the canonical layout */
  perms: Map<string, number[]>;
  /** BatchNormalization layers that directly follow a weight layer (for --fold-bn) */
  folds: BnFold[];
}

export interface GraphOptions {
  /** the input shape with its batch axis, as the model declares it (NHWC for Keras), when symbolic */
  inputShape?: number[];
  /** pass unknown layers through unchanged instead of refusing them */
  skipUnsupported?: boolean;
}

interface KLayer {
  name?: unknown;
  class_name?: unknown;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

const PASS = new Set([
  'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'BatchNormalization',
  'LayerNormalization', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout',
  'AlphaDropout', 'ActivityRegularization', 'Masking', 'Rescaling', 'Normalization',
]);
const ELEMENTWISE = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);

const FIX = 'export the model again with tensorflowjs_converter, or give the layer geometry another way (--topology)';

function pair(v: unknown, what: string, where: string): [number, number] {
  const a = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    throw new HwsimError(`${where}: ${what} ${JSON.stringify(v)} is not two non-negative integers`, FIX);
  }
  return [a[0], a[1]];
}

function positive(v: unknown, what: string, where: string): number {
  if (!(Number.isSafeInteger(v) && (v as number) >= 1)) throw new HwsimError(`${where}: ${what} ${JSON.stringify(v)} is not a positive integer`, FIX);
  return v as number;
}

/** ZeroPadding2D / Cropping2D amounts: n, [h, w] or [[top, bottom], [left, right]]. */
function amounts(v: unknown, where: string): Pads {
  if (Array.isArray(v) && v.length === 2 && Array.isArray(v[0])) {
    const [t, b] = pair(v[0], 'padding', where);
    const [l, r] = pair(v[1], 'padding', where);
    return { top: t, bottom: b, left: l, right: r };
  }
  const [h, w] = pair(v, 'padding', where);
  return { top: h, bottom: h, left: w, right: w };
}

function padding(v: unknown, where: string): Padding {
  if (v === 'same') return { mode: 'same' };
  if (v === 'valid' || v === undefined) return { mode: 'valid' };
  throw new HwsimError(`${where}: padding ${JSON.stringify(v)} is not 'same' or 'valid'`, FIX);
}

function window(c: Record<string, unknown>, where: string, pool = false): Window {
  const k = pool ? (c.pool_size ?? [2, 2]) : c.kernel_size;
  const [kh, kw] = pair(k, pool ? 'pool_size' : 'kernel_size', where);
  const [sh, sw] = pair(c.strides ?? (pool ? k : [1, 1]), 'strides', where);
  const [dh, dw] = pair(c.dilation_rate ?? [1, 1], 'dilation_rate', where);
  if (!(kh >= 1 && kw >= 1 && sh >= 1 && sw >= 1 && dh >= 1 && dw >= 1)) {
    throw new HwsimError(`${where}: kernel ${kh}×${kw}, strides ${sh}×${sw} and dilation ${dh}×${dw} must be at least 1`, FIX);
  }
  return { kh, kw, sh, sw, dh, dw, padding: padding(c.padding, where) };
}

/** The producing layer names of one inbound node, Keras 2 ([[name, node, tensor, kwargs], ...]) or Keras 3 (keras_history). */
function inboundNames(v: unknown, where: string): string[] {
  const out: string[] = [];
  const stack: unknown[] = [v];
  let steps = 0;
  while (stack.length) {
    if (++steps > 100000) throw new HwsimError(`${where}: inbound_nodes too large`, FIX);
    const x = stack.pop();
    if (Array.isArray(x)) {
      if (x.length >= 3 && typeof x[0] === 'string' && Number.isInteger(x[1]) && Number.isInteger(x[2])) {
        if (x[1] !== 0 || x[2] !== 0) {
          throw new HwsimError(`${where}: reads output ${x[2]} of call ${x[1]} of layer '${x[0]}'`, 'hwsim walks layers called once, with one output each');
        }
        out.push(x[0]);
      } else {
        for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
      }
    } else if (typeof x === 'object' && x !== null) {
      const h = (x as { config?: { keras_history?: unknown } }).config?.keras_history;
      if (h !== undefined) stack.push(h);
      else for (const val of Object.values(x).reverse()) stack.push(val);
    }
  }
  return out;
}

/**
 * The Keras layers of a modelTopology (its model_config), as a graph; undefined when the topology
 * declares no input (no InputLayer, no batch_input_shape): then it holds no geometry to walk.
 */
export function kerasGraph(topology: unknown, where: string, weightNames: ReadonlySet<string>, opts: GraphOptions = {}): KerasGraph | undefined {
  const cfg = (topology as { model_config?: { class_name?: unknown; config?: unknown } })?.model_config;
  const cls = cfg?.class_name;
  const body = cfg?.config;
  let layers: KLayer[];
  let sequential = false;
  if (cls === 'Sequential') {
    sequential = true;
    layers = (Array.isArray(body) ? body : (body as { layers?: unknown })?.layers) as KLayer[];
  } else if (cls === 'Model' || cls === 'Functional') {
    layers = (body as { layers?: unknown })?.layers as KLayer[];
  } else {
    throw new HwsimError(`${where}: modelTopology.model_config is a '${String(cls)}', not a Keras Model or Sequential`, FIX);
  }
  if (!Array.isArray(layers) || layers.length === 0) throw new HwsimError(`${where}: the Keras topology lists no layers`, FIX);
  const declaresInput = layers.some((l) => l?.class_name === 'InputLayer' ||
    Array.isArray((l?.config as { batch_input_shape?: unknown })?.batch_input_shape) || Array.isArray((l?.config as { batch_shape?: unknown })?.batch_shape));
  if (!declaresInput) return undefined;

  const nodes: GraphNode[] = [];
  const perms = new Map<string, number[]>();
  const folds: BnFold[] = [];
  const skipped: { name: string; type: string }[] = [];
  const classOf = new Map<string, string>();
  const inputsOf = new Map<string, string[]>();
  const weight = (layer: string, suffix: string, at: string): string => {
    const direct = `${layer}/${suffix}`;
    if (weightNames.has(direct)) return direct;
    for (const n of weightNames) if (n.endsWith(`/${direct}`)) return n;
    throw new HwsimError(`${at}: its weight '${direct}' is not in the weightsManifest`, 'the topology and the weights disagree: export the model again');
  };
  let previous: string | undefined;

  for (const [i, l] of layers.entries()) {
    const type = typeof l?.class_name === 'string' ? l.class_name : '?';
    const c = (l?.config ?? {}) as Record<string, unknown>;
    const name = typeof l?.name === 'string' ? l.name : typeof c.name === 'string' ? c.name : `#${i}`;
    const at = `${where}: layer '${name}' (${type})`;
    classOf.set(name, type);
    let inputs: string[];
    if (sequential) {
      inputs = previous ? [previous] : [];
    } else {
      const ib = l.inbound_nodes;
      if (!Array.isArray(ib)) throw new HwsimError(`${at}: no inbound_nodes list`, FIX);
      if (ib.length > 1) throw new HwsimError(`${at}: is called ${ib.length} times (a shared layer)`, 'hwsim walks layers called once');
      inputs = ib.length ? inboundNames(ib[0], at) : [];
    }
    inputsOf.set(name, inputs);
    const declared = c.batch_input_shape ?? c.batch_shape;
    // a Sequential model declares its input on the first layer
    if (type === 'InputLayer' || (sequential && i === 0 && Array.isArray(declared))) {
      nodes.push({ name: type === 'InputLayer' ? name : `${name}/input`, type: 'InputLayer', op: { op: 'input', shape: inputShape(declared, at, opts) }, inputs: [], output: type === 'InputLayer' ? name : `${name}/input` });
      if (type === 'InputLayer') { previous = name; continue; }
      inputs = [`${name}/input`];
    }
    if ((c.data_format ?? 'channels_last') !== 'channels_last') {
      throw new HwsimError(`${at}: data_format ${JSON.stringify(c.data_format)}`, 'hwsim reads channels_last Keras models (the tfjs default)');
    }
    const push = (op: Op, output = name, ins = inputs, nodeName = name) => nodes.push({ name: nodeName, type, op, inputs: ins, output });
    switch (type) {
      case 'Conv2D': {
        const w = weight(name, 'kernel', at);
        perms.set(w, TF_CONV);
        push({ op: 'conv', win: window(c, at), filters: positive(c.filters, 'filters', at), groups: positive(c.groups ?? 1, 'groups', at), weight: w });
        break;
      }
      case 'DepthwiseConv2D': {
        const w = weight(name, 'depthwise_kernel', at);
        perms.set(w, TF_DEPTHWISE);
        push({ op: 'dwconv', win: window(c, at), multiplier: positive(c.depth_multiplier ?? 1, 'depth_multiplier', at), weight: w });
        break;
      }
      case 'SeparableConv2D': {
        const dw = weight(name, 'depthwise_kernel', at);
        const pw = weight(name, 'pointwise_kernel', at);
        perms.set(dw, TF_DEPTHWISE);
        perms.set(pw, TF_CONV);
        push({ op: 'dwconv', win: window(c, at), multiplier: positive(c.depth_multiplier ?? 1, 'depth_multiplier', at), weight: dw },
          `${name}/depthwise`, inputs, `${name}/depthwise`);
        push({ op: 'conv', win: { kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: { mode: 'valid' } }, filters: positive(c.filters, 'filters', at), groups: 1, weight: pw },
          name, [`${name}/depthwise`], `${name}/pointwise`);
        break;
      }
      case 'Dense': {
        const w = weight(name, 'kernel', at);
        perms.set(w, TF_DENSE);
        push({ op: 'dense', units: positive(c.units, 'units', at), weight: w });
        break;
      }
      case 'ZeroPadding2D': push({ op: 'pad', pads: amounts(c.padding ?? 1, at) }); break;
      case 'Cropping2D': push({ op: 'crop', pads: amounts(c.cropping ?? 0, at) }); break;
      case 'MaxPooling2D': case 'AveragePooling2D': push({ op: 'pool', win: window(c, at, true) }); break;
      case 'GlobalAveragePooling2D': case 'GlobalMaxPooling2D': push({ op: 'global-pool', keepDims: c.keepdims === true }); break;
      case 'Flatten': push({ op: 'flatten' }); break;
      case 'Reshape': {
        const t = c.target_shape;
        if (!Array.isArray(t) || !t.every((d) => Number.isSafeInteger(d) && (d >= 1 || d === -1))) {
          throw new HwsimError(`${at}: target_shape ${JSON.stringify(t)} is not a list of sizes`, FIX);
        }
        push({ op: 'reshape', shape: t as number[] });
        break;
      }
      case 'UpSampling2D': { const [sh, sw] = pair(c.size ?? [2, 2], 'size', at); push({ op: 'upsample', sh, sw }); break; }
      case 'Concatenate': {
        const axis = (c.axis ?? -1) as number;
        if (!Number.isSafeInteger(axis) || axis === 0) throw new HwsimError(`${at}: axis ${JSON.stringify(c.axis)}`, 'concatenate on a non-batch axis');
        push({ op: 'concat', axis: axis > 0 ? axis - 1 : axis });
        break;
      }
      default:
        if (ELEMENTWISE.has(type)) push({ op: 'elementwise' });
        else if (PASS.has(type)) push({ op: 'identity' });
        else if (opts.skipUnsupported && !hasKernel(name, weightNames)) { skipped.push({ name, type }); push({ op: 'identity' }); }
        else {
          throw new HwsimError(`${at}: hwsim does not know this layer class`,
            hasKernel(name, weightNames) ? 'it holds weights, so it cannot be passed over: convert the model to ONNX or give --topology'
              : 'pass --skip-unsupported to treat it as shape-preserving (its output = its input), or export without it');
        }
    }
    if (type === 'BatchNormalization') {
      const src = inputs[0];
      const srcType = src ? classOf.get(src) : undefined;
      if (srcType === 'Conv2D' || srcType === 'DepthwiseConv2D' || srcType === 'Dense' || srcType === 'SeparableConv2D') {
        folds.push({
          layer: srcType === 'SeparableConv2D' ? `${src}/pointwise` : src!, bn: name,
          gamma: c.scale === false ? undefined : weight(name, 'gamma', at),
          variance: weight(name, 'moving_variance', at), epsilon: typeof c.epsilon === 'number' ? c.epsilon : 1e-3,
        });
      }
    }
    previous = name;
  }
  // a BN folds only into a layer whose output nothing else reads
  const readers = new Map<string, number>();
  for (const ins of inputsOf.values()) for (const t of ins) readers.set(t, (readers.get(t) ?? 0) + 1);
  const onlyReader = folds.filter((f) => (readers.get(f.layer.replace(/\/pointwise$/, '')) ?? 0) === 1);
  return { graph: { where, nodes, skipped }, perms, folds: onlyReader };
}

function hasKernel(layer: string, names: ReadonlySet<string>): boolean {
  for (const n of names) if (n === `${layer}/kernel` || n.endsWith(`/${layer}/kernel`) || n.startsWith(`${layer}/`)) return true;
  return false;
}

/** The declared input shape [batch, H, W, C] → [H, W, C]; symbolic sizes from --input-shape. */
function inputShape(declared: unknown, at: string, opts: GraphOptions): number[] {
  if (!Array.isArray(declared) || declared.length < 2) {
    throw new HwsimError(`${at}: no batch_input_shape`, 'give the input shape (--input-shape 1,224,224,3)');
  }
  const given = opts.inputShape;
  if (given) {
    if (given.length !== declared.length) {
      throw new HwsimError(`--input-shape ${given.join(',')} has ${given.length} dims, the model's input [${declared.map((d) => d ?? '?').join(', ')}] ${declared.length}`,
        `give ${declared.length} sizes, batch first (e.g. ${declared.map((d, i) => (i === 0 ? 1 : d ?? 224)).join(',')})`);
    }
    declared.forEach((d, i) => {
      if (i > 0 && d !== null && d !== given[i]) {
        throw new HwsimError(`--input-shape ${given.join(',')} disagrees with the model's fixed input size ${d} on axis ${i}`, 'give the sizes the model declares');
      }
    });
    return given.slice(1);
  }
  const rest = declared.slice(1);
  if (rest.some((d) => d === null || d === -1)) {
    throw new HwsimError(`${at}: the input shape [${declared.map((d) => d ?? '?').join(', ')}] has symbolic sizes`,
      `give the size to walk the graph with: --input-shape ${declared.map((d, i) => (i === 0 ? 1 : d ?? 224)).join(',')}`);
  }
  return rest as number[];
}
