/**
 * Runs layers through the cycle model under a stall pattern, recording what the Verilator harness
 * records: each output transfer (stream, symbol, weight, run cycle) and each layer's cycle counts.
 * The loop is the harness's loop, line for line, so that both see the same inputs every cycle.
 */
import { TansEngineModel, type TansDecoderParams } from '../chip/tans-decoder.js';
import { StallPattern } from './stall.js';
import type { CosimLayer } from './tans-vectors.js';

export interface LayerTrace {
  loadCycles: number;
  runCycles: number;
  wordsAccepted: number;
  error: boolean;
  hang: boolean;
  /** per stream: symbols, weights and the run cycle of each transfer */
  symbols: number[][];
  weights: number[][];
  cycles: number[][];
}

export function maxRunCycles(layer: CosimLayer): number {
  const syms = layer.symbolCounts.reduce((a, b) => a + b, 0);
  return 64 * (syms + layer.words.length) + 10_000;
}

export function runModel(p: TansDecoderParams, layers: readonly CosimLayer[], seed: number, stallRate: number): LayerTrace[] {
  const m = new TansEngineModel(p);
  const stall = new StallPattern(seed, stallRate);
  const S = p.streams;
  const ready = new Uint8Array(S);
  const traces: LayerTrace[] = [];
  for (const layer of layers) {
    const t: LayerTrace = {
      loadCycles: m.loadLayer(layer), runCycles: 0, wordsAccepted: 0, error: false, hang: false,
      symbols: Array.from({ length: S }, () => []), weights: Array.from({ length: S }, () => []),
      cycles: Array.from({ length: S }, () => []),
    };
    const limit = maxRunCycles(layer);
    let wi = 0;
    let cyc = 0;
    for (;;) {
      if (m.done) break;
      if (cyc >= limit) { t.hang = true; break; }
      const inValid = !stall.next() && wi < layer.words.length;
      for (let k = 0; k < S; k++) ready[k] = stall.next() ? 0 : 1;
      const accepted = inValid && m.inReady;
      for (let k = 0; k < S; k++) {
        if (m.outValid[k] && ready[k]) {
          t.symbols[k].push(m.outSymbol[k]);
          t.weights[k].push(m.outWeight[k]);
          t.cycles[k].push(cyc);
        }
      }
      m.tick(inValid, inValid ? layer.words[wi] : 0, ready);
      if (accepted) wi++;
      cyc++;
    }
    t.runCycles = cyc;
    t.wordsAccepted = wi;
    t.error = m.error;
    traces.push(t);
    if (t.hang) break;
  }
  return traces;
}
