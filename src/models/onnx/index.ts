/**
 * The ONNX loader: a ModelProto decoded with protobufjs against the official schema (schema.ts,
 * generated from onnx.proto), its graph turned into a hwsim graph (../graph/ir.ts) and walked
 * from its input. Weight layers: Conv (group → grouped or depthwise; strides, pads, auto_pad,
 * dilations), Gemm with a constant B (transB), MatMul with a constant 2-D weight. A weight is an
 * initializer, or a DequantizeLinear of one (INT8/UINT8 with its scale and zero point). Activation
 * tensors NCHW are walked channels last ([H, W, C]), batch dropped.
 */
import { basename, extname } from 'node:path';
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { HwsimError } from '../../errors.js';
import { modelFromGraph, type FoldBn } from '../graph/build.js';
import type { Graph, GraphNode, Op, Padding, Pads, Window } from '../graph/ir.js';
import type { GraphOptions } from '../graph/keras.js';
import { confinedPath, readRegularFile } from '../loaders/files.js';
import type { NamedTensor } from '../loaders/safetensors.js';
import { WeightBudget } from '../loaders/tensors.js';
import type { Model } from '../types.js';
import { ONNX_SCHEMA } from './schema.js';
import { decodeTensor, ExternalFiles, tensorDims, type DecodedTensor, type OnnxTensorProto } from './tensor.js';

export interface OnnxOptions extends GraphOptions {
  foldBn?: boolean;
  /** use the file's DequantizeLinear scales as each layer's quantizer step */
  keepQuantization?: boolean;
}

interface Attr { name?: string; type?: number; f?: number; i?: number; s?: Uint8Array; ints?: number[]; floats?: number[]; t?: OnnxTensorProto }
interface NodeProto { name?: string; op_type?: string; input?: string[]; output?: string[]; attribute?: Attr[]; domain?: string }
interface Dim { dim_value?: number; dim_param?: string }
interface ValueInfo { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: Dim[] } } } }
interface GraphProto { node?: NodeProto[]; initializer?: OnnxTensorProto[]; input?: ValueInfo[]; output?: ValueInfo[]; name?: string }
interface ModelProto { ir_version?: number; graph?: GraphProto; opset_import?: { domain?: string; version?: number }[] }

let modelType: protobuf.Type | undefined;
function modelProto(): protobuf.Type {
  if (!modelType) {
    // loaded on first use: most runs read no ONNX file, and protobufjs takes ~0.1 s to load
    const { Root } = createRequire(import.meta.url)('protobufjs') as typeof protobuf;
    modelType = Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
  }
  return modelType;
}

const FIX = 'the file is truncated or not an ONNX model: export it again (torch.onnx.export, tf2onnx, ...)';

/** Decodes the protobuf; a truncated or corrupted file is a HwsimError naming the file. */
export function decodeOnnx(bytes: Uint8Array, path: string): ModelProto {
  const type = modelProto();
  let msg: protobuf.Message;
  try {
    msg = type.decode(bytes);
  } catch (err) {
    throw new HwsimError(`${path}: not a valid ONNX protobuf (${(err as Error).message})`, FIX);
  }
  const model = type.toObject(msg, { longs: Number, enums: Number, arrays: true }) as ModelProto;
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new HwsimError(`${path}: no graph with nodes in this ONNX model`, FIX);
  }
  return model;
}

const text = (b?: Uint8Array) => (b ? new TextDecoder().decode(b) : '');

/** Activation ops that keep the shape. */
const PASS = new Set(['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'HardSwish', 'HardSigmoid', 'Elu', 'Selu', 'PRelu',
  'Softmax', 'LogSoftmax', 'Dropout', 'Identity', 'BatchNormalization', 'Cast', 'Erf', 'Gelu', 'Exp', 'Sqrt', 'Neg', 'Abs',
  'LRN', 'InstanceNormalization', 'LayerNormalization', 'QuantizeLinear', 'DequantizeLinear', 'Mish', 'Softplus']);
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Pow']);

/** Loads an .onnx file: graph, weights, geometry. */
export function loadOnnx(path: string, opts: OnnxOptions = {}): Model {
  const bytes = readRegularFile(path, path, 'give the path of an .onnx file');
  const model = decodeOnnx(bytes, path);
  const g = model.graph!;
  const where = path;
  const budget = new WeightBudget();
  const external = new ExternalFiles(path);
  const inits = new Map<string, OnnxTensorProto>();
  for (const t of g.initializer ?? []) {
    if (!t.name) throw new HwsimError(`${where}: an initializer has no name`, FIX);
    inits.set(t.name, t);
    // every external file a model names must lie in its folder, even one whose tensor goes unused
    if (t.data_location === 1) {
      const location = t.external_data?.find((e) => e.key === 'location')?.value;
      if (!location) throw new HwsimError(`${where}: tensor '${t.name}' is external but names no location`, FIX);
      confinedPath(path, location, 'external data files');
    }
  }
  // decoded lazily: only what the graph uses (weights, shapes, pads, scales)
  const decoded = new Map<string, DecodedTensor>();
  const constant = (name: string): DecodedTensor | undefined => {
    let d = decoded.get(name);
    if (d) return d;
    const t = inits.get(name);
    if (!t) return undefined;
    d = decodeTensor(t, where, external, budget);
    decoded.set(name, d);
    return d;
  };
  // Constant nodes are initializers too
  for (const n of g.node ?? []) {
    if (n.op_type === 'Constant' && n.output?.[0]) {
      const value = n.attribute?.find((a) => a.name === 'value')?.t;
      if (value) inits.set(n.output[0], { ...value, name: n.output[0] });
    }
  }

  const nodes: GraphNode[] = [];
  const perms = new Map<string, number[]>();
  const weights = new Map<string, NamedTensor>();
  const quantSteps = new Map<string, { scale: Float32Array }>();
  const folds: FoldBn[] = [];
  const skipped: { name: string; type: string }[] = [];
  const unsupported: string[] = [];
  const producer = new Map<string, { name: string; op: string }>();
  const readers = new Map<string, number>();
  for (const n of g.node ?? []) for (const i of n.input ?? []) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  const dequant = new Map<string, NodeProto>();
  for (const n of g.node ?? []) if (n.op_type === 'DequantizeLinear' && inits.has(n.input?.[0] ?? '')) dequant.set(n.output![0], n);

  // the input: graph inputs that are not initializers
  const inputs = (g.input ?? []).filter((v) => v.name && !inits.has(v.name));
  if (inputs.length !== 1) {
    throw new HwsimError(`${where}: the graph has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')})`, 'hwsim walks networks with one input');
  }
  const input = inputs[0];
  nodes.push({ name: input.name!, type: 'input', op: { op: 'input', shape: inputShape(input, where, opts) }, inputs: [], output: input.name! });
  const activation = (name: string) => !inits.has(name) && !dequant.has(name);

  /** a weight input: an initializer, or DequantizeLinear(initializer, scale, zero point) */
  const weightOf = (name: string, node: string, perm: number[]): string => {
    const dq = dequant.get(name);
    if (dq) {
      const [q, s, z] = dq.input!;
      const qt = constant(q)!;
      const scale = constant(s);
      const zero = z ? constant(z) : undefined;
      if (!scale) throw new HwsimError(`${where}: DequantizeLinear '${dq.name}' has no constant scale`, 'a quantized weight needs its scale as an initializer');
      const axisAttr = dq.attribute?.find((a) => a.name === 'axis')?.i ?? 1;
      const axis = axisAttr < 0 ? qt.shape.length + axisAttr : axisAttr;
      const perAxis = scale.data.length > 1;
      if (perAxis && qt.shape[axis] !== scale.data.length) {
        throw new HwsimError(`${where}: DequantizeLinear '${dq.name}' has ${scale.data.length} scales for axis ${axis} of [${qt.shape.join(', ')}]`, FIX);
      }
      const inner = qt.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const values = new Float32Array(qt.data.length);
      for (let i = 0; i < values.length; i++) {
        const c = perAxis ? Math.floor(i / inner) % scale.data.length : 0;
        values[i] = (qt.data[i] - (zero ? zero.data[perAxis && zero.data.length > 1 ? c : 0] : 0)) * scale.data[c];
      }
      weights.set(name, { name, shape: qt.shape, data: values });
      if (opts.keepQuantization) {
        if (perAxis && axis !== perm[0]) {
          throw new HwsimError(`${where}: DequantizeLinear '${dq.name}' scales axis ${axis} of weight '${q}', not its output channels (axis ${perm[0]})`,
            'hwsim keeps one step per output channel: leave out --keep-quantization to requantize this weight');
        }
        quantSteps.set(name, { scale: scale.data });
      }
      perms.set(name, perm);
      return name;
    }
    const t = constant(name);
    if (!t) throw new HwsimError(`${where}: node '${node}' reads weight '${name}', which is neither an initializer nor a DequantizeLinear of one`, 'hwsim needs constant weights: export with constant folding (do_constant_folding=True)');
    weights.set(name, { name, shape: t.shape, data: t.data });
    perms.set(name, perm);
    return name;
  };

  (g.node ?? []).forEach((n, idx) => {
    const type = n.op_type ?? '?';
    const name = n.name || `${type}#${idx}`;
    const at = `${where}: node '${name}' (${type})`;
    const out = n.output?.[0];
    if (type === 'Constant' || (type === 'DequantizeLinear' && dequant.has(out ?? ''))) return;
    if (!out) throw new HwsimError(`${at}: has no output`, FIX);
    if (n.domain && n.domain !== 'ai.onnx' && n.domain !== '') {
      unsupported.push(`${name} (${n.domain}.${type})`);
      return;
    }
    const attr = (k: string) => n.attribute?.find((a) => a.name === k);
    const ins = (n.input ?? []).filter((i) => i !== '');
    const acts = ins.filter(activation);
    const push = (op: Op, reads = acts.slice(0, 1)) => {
      nodes.push({ name, type, op, inputs: reads, output: out });
      producer.set(out, { name, op: type });
    };
    switch (type) {
      case 'Conv': {
        const wName = ins[1];
        if (!wName || activation(wName)) throw new HwsimError(`${at}: its weight '${wName}' is not constant`, 'hwsim needs constant conv weights');
        const wDims = tensorDims((inits.get(wName) ?? inits.get(dequant.get(wName)!.input![0]))!, where);
        if (wDims.length !== 4) throw new HwsimError(`${at}: a ${wDims.length}-D weight [${wDims.join(', ')}]`, 'hwsim reads 2-D convolutions (4-D weights [M, C/group, kH, kW])');
        const win = onnxWindow(n, at, [wDims[2], wDims[3]]);
        const group = Number(attr('group')?.i ?? 1);
        const w = weightOf(wName, name, [0, 1, 2, 3]);
        push({ op: 'conv', win, filters: wDims[0], groups: group, weight: w });
        break;
      }
      case 'Gemm': {
        const [a, b] = ins;
        const transA = Number(attr('transA')?.i ?? 0);
        const transB = Number(attr('transB')?.i ?? 0);
        if (!activation(a) || activation(b)) throw new HwsimError(`${at}: hwsim reads Gemm with an activation A and a constant B`, 'export the fully connected layer with its weight as B');
        if (transA) throw new HwsimError(`${at}: transA = 1 on the activation input`, 'hwsim reads Gemm with transA = 0 (the batch on the first axis)');
        const dims = tensorDims((inits.get(b) ?? inits.get(dequant.get(b)!.input![0]))!, where);
        if (dims.length !== 2) throw new HwsimError(`${at}: B has dims [${dims.join(', ')}]`, 'Gemm\'s B is 2-D');
        const units = transB ? dims[0] : dims[1];
        push({ op: 'dense', units, weight: weightOf(b, name, transB ? [0, 1] : [1, 0]) });
        break;
      }
      case 'MatMul': {
        const [a, b] = ins;
        if (!activation(a) || activation(b)) {
          if (!activation(a) && !activation(b)) { unsupported.push(`${name} (MatMul of two constants)`); return; }
          throw new HwsimError(`${at}: hwsim reads MatMul of an activation by a constant weight (A·W)`,
            activation(b) ? 'a MatMul of two activations (attention scores) holds no weights and is not modelled; W·A is not read' : FIX);
        }
        const dims = tensorDims((inits.get(b) ?? inits.get(dequant.get(b)!.input![0]))!, where);
        if (dims.length !== 2) throw new HwsimError(`${at}: the weight has dims [${dims.join(', ')}]`, 'hwsim reads MatMul by a 2-D weight [K, N]');
        push({ op: 'dense', units: dims[1], weight: weightOf(b, name, [1, 0]) });
        break;
      }
      case 'MaxPool': case 'AveragePool': {
        const k = attr('kernel_shape')?.ints?.map(Number);
        if (!k || k.length !== 2) throw new HwsimError(`${at}: kernel_shape ${JSON.stringify(k)}`, 'hwsim reads 2-D pooling');
        push({ op: 'pool', win: onnxWindow(n, at, [k[0], k[1]]) });
        break;
      }
      case 'GlobalAveragePool': case 'GlobalMaxPool': push({ op: 'global-pool', keepDims: true }); break;
      case 'ReduceMean': {
        const axes = attr('axes')?.ints?.map(Number) ?? (ins[1] ? Array.from(constant(ins[1])?.data ?? []) : []);
        if (axes.sort().join() !== '2,3') { unsupported.push(`${name} (ReduceMean over axes ${axes.join(',')})`); return; }
        push({ op: 'global-pool', keepDims: Number(attr('keepdims')?.i ?? 1) === 1 });
        break;
      }
      case 'Flatten': push({ op: 'flatten' }); break;
      case 'Reshape': {
        const s = constant(ins[1]);
        if (!s) throw new HwsimError(`${at}: its shape '${ins[1]}' is not constant`, 'export with constant folding');
        push({ op: 'reshape', shape: fromOnnxShape(Array.from(s.data), at) });
        break;
      }
      case 'Squeeze': case 'Unsqueeze': {
        // [N, C, 1, 1] ↔ [N, C] (after global pooling); other axes are refused, not guessed
        const axes = (attr('axes')?.ints?.map(Number) ?? (ins[1] ? Array.from(constant(ins[1])?.data ?? []) : [2, 3]))
          .map((a) => (a < 0 ? a + 4 : a)).sort().join();
        if (axes !== '2,3') { unsupported.push(`${name} (${type} of axes ${axes})`); return; }
        push({ op: type === 'Squeeze' ? 'squeeze' : 'unsqueeze' });
        break;
      }
      case 'Pad': {
        const p = attr('pads')?.ints?.map(Number) ?? (ins[1] ? Array.from(constant(ins[1])?.data ?? []) : undefined);
        const mode = text(attr('mode')?.s) || 'constant';
        if (!p || p.length !== 8 || p[0] || p[1] || p[4] || p[5]) throw new HwsimError(`${at}: pads ${JSON.stringify(p)}`, 'hwsim reads Pad on H and W of an NCHW tensor');
        if (p.some((x) => x < 0)) throw new HwsimError(`${at}: negative pads ${JSON.stringify(p)}`, 'crop with Slice instead');
        void mode;
        push({ op: 'pad', pads: { top: p[2], left: p[3], bottom: p[6], right: p[7] } });
        break;
      }
      case 'Concat': {
        const axis = Number(attr('axis')?.i ?? 1);
        push({ op: 'concat', axis: nchwAxis(axis) }, acts);
        break;
      }
      default:
        if (ELEMENTWISE.has(type)) push({ op: 'elementwise' }, acts);
        else if (PASS.has(type)) {
          push({ op: 'identity' });
          if (type === 'BatchNormalization') {
            const src = producer.get(acts[0]);
            if (src && (src.op === 'Conv' || src.op === 'Gemm' || src.op === 'MatMul') && readers.get(acts[0]) === 1) {
              folds.push({ layer: src.name, bn: name, gamma: ins[1], variance: ins[4], epsilon: attr('epsilon')?.f ?? 1e-5 });
            }
          }
        } else if (opts.skipUnsupported) { skipped.push({ name, type }); push({ op: 'identity' }); }
        else unsupported.push(`${name} (${type})`);
    }
  });
  if (unsupported.length) {
    throw new HwsimError(`${where}: unsupported ONNX ops: ${unsupported.slice(0, 8).join(', ')}${unsupported.length > 8 ? `, and ${unsupported.length - 8} more` : ''}`,
      'pass --skip-unsupported to treat them as shape-preserving (their output = their first input), or export without them');
  }
  const tensors = new Map<string, NamedTensor>(weights);
  for (const f of folds) {
    for (const k of [f.gamma, f.variance]) if (k && constant(k)) tensors.set(k, { name: k, shape: constant(k)!.shape, data: constant(k)!.data });
  }
  const graph: Graph = { where, nodes, skipped };
  const kept = quantSteps.size;
  const built = modelFromGraph({
    name: basename(path, extname(path)), path, format: 'ONNX', graph, tensors, perms, folds, foldBn: opts.foldBn,
    note: kept ? `${kept} layers keep the file's DequantizeLinear scales as their quantizer` : undefined,
  }).model;
  if (kept) {
    for (const l of built.layers) {
      const w = [...quantSteps.entries()].find(([k]) => k === l.spec.name || weightFor(graph, l.spec.name) === k);
      if (w) l.quant = w[1].scale.length > 1 ? { step: Math.max(...w[1].scale), stepsPerChannel: Float32Array.from(w[1].scale) } : { step: w[1].scale[0] };
    }
  }
  return built;
}

function weightFor(g: Graph, node: string): string | undefined {
  const n = g.nodes.find((x) => x.name === node);
  return n && (n.op.op === 'conv' || n.op.op === 'dense' || n.op.op === 'dwconv') ? n.op.weight : undefined;
}

/** An NCHW axis as the walker's channels-last axis without batch. */
function nchwAxis(axis: number): number {
  // rank-4 NCHW: 1 (C) → 2 (C in H, W, C), 2 (H) → 0, 3 (W) → 1; rank 2 [N, F]: 1 → 0 (the same as −1 for C)
  if (axis === 1 || axis === -3) return -1;
  if (axis === 2 || axis === -2) return 0;
  if (axis === 3 || axis === -1) return 1;
  return axis;
}

/** An ONNX Reshape target (batch first, NCHW) as the walker's shape. */
function fromOnnxShape(s: number[], at: string): number[] {
  if (s.length < 2) throw new HwsimError(`${at}: reshape to [${s.join(', ')}]`, 'hwsim walks tensors with a batch axis first');
  const rest = s.slice(1).map((d) => (d === 0 ? -1 : d));
  return rest.length === 3 ? [rest[1], rest[2], rest[0]] : rest;
}

function onnxWindow(n: NodeProto, at: string, kernel: [number, number]): Window {
  const attr = (k: string) => n.attribute?.find((a) => a.name === k);
  const ints = (k: string, d: number[]) => attr(k)?.ints?.map(Number) ?? d;
  const ks = ints('kernel_shape', kernel);
  if (ks[0] !== kernel[0] || ks[1] !== kernel[1]) throw new HwsimError(`${at}: kernel_shape [${ks.join(', ')}] disagrees with its weight's [${kernel.join(', ')}]`, FIX);
  const [sh, sw] = ints('strides', [1, 1]);
  const [dh, dw] = ints('dilations', [1, 1]);
  const pads = ints('pads', [0, 0, 0, 0]);
  if (pads.length !== 4 || [sh, sw, dh, dw].some((v) => !(Number.isSafeInteger(v) && v >= 1)) || pads.some((p) => !(Number.isSafeInteger(p) && p >= 0))) {
    throw new HwsimError(`${at}: strides [${sh}, ${sw}], dilations [${dh}, ${dw}], pads [${pads.join(', ')}]`, 'strides and dilations ≥ 1, four pads ≥ 0 (2-D)');
  }
  const auto = text(attr('auto_pad')?.s) || 'NOTSET';
  let padding: Padding;
  if (auto === 'SAME_UPPER') padding = { mode: 'same' };
  else if (auto === 'SAME_LOWER') padding = { mode: 'same_lower' };
  else if (auto === 'VALID') padding = { mode: 'valid' };
  else if (auto === 'NOTSET') padding = { mode: 'explicit', pads: { top: pads[0], left: pads[1], bottom: pads[2], right: pads[3] } as Pads };
  else throw new HwsimError(`${at}: auto_pad '${auto}'`, 'auto_pad is NOTSET, SAME_UPPER, SAME_LOWER or VALID');
  return { kh: kernel[0], kw: kernel[1], sh, sw, dh, dw, padding, ceil: Number(attr('ceil_mode')?.i ?? 0) === 1 };
}

/** The graph input's shape [N, C, H, W] → [H, W, C] ([N, F] → [F]); symbolic sizes from --input-shape. */
function inputShape(v: ValueInfo, where: string, opts: GraphOptions): number[] {
  const dims = v.type?.tensor_type?.shape?.dim;
  if (!dims) throw new HwsimError(`${where}: input '${v.name}' has no tensor shape`, 'give it with --input-shape, batch first (e.g. 1,3,224,224)');
  const shown = dims.map((d) => (d.dim_value ? String(d.dim_value) : d.dim_param || '?')).join(', ');
  let shape: number[];
  if (opts.inputShape) {
    if (opts.inputShape.length !== dims.length) {
      throw new HwsimError(`--input-shape ${opts.inputShape.join(',')} has ${opts.inputShape.length} dims, input '${v.name}' [${shown}] has ${dims.length}`, `give ${dims.length} sizes, batch first`);
    }
    dims.forEach((d, i) => {
      if (d.dim_value && d.dim_value !== opts.inputShape![i]) {
        throw new HwsimError(`--input-shape ${opts.inputShape!.join(',')} disagrees with input '${v.name}' [${shown}] on axis ${i}`, 'give the sizes the model declares');
      }
    });
    shape = opts.inputShape;
  } else {
    shape = dims.map((d, i) => (d.dim_value ? Number(d.dim_value) : i === 0 ? 1 : NaN));
    if (shape.some((d) => Number.isNaN(d))) {
      throw new HwsimError(`${where}: input '${v.name}' has symbolic sizes [${shown}]`,
        `give the size to walk the graph with, batch first: --input-shape ${dims.map((d, i) => (d.dim_value ? d.dim_value : i === 0 ? 1 : 224)).join(',')}`);
    }
  }
  if (shape[0] !== 1) throw new HwsimError(`${where}: input '${v.name}' has batch ${shape[0]}`, 'hwsim models batch 1: give --input-shape with 1 first');
  const rest = shape.slice(1);
  return rest.length === 3 ? [rest[1], rest[2], rest[0]] : rest;
}
