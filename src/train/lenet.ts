/**
 * LeNet-300-100 and LeNet-5 (the layers of the zoo's entries, src/models/zoo.ts), trainable and
 * runnable in plain TypeScript: dense, valid 5×5 convolution, 2×2 max pooling, ReLU, softmax
 * cross-entropy, minibatch SGD with momentum and weight decay. One sample at a time through
 * typed arrays; small enough for the 8,000 training digits on a CPU in minutes.
 *
 *   lenet-300-100: 784 → fc1 300 → ReLU → fc2 100 → ReLU → fc3 10
 *   lenet-5 (Caffe): 1×28×28 → conv1 20@5×5 → pool 2 → conv2 50@5×5 → pool 2 → ip1 500 → ReLU → ip2 10
 *
 * Parameters are named as the fixtures store them: `<layer>.weight` in the zoo's canonical shape
 * ([out, in] for FC, [out, in, kh, kw] for conv; FC inputs in C×H×W order) and `<layer>.bias`.
 */
import { HwsimError } from '../errors.js';
import type { Digits } from './mnist.js';
import { PIXELS } from './mnist.js';
import { permutation, seeded } from './rng.js';

export const LENETS = ['lenet-300-100', 'lenet-5'] as const;
export type LenetName = (typeof LENETS)[number];

export interface Param { name: string; shape: number[]; data: Float32Array; grad: Float32Array; velocity: Float32Array; mask?: Uint8Array }

interface Layer {
  /** the weight layer's name (dense and conv), for the parameters and the codecs */
  readonly name?: string;
  readonly outSize: number;
  forward(x: Float32Array): Float32Array;
  /** dy → dx (accumulating parameter gradients); `needDx` false for the first layer */
  backward(dy: Float32Array, needDx: boolean): Float32Array;
}

function param(name: string, shape: number[]): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, data: new Float32Array(n), grad: new Float32Array(n), velocity: new Float32Array(n) };
}

class Dense implements Layer {
  readonly w: Param;
  readonly b: Param;
  private x: Float32Array = new Float32Array(0);
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  constructor(readonly name: string, readonly inSize: number, readonly outSize: number) {
    this.w = param(`${name}.weight`, [outSize, inSize]);
    this.b = param(`${name}.bias`, [outSize]);
    this.y = new Float32Array(outSize);
    this.dx = new Float32Array(inSize);
  }
  forward(x: Float32Array): Float32Array {
    this.x = x;
    const W = this.w.data; const n = this.inSize;
    for (let o = 0; o < this.outSize; o++) {
      let s = this.b.data[o];
      const row = o * n;
      for (let i = 0; i < n; i++) s += W[row + i] * x[i];
      this.y[o] = s;
    }
    return this.y;
  }
  backward(dy: Float32Array, needDx: boolean): Float32Array {
    const W = this.w.data; const gW = this.w.grad; const n = this.inSize; const x = this.x;
    if (needDx) this.dx.fill(0);
    for (let o = 0; o < this.outSize; o++) {
      const g = dy[o];
      if (g === 0) continue;
      this.b.grad[o] += g;
      const row = o * n;
      for (let i = 0; i < n; i++) gW[row + i] += g * x[i];
      if (needDx) for (let i = 0; i < n; i++) this.dx[i] += W[row + i] * g;
    }
    return this.dx;
  }
}

class Conv implements Layer {
  readonly w: Param;
  readonly b: Param;
  readonly outSize: number;
  private readonly oh: number;
  private x: Float32Array = new Float32Array(0);
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  constructor(readonly name: string, readonly c: number, readonly h: number, readonly o: number, readonly k: number) {
    this.w = param(`${name}.weight`, [o, c, k, k]);
    this.b = param(`${name}.bias`, [o]);
    this.oh = h - k + 1;
    this.outSize = o * this.oh * this.oh;
    this.y = new Float32Array(this.outSize);
    this.dx = new Float32Array(c * h * h);
  }
  forward(x: Float32Array): Float32Array {
    this.x = x;
    const { c, h, o, k, oh } = this; const W = this.w.data;
    for (let f = 0; f < o; f++) {
      const out = this.y.subarray(f * oh * oh, (f + 1) * oh * oh);
      out.fill(this.b.data[f]);
      for (let ch = 0; ch < c; ch++) {
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const wv = W[((f * c + ch) * k + ky) * k + kx];
            for (let y = 0; y < oh; y++) {
              const src = (ch * h + y + ky) * h + kx;
              const dst = y * oh;
              for (let xx = 0; xx < oh; xx++) out[dst + xx] += wv * x[src + xx];
            }
          }
        }
      }
    }
    return this.y;
  }
  backward(dy: Float32Array, needDx: boolean): Float32Array {
    const { c, h, o, k, oh } = this; const W = this.w.data; const gW = this.w.grad; const x = this.x;
    if (needDx) this.dx.fill(0);
    for (let f = 0; f < o; f++) {
      const g = dy.subarray(f * oh * oh, (f + 1) * oh * oh);
      let gb = 0;
      for (let i = 0; i < g.length; i++) gb += g[i];
      this.b.grad[f] += gb;
      for (let ch = 0; ch < c; ch++) {
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const wi = ((f * c + ch) * k + ky) * k + kx;
            const wv = W[wi];
            let acc = 0;
            for (let y = 0; y < oh; y++) {
              const src = (ch * h + y + ky) * h + kx;
              const row = y * oh;
              for (let xx = 0; xx < oh; xx++) {
                acc += g[row + xx] * x[src + xx];
                if (needDx) this.dx[src + xx] += wv * g[row + xx];
              }
            }
            gW[wi] += acc;
          }
        }
      }
    }
    return this.dx;
  }
}

class MaxPool2 implements Layer {
  readonly outSize: number;
  private readonly oh: number;
  private readonly y: Float32Array;
  private readonly arg: Int32Array;
  private readonly dx: Float32Array;
  constructor(readonly c: number, readonly h: number) {
    this.oh = h >> 1;
    this.outSize = c * this.oh * this.oh;
    this.y = new Float32Array(this.outSize);
    this.arg = new Int32Array(this.outSize);
    this.dx = new Float32Array(c * h * h);
  }
  forward(x: Float32Array): Float32Array {
    const { c, h, oh } = this;
    let o = 0;
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < oh; xx++, o++) {
          let best = -Infinity; let at = 0;
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              const i = (ch * h + 2 * y + dy) * h + 2 * xx + dx;
              if (x[i] > best) { best = x[i]; at = i; }
            }
          }
          this.y[o] = best; this.arg[o] = at;
        }
      }
    }
    return this.y;
  }
  backward(dy: Float32Array): Float32Array {
    this.dx.fill(0);
    for (let o = 0; o < this.outSize; o++) this.dx[this.arg[o]] += dy[o];
    return this.dx;
  }
}

class Relu implements Layer {
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  constructor(readonly outSize: number) { this.y = new Float32Array(outSize); this.dx = new Float32Array(outSize); }
  forward(x: Float32Array): Float32Array {
    for (let i = 0; i < this.outSize; i++) this.y[i] = x[i] > 0 ? x[i] : 0;
    return this.y;
  }
  backward(dy: Float32Array): Float32Array {
    for (let i = 0; i < this.outSize; i++) this.dx[i] = this.y[i] > 0 ? dy[i] : 0;
    return this.dx;
  }
}

export class Lenet {
  readonly layers: Layer[];
  readonly params: Param[];
  constructor(readonly name: LenetName) {
    if (name === 'lenet-300-100') {
      this.layers = [new Dense('fc1', PIXELS, 300), new Relu(300), new Dense('fc2', 300, 100), new Relu(100), new Dense('fc3', 100, 10)];
    } else {
      this.layers = [new Conv('conv1', 1, 28, 20, 5), new MaxPool2(20, 24), new Conv('conv2', 20, 12, 50, 5), new MaxPool2(50, 8),
        new Dense('ip1', 800, 500), new Relu(500), new Dense('ip2', 500, 10)];
    }
    this.params = this.layers.flatMap((l) => (l instanceof Dense || l instanceof Conv ? [l.w, l.b] : []));
  }

  /** the weight layers' names, in order (the zoo's) */
  get weightLayers(): string[] {
    return this.layers.flatMap((l) => (l.name ? [l.name] : []));
  }

  param(name: string): Param {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new HwsimError(`${this.name} has no parameter '${name}'`, `its parameters: ${this.params.map((q) => q.name).join(', ')}`);
    return p;
  }

  /** He-uniform weights, zero biases, from a seed */
  init(seed: number): void {
    const rand = seeded(seed);
    for (const p of this.params) {
      if (p.name.endsWith('.bias')) { p.data.fill(0); continue; }
      const fanIn = p.shape.slice(1).reduce((a, b) => a * b, 1);
      const a = Math.sqrt(6 / fanIn);
      for (let i = 0; i < p.data.length; i++) p.data[i] = (2 * rand() - 1) * a;
    }
  }

  /** logits of one image, running layers from `from` (the input is that layer's input) */
  forward(x: Float32Array, from = 0): Float32Array {
    let h = x;
    for (let i = from; i < this.layers.length; i++) h = this.layers[i].forward(h);
    return h;
  }

  /** index of the first dense layer: everything before it can be computed once for a data set */
  get firstDense(): number {
    return this.layers.findIndex((l) => l instanceof Dense);
  }
}

const argmax = (v: Float32Array) => { let b = 0; for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i; return b; };

/** The inputs of the first FC layer for every image (the conv part, run once). */
export function fcInputs(net: Lenet, data: Digits): { x: Float32Array; size: number } {
  const first = net.firstDense;
  const size = first === 0 ? PIXELS : net.layers[first - 1].outSize;
  const x = new Float32Array(data.count * size);
  for (let s = 0; s < data.count; s++) {
    let h = data.images.subarray(s * PIXELS, (s + 1) * PIXELS);
    for (let i = 0; i < first; i++) h = net.layers[i].forward(h);
    x.set(h, s * size);
  }
  return { x, size };
}

/** Top-1 accuracy (a fraction) on `data`; with `inputs`, the FC part from the cached FC inputs. */
export function accuracy(net: Lenet, data: Digits, inputs?: { x: Float32Array; size: number }): number {
  let right = 0;
  const first = inputs ? net.firstDense : 0;
  for (let s = 0; s < data.count; s++) {
    const x = inputs ? inputs.x.subarray(s * inputs.size, (s + 1) * inputs.size) : data.images.subarray(s * PIXELS, (s + 1) * PIXELS);
    if (argmax(net.forward(x, first)) === data.labels[s]) right++;
  }
  return right / data.count;
}

export interface TrainOptions {
  epochs: number;
  batch: number;
  lr: number;
  /** the learning rate is multiplied by this after each epoch */
  lrDecay: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  /** augmentation: each training image shifted by up to this many pixels in x and y (0: none) */
  shift?: number;
  log?: (line: string) => void;
}

/** `src` (28×28) shifted by (dx, dy) into `dst`, zeros where nothing shifts in. */
function shiftImage(src: Float32Array, dx: number, dy: number, dst: Float32Array): Float32Array {
  dst.fill(0);
  for (let y = 0; y < 28; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= 28) continue;
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < 28) dst[y * 28 + x] = src[sy * 28 + sx];
    }
  }
  return dst;
}

/** Minibatch SGD with momentum on softmax cross-entropy; pruned weights (a param's mask) stay 0. */
export function train(net: Lenet, data: Digits, o: TrainOptions): void {
  const rand = seeded(o.seed + 1000);
  const probs = new Float32Array(10);
  const shifted = new Float32Array(PIXELS);
  const shift = o.shift ?? 0;
  let lr = o.lr;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = permutation(data.count, rand);
    let loss = 0;
    for (let start = 0; start < data.count; start += o.batch) {
      const end = Math.min(data.count, start + o.batch);
      for (const p of net.params) p.grad.fill(0);
      for (let k = start; k < end; k++) {
        const s = order[k];
        let image = data.images.subarray(s * PIXELS, (s + 1) * PIXELS);
        if (shift > 0) {
          const dx = Math.floor(rand() * (2 * shift + 1)) - shift;
          const dy = Math.floor(rand() * (2 * shift + 1)) - shift;
          image = shiftImage(image, dx, dy, shifted);
        }
        const logits = net.forward(image);
        let max = -Infinity;
        for (let i = 0; i < 10; i++) max = Math.max(max, logits[i]);
        let sum = 0;
        for (let i = 0; i < 10; i++) { probs[i] = Math.exp(logits[i] - max); sum += probs[i]; }
        for (let i = 0; i < 10; i++) probs[i] /= sum;
        loss -= Math.log(Math.max(probs[data.labels[s]], 1e-12));
        probs[data.labels[s]] -= 1;
        let g: Float32Array = probs;
        for (let i = net.layers.length - 1; i >= 0; i--) g = net.layers[i].backward(g, i > 0);
      }
      const scale = 1 / (end - start);
      for (const p of net.params) {
        const decay = p.name.endsWith('.weight') ? o.weightDecay : 0;
        for (let i = 0; i < p.data.length; i++) {
          const v = o.momentum * p.velocity[i] - lr * (p.grad[i] * scale + decay * p.data[i]);
          p.velocity[i] = v;
          p.data[i] += v;
        }
        if (p.mask) for (let i = 0; i < p.data.length; i++) if (!p.mask[i]) { p.data[i] = 0; p.velocity[i] = 0; }
      }
    }
    o.log?.(`epoch ${epoch + 1}/${o.epochs}: loss ${(loss / data.count).toFixed(4)}, lr ${lr.toPrecision(3)}`);
    lr *= o.lrDecay;
  }
}
