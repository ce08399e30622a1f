/** SCALE-Sim v2's analytical compute cycles, checked by hand, and hwsim's layer mappings. */
import { describe, expect, it } from 'vitest';
import { foldCycles, gemmDims, mapLayer, scaleSimCycles } from '../src/chip/mac-array.js';
import type { LayerSpec } from '../src/models/types.js';

const spec = (p: Partial<LayerSpec>): LayerSpec => ({
  name: 'l', kind: 'conv', ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: 1, filters: 1, stride: 1, weightShape: [1, 1, 1, 1], ...p,
}) as LayerSpec;

describe('SCALE-Sim v2 fold formula', () => {
  it('ws: folds = ceil(K/R)·ceil(N/C), 2R + C + M − 2 per fold', () => {
    // 4×4 array, K = 9 (3×3×1), N = 8, M = 16: folds = 3 · 2 = 6; per fold 8 + 4 + 16 − 2 = 26; total 156
    expect(scaleSimCycles('ws', 4, 4, 16, 9, 8)).toEqual({ folds: 6, perFold: 26, total: 156 });
    // 32×32, ResNet-50 conv1 as SCALE-Sim sees it (230×230 padded input, 7×7/2, 3 → 64):
    //   M = 112·112 = 12544, K = 147, N = 64 → folds = 5 · 2 = 10, per fold 64 + 32 + 12544 − 2 = 12638
    expect(scaleSimCycles('ws', 32, 32, 12544, 147, 64)).toEqual({ folds: 10, perFold: 12638, total: 126380 });
  });
  it('os: folds = ceil(M/R)·ceil(N/C), R + C + K − 2 per fold', () => {
    // 4×4, M = 16, K = 9, N = 8: folds = 4 · 2 = 8; per fold 4 + 4 + 9 − 2 = 15; total 120
    expect(scaleSimCycles('os', 4, 4, 16, 9, 8)).toEqual({ folds: 8, perFold: 15, total: 120 });
  });
  it('is: folds = ceil(K/R)·ceil(M/C), 2R + C + N − 2 per fold', () => {
    // 4×4, M = 16, K = 9, N = 8: folds = 3 · 4 = 12; per fold 8 + 4 + 8 − 2 = 18; total 216
    expect(scaleSimCycles('is', 4, 4, 16, 9, 8)).toEqual({ folds: 12, perFold: 18, total: 216 });
  });
  it('a fold costs the same cycles however full it is', () => {
    expect(foldCycles('ws', 16, 16, 1)).toBe(2 * 16 + 16 + 1 - 2);
    expect(scaleSimCycles('ws', 16, 16, 1, 1, 1).total).toBe(47);
  });
});

describe('layer mapping', () => {
  it('conv → GEMM with SCALE-Sim output size ceil((H − R + S)/S)', () => {
    // 7×7 input, 3×3 filter, stride 2: ceil((7 − 3 + 2)/2) = 3 → M = 9
    const d = gemmDims(spec({ ifmapH: 7, ifmapW: 7, filterH: 3, filterW: 3, channels: 2, filters: 5, stride: 2, weightShape: [5, 2, 3, 3] }), 90);
    expect(d).toEqual({ M: 9, K: 18, N: 5, copies: 1 });
  });
  it('ws groups = folds; sum of group weights = params; compute = SCALE-Sim total', () => {
    const s = spec({ ifmapH: 6, ifmapW: 6, filterH: 3, filterW: 3, channels: 3, filters: 10, weightShape: [10, 3, 3, 3] });
    const m = mapLayer(s, 270, 'ws', 8, 4);
    // K = 27, N = 10, M = 16: folds = ceil(27/8)·ceil(10/4) = 4·3 = 12, per fold 16 + 4 + 16 − 2 = 34
    expect(m.folds).toBe(12);
    expect(m.computeCycles).toBe(scaleSimCycles('ws', 8, 4, 16, 27, 10).total);
    expect(m.computeCycles).toBe(12 * 34);
    // column fold 0, row folds 0..3: 8·4, 8·4, 8·4, 3·4 weights
    expect(Array.from(m.groupWeights.slice(0, 4))).toEqual([32, 32, 32, 12]);
    expect(m.groupWeights.reduce((a, b) => a + b, 0)).toBe(270);
  });
  it('os and is keep the SCALE-Sim totals with one group per weight tile', () => {
    const s = spec({ ifmapH: 6, ifmapW: 6, filterH: 3, filterW: 3, channels: 3, filters: 10, weightShape: [10, 3, 3, 3] });
    for (const df of ['os', 'is'] as const) {
      const m = mapLayer(s, 270, df, 8, 4);
      expect(m.computeCycles).toBe(scaleSimCycles(df, 8, 4, 16, 27, 10).total);
      expect(m.groupWeights.reduce((a, b) => a + b, 0)).toBe(270);
    }
    // os: one group per column fold (K × cols): 27·4, 27·4, 27·2
    expect(Array.from(mapLayer(s, 270, 'os', 8, 4).groupWeights)).toEqual([108, 108, 54]);
    // is: one group per row fold over K (rows × N): 8·10 ×3, 3·10
    expect(Array.from(mapLayer(s, 270, 'is', 8, 4).groupWeights)).toEqual([80, 80, 80, 30]);
  });
  it('FC with tokens: M = tokens', () => {
    // 197 tokens × 768 → 3072 (a ViT MLP matmul): ifmap 197×1, 1×1 filter
    const d = gemmDims(spec({ kind: 'fc', ifmapH: 197, ifmapW: 1, channels: 768, filters: 3072, weightShape: [3072, 768] }), 768 * 3072);
    expect(d).toEqual({ M: 197, K: 768, N: 3072, copies: 1 });
  });
  it('depthwise on ws: channels packed block-diagonally, floor(R/K) per fold', () => {
    // 32 channels, 3×3, 10×10 input → M = 64; 16×16 array: g = min(floor(16/9), 16) = 1 → 32 folds
    const dw = spec({ kind: 'dwconv', ifmapH: 10, ifmapW: 10, filterH: 3, filterW: 3, channels: 32, filters: 32, weightShape: [32, 1, 3, 3] });
    const m16 = mapLayer(dw, 288, 'ws', 16, 16);
    expect(m16.packing).toBe(1);
    expect(m16.folds).toBe(32);
    expect(m16.computeCycles).toBe(32 * (32 + 16 + 64 - 2));
    // 32×32: g = min(floor(32/9), 32) = 3 → ceil(32/3) = 11 folds of 27, 27, ..., 5·9... last holds 2 channels
    const m32 = mapLayer(dw, 288, 'ws', 32, 32);
    expect(m32.packing).toBe(3);
    expect(m32.folds).toBe(11);
    expect(m32.groupWeights[10]).toBe(18);
    expect(m32.computeCycles).toBe(11 * (64 + 32 + 64 - 2));
    // os: one channel at a time, each a GEMM M = 64, K = 9, N = 1: ceil(64/16)·1 folds of 16 + 16 + 9 − 2
    const mos = mapLayer(dw, 288, 'os', 16, 16);
    expect(mos.computeCycles).toBe(32 * 4 * (16 + 16 + 9 - 2));
  });
  it('a topology that disagrees with its weights is an error', () => {
    expect(() => gemmDims(spec({ channels: 4, filters: 4, weightShape: [4, 4, 1, 1] }), 15)).toThrow(/K×N/);
  });
});

describe('repeat', () => {
  it('a layer applied r times with the same weights is one GEMM with M·r rows', () => {
    const s = spec({ kind: 'fc', ifmapH: 197, ifmapW: 1, channels: 64, filters: 64, weightShape: [64, 64], repeat: 12 });
    expect(gemmDims(s, 64 * 64)).toEqual({ M: 197 * 12, K: 64, N: 64, copies: 1 });
  });
});
