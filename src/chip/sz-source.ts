/**
 * The sparse/SZ decoder in the chip's decoder slot (docs/hw/sz-decoder.md): an sz layer's payload
 * (index array, bin codes, escaped values merged in demand order, docs/FORMAT.md §4) in, the dense
 * layer out, zeros of the pruned positions included, into the weight buffer that feeds the FC path
 * of the MAC array. Two stages:
 *
 *   decode   one index entry per cycle at most: the index symbol, then (not a filler) the bin code
 *            and the Lorenzo step r = fround(r_prev + q·2eb), or (escape) the stored float32. The
 *            entry's words come from the FIFO, one word per cycle; the entry completes in the cycle
 *            its last word arrives (or in one cycle when its bits are already held).
 *   scatter  writes the entry's run into the weight buffer: the zeros of its gap and its value
 *            (a filler: 255 zeros), up to `szLanes` weights per cycle and no more than the buffer's
 *            free space; after the last entry, the zeros up to the end of the layer.
 *
 * A decoded entry moves to the scatter stage when it is empty (after this cycle's writes), so the
 * block takes max(1, words, ceil(run / lanes)) cycles per entry in steady state. The words each
 * entry takes are those the reference walk (src/codecs/sz/streams.ts) pulls for it from the same
 * payload; the layer header is parsed from the fetched prefix with the container's own reader.
 */
import type { SzLayer } from '../codecs/codec.js';
import type { ModelImage } from '../codecs/container.js';
import { parseRecordPrefix } from '../codecs/container.js';
import { szWalk } from '../codecs/sz/index.js';
import { FILLER, MAX_GAP } from '../codecs/sz/sparse.js';
import { HwsimError } from '../errors.js';
import type { WordFifo } from './fifo.js';
import { tableBuildCycles } from './tans-decoder.js';
import type { SourceLayer, WeightSource } from './weight-source.js';

/** What the decode stage needs of a layer: per entry its run of weights and the words it pulls. */
interface Schedule {
  runs: Uint32Array;
  wordsThrough: Uint32Array;
  tail: number;
}

export function szSchedule(layer: SzLayer, weights: number): Schedule {
  const walk = szWalk(layer);
  const runs = new Uint32Array(walk.index.length);
  let pos = -1;
  for (let e = 0; e < runs.length; e++) {
    const k = walk.index[e];
    runs[e] = k === FILLER ? MAX_GAP : k;
    pos += runs[e];
  }
  // a filler run has no value: pos counts positions passed, the value sits at the run's last one
  return { runs, wordsThrough: walk.wordsThrough, tail: weights - 1 - pos };
}

export class SzSource implements WeightSource {
  readonly isDecoder = true;
  readonly readsWordValues = false;
  readonly settleCycles = 4;
  popped = 0;
  private schedule: Schedule = { runs: new Uint32Array(0), wordsThrough: new Uint32Array(0), tail: 0 };
  private entry = 0;
  private needLeft = 0;
  private decoded = false;
  private tailHanded = false;
  private pending = 0;
  private fed = 0;
  private words = 0;
  private readonly layers = new Map<string, SzLayer>();

  constructor(readonly lanes: number, image: ModelImage) {
    image.layers.forEach((l, i) => { if (l.codec === 'sz') this.layers.set(image.specs[i].name, l); });
  }

  get layerDone(): boolean {
    return this.entry >= this.schedule.runs.length && this.tailHanded && this.pending === 0;
  }

  begin(layer: SourceLayer, prefix: Uint8Array): number {
    const { header } = parseRecordPrefix(prefix, `layer ${layer.name} as fetched by the chip`);
    if (header.codec !== 'sz') throw new Error(`internal: layer ${layer.name} (${header.codec}) reached the sz decoder`);
    const coded = this.layers.get(layer.name);
    if (!coded || coded.words.length !== layer.words || coded.indexEntries !== header.indexEntries) {
      throw new HwsimError(`internal: no sz layer '${layer.name}' of ${layer.words} words in the image`);
    }
    this.schedule = szSchedule(coded, layer.params);
    this.entry = 0;
    this.decoded = false;
    this.tailHanded = false;
    this.pending = 0;
    this.fed = 0;
    this.words = layer.words;
    this.needLeft = this.wordsOf(0);
    const states = (header.indexTable?.states ?? 0) + (header.codeTable?.states ?? 0);
    return tableBuildCycles(prefix.length, states);
  }

  private wordsOf(e: number): number {
    const w = this.schedule.wordsThrough;
    if (e >= w.length) return 0;
    return w[e] - (e > 0 ? w[e - 1] : 0);
  }

  step(fifo: WordFifo, space: number): number {
    // scatter: this cycle's writes
    const n = Math.min(this.pending, this.lanes, Math.max(0, space));
    this.pending -= n;
    // decode: at most one word from the FIFO, at most one entry completed
    this.popped = 0;
    const runs = this.schedule.runs;
    if (!this.decoded && this.entry < runs.length) {
      if (this.needLeft > 0 && fifo.count > 0 && this.fed < this.words) {
        fifo.pop();
        this.fed++;
        this.popped = 1;
        this.needLeft--;
      }
      if (this.needLeft === 0) this.decoded = true;
    }
    if (this.pending === 0) {
      if (this.decoded) {
        this.pending = runs[this.entry++];
        this.decoded = false;
        this.needLeft = this.wordsOf(this.entry);
      } else if (this.entry >= runs.length && !this.tailHanded) {
        this.tailHanded = true;
        this.pending = this.schedule.tail;
      }
    }
    return n;
  }
}
