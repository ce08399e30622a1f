/**
 * Seeded synthetic weights for topologies that come without weights (the zoo, SCALE-Sim CSVs).
 *
 * Each layer gets its own xorshift128 stream (seeded from the model seed and the layer index, so
 * a layer's values do not depend on the other layers) and draws Laplace(0, b) values with
 *
 *   b = sqrt(2 / fanIn) / sqrt(2) = 1 / sqrt(fanIn),   fanIn = product of weightShape[1..]
 *
 * (in·kh·kw for a conv, kh·kw for a depthwise conv, in for an fc), so the standard deviation
 * b·√2 = sqrt(2 / fanIn) is He initialisation's. Laplace is drawn as a random sign times an
 * exponential, from two 32-bit draws and a small table (no log and no allocation per weight). These are NOT trained weights; a Model built here says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HwsimError } from '../errors.js';
import type { LayerSpec, Model } from './types.js';

/** −ln(u) at u = 1/2 + i/2^(TABLE_BITS+1), i = 0..2^TABLE_BITS: −ln of one octave, [1/2, 1]. */
const TABLE_BITS = 12;
const NEG_LN = (() => {
  const n = 1 << TABLE_BITS;
  const t = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) t[i] = -Math.log(0.5 + (0.5 * i) / n);
  return t;
})();
/** 2^-19: the interpolation fraction has 19 bits */
const FRAC = 1 / (1 << 19);

/** splitmix32-style mixer: a well-spread 32-bit value from any 32-bit input. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Number of weights a spec holds (product of its weightShape). */
export function weightCount(spec: LayerSpec): number {
  return spec.weightShape.reduce((a, b) => a * b, 1);
}

/** The fan-in used for the Laplace scale: product of weightShape[1..] (in·kh·kw, kh·kw or in). */
export function fanIn(spec: LayerSpec): number {
  return spec.weightShape.slice(1).reduce((a, b) => a * b, 1);
}

/** The Laplace scale b of a layer's synthetic weights: 1/sqrt(fanIn) (std b·√2 = sqrt(2/fanIn)). */
export function laplaceScale(spec: LayerSpec): number {
  return 1 / Math.sqrt(fanIn(spec));
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new HwsimError(`seed ${seed} is not an integer`, 'give an integer seed, e.g. --seed 1');
  }
}

/**
 * Fills `out` with Laplace(0, b) values from a stream seeded by (seed, stream): a random sign
 * times b·E, E ~ Exp(1) drawn without a log per value. By memorylessness E = G·ln 2 + R with G
 * geometric(1/2) (the leading zeros of one 32-bit word) and R = −ln U, U uniform on [1/2, 1)
 * (table of −ln over that octave, linear interpolation on 19 more bits; error < 1e-8). The tail
 * is cut at 33·ln 2 ≈ 22.9 b (probability 2^−32).
 */
function fillLaplace(out: Float32Array, b: number, seed: number, stream: number): void {
  // seed the four state words; a seed beyond 32 bits contributes its high half too
  const lo = seed | 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  let x = mix32(lo ^ mix32(hi ^ 0x5bd1e995));
  let y = mix32(x ^ mix32(stream));
  let z = mix32(y ^ 0x27d4eb2f);
  let w = mix32(z ^ Math.imul(stream + 1, 0x165667b1));
  if ((x | y | z | w) === 0) w = 1; // xorshift128 must not start at all zeros
  const bLn2 = b * Math.LN2;
  const n = out.length;
  for (let k = 0; k < n; k++) {
    // xorshift128 (Marsaglia 2003), two words per value
    let t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
    const bits = w; // bit 31: sign; bits 19..30: table index; bits 0..18: fraction
    t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
    const i = (bits >>> 19) & 0xfff;
    const l0 = NEG_LN[i];
    const r = l0 + (NEG_LN[i + 1] - l0) * ((bits & 0x7ffff) * FRAC);
    const mag = bLn2 * Math.clz32(w) + b * r;
    out[k] = bits < 0 ? -mag : mag;
  }
}

/**
 * Seeded Laplace weights for each spec, flat in the canonical order of its weightShape.
 * Same (specs, seed) → same bytes; layer i's values depend only on the seed, i, its fan-in and
 * its size.
 */
export function syntheticWeights(specs: LayerSpec[], seed: number): Float32Array[] {
  checkSyntheticSpecs(specs, seed);
  return specs.map((spec, i) => layerWeights(spec, i, seed));
}

function checkSyntheticSpecs(specs: LayerSpec[], seed: number): void {
  checkSeed(seed);
  for (const spec of specs) {
    const n = weightCount(spec);
    if (!(Number.isSafeInteger(n) && n >= 1) || spec.weightShape.some((d) => !(Number.isInteger(d) && d >= 1))) {
      throw new HwsimError(`layer ${spec.name}: weight shape [${spec.weightShape.join(', ')}] holds no weights`,
        'every dimension of a weight shape must be a positive integer');
    }
  }
}

function layerWeights(spec: LayerSpec, i: number, seed: number): Float32Array {
  const out = new Float32Array(weightCount(spec));
  fillLaplace(out, laplaceScale(spec), seed, i);
  return out;
}

let generatorFingerprint: string | undefined;

/** A hash of this file as it runs: the generator's code, part of every synthetic weight recipe. */
function syntheticGeneratorFingerprint(): string {
  if (!generatorFingerprint) {
    generatorFingerprint = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');
  }
  return generatorFingerprint;
}

/**
 * A Model of `specs` with seeded synthetic weights; labelled synthetic. Each layer's weights are
 * drawn when first read (a run whose image is in the cache never draws them), the same bytes
 * whenever that is.
 */
export function syntheticModel(name: string, source: string, specs: LayerSpec[], seed: number, description: string): Model {
  checkSyntheticSpecs(specs, seed);
  return {
    name,
    source,
    synthetic: true,
    description,
    weightRecipe: `seeded Laplace, seed ${seed}, generator ${syntheticGeneratorFingerprint()}`,
    layers: specs.map((spec, i) => {
      let weights: Float32Array | undefined;
      return { spec, get weights() { return (weights ??= layerWeights(spec, i, seed)); } };
    }),
  };
}
