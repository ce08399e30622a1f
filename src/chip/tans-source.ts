/**
 * The tANS engine in the decoder slot: an adapter from the pipeline's WeightSource to the
 * cycle-exact model of the RTL weight decompression engine (src/chip/tans-decoder.ts,
 * docs/hw/tans-decoder.md). This file adds no timing of its own: per cycle it offers the FIFO head
 * word (only words of the current layer), raises outReady on as many valid lanes as the weight
 * buffer has room for (lowest lanes first), ticks the engine once and pops the word if the engine
 * took it. It checks what the engine emits against the encoder's symbols (count and sum per
 * layer), so a run that decodes garbage fails instead of reporting cycles.
 */
import { HwsimError } from '../errors.js';
import type { WordFifo } from './fifo.js';
import type { SourceLayer, WeightSource } from './weight-source.js';
import { TansEngineModel, type EngineLayer, type TansDecoderParams } from './tans-decoder.js';

/** What the pipeline uses of the engine (TansEngineModel; a test may pass another). */
export interface TansEngine {
  loadLayer(layer: EngineLayer): number;
  readonly inReady: boolean;
  readonly outValid: Uint8Array;
  readonly outSymbol: Uint16Array;
  readonly outWeight: Int8Array;
  tick(inValid: boolean, inWord: number, outReady: Uint8Array): void;
  readonly done: boolean;
  readonly error: boolean;
  readonly cycle: number;
}
export type TansEngineFactory = (params: TansDecoderParams) => TansEngine;

export const tansEngineModel: TansEngineFactory = (p) => new TansEngineModel(p);

export class TansSource implements WeightSource {
  readonly lanes: number;
  /**
   * Without transfers and with fixed inputs, a lane can still fill its output register, load
   * cur/nxt from its stream FIFO and let the distributor take a word: a short chain of register
   * updates. The randomized exactness test (test/chip-engine.test.ts, settling disabled vs enabled)
   * fails at 1 and 2 and passes from 3 on; 6 leaves a margin.
   */
  readonly settleCycles = 6;
  popped = 0;
  private readonly engine: TansEngine;
  private readonly ready: Uint8Array;
  private words = 0;
  private fed = 0;
  private layerName = '';
  private expectSum = 0;
  private gotSum = 0;
  private expectCount = 0;
  private gotCount = 0;

  get layerDone(): boolean {
    return this.engine.done;
  }

  constructor(factory: TansEngineFactory, readonly params: TansDecoderParams) {
    this.engine = factory(params);
    this.lanes = params.streams;
    this.ready = new Uint8Array(params.streams);
  }

  begin(layer: SourceLayer): number {
    const e = layer.encoded;
    if (!e || e.codec !== 'tans' || !e.decodeTable || !e.symbolCounts || !e.wordCounts || !e.words) {
      throw new Error(`internal: layer ${layer.name} reached the tANS engine without its encoded streams`);
    }
    if (e.wordCounts.length !== this.params.streams) {
      throw new HwsimError(`layer ${layer.name} is encoded with ${e.wordCounts.length} streams, the chip has ${this.params.streams} decoders`,
        'encode with as many streams as --decoders');
    }
    this.words = layer.words;
    this.fed = 0;
    this.layerName = layer.name;
    let sum = 0;
    const sy = e.symbols;
    for (let i = 0; i < sy.length; i++) sum += sy[i];
    this.expectSum = sum;
    this.expectCount = e.params;
    this.gotSum = 0;
    this.gotCount = 0;
    return this.engine.loadLayer({ table: e.decodeTable, bins: e.bins, symbolCounts: e.symbolCounts, wordCounts: e.wordCounts });
  }

  step(fifo: WordFifo, space: number): number {
    const eng = this.engine;
    const inValid = this.fed < this.words && fifo.count > 0;
    const take = inValid && eng.inReady;
    const word = inValid ? fifo.peek() : 0;
    const valid = eng.outValid;
    const sym = eng.outSymbol;
    const ready = this.ready;
    let granted = 0;
    let sum = 0;
    for (let k = 0; k < ready.length; k++) {
      if (valid[k] && granted < space) {
        ready[k] = 1;
        granted++;
        sum += sym[k];
      } else {
        ready[k] = 0;
      }
    }
    eng.tick(inValid, word >>> 0, ready);
    if (eng.error) throw new Error(`internal: the tANS engine flagged an error in layer ${this.layerName}`);
    if (take) {
      fifo.pop();
      this.fed++;
      this.popped = 1;
    } else {
      this.popped = 0;
    }
    if (granted > 0) {
      this.gotSum += sum;
      this.gotCount += granted;
      if (this.gotCount >= this.expectCount && (this.gotCount !== this.expectCount || this.gotSum !== this.expectSum)) {
        throw new Error(`internal: the tANS engine decoded layer ${this.layerName} wrongly ` +
          `(${this.gotCount} symbols summing to ${this.gotSum}, expected ${this.expectCount} summing to ${this.expectSum})`);
      }
    }
    return granted;
  }
}

