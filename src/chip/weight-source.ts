/**
 * The decoder slot of the chip (docs/hw/pipeline.md): whatever turns the words of a layer's DRAM
 * image into weights for the weight buffer. The pipeline does not know what is inside; it offers
 * the FIFO and the free space of the weight buffer each cycle and counts what comes out.
 *
 * Implementations, one per codec, chosen through src/chip/sources.ts: the tANS engine
 * (src/chip/tans-source.ts, wrapping the cycle-exact model of the RTL in src/chip/tans-decoder.ts)
 * and the raw int8 bypass below.
 */
import type { CodecId } from '../codecs/codec.js';
import type { WordFifo } from './fifo.js';

/** What a weight source needs to know of a layer besides its fetched header. */
export interface SourceLayer {
  name: string;
  codec: CodecId;
  /** weights the layer holds (and the source must deliver) */
  params: number;
  /** payload words of the layer's DRAM image */
  words: number;
}

export interface WeightSource {
  /** weights per cycle at best (the lanes of the decoder) */
  readonly lanes: number;
  /**
   * True for a decoder: a layer waiting while the FIFO holds words waits on the decoder. False for
   * the raw bypass, which is as wide as DRAM: its waits on a non-empty FIFO are burst granularity.
   */
  readonly isDecoder: boolean;
  /**
   * Cycles without any transfer, with unchanged inputs (FIFO head present or not, buffer space),
   * after which the source's state cannot change any more (default 16). The pipeline then stops
   * stepping it until an input changes.
   */
  readonly settleCycles?: number;
  /**
   * Starts a layer; the previous layer has delivered all its weights and this layer's record
   * prefix (codec byte, lengths, binary header: `prefix`, the bytes as they landed) is in the
   * staging buffer. Returns the cycles the source is busy before its first step (table build and
   * load).
   */
  begin(layer: SourceLayer, prefix: Uint8Array): number;
  /**
   * Optional background preparation of the next layer while the current one runs (the tANS engine
   * with two table banks builds and loads the next table into its other bank). The pipeline calls
   * it at most once per layer, for the layer after the one running (same source, its header landed
   * in the staging buffer: `prefix`), and later calls begin() for that layer as usual, which then
   * returns only the cycles of the switch; the slot waits for the larger of that and what is left
   * of the preparation. Returns the cycles the preparation takes from this cycle on.
   */
  preload?(layer: SourceLayer, prefix: Uint8Array): number;
  /**
   * One clock cycle: may pop words of the current layer from `fifo` (never words of the next
   * layer), delivers at most `space` weights. Returns the weights delivered; `popped` holds the
   * words taken.
   */
  step(fifo: WordFifo, space: number): number;
  /** words popped in the last step */
  readonly popped: number;
  /**
   * True once the source has finished the layer after delivering its last weight (the tANS engine
   * needs a cycle or two to check its end states and go idle); the next layer begins only then.
   */
  readonly layerDone: boolean;
}

/**
 * Raw int8 bypass: weights are stored 4 to a 32-bit word (the last word of a layer partly used).
 * Per cycle the bypass hands on up to 4·widthWords weights, as many as the weight buffer has room
 * for, from the word it holds and from up to `widthWords` words it pops (a word is popped only when
 * the previous one has been handed on completely). Its width is chosen so that it is never the
 * bottleneck (as wide as DRAM).
 */
export class RawBypass implements WeightSource {
  readonly lanes: number;
  readonly isDecoder = false;
  readonly settleCycles = 2;
  popped = 0;
  private params = 0;
  private words = 0;
  private fed = 0;
  private held = 0;

  constructor(readonly widthWords: number) {
    this.lanes = widthWords * 4;
  }

  get layerDone(): boolean {
    return this.held === 0 && this.fed >= this.words;
  }

  begin(layer: SourceLayer): number {
    this.params = layer.params;
    this.words = layer.words;
    this.fed = 0;
    this.held = 0;
    return 0;
  }

  step(fifo: WordFifo, space: number): number {
    const budget = space < this.lanes ? space : this.lanes;
    let delivered = 0;
    let popped = 0;
    while (delivered < budget) {
      if (this.held === 0) {
        if (popped >= this.widthWords || fifo.count === 0 || this.fed >= this.words) break;
        fifo.pop();
        this.held = Math.min(4, this.params - this.fed * 4);
        this.fed++;
        popped++;
      }
      const n = Math.min(this.held, budget - delivered);
      this.held -= n;
      delivered += n;
    }
    this.popped = popped;
    return delivered;
  }
}

/** Bypass width for a DRAM of the given bandwidth: at least the bytes DRAM can deliver a cycle. */
export function rawBypassWidth(dramBytesPerCycle: number): number {
  return Math.max(1, Math.ceil(dramBytesPerCycle / 4));
}
