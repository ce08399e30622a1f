/**
 * The wavelet-matrix query unit in the decoder slot (cycle semantics: docs/hw/wm-query-unit.md).
 *
 * Per layer: the record prefix is parsed with the container's reader (begin: one cycle per
 * symbol to rebuild the codes from the lengths); LOAD pops the layer's payload words (level
 * bitmaps and rank directories, in DRAM order) from the FIFO into an on-chip buffer, up to
 * `loadWords` a cycle; START gives each of the P lanes (lane k owns the k-th contiguous slice of
 * the layer) one cursor per internal node of the code tree, one rank per node = a directory read
 * and a masked popcount of one 512-bit line, 2 cycles, all lanes in parallel, then D − 1 cycles
 * to fill the level pipeline; DECODE delivers one weight per lane per cycle (as many as the weight
 * buffer has room for, lowest lanes first), each weight walking the levels with the node cursors,
 * no rank. The weights delivered are decoded here from the words popped, so a test can compare
 * them with the reference decoder's.
 */
import { parseRecordPrefix } from '../codecs/container.js';
import type { ModelImage } from '../codecs/container.js';
import type { WmLayer } from '../codecs/codec.js';
import { levelVectors } from '../codecs/wm/index.js';
import { assignCodes } from '../codecs/wm/matrix.js';
import { codeTree, nodeRanges, type CodeTree } from '../codecs/wm/nodes.js';
import type { BitVector } from '../codecs/wm/bitvector.js';
import { HwsimError } from '../errors.js';
import type { ChipConfig } from './config.js';
import type { WordFifo } from './fifo.js';
import { rawBypassWidth, type SourceLayer, type WeightSource } from './weight-source.js';

/** cycles of one rank in START: the directory entry, then the popcount of one 512-bit line */
export const RANK_CYCLES = 2;

/** Cycles from the end of LOAD to the first weight of a layer: node ranks, then the pipeline fill. */
export function wmStartCycles(internalNodes: number, levels: number): number {
  return RANK_CYCLES * internalNodes + Math.max(0, levels - 1);
}

export interface WmSourceOptions {
  lanes: number;
  /** payload words LOAD takes from the FIFO per cycle */
  loadWords: number;
  /** stay quiet this long before the pipeline may hold the unit (longer than any START) */
  settleCycles: number;
  /** when set, every weight delivered is written here at its position (tests) */
  capture?: (layer: string, position: number, symbol: number) => void;
}

type Phase = 'load' | 'start' | 'decode' | 'done';

export class WmSource implements WeightSource {
  readonly lanes: number;
  readonly isDecoder = true;
  readonly settleCycles: number;
  popped = 0;
  private phase: Phase = 'done';
  private layerName = '';
  private header: WmLayer | null = null;
  private words = new Uint32Array(0);
  private fed = 0;
  private startLeft = 0;
  private params = 0;
  private tree: CodeTree | null = null;
  private levels: BitVector[] = [];
  /** per lane: next weight, end of slice, cursors (one per internal node) */
  private next = new Int32Array(0);
  private end = new Int32Array(0);
  private cursors: Int32Array[] = [];
  private only = -1;
  /**
   * Per lane, whether its output may deliver this cycle (co-simulation drives the RTL's per-lane
   * out_ready with a stall pattern and sets the same pattern here); null: every lane may.
   */
  laneReady: ArrayLike<boolean> | null = null;
  /** cycles LOAD, START and DECODE took in the current layer (the cycle-model test reads them) */
  readonly phaseCycles = { load: 0, start: 0, decode: 0 };

  constructor(readonly opts: WmSourceOptions) {
    this.lanes = opts.lanes;
    this.settleCycles = opts.settleCycles;
  }

  get layerDone(): boolean { return this.phase === 'done'; }

  begin(layer: SourceLayer, prefix: Uint8Array): number {
    const { header } = parseRecordPrefix(prefix, `layer ${layer.name} as fetched by the chip`);
    if (header.codec !== 'wm') throw new Error(`internal: layer ${layer.name} (${header.codec}) reached the wavelet-matrix unit`);
    this.words = new Uint32Array(layer.words);
    this.header = { ...header, words: this.words };
    this.layerName = layer.name;
    this.params = layer.params;
    this.fed = 0;
    this.phase = 'load';
    this.phaseCycles.load = 0;
    this.phaseCycles.start = 0;
    this.phaseCycles.decode = 0;
    this.tree = codeTree(assignCodes(header.lengths));
    this.only = header.only;
    return header.quant.bins;
  }

  step(fifo: WordFifo, space: number): number {
    this.popped = 0;
    if (this.phase === 'load') {
      this.phaseCycles.load++;
      const n = Math.min(this.opts.loadWords, fifo.count, this.words.length - this.fed);
      for (let k = 0; k < n; k++) this.words[this.fed++] = fifo.pop();
      this.popped = n;
      if (this.fed === this.words.length) this.startLayer();
      return 0;
    }
    if (this.phase === 'start') {
      this.phaseCycles.start++;
      if (--this.startLeft <= 0) this.phase = 'decode';
      return 0;
    }
    if (this.phase !== 'decode') return 0;
    this.phaseCycles.decode++;
    let delivered = 0;
    for (let k = 0; k < this.lanes && delivered < space; k++) {
      if (this.next[k] >= this.end[k]) continue;
      if (this.laneReady && !this.laneReady[k]) continue;
      const pos = this.next[k]++;
      const symbol = this.walk(k);
      this.opts.capture?.(this.layerName, pos, symbol);
      delivered++;
    }
    let left = false;
    for (let k = 0; k < this.lanes; k++) if (this.next[k] < this.end[k]) left = true;
    if (!left) this.phase = 'done';
    return delivered;
  }

  /** LOAD done: check the levels as the reference does, give each lane its cursors */
  private startLayer(): void {
    const layer = this.header!;
    try {
      this.levels = levelVectors(layer);
    } catch (err) {
      if (err instanceof HwsimError) throw new HwsimError(`layer ${this.layerName} as fetched by the chip: ${err.message}`, err.fix);
      throw err;
    }
    const tree = this.tree!;
    const slice = Math.ceil(this.params / this.lanes);
    this.next = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(this.params, k * slice));
    this.end = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(this.params, (k + 1) * slice));
    const { start } = tree.level.length ? nodeRanges(tree, this.levels, layer.levelZeros) : { start: new Int32Array(0) };
    // a lane starting at weight s: its root cursor is s; a child's cursor is the parent's cursor
    // through rank0 / zeros + rank1 (one rank per node)
    this.cursors = Array.from({ length: this.lanes }, (_, k) => {
      const c = start.slice();
      if (c.length === 0) return c;
      c[0] = this.next[k];
      for (let v = 0; v < c.length; v++) {
        const l = tree.level[v];
        for (const bit of [0, 1]) {
          const ch = bit ? tree.child1[v] : tree.child0[v];
          if (ch >= 0) c[ch] = bit ? layer.levelZeros[l] + this.levels[l].rank1(c[v]) : this.levels[l].rank0(c[v]);
        }
      }
      return c;
    });
    this.startLeft = wmStartCycles(tree.level.length, layer.levelLengths.length);
    this.phase = this.startLeft > 0 ? 'start' : 'decode';
  }

  private walk(lane: number): number {
    const tree = this.tree!;
    if (tree.level.length === 0) return this.only;
    const cur = this.cursors[lane];
    let v = 0;
    for (;;) {
      const p = cur[v]++;
      const bv = this.levels[tree.level[v]];
      const bit = (bv.words[p >>> 5] >>> (p & 31)) & 1;
      const c = bit ? tree.child1[v] : tree.child0[v];
      if (c >= 0) { v = c; continue; }
      return -1 - c;
    }
  }
}

/** The unit sized for an image: the chip's decoder count as lanes, DRAM-wide loading. */
export function wmSource(cfg: ChipConfig, image: ModelImage, capture?: WmSourceOptions['capture']): WeightSource {
  let longestStart = 0;
  for (const l of image.layers) {
    if (l.codec !== 'wm') continue;
    longestStart = Math.max(longestStart, wmStartCycles(codeTree(assignCodes(l.lengths)).level.length, l.levelLengths.length));
  }
  return new WmSource({ lanes: cfg.decoders, loadWords: rawBypassWidth(cfg.dramBytesPerCycle), settleCycles: longestStart + 4, capture });
}

