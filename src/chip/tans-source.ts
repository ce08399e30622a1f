/**
 * The tANS engine in the decoder slot: an adapter from the pipeline's WeightSource to the
 * cycle-exact model of the RTL weight decompression engine (src/chip/tans-decoder.ts,
 * docs/hw/tans-decoder.md). At the start of a layer it parses the layer header the DRAM delivered
 * into the staging buffer (with the container's own reader, so the file format and what the chip
 * understands are one), builds the decode table from the fetched counts and spread rule (the
 * table builder, tableBuildCycles) and loads the engine. With two table banks (L <= 128) it does
 * that for the next layer in the background while the current one runs (preload), and the layer
 * switch then costs PRELOADED_SWITCH_CYCLES once the background load is complete. Per cycle it offers the FIFO head word
 * (only words of the current layer), raises outReady on as many valid lanes as the weight buffer
 * has room for (lowest lanes first), ticks the engine once and pops the word if the engine took it.
 */
import { parseRecordPrefix } from '../codecs/container.js';
import { decodeTableOf, streamSymbolCounts } from '../codecs/tans/index.js';
import { HwsimError } from '../errors.js';
import type { WordFifo } from './fifo.js';
import type { SourceLayer, WeightSource } from './weight-source.js';
import {
  loadCycles, PRELOADED_SWITCH_CYCLES, tableBanks, TansEngineModel, tableBuildCycles, type EngineLayer, type TansDecoderParams,
} from './tans-decoder.js';
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
  readonly isDecoder = true;
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
  /** symbols the engine emitted in the current layer (the pipeline counts them as weights) */
  emitted = 0;

  get layerDone(): boolean {
    return this.engine.done;
  }

  /** background preparation of the next layer: only with two table banks (tableBanks) */
  readonly preload?: (layer: SourceLayer, prefix: Uint8Array) => number;
  /** the layer prepared in the background, until its begin() */
  private preloaded: { name: string; engineLayer: EngineLayer } | null = null;

  /** `background: false` loads every layer after the previous one is done, even with two banks. */
  constructor(factory: TansEngineFactory, readonly params: TansDecoderParams, opts: { background?: boolean } = {}) {
    this.engine = factory(params);
    this.lanes = params.streams;
    this.ready = new Uint8Array(params.streams);
    if (tableBanks(params) === 2 && opts.background !== false) {
      this.preload = (layer, prefix) => {
        this.preloaded = { name: layer.name, engineLayer: this.engineLayerOf(layer, prefix) };
        // the table builder and the load port work through the next layer in the background
        return tableBuildCycles(prefix.length, params.states) + loadCycles(params);
      };
    }
  }

  begin(layer: SourceLayer, prefix: Uint8Array): number {
    const pre = this.preloaded;
    this.preloaded = null;
    this.words = layer.words;
    this.fed = 0;
    this.emitted = 0;
    this.layerName = layer.name;
    if (pre && pre.name === layer.name) {
      // the engine switches to the bank loaded in the background (the switch's arming is loadLayer's)
      this.engine.loadLayer(pre.engineLayer);
      return PRELOADED_SWITCH_CYCLES;
    }
    const p = this.params;
    return tableBuildCycles(prefix.length, p.states) + this.engine.loadLayer(this.engineLayerOf(layer, prefix));
  }

  /** The engine's view of a layer from its record prefix as it landed (checked against the engine). */
  private engineLayerOf(layer: SourceLayer, prefix: Uint8Array): EngineLayer {
    const { header } = parseRecordPrefix(prefix, `layer ${layer.name} as fetched by the chip`);
    if (header.codec !== 'tans') throw new Error(`internal: layer ${layer.name} (${header.codec}) reached the tANS engine`);
    const p = this.params;
    if (header.states !== p.states) {
      throw new HwsimError(`layer ${layer.name} has ${header.states}-state tables, the chip's tANS engine ${p.states}`,
        'encode every layer with the same number of states');
    }
    if (header.wordCounts.length !== p.streams) {
      throw new HwsimError(`layer ${layer.name} is encoded with ${header.wordCounts.length} streams, the chip has ${p.streams} decoders`,
        `use a chip with ${header.wordCounts.length} decoders, or encode with ${p.streams} streams`);
    }
    return {
      table: decodeTableOf(header), bins: header.quant.bins,
      symbolCounts: streamSymbolCounts(header), wordCounts: header.wordCounts,
    };
  }

  step(fifo: WordFifo, space: number): number {
    const eng = this.engine;
    const inValid = this.fed < this.words && fifo.count > 0;
    const take = inValid && eng.inReady;
    const word = inValid ? fifo.peek() : 0;
    const valid = eng.outValid;
    const ready = this.ready;
    let granted = 0;
    for (let k = 0; k < ready.length; k++) {
      if (valid[k] && granted < space) {
        ready[k] = 1;
        granted++;
      } else {
        ready[k] = 0;
      }
    }
    eng.tick(inValid, word >>> 0, ready);
    // the layer was verified before simulation: an engine error is a bug of the model
    if (eng.error) throw new Error(`internal: the tANS engine flagged an error in layer ${this.layerName}`);
    if (take) {
      fifo.pop();
      this.fed++;
      this.popped = 1;
    } else {
      this.popped = 0;
    }
    this.emitted += granted;
    return granted;
  }
}
