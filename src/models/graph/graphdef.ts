/**
 * A TensorFlow GraphDef (the `modelTopology.node` list of a tfjs graph-model) as a hwsim graph
 * (ir.ts). Const nodes are the manifest's weights (by node name); conv filters HWIO and
 * depthwise HWCM, MatMul weights [in, out] (or [out, in] with transpose_b). Attributes as the
 * tfjs converter writes them: lists of strings of integers, strings in base64.
 */
import { HwsimError } from '../../errors.js';
import type { Graph, GraphNode, Op, Padding, Window } from './ir.js';
import { TF_CONV, TF_DENSE, TF_DEPTHWISE, type GraphOptions } from './keras.js';

interface TfAttr { list?: { i?: string[]; s?: string[] }; s?: string; i?: string; b?: boolean; f?: number; shape?: { dim?: { size?: string }[] } }
interface TfNode { name?: string; op?: string; input?: string[]; attr?: Record<string, TfAttr> }

const PASS = new Set(['Relu', 'Relu6', 'Identity', 'Softmax', 'FusedBatchNorm', 'FusedBatchNormV3', 'Sigmoid', 'Tanh', 'Elu',
  'LeakyRelu', 'Cast', 'StopGradient', 'Selu', 'Softplus', 'Square', 'Sqrt', 'Rsqrt', 'Exp', 'Neg', 'Abs']);
const ELEMENTWISE = new Set(['Add', 'AddV2', 'AddN', 'Mul', 'Sub', 'RealDiv', 'Maximum', 'Minimum', 'BiasAdd']);

const FIX = 'export the model again with tensorflowjs_converter';

const b64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('latin1') : '');
const ints = (a?: TfAttr) => (a?.list?.i ?? []).map(Number);

/** "name:0" → "name"; control inputs ("^name") are not data. */
function tensorName(s: string): string | undefined {
  if (s.startsWith('^')) return undefined;
  return s.replace(/:0$/, '');
}

export interface GraphDefGraph { graph: Graph; perms: Map<string, number[]> }

export function graphDefGraph(topology: unknown, where: string, weights: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  opts: GraphOptions = {}): GraphDefGraph {
  const list = (topology as { node?: unknown })?.node;
  if (!Array.isArray(list)) throw new HwsimError(`${where}: no node list`, FIX);
  const tfNodes = list as TfNode[];
  const consts = new Set(tfNodes.filter((n) => n.op === 'Const').map((n) => n.name!));
  const nodes: GraphNode[] = [];
  const perms = new Map<string, number[]>();
  const skipped: { name: string; type: string }[] = [];
  const unsupported: string[] = [];
  const constValue = (name: string, at: string): Float32Array => {
    const t = weights.get(name);
    if (!t) throw new HwsimError(`${at}: constant '${name}' is not in the weightsManifest`, FIX);
    return t.data;
  };
  for (const [i, n] of tfNodes.entries()) {
    const type = n.op ?? '?';
    const name = n.name ?? `#${i}`;
    const at = `${where}: node '${name}' (${type})`;
    if (type === 'Const' || type === 'NoOp') continue;
    const a = n.attr ?? {};
    const fmt = b64(a.data_format?.s);
    if (fmt && fmt !== 'NHWC') throw new HwsimError(`${at}: data_format ${fmt}`, 'hwsim reads NHWC graph-models (the tfjs default)');
    const ins = (n.input ?? []).map(tensorName).filter((s): s is string => s !== undefined);
    for (const s of ins) if (/:\d+$/.test(s)) throw new HwsimError(`${at}: reads output ${s}`, 'hwsim walks ops with one output');
    const acts = ins.filter((s) => !consts.has(s));
    const push = (op: Op, reads = acts.slice(0, 1)) => nodes.push({ name, type, op, inputs: reads, output: name });
    const weight = (k: number, perm: number[]) => {
      const w = ins[k];
      if (!w || !consts.has(w)) throw new HwsimError(`${at}: its weight (input ${k}) is not a constant`, 'hwsim needs constant weights: convert with weight folding');
      perms.set(w, perm);
      return w;
    };
    switch (type) {
      case 'Placeholder': {
        const dims = (a.shape?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
        push({ op: 'input', shape: placeholderShape(dims, at, opts) }, []);
        break;
      }
      case 'Conv2D': case '_FusedConv2D': {
        const w = weight(1, TF_CONV);
        const shape = weights.get(w)?.shape ?? [];
        if (shape.length !== 4) throw new HwsimError(`${at}: filter '${w}' has shape [${shape.join(', ')}]`, FIX);
        push({ op: 'conv', win: tfWindow(a, at, shape[0], shape[1]), filters: shape[3], groups: 1, weight: w });
        break;
      }
      case 'DepthwiseConv2dNative': case 'FusedDepthwiseConv2dNative': {
        const w = weight(1, TF_DEPTHWISE);
        const shape = weights.get(w)?.shape ?? [];
        if (shape.length !== 4) throw new HwsimError(`${at}: filter '${w}' has shape [${shape.join(', ')}]`, FIX);
        push({ op: 'dwconv', win: tfWindow(a, at, shape[0], shape[1]), multiplier: shape[3], weight: w });
        break;
      }
      case 'MatMul': case '_FusedMatMul': {
        if (a.transpose_a?.b) throw new HwsimError(`${at}: transpose_a`, 'hwsim reads MatMul of an activation by a constant weight');
        const tb = a.transpose_b?.b === true;
        const w = weight(1, tb ? [0, 1] : TF_DENSE);
        const shape = weights.get(w)?.shape ?? [];
        if (shape.length !== 2) throw new HwsimError(`${at}: weight '${w}' has shape [${shape.join(', ')}]`, FIX);
        push({ op: 'dense', units: tb ? shape[0] : shape[1], weight: w });
        break;
      }
      case 'AvgPool': case 'MaxPool': {
        const k = ints(a.ksize);
        push({ op: 'pool', win: tfWindow(a, at, k[1], k[2]) });
        break;
      }
      case 'Mean': {
        const axes = Array.from(constValue(ins[1], at)).sort();
        if (axes.join() !== '1,2') { unsupported.push(`${name} (Mean over axes ${axes.join(',')})`); continue; }
        push({ op: 'global-pool', keepDims: a.keep_dims?.b === true });
        break;
      }
      case 'Squeeze': push({ op: 'squeeze' }); break;
      case 'Reshape': push({ op: 'reshape', shape: Array.from(constValue(ins[1], at)).slice(1) }); break;
      case 'Pad': case 'PadV2': case 'MirrorPad': {
        const p = Array.from(constValue(ins[1], at));
        if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) throw new HwsimError(`${at}: paddings [${p.join(', ')}]`, 'hwsim reads padding of H and W');
        push({ op: 'pad', pads: { top: p[2], bottom: p[3], left: p[4], right: p[5] } });
        break;
      }
      case 'ConcatV2': {
        const axis = constValue(ins[ins.length - 1], at)[0];
        push({ op: 'concat', axis: axis > 0 ? axis - 1 : axis }, acts);
        break;
      }
      default:
        if (ELEMENTWISE.has(type)) push({ op: 'elementwise' }, acts);
        else if (PASS.has(type)) push({ op: 'identity' });
        else if (opts.skipUnsupported) { skipped.push({ name, type }); push({ op: 'identity' }); }
        else unsupported.push(`${name} (${type})`);
    }
  }
  if (unsupported.length) {
    throw new HwsimError(`${where}: unsupported ops: ${unsupported.slice(0, 8).join(', ')}${unsupported.length > 8 ? `, and ${unsupported.length - 8} more` : ''}`,
      'pass --skip-unsupported to treat them as shape-preserving (their output = their first input)');
  }
  return { graph: { where, nodes, skipped }, perms };
}

function tfWindow(a: Record<string, TfAttr>, at: string, kh: number, kw: number): Window {
  const s = ints(a.strides);
  const d = a.dilations ? ints(a.dilations) : [1, 1, 1, 1];
  const [sh, sw] = s.length === 4 ? [s[1], s[2]] : [1, 1];
  const [dh, dw] = d.length === 4 ? [d[1], d[2]] : [1, 1];
  const mode = b64(a.padding?.s);
  let padding: Padding;
  if (mode === 'SAME') padding = { mode: 'same' };
  else if (mode === 'VALID') padding = { mode: 'valid' };
  else if (mode === 'EXPLICIT') {
    const p = ints(a.explicit_paddings);
    if (p.length !== 8) throw new HwsimError(`${at}: explicit_paddings [${p.join(', ')}]`, FIX);
    padding = { mode: 'explicit', pads: { top: p[2], bottom: p[3], left: p[4], right: p[5] } };
  } else throw new HwsimError(`${at}: padding '${mode}'`, 'padding is SAME, VALID or EXPLICIT');
  if (![kh, kw, sh, sw, dh, dw].every((v) => Number.isSafeInteger(v) && v >= 1)) {
    throw new HwsimError(`${at}: kernel ${kh}×${kw}, strides ${sh}×${sw}, dilations ${dh}×${dw}`, FIX);
  }
  return { kh, kw, sh, sw, dh, dw, padding };
}

function placeholderShape(dims: number[], at: string, opts: GraphOptions): number[] {
  const given = opts.inputShape;
  if (given) {
    if (given.length !== dims.length) {
      throw new HwsimError(`--input-shape ${given.join(',')} has ${given.length} dims, the model's input [${dims.join(', ')}] ${dims.length}`, `give ${dims.length} sizes, batch first`);
    }
    dims.forEach((d, i) => {
      if (i > 0 && d >= 0 && d !== given[i]) throw new HwsimError(`--input-shape ${given.join(',')} disagrees with the model's fixed input size ${d} on axis ${i}`, 'give the sizes the model declares');
    });
    return given.slice(1);
  }
  if (dims.length < 2 || dims.slice(1).some((d) => d < 1)) {
    throw new HwsimError(`${at}: the input shape [${dims.map((d) => (d < 0 ? '?' : d)).join(', ')}] has symbolic sizes`,
      `give the size to walk the graph with: --input-shape ${dims.map((d, i) => (i === 0 ? 1 : d < 0 ? 224 : d)).join(',')}`);
  }
  return dims.slice(1);
}
