/**
 * What every loader shares: raw little-endian element decoding (float16, bfloat16, ints), axis
 * permutation, and the turn of a named tensor into a weight layer with the geometry that can be
 * derived from its shape. Geometry a weight file does not hold is set to documented defaults:
 *
 *   conv / dwconv: a 56×56 output at stride 1 (ifmap 56 + k − 1, "same" padding), unless the
 *                  file states the stride (tfjs topologies do);
 *   fc:            a 1×1 input (one token), filter 1×1.
 */
import { HwsimError } from '../../errors.js';
import { checkLimit } from '../../limits.js';
import type { LayerSpec, ModelLayer } from '../types.js';

export const DEFAULT_OUTPUT = 56;

/** Element types the loaders decode, with their size in bytes. */
export const ELEMENT_BYTES = { f64: 8, f32: 4, f16: 2, bf16: 2, i32: 4, i16: 2, i8: 1, u32: 4, u16: 2, u8: 1 } as const;
export type ElementType = keyof typeof ELEMENT_BYTES;

/** IEEE half → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes `count` elements of `type` at `bytes[offset..]` (little-endian unless `bigEndian`). */
export function decodeElements(bytes: Uint8Array, offset: number, count: number, type: ElementType, bigEndian = false): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ELEMENT_BYTES[type]);
  const out = new Float32Array(count);
  const le = !bigEndian;
  switch (type) {
    case 'f32':
      if (le && (bytes.byteOffset + offset) % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset + offset, count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, le);
      break;
    case 'f64': for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, le); break;
    case 'f16': for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, le)); break;
    case 'bf16': {
      const bits = new Uint32Array(1), f = new Float32Array(bits.buffer);
      for (let i = 0; i < count; i++) { bits[0] = view.getUint16(2 * i, le) << 16; out[i] = f[0]; }
      break;
    }
    case 'i32': for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, le); break;
    case 'i16': for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, le); break;
    case 'i8': for (let i = 0; i < count; i++) out[i] = view.getInt8(i); break;
    case 'u32': for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, le); break;
    case 'u16': for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, le); break;
    case 'u8': out.set(bytes.subarray(offset, offset + count)); break;
  }
  return out;
}

/**
 * The elements one input file makes hwsim decode, counted across its tensors and checked against
 * the limits (maxWeights, and maxLayers for the tensors that become layers) from declared shapes,
 * before anything is allocated.
 */
export class WeightBudget {
  private used = 0;
  private layers = 0;

  /** Books `count` elements of the tensor `what` (e.g. "x.npz: tensor 'w' of shape [3, 4]"). */
  take(count: number, what: string): void {
    checkLimit('maxWeights', this.used + count,
      this.used === 0 ? what : `${what}, with the ${this.used.toLocaleString('en-US')} weights before it,`);
    this.used += count;
  }

  /** Books one more weight layer (a tensor of 2 dims or more) of the file `where`. */
  layer(where: string): void {
    checkLimit('maxLayers', this.layers + 1, `${where}: the weight tensor count`);
    this.layers++;
  }
}

/** Product of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major `data` of `shape` with its axes reordered: output axis j is input axis perm[j]. */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const inStride = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) { inStride[a] = s; s *= shape[a]; }
  const outShape = perm.map((p) => shape[p]);
  const step = perm.map((p) => inStride[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[src];
    // odometer over the output index, tracking the input offset
    for (let a = rank - 1; a >= 0; a--) {
      src += step[a];
      if (++idx[a] < outShape[a]) break;
      src -= step[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** How a file lays out its kernels. */
export type KernelLayout =
  | 'torch' // conv [out, in, kh, kw] (3-D: [out, in, k]), fc [out, in]
  | 'tf'; // conv [kh, kw, in, out] (3-D: [k, in, out]), depthwise [kh, kw, in, mult], dense [in, out]

/** torch: a [C, 1, kh, kw] kernel named like this is depthwise (e.g. 'features.3.dw.weight') */
const DEPTHWISE_NAME = /depthwise|(^|[^a-z])dw([^a-z]|$)/i;
/** tf: Keras names a DepthwiseConv2D kernel 'depthwise_kernel'; a plain HWIO conv never is one */
const TF_DEPTHWISE_NAME = /depthwise/i;

/**
 * A named tensor as a weight layer, or null when it has fewer than 2 dims (biases, batch-norm).
 * `stride` when the file states it; `where` names the file in errors.
 */
export function tensorToLayer(
  name: string, shape: readonly number[], data: Float32Array, layout: KernelLayout, where: string, stride = 1,
): ModelLayer | null {
  if (shape.length < 2) return null;
  if (shape.length > 4) {
    throw new HwsimError(`${where}: tensor '${name}' has ${shape.length} dims [${shape.join(', ')}]`,
      'hwsim reads 2-D (fc), 3-D (conv1d) and 4-D (conv) kernels: drop or reshape this tensor');
  }
  if (shape.some((d) => d === 0)) {
    throw new HwsimError(`${where}: tensor '${name}' has an empty shape [${shape.join(', ')}]`, 'remove empty tensors from the file');
  }
  if (shape.length === 2) {
    const [out, inp] = layout === 'torch' ? shape : [shape[1], shape[0]];
    const weights = layout === 'torch' ? data : permute(data, shape, [1, 0]);
    return { spec: fcSpec(name, out, inp), weights };
  }
  if (layout === 'tf' && TF_DEPTHWISE_NAME.test(name) && shape.length === 4) {
    const [kh, kw, c, mult] = shape;
    return { spec: convSpec(name, 'dwconv', c * mult, c, kh, kw, stride), weights: permute(data, shape, [2, 3, 0, 1]) };
  }
  let oihw: number[];
  let weights: Float32Array;
  if (layout === 'torch') {
    oihw = shape.length === 4 ? [...shape] : [shape[0], shape[1], 1, shape[2]];
    weights = data;
  } else if (shape.length === 4) {
    oihw = [shape[3], shape[2], shape[0], shape[1]];
    weights = permute(data, shape, [3, 2, 0, 1]);
  } else {
    oihw = [shape[2], shape[1], 1, shape[0]];
    weights = permute(data, shape, [2, 1, 0]);
  }
  const [o, i, kh, kw] = oihw;
  if (layout === 'torch' && DEPTHWISE_NAME.test(name) && i === 1) {
    return { spec: convSpec(name, 'dwconv', o, o, kh, kw, stride), weights };
  }
  return { spec: convSpec(name, 'conv', o, i, kh, kw, stride), weights };
}

function fcSpec(name: string, out: number, inp: number): LayerSpec {
  return { name, kind: 'fc', ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: inp, filters: out, stride: 1, weightShape: [out, inp] };
}

function convSpec(name: string, kind: 'conv' | 'dwconv', out: number, inp: number, kh: number, kw: number, stride: number): LayerSpec {
  return {
    name, kind,
    ifmapH: (DEFAULT_OUTPUT - 1) * stride + kh, ifmapW: (DEFAULT_OUTPUT - 1) * stride + kw,
    filterH: kh, filterW: kw, channels: inp, filters: out, stride,
    weightShape: kind === 'dwconv' ? [out, 1, kh, kw] : [out, inp, kh, kw],
  };
}

/**
 * The note every model loaded without a graph carries: its specs hold placeholder sizes (a
 * ${DEFAULT_OUTPUT}×${DEFAULT_OUTPUT} conv output, one fc token) that `hwsim run` does not simulate.
 */
export const GEOMETRY_NOTE =
  'layer geometry not in the file (kernels only): no latency is reported unless a topology gives it (--topology)';
