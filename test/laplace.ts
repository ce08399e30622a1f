import { seeded } from '../src/train/rng.js';

/** Seeded uniforms on [0, 1) for tests: the project's one seeded generator (mulberry32, src/train/rng.ts). */
export const rng = seeded;

/** Seeded Laplace(0, b) test weights (xorshift32 uniforms, inverse transform). */
export function laplace(n: number, b: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const u = (s + 0.5) / 4294967296 - 0.5;
    out[i] = -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return out;
}
