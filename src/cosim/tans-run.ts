/**
 * Runs layers through the cycle model under a stall pattern, recording what the Verilator harness
 * records: each output transfer (stream, symbol, weight, run cycle) and each layer's cycle counts.
 * The loop is the harness's loop, line for line, so that both see the same inputs every cycle.
 */
import { tableBanks, TansEngineModel, type TansDecoderParams } from '../chip/tans-decoder.js';
import { StallPattern } from './stall.js';
import type { CosimLayer } from './tans-vectors.js';

export interface LayerTrace {
  /** cycles from the previous layer's done (or from idle) to this layer's run cycle 0: the load's
   *  L + 2S + 1 in the foreground; with a background load, the layer switch (0 when the load was
   *  complete before done: the done cycle is run cycle 0, else the cycles to finish the load) */
  loadCycles: number;
  /** loaded in the foreground (the first layer, one table bank, or a replay after a reset) */
  foreground: boolean;
  runCycles: number;
  wordsAccepted: number;
  error: boolean;
  hang: boolean;
  /** per stream: symbols, weights and the run cycle of each transfer (typed: a layer may hold millions) */
  symbols: Uint8Array[];
  weights: Int8Array[];
  cycles: Float64Array[];
}

/** A growing column of numbers in a typed array (no per-transfer boxing; memory ~ 1.5 x the data). */
export class Column<T extends Uint8Array | Int8Array | Float64Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T, capacity = 64) {
    this.data = make(Math.max(1, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** the values pushed, as a typed array of exactly that length */
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** The per-stream columns of a layer's transfers, sized for `expected` symbols per stream. */
export class TransferColumns {
  readonly symbols: Column<Uint8Array>[];
  readonly weights: Column<Int8Array>[];
  readonly cycles: Column<Float64Array>[];
  constructor(streams: number, expected: readonly number[] = []) {
    const cap = (k: number) => (expected[k] ?? 0) + 1;
    this.symbols = Array.from({ length: streams }, (_, k) => new Column((n) => new Uint8Array(n), cap(k)));
    this.weights = Array.from({ length: streams }, (_, k) => new Column((n) => new Int8Array(n), cap(k)));
    this.cycles = Array.from({ length: streams }, (_, k) => new Column((n) => new Float64Array(n), cap(k)));
  }
  push(k: number, symbol: number, weight: number, cycle: number): void {
    this.symbols[k].push(symbol);
    this.weights[k].push(weight);
    this.cycles[k].push(cycle);
  }
  done(): Pick<LayerTrace, 'symbols' | 'weights' | 'cycles'> {
    return { symbols: this.symbols.map((c) => c.done()), weights: this.weights.map((c) => c.done()), cycles: this.cycles.map((c) => c.done()) };
  }
}

export function maxRunCycles(layer: CosimLayer): number {
  const syms = layer.symbolCounts.reduce((a, b) => a + b, 0);
  return 64 * (syms + layer.words.length) + 10_000;
}

/**
 * The harness's loop: the first layer (and with one table bank every layer) is loaded in the
 * foreground; with two banks each next layer is preloaded from run cycle 0 of the current one, and
 * after done the model ticks until the switch has happened (none when the load was complete: the
 * layer switched at the edge that raised done, and the done cycle is its run cycle 0).
 */
export function runModel(p: TansDecoderParams, layers: readonly CosimLayer[], seed: number, stallRate: number): LayerTrace[] {
  const m = new TansEngineModel(p);
  const stall = new StallPattern(seed, stallRate);
  const S = p.streams;
  const background = tableBanks(p) === 2;
  const ready = new Uint8Array(S);
  const idle = new Uint8Array(S);
  const traces: LayerTrace[] = [];
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    const foreground = !(background && l > 0);
    let loadCycles = 0;
    let hang = false;
    if (foreground) {
      loadCycles = m.loadLayer(layer);
    } else {
      while (m.preloading) {
        if (loadCycles > m.params.states + 2 * S + 3) { hang = true; break; }
        m.tick(false, 0, idle);
        loadCycles++;
      }
    }
    // switched at the edge that raised done: done is still high in run cycle 0 (the previous layer's)
    const switchedAtDone = !foreground && loadCycles === 0;
    if (background && l + 1 < layers.length && !hang) m.preload(layers[l + 1]);
    const cols = new TransferColumns(S, layer.symbolCounts);
    const limit = maxRunCycles(layer);
    let wi = 0;
    let cyc = 0;
    for (;;) {
      if (hang || (m.done && !(switchedAtDone && cyc === 0))) break;
      if (cyc >= limit) { hang = true; break; }
      const inValid = !stall.next() && wi < layer.words.length;
      for (let k = 0; k < S; k++) ready[k] = stall.next() ? 0 : 1;
      const accepted = inValid && m.inReady;
      for (let k = 0; k < S; k++) {
        if (m.outValid[k] && ready[k]) cols.push(k, m.outSymbol[k], m.outWeight[k], cyc);
      }
      m.tick(inValid, inValid ? layer.words[wi] : 0, ready);
      if (accepted) wi++;
      cyc++;
    }
    traces.push({ loadCycles, foreground, runCycles: cyc, wordsAccepted: wi, error: m.error, hang, ...cols.done() });
    if (hang) break;
  }
  return traces;
}
