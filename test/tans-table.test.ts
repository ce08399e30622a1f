/**
 * docs/FORMAT.md §1 claims that the tuned spread does not depend on which correctly rounded log
 * computes its keys: keys of different (count, y) pairs are more than 8 ulp apart for every L.
 * This checks the claim exhaustively (all pairs 1 ≤ c ≤ L, c ≤ y < 2c, L = 32..4096).
 */
import { describe, expect, it } from 'vitest';

function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}

describe('tuned spread keys', () => {
  it('keys of different (count, y) pairs are more than 8 ulp apart for every L up to 4096', () => {
    for (let L = 32; L <= 4096; L *= 2) {
      const keys = new Float64Array((L * (L + 1)) / 2);
      let n = 0;
      for (let c = 1; c <= L; c++) {
        const p = c / L;
        for (let y = c; y < 2 * c; y++) keys[n++] = 1 / (p * Math.log(1 + 1 / y)) / L;
      }
      keys.sort();
      let closest = Infinity;
      for (let i = 1; i < n; i++) closest = Math.min(closest, (keys[i] - keys[i - 1]) / ulp(keys[i - 1]));
      expect(closest, `L = ${L}`).toBeGreaterThan(8);
    }
  });
});
