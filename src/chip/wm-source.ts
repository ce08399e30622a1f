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
import { params, type WmHeader, type WmLayer } from '../codecs/codec.js';
import { levelVectors, sequenceLength } from '../codecs/wm/index.js';
import { assignCodes, WaveletMatrix } from '../codecs/wm/matrix.js';
import { codeTree, nodeRanges, type CodeTree } from '../codecs/wm/nodes.js';
import { directoryWords, type BitVector } from '../codecs/wm/bitvector.js';
import { CachedAccess } from '../codecs/wm/rank-cache.js';
import { delimiterOf, RowAccess, zeroBin } from '../codecs/wm/ras.js';
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

/** weights a tuple lane writes from a zero run into the weight buffer per cycle (one 16-weight line) */
export const ZERO_RUN_WEIGHTS = 16;

/**
 * Cycles of one select on the delimiter (a row start), as the random-access port
 * (rtl-templates/wm/wm_access_port.v) takes them with registered memory reads: per level of the
 * delimiter's code, walked up from its leaf, a binary search over the level's E directory entries,
 * ⌈log2 E⌉ probes of one entry read a cycle (the first read issued in the level's first cycle),
 * then 2 cycles: the found block's entry (its sub-block counts pick the 512-bit line, read next),
 * and the line (the prefix popcount of its words finds the word, and the bit in the word, in that
 * cycle, which is also the next level's first). A level of one block thus costs 2 cycles.
 */
export function wmSelectCycles(h: Pick<WmHeader, 'levelLengths' | 'lengths' | 'quant'>): number {
  const len = h.lengths[delimiterOf(h.quant.bins)] ?? 0;
  let c = 0;
  for (let l = 0; l < len; l++) c += Math.ceil(Math.log2(directoryWords(h.levelLengths[l]) / 2)) + 2;
  return c;
}

/**
 * Cycles to find the start of row r when the last row found was `lastRow` (−1: none since the
 * layer began): row 0 starts at 0 and the last row's start is kept, so neither takes a select;
 * any other row takes one.
 */
export function wmRowSelectCycles(h: Pick<WmHeader, 'levelLengths' | 'lengths' | 'quant'>, row: number, lastRow: number): number {
  return row === 0 || row === lastRow ? 0 : wmSelectCycles(h);
}

/** The walk down to the delimiter's leaf (where its occurrences start at the last level): one rank per level of its code. */
export function wmDelimiterWalkCycles(h: Pick<WmHeader, 'lengths' | 'quant'>): number {
  return RANK_CYCLES * (h.lengths[delimiterOf(h.quant.bins)] ?? 0);
}

/**
 * START of a layer (docs/hw/wm-query-unit.md). Dense: every lane's node cursors at its slice
 * start (tuple layers: the slice's first row found by select first). With activation sparsity
 * (some weights needed): only the level pipeline fills; element-wise lanes first walk down to the
 * delimiter's node (one rank per level of its code); the rest is paid per row or run as it comes.
 */
export function wmStartCyclesOf(h: Pick<WmHeader, 'levelLengths' | 'lengths' | 'quant' | 'form'>, sparse: boolean): number {
  const levels = h.levelLengths.length;
  const fill = Math.max(0, levels - 1);
  if (sparse) return fill + (h.form === 'element' ? wmDelimiterWalkCycles(h) : 0);
  const start = wmStartCycles(codeTree(assignCodes(h.lengths)).level.length, levels);
  return h.form === 'tuples' ? start + wmSelectCycles(h) : start;
}

type Phase = 'load' | 'start' | 'decode' | 'done';

export class WmSource implements WeightSource {
  readonly lanes: number;
  readonly isDecoder = true;
  /** it loads the layer's words into its memory and walks them */
  readonly readsWordValues = true;
  readonly settleCycles: number;
  popped = 0;
  /** the last step changed the unit's state without a transfer (a walked delimiter, a stall counted down) */
  progressed = false;
  private phase: Phase = 'done';
  private layerName = '';
  private header: WmLayer | null = null;
  private words = new Uint32Array(0);
  private fed = 0;
  private startLeft = 0;
  private params = 0;
  private tree: CodeTree | null = null;
  private levels: BitVector[] = [];
  /** per lane: next weight (or symbol, or needed weight), end of slice, cursors (one per internal node) */
  private next = new Int32Array(0);
  private end = new Int32Array(0);
  private cursors: Int32Array[] = [];
  private only = -1;
  /** weights needed (activation sparsity), or null: every weight */
  private needed: Uint8Array | null = null;
  private worked = false;
  // the other forms (element-wise, tuples) and the sparse paths
  private matrix: WaveletMatrix | null = null;
  private weightAt = new Int32Array(0);
  private rowLength = 0;
  private rowNext = new Int32Array(0);
  private rowEnd = new Int32Array(0);
  private posInRow = new Int32Array(0);
  private zerosLeft = new Int32Array(0);
  private expectValue = new Uint8Array(0);
  private rowClosing = new Uint8Array(0);
  private neededList = new Int32Array(0);
  private rowAccess: RowAccess | null = null;
  private laneCache: CachedAccess[] = [];
  private laneRow = new Int32Array(0);
  private laneRowStart = new Int32Array(0);
  private stall = new Int32Array(0);
  private pending = new Int32Array(0);
  private blockNeeded: Uint8Array | null = null;
  private segmentAt: Int32Array | null = null;
  /**
   * Per lane, whether its output may deliver this cycle (co-simulation drives the RTL's per-lane
   * out_ready with a stall pattern and sets the same pattern here); null: every lane may.
   */
  laneReady: ArrayLike<boolean> | null = null;
  /** cycles LOAD, START and DECODE took in the current layer (the cycle-model test reads them) */
  readonly phaseCycles = { load: 0, start: 0, decode: 0 };
  /** random accesses and rank-cache misses of element-wise layers under activation sparsity (all layers) */
  randomAccesses = 0;
  randomMisses = 0;

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
    this.needed = layer.needed ?? null;
    this.params = params(header.shape);
    this.fed = 0;
    this.phase = 'load';
    this.phaseCycles.load = 0;
    this.phaseCycles.start = 0;
    this.phaseCycles.decode = 0;
    this.tree = codeTree(assignCodes(header.lengths));
    this.only = header.only;
    this.rowClosing = new Uint8Array(this.lanes);
    return header.quant.bins;
  }

  step(fifo: WordFifo, space: number): number {
    this.popped = 0;
    this.progressed = false;
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
    if (this.header!.form !== 'block' || this.needed) {
      this.worked = false;
      const delivered = this.stepOther(space);
      this.progressed = this.worked;
      if (this.lanesDone()) this.phase = 'done';
      return delivered;
    }
    let delivered = 0;
    for (let k = 0; k < this.lanes && delivered < space; k++) {
      if (this.next[k] >= this.end[k]) continue;
      if (this.laneReady && !this.laneReady[k]) continue;
      const pos = this.next[k]++;
      const symbol = this.walk(this.cursors[k]);
      this.opts.capture?.(this.layerName, pos, symbol);
      delivered++;
    }
    let left = false;
    for (let k = 0; k < this.lanes; k++) if (this.next[k] < this.end[k]) left = true;
    if (!left) this.phase = 'done';
    return delivered;
  }

  private lanesDone(): boolean {
    const tuples = this.header!.form === 'tuples';
    for (let k = 0; k < this.lanes; k++) {
      if (tuples ? this.rowNext[k] < this.rowEnd[k] : this.next[k] < this.end[k]) return false;
    }
    return true;
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
    this.startLeft = wmStartCyclesOf(layer, this.needed !== null);
    this.phase = this.startLeft > 0 ? 'start' : 'decode';
    if (layer.form === 'block' && !this.needed) {
      this.startDenseBlock();
      return;
    }
    this.matrix = new WaveletMatrix(sequenceLength(layer), assignCodes(layer.lengths), this.levels);
    if (this.matrix.levels.length === 0) this.matrix.single = layer.only;
    if (layer.form === 'tuples') this.startTuples();
    else if (layer.form === 'element' && !this.needed) this.startDenseElement();
    else if (layer.form === 'element') this.startRandomElement();
    else this.startSparseBlock();
  }

  /** the node cursors of a walk starting at sequence position s: one rank per internal node */
  private cursorsAt(s: number): Int32Array {
    const tree = this.tree!;
    const layer = this.header!;
    const c = new Int32Array(tree.level.length);
    if (c.length === 0) return c;
    c[0] = s;
    for (let v = 0; v < c.length; v++) {
      const l = tree.level[v];
      for (const bit of [0, 1]) {
        const ch = bit ? tree.child1[v] : tree.child0[v];
        if (ch >= 0) c[ch] = bit ? layer.levelZeros[l] + this.levels[l].rank1(c[v]) : this.levels[l].rank0(c[v]);
      }
    }
    return c;
  }

  private startDenseBlock(): void {
    const tree = this.tree!;
    const slice = Math.ceil(this.params / this.lanes);
    this.next = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(this.params, k * slice));
    this.end = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(this.params, (k + 1) * slice));
    // the node ranges are checked (starts never decrease) before any lane walks them
    if (tree.level.length) nodeRanges(tree, this.levels, this.header!.levelZeros);
    // a lane starting at weight s: its root cursor is s; a child's cursor is the parent's cursor
    // through rank0 / zeros + rank1 (one rank per node)
    this.cursors = Array.from({ length: this.lanes }, (_, k) => this.cursorsAt(this.next[k]));
  }

  /** element-wise, every weight: lanes slice the sequence (rows and their delimiters) */
  private startDenseElement(): void {
    const n = this.matrix!.length;
    const slice = Math.ceil(n / this.lanes);
    const D = delimiterOf(this.header!.quant.bins);
    this.next = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(n, k * slice));
    this.end = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(n, (k + 1) * slice));
    if (this.tree!.level.length) nodeRanges(this.tree!, this.levels, this.header!.levelZeros);
    this.cursors = Array.from({ length: this.lanes }, (_, k) => this.cursorsAt(this.next[k]));
    // weight position of each lane's first symbol: the delimiters before it are the count the
    // delimiter's leaf range has reached (read off the cursors, no extra rank)
    this.weightAt = Int32Array.from({ length: this.lanes }, (_, k) => this.next[k] - this.matrix!.rank(D, this.next[k]));
  }

  /** tuples: lanes slice the rows; each lane's first row is reached by select on the delimiter */
  private startTuples(): void {
    const layer = this.header!;
    const rows = new RowAccess(this.matrix!, layer, `${this.layerName} as fetched by the chip`);
    this.rowLength = rows.rowLength;
    const slice = Math.ceil(rows.rows / this.lanes);
    this.rowNext = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(rows.rows, k * slice));
    this.rowEnd = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(rows.rows, (k + 1) * slice));
    if (this.tree!.level.length) nodeRanges(this.tree!, this.levels, layer.levelZeros);
    this.cursors = Array.from({ length: this.lanes }, (_, k) => this.cursorsAt(this.rowNext[k] < rows.rows ? rows.rowStart(this.rowNext[k]) : this.matrix!.length));
    this.posInRow = new Int32Array(this.lanes);
    this.zerosLeft = new Int32Array(this.lanes);
    this.expectValue = new Uint8Array(this.lanes);
  }

  /** element-wise, some weights: lanes slice the needed weights, each reached by random access */
  private startRandomElement(): void {
    const needed = this.needed!;
    let m = 0;
    for (let i = 0; i < needed.length; i++) m += needed[i];
    this.neededList = new Int32Array(m);
    for (let i = 0, j = 0; i < needed.length; i++) if (needed[i]) this.neededList[j++] = i;
    const slice = Math.ceil(m / this.lanes);
    this.next = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(m, k * slice));
    this.end = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(m, (k + 1) * slice));
    this.rowAccess = new RowAccess(this.matrix!, this.header!, `${this.layerName} as fetched by the chip`);
    this.rowLength = this.rowAccess.rowLength;
    this.laneCache = Array.from({ length: this.lanes }, () => new CachedAccess(this.matrix!, 'node'));
    this.laneRow = new Int32Array(this.lanes).fill(-1);
    this.laneRowStart = new Int32Array(this.lanes);
    this.stall = new Int32Array(this.lanes);
    this.pending = new Int32Array(this.lanes).fill(-1);
    for (let k = 0; k < this.lanes; k++) this.prepareRandom(k);
  }

  /** block-wise, some weights: lanes slice the weights; blocks without a needed weight are jumped */
  private startSparseBlock(): void {
    const needed = this.needed!;
    const B = this.header!.blockWeights;
    this.blockNeeded = new Uint8Array(Math.ceil(this.params / B));
    for (let i = 0; i < needed.length; i++) if (needed[i]) this.blockNeeded[Math.floor(i / B)] = 1;
    const slice = Math.ceil(this.params / this.lanes);
    this.next = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(this.params, k * slice));
    this.end = Int32Array.from({ length: this.lanes }, (_, k) => Math.min(this.params, (k + 1) * slice));
    if (this.tree!.level.length) nodeRanges(this.tree!, this.levels, this.header!.levelZeros);
    this.cursors = Array.from({ length: this.lanes }, () => new Int32Array(this.tree!.level.length));
    this.stall = new Int32Array(this.lanes);
    this.segmentAt = new Int32Array(this.lanes).fill(-1);
  }

  /** One DECODE cycle of the forms other than dense block-wise; returns the weights delivered. */
  private stepOther(space: number): number {
    const layer = this.header!;
    let delivered = 0;
    if (layer.form === 'tuples') {
      for (let k = 0; k < this.lanes; k++) delivered += this.stepTupleLane(k, space - delivered);
    } else if (layer.form === 'element' && !this.needed) {
      const D = delimiterOf(layer.quant.bins);
      for (let k = 0; k < this.lanes && delivered < space; k++) {
        if (this.next[k] >= this.end[k]) continue;
        // a weight waits for its lane's ready; a delimiter needs none (it leaves no weight)
        if (this.laneReady && !this.laneReady[k] && this.peek(this.cursors[k]) !== D) continue;
        this.next[k]++;
        this.worked = true;
        const symbol = this.walk(this.cursors[k]);
        if (symbol === D) continue; // the delimiter takes its cycle and goes nowhere
        this.opts.capture?.(this.layerName, this.weightAt[k]++, symbol);
        delivered++;
      }
    } else if (layer.form === 'element') {
      for (let k = 0; k < this.lanes && delivered < space; k++) {
        if (this.next[k] >= this.end[k]) continue;
        this.worked = true;
        if (this.stall[k] > 0) { this.stall[k]--; continue; }
        this.opts.capture?.(this.layerName, this.neededList[this.next[k]], this.pending[k]);
        this.next[k]++;
        delivered++;
        this.prepareRandom(k);
      }
    } else {
      for (let k = 0; k < this.lanes; k++) delivered += this.stepSparseBlockLane(k, space - delivered);
    }
    return delivered;
  }

  /**
   * Random access to lane k's next needed weight: a select on the delimiter when it enters a new
   * row (wmRowSelectCycles: none for row 0), then access through the lane's per-node rank cache;
   * its cost is the stall before it is delivered (the level pipeline takes one weight a cycle, a
   * rank that misses adds its directory read). The symbol is decoded now, from the popped words.
   */
  private prepareRandom(k: number): void {
    if (this.next[k] >= this.end[k]) return;
    const pos = this.neededList[this.next[k]];
    const row = Math.floor(pos / this.rowLength);
    let cycles = 0;
    if (row !== this.laneRow[k]) {
      cycles += wmRowSelectCycles(this.header!, row, this.laneRow[k]);
      this.laneRow[k] = row;
      this.laneRowStart[k] = this.rowAccess!.rowStart(row);
    }
    const cache = this.laneCache[k];
    const missesBefore = cache.stats.misses;
    const symbol = cache.access(this.laneRowStart[k] + (pos - row * this.rowLength));
    if (symbol === delimiterOf(this.header!.quant.bins)) {
      throw new HwsimError(`layer ${this.layerName} as fetched by the chip: wm element-wise: weight ${pos} reads a delimiter (row ${row} is short)`);
    }
    cycles += (RANK_CYCLES - 1) * (cache.stats.misses - missesBefore);
    this.pending[k] = symbol;
    this.stall[k] = cycles;
    this.randomMisses += cache.stats.misses - missesBefore;
    this.randomAccesses++;
  }

  /** lane k of a sparse block-wise layer: one weight of a needed block a cycle, unneeded ones go nowhere */
  private stepSparseBlockLane(k: number, space: number): number {
    if (this.stall[k] > 0) { this.stall[k]--; this.worked = true; return 0; }
    const B = this.header!.blockWeights;
    // jump to the next needed block
    while (this.next[k] < this.end[k] && !this.blockNeeded![Math.floor(this.next[k] / B)]) this.next[k] = (Math.floor(this.next[k] / B) + 1) * B;
    if (this.next[k] >= this.end[k]) { this.next[k] = this.end[k]; return 0; }
    const pos = this.next[k];
    if (this.segmentAt![k] !== pos) {
      // a new run of needed blocks: the lane's node cursors at its start, one rank per node
      this.cursors[k] = this.cursorsAt(pos);
      this.segmentAt![k] = pos;
      const setup = RANK_CYCLES * this.tree!.level.length;
      if (setup > 0) {
        // this cycle is the first of the setup
        this.stall[k] = setup - 1;
        this.worked = true;
        return 0;
      }
    }
    const want = this.needed![pos] === 1;
    if (want && space <= 0) return 0;
    this.worked = true;
    const symbol = this.walk(this.cursors[k]);
    this.next[k]++;
    this.segmentAt![k] = this.next[k];
    if (!want) return 0;
    this.opts.capture?.(this.layerName, pos, symbol);
    return 1;
  }

  /** lane k of a tuple layer: walks one symbol a cycle, or writes up to ZERO_RUN_WEIGHTS zeros of a run */
  private stepTupleLane(k: number, space: number): number {
    if (this.rowNext[k] >= this.rowEnd[k] || space <= 0) return 0;
    const layer = this.header!;
    const bins = layer.quant.bins;
    const base = this.rowNext[k] * this.rowLength;
    this.worked = true;
    if (this.zerosLeft[k] > 0) {
      let delivered = 0;
      for (let w = 0; w < ZERO_RUN_WEIGHTS && this.zerosLeft[k] > 0; w++) {
        const pos = base + this.posInRow[k];
        const want = !this.needed || this.needed[pos] === 1;
        if (want && delivered >= space) break;
        if (want) { this.opts.capture?.(this.layerName, pos, zeroBin(bins)); delivered++; }
        this.posInRow[k]++;
        this.zerosLeft[k]--;
      }
      if (this.zerosLeft[k] === 0 && this.rowClosing[k]) this.finishRow(k);
      return delivered;
    }
    const s = this.walk(this.cursors[k]);
    const fail = (what: string) => new HwsimError(`layer ${this.layerName} as fetched by the chip: wm tuples: row ${this.rowNext[k]}: ${what}`);
    if (this.expectValue[k]) {
      if (s >= bins) throw fail('a distance is not followed by a value');
      this.expectValue[k] = 0;
      const pos = base + this.posInRow[k]++;
      if (this.needed && !this.needed[pos]) return 0;
      this.opts.capture?.(this.layerName, pos, s);
      return 1;
    }
    if (s === delimiterOf(bins)) {
      this.zerosLeft[k] = this.rowLength - this.posInRow[k];
      if (this.zerosLeft[k] < 0) throw fail(`fillers past the row's ${this.rowLength} weights`);
      this.rowClosing[k] = 1;
      if (this.zerosLeft[k] === 0) this.finishRow(k);
      return 0;
    }
    if (s < bins) throw fail('a value without a distance before it');
    const G = layer.gapSymbols;
    const filler = s === bins + G;
    this.zerosLeft[k] = filler ? G - 1 : s - bins - 1;
    this.expectValue[k] = filler ? 0 : 1;
    if (this.posInRow[k] + this.zerosLeft[k] + this.expectValue[k] > this.rowLength) throw fail(`a distance past the row's ${this.rowLength} weights`);
    return 0;
  }

  private finishRow(k: number): void {
    this.rowNext[k]++;
    this.posInRow[k] = 0;
    this.rowClosing[k] = 0;
  }

  /** the symbol the next walk from these cursors gives, leaving them where they are */
  private peek(cur: Int32Array): number {
    const tree = this.tree!;
    if (tree.level.length === 0) return this.only;
    let v = 0;
    for (;;) {
      const p = cur[v];
      const bv = this.levels[tree.level[v]];
      const bit = (bv.words[p >>> 5] >>> (p & 31)) & 1;
      const c = bit ? tree.child1[v] : tree.child0[v];
      if (c >= 0) { v = c; continue; }
      return -1 - c;
    }
  }

  private walk(cur: Int32Array): number {
    const tree = this.tree!;
    if (tree.level.length === 0) return this.only;
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
    longestStart = Math.max(longestStart, wmStartCyclesOf(l, false), wmStartCyclesOf(l, true));
  }
  return new WmSource({ lanes: cfg.decoders, loadWords: rawBypassWidth(cfg.dramBytesPerCycle), settleCycles: longestStart + 4, capture });
}

