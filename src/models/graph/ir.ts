/**
 * A model's graph as hwsim walks it, whatever file it came from (a Keras topology in a tfjs
 * model.json, a TensorFlow GraphDef in a tfjs graph-model, an ONNX graph): nodes with one output
 * tensor, ops reduced to what decides shapes (conv windows, padding, pooling, flatten/reshape,
 * elementwise joins, concatenation). `walkGraph` orders the nodes (a cycle is refused by name),
 * propagates the activation shape from the input and gives every weight op its exact geometry:
 * input and output sizes, strides, padding, dilation, groups, MACs, and the SCALE-Sim LayerSpec
 * the chip model schedules.
 *
 * Activation shapes are kept without the batch axis and channels last: [H, W, C] for a feature
 * map, [F] for a vector, [T, F] for tokens (front ends turn NCHW into this).
 */
import { HwsimError } from '../../errors.js';
import type { LayerSpec } from '../types.js';

export interface Pads { top: number; left: number; bottom: number; right: number }

/** explicit pads, TensorFlow/ONNX 'same' (the extra row at the end, or with same_lower at the start), or none */
export type Padding = { mode: 'explicit'; pads: Pads } | { mode: 'same' | 'same_lower' } | { mode: 'valid' };

export interface Window {
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  padding: Padding;
  /** ONNX ceil_mode on pooling */
  ceil?: boolean;
}

export type Op =
  | { op: 'input'; shape: number[] }
  /** conv: `filters` output channels in `groups` groups (groups = C and filters = C·m: depthwise) */
  | { op: 'conv'; win: Window; filters: number; groups: number; weight: string }
  /** depthwise conv: each input channel filtered `multiplier` times (filters = C·multiplier) */
  | { op: 'dwconv'; win: Window; multiplier: number; weight: string }
  /** a matmul on the last axis: [..., in] → [..., units]; `weight` holds in·units values */
  | { op: 'dense'; units: number; weight: string }
  | { op: 'pad'; pads: Pads }
  | { op: 'pool'; win: Window }
  /** global pooling over H and W: [H, W, C] → [C] ([1, 1, C] when keepDims) */
  | { op: 'global-pool'; keepDims?: boolean }
  | { op: 'flatten' }
  /** drops size-1 spatial axes: [1, 1, C] → [C] (anything else is refused, not guessed) */
  | { op: 'squeeze' }
  /** [C] → [1, 1, C] */
  | { op: 'unsqueeze' }
  /** target shape without the batch axis; one −1 is inferred */
  | { op: 'reshape'; shape: number[] }
  /** elementwise over inputs of one shape (Add, Multiply, ...); `join` when they are activations */
  | { op: 'elementwise' }
  /** axis in the channels-last layout without batch (negative: from the end) */
  | { op: 'concat'; axis: number }
  | { op: 'upsample'; sh: number; sw: number }
  | { op: 'crop'; pads: Pads }
  | { op: 'identity' };

export interface GraphNode {
  name: string;
  /** the op as the file names it (Conv2D, _FusedConv2D, Conv, ...), for messages */
  type: string;
  op: Op;
  /** names of the tensors it reads (activations only: weights are in `op`) */
  inputs: string[];
  /** the tensor it writes */
  output: string;
}

export interface Graph {
  /** where it came from, for messages: "model.json (Keras topology)" */
  where: string;
  nodes: GraphNode[];
  /** nodes the front end did not know and passed through as identities (--skip-unsupported) */
  skipped?: { name: string; type: string }[];
}

/** One weight layer as the graph gives it. */
export interface GeoLayer {
  node: string;
  type: string;
  weight: string;
  kind: LayerSpec['kind'];
  inShape: number[];
  outShape: number[];
  kernel: [number, number];
  stride: [number, number];
  /** the pads the op applies (after 'same' is resolved), top, left, bottom, right */
  pads: Pads;
  dilation: [number, number];
  groups: number;
  macs: number;
  spec: LayerSpec;
}

export interface WalkedGraph {
  layers: GeoLayer[];
  /** shapes of every tensor, by name */
  shapes: Map<string, number[]>;
  input: number[];
  /** joins of two or more activations (residual adds, concatenations) */
  joins: { adds: number; concats: number };
  /** true when some activation is read by more than one node (branches) */
  branches: boolean;
}

const ZERO: Pads = { top: 0, left: 0, bottom: 0, right: 0 };

function fail(g: Graph, node: GraphNode | string, message: string, fix: string): never {
  const n = typeof node === 'string' ? node : `node '${node.name}' (${node.type})`;
  throw new HwsimError(`${g.where}: ${n}: ${message}`, fix);
}

const FIX_SHAPES = 'the graph\'s shapes do not fit together: export the model again, or give the input size it expects (--input-shape)';

/** Output size along one axis and the pads applied (before, after). */
function windowAxis(inSize: number, k: number, s: number, d: number, padding: Padding, before: number, after: number,
  ceil = false): { out: number; lo: number; hi: number } {
  const span = (k - 1) * d + 1;
  if (padding.mode === 'same' || padding.mode === 'same_lower') {
    const out = Math.ceil(inSize / s);
    const total = Math.max(0, (out - 1) * s + span - inSize);
    const small = Math.floor(total / 2);
    const [lo, hi] = padding.mode === 'same' ? [small, total - small] : [total - small, small];
    return { out, lo, hi };
  }
  const lo = padding.mode === 'explicit' ? before : 0;
  const hi = padding.mode === 'explicit' ? after : 0;
  const room = inSize + lo + hi - span;
  const out = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
  return { out, lo, hi };
}

function windowOut(g: Graph, node: GraphNode, win: Window, h: number, w: number): { oh: number; ow: number; pads: Pads } {
  const p = win.padding.mode === 'explicit' ? win.padding.pads : ZERO;
  const y = windowAxis(h, win.kh, win.sh, win.dh, win.padding, p.top, p.bottom, win.ceil);
  const x = windowAxis(w, win.kw, win.sw, win.dw, win.padding, p.left, p.right, win.ceil);
  if (!(y.out >= 1 && x.out >= 1)) {
    fail(g, node, `a ${win.kh}×${win.kw} window (stride ${win.sh}×${win.sw}, dilation ${win.dh}×${win.dw}) on a ${h}×${w} input ` +
      `gives a ${y.out}×${x.out} output`, FIX_SHAPES);
  }
  return { oh: y.out, ow: x.out, pads: { top: y.lo, left: x.lo, bottom: y.hi, right: x.hi } };
}

function need(g: Graph, node: GraphNode, shape: number[], rank: number, what: string): void {
  if (shape.length !== rank) {
    fail(g, node, `${what} needs a ${rank === 3 ? 'feature map (H×W×C)' : `${rank}-D input`}, it gets [${shape.join(', ')}]`, FIX_SHAPES);
  }
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Orders the nodes so that every node comes after the nodes whose outputs it reads (stable: the
 * file's order where it allows), refusing a cycle or a tensor that nothing produces.
 */
function order(g: Graph): GraphNode[] {
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    if (producer.has(n.output)) fail(g, n, `tensor '${n.output}' is written by two nodes`, 'each tensor must have one producer');
    producer.set(n.output, i);
  });
  const indegree = new Int32Array(g.nodes.length);
  const readers: number[][] = g.nodes.map(() => []);
  g.nodes.forEach((n, i) => {
    for (const t of n.inputs) {
      const p = producer.get(t);
      if (p === undefined) fail(g, n, `reads tensor '${t}', which no node produces`, 'the graph is incomplete: export the model again');
      readers[p].push(i);
      indegree[i]++;
    }
  });
  // Kahn's algorithm, the ready node earliest in the file first (a binary min-heap of indices)
  const ready = new MinHeap();
  indegree.forEach((d, i) => { if (d === 0) ready.push(i); });
  const out: GraphNode[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    out.push(g.nodes[i]);
    for (const r of readers[i]) if (--indegree[r] === 0) ready.push(r);
  }
  if (out.length !== g.nodes.length) {
    const stuck = g.nodes.filter((_, i) => indegree[i] > 0).map((n) => n.name);
    fail(g, `node '${stuck[0]}'`, `the graph has a cycle (through ${stuck.slice(0, 5).map((s) => `'${s}'`).join(', ')}${stuck.length > 5 ? ', ...' : ''})`,
      'a feed-forward network has no cycles: export the inference graph');
  }
  return out;
}

/** The smallest of a set of integers first. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Walks the graph from its input: every tensor's shape and every weight op's geometry. */
export function walkGraph(g: Graph): WalkedGraph {
  const nodes = order(g);
  const shapes = new Map<string, number[]>();
  const layers: GeoLayer[] = [];
  const readCount = new Map<string, number>();
  let input: number[] | undefined;
  const joins = { adds: 0, concats: 0 };
  for (const node of nodes) {
    for (const t of node.inputs) readCount.set(t, (readCount.get(t) ?? 0) + 1);
    const ins = node.inputs.map((t) => shapes.get(t)!);
    const x = ins[0];
    const op = node.op;
    let out: number[];
    if (op.op !== 'input' && ins.length === 0) fail(g, node, 'has no input', 'every op but the input reads a tensor');
    switch (op.op) {
      case 'input':
        if (input) fail(g, node, 'is a second input', 'hwsim walks networks with one input');
        if (op.shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
          fail(g, node, `has the input shape [${op.shape.join(', ')}]`, 'give every input dimension as a positive number (--input-shape)');
        }
        out = input = op.shape;
        break;
      case 'conv':
      case 'dwconv': {
        need(g, node, x, 3, node.type);
        const [h, w, c] = x;
        const { win } = op;
        const filters = op.op === 'conv' ? op.filters : c * op.multiplier;
        const groups = op.op === 'conv' ? op.groups : c;
        if (!(c % groups === 0 && filters % groups === 0)) {
          fail(g, node, `${groups} groups do not divide ${c} input and ${filters} output channels`, FIX_SHAPES);
        }
        const { oh, ow, pads } = windowOut(g, node, win, h, w);
        out = [oh, ow, filters];
        const depthwise = op.op === 'dwconv' || (groups === c && groups > 1);
        const cin = c / groups;
        const kind = depthwise ? 'dwconv' : 'conv';
        const stride = win.sh;
        const spec: LayerSpec = {
          name: node.name, kind,
          // SCALE-Sim geometry: the padded input rows the window reads (docs/MODELS.md); one stride
          ifmapH: (oh - 1) * stride + win.kh, ifmapW: (ow - 1) * stride + win.kw,
          filterH: win.kh, filterW: win.kw,
          channels: depthwise ? c : cin, filters, stride,
          weightShape: depthwise ? [filters, 1, win.kh, win.kw] : [filters, cin, win.kh, win.kw],
        };
        layers.push({
          node: node.name, type: node.type, weight: op.weight, kind, inShape: x, outShape: out,
          kernel: [win.kh, win.kw], stride: [win.sh, win.sw], pads, dilation: [win.dh, win.dw], groups,
          macs: oh * ow * filters * cin * win.kh * win.kw, spec,
        });
        break;
      }
      case 'dense': {
        if (x.length < 1) fail(g, node, 'reads a scalar', FIX_SHAPES);
        const inF = x[x.length - 1];
        const tokens = product(x.slice(0, -1));
        out = [...x.slice(0, -1), op.units];
        layers.push({
          node: node.name, type: node.type, weight: op.weight, kind: 'fc', inShape: x, outShape: out,
          kernel: [1, 1], stride: [1, 1], pads: ZERO, dilation: [1, 1], groups: 1, macs: tokens * inF * op.units,
          spec: {
            name: node.name, kind: 'fc', ifmapH: tokens, ifmapW: 1, filterH: 1, filterW: 1,
            channels: inF, filters: op.units, stride: 1, weightShape: [op.units, inF],
          },
        });
        break;
      }
      case 'pad':
        need(g, node, x, 3, node.type);
        out = [x[0] + op.pads.top + op.pads.bottom, x[1] + op.pads.left + op.pads.right, x[2]];
        break;
      case 'crop':
        need(g, node, x, 3, node.type);
        out = [x[0] - op.pads.top - op.pads.bottom, x[1] - op.pads.left - op.pads.right, x[2]];
        if (!(out[0] >= 1 && out[1] >= 1)) fail(g, node, `crops a ${x[0]}×${x[1]} input to ${out[0]}×${out[1]}`, FIX_SHAPES);
        break;
      case 'pool': {
        need(g, node, x, 3, node.type);
        const { oh, ow } = windowOut(g, node, op.win, x[0], x[1]);
        out = [oh, ow, x[2]];
        break;
      }
      case 'global-pool':
        need(g, node, x, 3, node.type);
        out = op.keepDims ? [1, 1, x[2]] : [x[2]];
        break;
      case 'flatten':
        out = [product(x)];
        break;
      case 'squeeze':
        if (x.slice(0, -1).some((d) => d !== 1)) fail(g, node, `squeezes [${x.join(', ')}], whose leading axes are not all 1`, FIX_SHAPES);
        out = [x[x.length - 1]];
        break;
      case 'unsqueeze':
        if (x.length !== 1) fail(g, node, `unsqueezes [${x.join(', ')}]; hwsim walks [C] → [1, 1, C] only`, FIX_SHAPES);
        out = [1, 1, x[0]];
        break;
      case 'reshape': {
        const known = product(op.shape.filter((d) => d !== -1));
        const free = op.shape.filter((d) => d === -1).length;
        const total = product(x);
        out = op.shape.map((d) => (d === -1 ? total / known : d));
        if (free > 1 || out.some((d) => !Number.isSafeInteger(d) || d < 1) || product(out) !== total) {
          fail(g, node, `cannot reshape [${x.join(', ')}] (${total} values) to [${op.shape.join(', ')}]`, FIX_SHAPES);
        }
        break;
      }
      case 'elementwise': {
        // inputs of one shape; a lower-rank or size-1 operand broadcasts (a per-channel scale)
        out = ins.reduce((a, b) => (product(b) > product(a) ? b : a));
        const joined = ins.filter((s) => product(s) === product(out));
        for (const s of joined) {
          if (s.join() !== out.join()) fail(g, node, `joins [${s.join(', ')}] and [${out.join(', ')}]`, FIX_SHAPES);
        }
        if (joined.length >= 2) joins.adds++;
        break;
      }
      case 'concat': {
        const rank = x.length;
        const axis = op.axis < 0 ? rank + op.axis : op.axis;
        if (!(axis >= 0 && axis < rank)) fail(g, node, `concatenates on axis ${op.axis} of a ${rank}-D tensor`, FIX_SHAPES);
        out = [...x];
        out[axis] = 0;
        for (const s of ins) {
          if (s.length !== rank || s.some((d, i) => i !== axis && d !== x[i])) {
            fail(g, node, `concatenates [${s.join(', ')}] with [${x.join(', ')}] on axis ${axis}`, FIX_SHAPES);
          }
          out[axis] += s[axis];
        }
        if (ins.length >= 2) joins.concats++;
        break;
      }
      case 'upsample':
        need(g, node, x, 3, node.type);
        out = [x[0] * op.sh, x[1] * op.sw, x[2]];
        break;
      case 'identity':
        out = x;
        break;
    }
    shapes.set(node.output, out);
  }
  if (!input) fail(g, 'the graph', 'has no input node', 'export the model with its input layer');
  const branches = [...readCount.values()].some((n) => n > 1);
  return { layers, shapes, input, joins, branches };
}

/** "input 224×224×3: 52 weight layers, 10 residual adds; ..." for a model's description. */
export function graphSummary(w: WalkedGraph, skipped: readonly { name: string; type: string }[] = []): string {
  const macs = w.layers.reduce((a, l) => a + l.macs, 0);
  const parts = [`geometry from the graph (input ${w.input.join('×')}): ${(macs / 1e6).toFixed(1)} M MACs`];
  if (w.joins.adds || w.joins.concats) parts.push(`${w.joins.adds} adds and ${w.joins.concats} concatenations of branches walked`);
  if (w.branches) parts.push('activation traffic is modelled as a chain in layer order (branches are not held on chip)');
  if (skipped.length) parts.push(`${skipped.length} unsupported nodes passed through unchanged (${skipped.slice(0, 3).map((s) => `${s.name}: ${s.type}`).join(', ')}${skipped.length > 3 ? ', ...' : ''})`);
  return parts.join('; ');
}
