import { describe, expect, it } from 'vitest';
import { decodeStream, encodeStream } from '../src/codecs/tans/codec.js';
import { buildDecodeTable, buildEncodeTable, spreadTuned } from '../src/codecs/tans/table.js';
import { loadCycles, PRELOADED_SWITCH_CYCLES, resolveTansDecoderParams, tableBanks, TansEngineModel, type TansDecoderParams } from '../src/chip/tans-decoder.js';
import { interleaveStreams } from '../src/codecs/tans/layout.js';
import { runModel } from '../src/cosim/tans-run.js';
import { CORRUPTION_KINDS, referenceRejects, syntheticLayers } from '../src/cosim/tans-vectors.js';
import { HwsimError } from '../src/errors.js';
import { paramsOf } from '../src/params/lookup.js';
import { defaultOf } from '../src/params/schema.js';

/** Two equiprobable symbols at L = 32: every symbol costs exactly one bit. */
function tinyLayer(symbols: number[]) {
  const counts = Int32Array.from([16, 16]);
  const spread = spreadTuned(counts);
  const table = buildDecodeTable(counts, spread);
  const s = encodeStream(symbols, buildEncodeTable(counts, spread));
  return { table, bins: 2, symbolCounts: [symbols.length], wordCounts: [s.words.length], words: Uint32Array.from(s.words) };
}

describe('TansEngineModel cycle semantics (docs/hw/tans-decoder.md)', () => {
  it('hand-worked: one 1-word stream of 3 symbols, no stalls', () => {
    const p = resolveTansDecoderParams({ states: 32, symbolBits: 1, streams: 1 });
    const m = new TansEngineModel(p);
    const layer = tinyLayer([1, 0, 1]);
    expect(layer.wordCounts).toEqual([1]);
    expect(m.loadLayer(layer)).toBe(1 + 32 + 2); // bins + L entries + 2 descriptors
    expect(m.cycle).toBe(35);
    const ready = Uint8Array.of(1);
    const seen: Array<[number, number]> = [];
    let c = 0;
    // cycle 0: word accepted; 1: FIFO -> window; 2: initial state; 3: first step; 4: first symbol valid
    for (; !m.done; c++) {
      if (c === 0) expect(m.inReady).toBe(true);
      if (m.outValid[0]) seen.push([c, m.outSymbol[0]]);
      m.tick(c === 0, layer.words[0], ready);
    }
    expect(seen).toEqual([[4, 1], [5, 0], [6, 1]]);
    // 6: last transfer and the end check's first cycle (verdict into registers); 7: its second
    // (the lane finishes); 8: every lane idle, into the done register; 9: done seen
    expect(c).toBe(9);
    expect(m.error).toBe(false);
    expect(m.cycle).toBe(35 + 9);
    expect(m.outWeight[0]).toBe(1); // symbol 1 - (2-1)>>1 = 1
  });

  it('background load (two banks): a layer preloaded while the previous one runs switches in PRELOADED_SWITCH_CYCLES (0: the done cycle is its run cycle 0), else after its last word', () => {
    const p = resolveTansDecoderParams({ states: 32, symbolBits: 1, streams: 1 });
    expect(tableBanks(p)).toBe(2);
    const N = loadCycles(p); // 35
    const ready = Uint8Array.of(1);
    const idle = Uint8Array.of(0);
    const long = tinyLayer(Array.from({ length: 60 }, (_, i) => (i * 7) & 1)); // 60 one-bit symbols: 2 words
    const short = tinyLayer([1, 0, 1]);
    /** Runs `a` (preloading `b` from its run cycle 0), then ticks from done until b has started: those ticks. */
    const switchTicks = (a: ReturnType<typeof tinyLayer>, b: ReturnType<typeof tinyLayer>) => {
      const m = new TansEngineModel(p);
      m.loadLayer(a);
      expect(m.preload(b)).toBe(N);
      let wi = 0;
      while (!m.done) { const v = wi < a.words.length; m.tick(v, v ? a.words[wi] : 0, ready); if (v) wi++; }
      const runA = m.cycle - N;
      let ticks = 0;
      while (m.preloading) { expect(m.done).toBe(true); m.tick(false, 0, idle); ticks++; }
      // switched at the edge that raised done: done is high in b's run cycle 0 (a's), else it fell with the switch
      expect(m.done).toBe(ticks === 0);
      // ...and b is running: a foreground load now is refused
      expect(() => m.loadLayer(b)).toThrow(/still running/);
      // b then runs exactly as after a foreground load
      const seen: number[] = [];
      let c = 0;
      for (wi = 0; !m.done || c === 0; c++) { if (m.outValid[0]) seen.push(m.outSymbol[0]); const v = wi < b.words.length; m.tick(v, v ? b.words[wi] : 0, ready); if (v) wi++; }
      expect(seen).toEqual([1, 0, 1]);
      return { ticks, runA, runB: c };
    };
    // the load (35 ticks) completes during a's 60+6-cycle run: no switch cycle (a's done cycle is b's run cycle 0)
    const bg = switchTicks(long, short);
    expect(bg.runA).toBeGreaterThan(N);
    expect(bg.ticks).toBe(PRELOADED_SWITCH_CYCLES);
    expect(PRELOADED_SWITCH_CYCLES).toBe(0);
    expect(bg.runB).toBe(9); // the hand-worked 3-symbol layer below: n + 6
    // a's run (9 cycles) is shorter than the load: the switch waits for the load's last word (tick N - 1 from a's run cycle 0)
    const late = switchTicks(short, short);
    expect(late.runA).toBe(9);
    expect(late.ticks).toBe(N - 9);
    expect(late.runB).toBe(9);
    // the foreground alternative: done, then the whole load
    const fg = new TansEngineModel(p);
    fg.loadLayer(long);
    let wi = 0;
    while (!fg.done) { const v = wi < long.words.length; fg.tick(v, v ? long.words[wi] : 0, ready); if (v) wi++; }
    expect(fg.loadLayer(short)).toBe(N);
    // one bank (L = 256): no background load
    const m256 = new TansEngineModel(resolveTansDecoderParams({ states: 256, symbolBits: 1, streams: 1 }));
    expect(() => m256.preload(short)).toThrow(/one bank/);
    // a second preload while one is under way, or a foreground load then, is refused
    const m = new TansEngineModel(p);
    m.loadLayer(long);
    m.preload(short);
    expect(() => m.preload(short)).toThrow(/background load is under way/);
  });

  it('hand-worked: output backpressure holds the step, one symbol per released cycle', () => {
    const p = resolveTansDecoderParams({ states: 32, symbolBits: 1, streams: 1 });
    const m = new TansEngineModel(p);
    const layer = tinyLayer([0, 1, 1, 0]);
    m.loadLayer(layer);
    const stalled = Uint8Array.of(0);
    const ready = Uint8Array.of(1);
    // accept at 0, ... symbol 0 valid at 4; hold out_ready low for cycles 4..6
    let c = 0;
    const seen: number[] = [];
    for (; !m.done; c++) {
      const r = c >= 4 && c <= 6 ? stalled : ready;
      if (m.outValid[0] && r[0]) seen.push(c);
      m.tick(c === 0, layer.words[0], r);
    }
    expect(seen).toEqual([7, 8, 9, 10]);
    expect(c).toBe(13);
  });

  it('in_ready drops when the turn stream FIFO is full, and round-robin skips exhausted streams', () => {
    const p = resolveTansDecoderParams({ states: 32, symbolBits: 1, streams: 2, streamFifoDepth: 2 });
    const m = new TansEngineModel(p);
    const a = tinyLayer(Array.from({ length: 100 }, (_, i) => i & 1)); // 4 words
    const b = tinyLayer([1, 1]);                                       // 1 word
    const layer = { table: a.table, bins: 2, symbolCounts: [100, 2], wordCounts: [a.wordCounts[0], 1] };
    const words = interleaveStreams([a.words, b.words]);
    m.loadLayer(layer);
    const none = Uint8Array.of(0, 0);
    const readyLog: boolean[] = [];
    let wi = 0;
    for (let c = 0; c < 8; c++) {
      readyLog.push(m.inReady);
      const acc = m.inReady;
      m.tick(wi < words.length, words[wi] ?? 0, none);
      if (acc) wi++;
    }
    // a0 b0 a1 a2 (stream b exhausted: skipped) then a's FIFO + window are full under backpressure
    expect(wi).toBeGreaterThanOrEqual(4);
    expect(readyLog.slice(0, 3)).toEqual([true, true, true]);
    expect(readyLog[7]).toBe(false);
  });

  it('decodes symbol-exactly like decodeStream under random stalls, many configurations', () => {
    for (const [states, symbolBits, streams, rate] of [[64, 5, 1, 0], [64, 5, 4, 0.3], [256, 5, 8, 0.5], [32, 3, 3, 0.7], [1024, 8, 2, 0.1]]) {
      const p = resolveTansDecoderParams({ states, symbolBits, streams });
      const layers = syntheticLayers(p, { layers: 3, seed: states + streams, symbolsPerStream: 300 });
      const traces = runModel(p, layers, 9, rate);
      layers.forEach((l, i) => {
        expect(traces[i].error).toBe(false);
        expect(traces[i].hang).toBe(false);
        l.streams.forEach((s, k) => {
          const ref = new Uint8Array(s.symbolCount);
          decodeStream(s.words, s.bitLength, s.symbolCount, l.table, ref);
          expect(Array.from(traces[i].symbols[k])).toEqual(Array.from(ref));
          expect(Array.from(traces[i].weights[k])).toEqual(Array.from(ref, (v) => ((v - ((l.bins - 1) >> 1)) << 24) >> 24));
        });
      });
    }
  });

  it('sustains one symbol per cycle per stream when words arrive fast enough', () => {
    const p = resolveTansDecoderParams({ states: 64, symbolBits: 5, streams: 1 });
    const [l] = syntheticLayers(p, { layers: 1, seed: 3, symbolsPerStream: 2000 });
    const t = runModel(p, [l], 1, 0)[0];
    const n = l.symbolCounts[0];
    expect(t.runCycles).toBe(n + 6); // 4 cycles of latency, n symbols, a 2-cycle end check, the done register, done seen
  });

  it('a corrupted stream raises error and the layer still finishes with all words drained', () => {
    const p = resolveTansDecoderParams({ states: 64, symbolBits: 5, streams: 4 });
    const layers = syntheticLayers(p, { layers: 2, seed: 5, symbolsPerStream: 200, corruptLayers: [0] });
    const t = runModel(p, layers, 2, 0.3);
    expect(t[0].error).toBe(true);
    expect(t[0].hang).toBe(false);
    expect(t[0].wordsAccepted).toBe(layers[0].words.length);
    expect(t[1].error).toBe(false); // cleared by the next load
  });

  it('corruption campaign on the cycle model: error exactly where the reference decoder rejects (every kind, L and S)', () => {
    let corrupted = 0;
    const kinds = new Set<string>();
    for (const states of [32, 64, 128, 256, 1024]) {
      for (const streams of [1, 3, 8]) {
        const p = resolveTansDecoderParams({ states, symbolBits: 5, streams });
        const layers = syntheticLayers(p, { layers: 30, seed: states + streams, symbolsPerStream: 40, corruptLayers: Array.from({ length: 30 }, (_, l) => l).filter((l) => l % 5) });
        const t = runModel(p, layers, states, 0.2);
        layers.forEach((l, i) => {
          const rejects = l.streams.some((s) => referenceRejects(s.words as Uint32Array, s.symbolCount, l.table));
          expect(rejects).toBe(l.corrupt);
          expect(t[i].error, `L=${states} S=${streams} layer ${i} ${l.corruption?.kind}`).toBe(rejects);
          expect(t[i].hang).toBe(false);
          if (l.corruption) { corrupted++; kinds.add(l.corruption.kind); }
        });
      }
    }
    expect(corrupted).toBe(15 * 24);
    expect([...kinds].sort()).toEqual([...CORRUPTION_KINDS].sort());
  });

  it('a stream with zero words is refused (the reference decoder needs its initial state), and the layer still finishes', () => {
    const p = resolveTansDecoderParams({ states: 64, symbolBits: 5, streams: 2 });
    const [l] = syntheticLayers(p, { layers: 1, seed: 4, symbolsPerStream: 50 });
    const m = new TansEngineModel(p);
    m.loadLayer({ ...l, symbolCounts: [l.symbolCounts[0], 0], wordCounts: [l.wordCounts[0], 0] });
    const ready = Uint8Array.of(1, 1);
    let wi = 0;
    for (let c = 0; !m.done && c < 10_000; c++) {
      const acc = m.inReady && wi < l.streams[0].words.length;
      m.tick(acc, acc ? l.streams[0].words[wi] : 0, ready);
      if (acc) wi++;
    }
    expect(m.done).toBe(true);
    expect(m.error).toBe(true);
    expect(referenceRejects(new Uint32Array(0), 0, l.table)).toBe(true);
  });

  it('a stream with fewer words than it needs underflows into an error, not a hang', () => {
    const p = resolveTansDecoderParams({ states: 64, symbolBits: 5, streams: 1 });
    const [l] = syntheticLayers(p, { layers: 1, seed: 8, symbolsPerStream: 200 });
    const m = new TansEngineModel(p);
    m.loadLayer({ ...l, wordCounts: [l.wordCounts[0] - 1] });
    const ready = Uint8Array.of(1);
    let c = 0;
    for (; !m.done && c < 10_000; c++) m.tick(true, l.words[Math.min(c, l.words.length - 1)], ready);
    expect(m.done).toBe(true);
    expect(m.error).toBe(true);
  });

  it('rejects bad parameters and layers with HwsimError', () => {
    expect(() => new TansEngineModel({ ...resolveTansDecoderParams(), states: 100 })).toThrow(HwsimError);
    const m = new TansEngineModel(resolveTansDecoderParams({ states: 32, symbolBits: 1, streams: 1 }));
    const l = tinyLayer([1]);
    expect(() => m.loadLayer({ ...l, bins: 3 })).toThrow(/bins/);
    m.loadLayer(l);
    expect(() => m.loadLayer(l)).toThrow(/still running/);
  });

  it('validation bounds agree with the documented schema', () => {
    const schema = paramsOf('engine').map((p) => ({ ...p, default: defaultOf(p, 'engine'), allowed: p.type === 'int' ? p.choices : undefined,
      min: p.type === 'int' ? p.min : undefined, max: p.type === 'int' ? p.max : undefined }));
    expect(schema.map((f) => f.name)).toEqual(['states', 'symbolBits', 'streams', 'inWidth', 'streamFifoDepth', 'countBits']);
    for (const f of schema) {
      const key = f.name as keyof TansDecoderParams;
      expect(resolveTansDecoderParams()[key]).toBe(f.default);
      if (f.min !== undefined) {
        expect(() => resolveTansDecoderParams({ [key]: f.min })).not.toThrow();
        expect(() => resolveTansDecoderParams({ [key]: f.min! - 1 })).toThrow(HwsimError);
      }
      if (f.max !== undefined) {
        expect(() => resolveTansDecoderParams({ [key]: f.max })).not.toThrow();
        expect(() => resolveTansDecoderParams({ [key]: f.max! + 1 })).toThrow(HwsimError);
      }
      for (const a of f.allowed ?? []) expect(() => resolveTansDecoderParams({ [key]: a })).not.toThrow();
      if (f.allowed) expect(() => resolveTansDecoderParams({ [key]: f.allowed![0] + 1 })).toThrow(HwsimError);
    }
    expect(loadCycles(resolveTansDecoderParams({ states: 256, streams: 8 }))).toBe(273);
  });

  it('tick() reuses its output arrays (same objects on every cycle) over a whole 8 x 20000-symbol layer, and runModel decodes it without error', () => {
    const p = resolveTansDecoderParams({ states: 64, symbolBits: 5, streams: 8 });
    const [l] = syntheticLayers(p, { layers: 1, seed: 4, symbolsPerStream: 20000 });
    const t = runModel(p, [l], 1, 0);
    expect(t[0].error).toBe(false);
    expect(t[0].symbols.reduce((a, s) => a + s.length, 0)).toBe(l.symbolCounts.reduce((a, b) => a + b, 0));
    // the same layer driven by hand, no stalls: the outputs are registers the engine updates in
    // place, never fresh arrays (no per-cycle allocation of outputs)
    const m = new TansEngineModel(p);
    m.loadLayer(l);
    const outs = [m.outValid, m.outSymbol, m.outWeight];
    const ready = new Uint8Array(p.streams).fill(1);
    let ticks = 0;
    let reused = 0;
    for (let wi = 0; !m.done && ticks < 10 * t[0].runCycles; ticks++) {
      const inValid = wi < l.words.length;
      const accepted = inValid && m.inReady;
      m.tick(inValid, inValid ? l.words[wi] : 0, ready);
      if (accepted) wi++;
      if (m.outValid === outs[0] && m.outSymbol === outs[1] && m.outWeight === outs[2]) reused++;
    }
    expect(m.done).toBe(true);
    expect(m.error).toBe(false);
    expect(ticks).toBe(t[0].runCycles); // stall rate 0 in runModel: the same cycle count
    expect(ticks).toBeGreaterThanOrEqual(20000); // one symbol per stream per cycle at most
    expect(reused).toBe(ticks);
  });
});

