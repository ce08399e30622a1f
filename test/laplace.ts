/** Seeded uniforms on [0, 1) for tests (a splitmix-style 32-bit mixer). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

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
