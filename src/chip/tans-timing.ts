/**
 * The tANS engine's timing without its data path: the fast simulation mode (`--sim fast`, the
 * default of `hwsim run` and `hwsim sweep`).
 *
 * TansEngineModel (tans-decoder.ts) mirrors every register of the RTL, values included. What the
 * chip's cycles depend on is less: when each lane can step (enough bits held for the next
 * symbol, output register free), when it pops a word and when the distributor hands one on. Of
 * the data, only the number of bits each step reads matters, and that follows from the bitstream
 * alone. TansTimingModel is handed those counts per stream up front (`layerStepBits`, one walk
 * of the reference decoder over the layer) and applies TansEngineModel's control rules with
 * counters only: no table, no state, no window, no word values. test/chip-fast.test.ts requires
 * both models to give identical cycles, stalls by cause and traffic on random chips and networks.
 *
 * Given a TrajectoryBook (a sweep's points of one image), it follows what an earlier run of the
 * image recorded wherever it reaches the same registers with the same inputs, instead of stepping
 * the lanes again (tans-trajectories.ts).
 *
 * What it cannot see: the end-of-stream verdict on values (final state 0, zero padding). Its
 * timing is the same either way; the value checks were made by the reference decoder before any
 * simulation (run.ts verifies every image), and the control-side checks (underflow, words left,
 * a whole unread word at the end) are kept here.
 */
import type { TansHeader } from '../codecs/codec.js';
import { decodeStream } from '../codecs/tans/codec.js';
import { decodeTableOf, stepBitArrays, stepBitsDecoded, streamSymbolCounts } from '../codecs/tans/index.js';
import { deinterleaveStreams } from '../codecs/tans/layout.js';
import { check } from '../errors.js';
import { loadCycles, resolveTansDecoderParams, type EngineLayer, type TansDecoderParams } from './tans-decoder.js';
import { cycleLimit, holdToGrant, type AdvanceLimits, type AdvanceResult, type PopLog } from './weight-source.js';
import {
  GIVEN, HAS_STARVED, HOLDS_AT_END, MAX_SEGMENT_CYCLES, NO_SEGMENT, QUIET_WITH_WORD, Recording, ROOM_CHANGED, sameInts, SEG_CYCLES, SEG_END, SEG_FIELDS,
  SEG_FLAGS, SEG_LENGTH, SEG_NEXT, SEG_NEXT_SPACE, SEG_QUIET_SPACE, SEG_SPACE, SEG_START, STARVED, TOOK, variant, type TrajectoryBook,
} from './tans-trajectories.js';

/**
 * Per stream, the bits each symbol step reads (the decode table's nbBits of the state it steps
 * from), in stream order: what the engine's timing depends on. One reference decode of the layer
 * (which also checks every stream).
 */
export function layerStepBits(header: TansHeader, words: Uint32Array): Uint8Array[] {
  const table = decodeTableOf(header);
  const counts = streamSymbolCounts(header);
  const streams = deinterleaveStreams(words, header.wordCounts);
  let longest = 0;
  for (let k = 0; k < counts.length; k++) longest = Math.max(longest, counts[k]);
  const symbols = new Uint8Array(longest);
  const bits = stepBitArrays(counts);
  streams.forEach((w, k) => decodeStream(w, undefined, counts[k], table, symbols, 0, 1, bits[k]));
  return bits;
}

/** Set bits of a 32-bit mask. */
function popCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** cycles runLanes looks ahead at most (its per-lane pass is wasted past a FIFO running dry) */
const LANE_CHUNK = 64;

/** A snapshot of the engine's registers: the turn, then per lane these many values (snapshotNow). */
const SNAP_PER_LANE = 3;

const stepBitsCache = new WeakMap<Uint32Array, Uint8Array[]>();

/**
 * layerStepBits, once per payload (the points of a sweep share the image's payload words), and
 * not at all when verifying the image recorded them (tansCodec.decode on the same words).
 */
export function cachedStepBits(header: TansHeader, words: Uint32Array): Uint8Array[] {
  let bits = stepBitsCache.get(words) ?? stepBitsDecoded(words);
  if (!bits) {
    bits = layerStepBits(header, words);
    stepBitsCache.set(words, bits);
  }
  return bits;
}

/** One array of all streams' step bits (their own buffer when they are views of one); start[k] = stream k's first index. */
function flatten(bits: readonly Uint8Array[], start: Int32Array): Uint8Array {
  const buffer = bits[0]?.buffer;
  if (bits.every((b) => b.buffer === buffer)) {
    bits.forEach((b, k) => { start[k] = b.byteOffset; });
    return new Uint8Array(buffer ?? new ArrayBuffer(0));
  }
  const flat = new Uint8Array(bits.reduce((a, b) => a + b.length, 0));
  let at = 0;
  bits.forEach((b, k) => { start[k] = at; flat.set(b, at); at += b.length; });
  return flat;
}

/** Steps per block of StepMarks.blockPos (a power of two). */
const BLOCK_SHIFT = 2;
const BLOCK_MASK = (1 << BLOCK_SHIFT) - 1;

/**
 * Per symbol of the step bits (indexed as the model indexes them: the flattened buffer), one bit
 * set when the symbol's step ends a word, and one when it ends exactly at the word's end; and per
 * block of 4 symbols, the lane's bit position in its word after the block's last step. A lane's
 * position follows from its stream alone (log2(L) bits of initial state, then the step bits), so
 * runLanes reads these instead of adding up step bits lane by lane (a position: the block's, then
 * at most 4 steps; with blocks of 8 a coded run took about 4 % longer). Bits and blocks, not a
 * byte per symbol: a whole image's marks touch a sixth of the memory (fresh memory costs page
 * faults, which a single run pays in full). Filled layer by layer (`filled`: the layers' step-bit
 * arrays): the step bits of a whole image may share one buffer (a cached image's verdict unpacks
 * them so).
 */
interface StepMarks {
  logL: number;
  endsWord: Uint32Array;
  endsExactly: Uint32Array;
  blockPos: Uint8Array;
  filled: WeakSet<object>;
}

/** StepMarks per step-bits buffer, kept while the buffer lives (the points of a sweep share it). */
const marksCache = new WeakMap<ArrayBufferLike, StepMarks>();

function emptyMarks(logL: number, n: number): StepMarks {
  return { logL, endsWord: new Uint32Array((n >>> 5) + 1), endsExactly: new Uint32Array((n >>> 5) + 1), blockPos: new Uint8Array((n >>> BLOCK_SHIFT) + 1), filled: new WeakSet() };
}

function stepMarks(layerBits: readonly Uint8Array[], bits: Uint8Array, start: Int32Array, logL: number): StepMarks {
  let marks = marksCache.get(bits.buffer);
  if (!marks || marks.logL !== logL || marks.blockPos.length !== (bits.length >>> BLOCK_SHIFT) + 1) {
    marks = emptyMarks(logL, bits.length);
    marksCache.set(bits.buffer, marks);
  }
  if (marks.filled.has(layerBits)) return marks;
  const { endsWord, endsExactly, blockPos } = marks;
  layerBits.forEach((b, k) => {
    let p = logL;
    for (let j = start[k], end = start[k] + b.length; j < end; j++) {
      p += bits[j];
      if (p >= 32) {
        endsWord[j >>> 5] |= 1 << (j & 31);
        if (p === 32) endsExactly[j >>> 5] |= 1 << (j & 31);
        p -= 32;
      }
      if ((j & BLOCK_MASK) === BLOCK_MASK) blockPos[j >>> BLOCK_SHIFT] = p;
    }
  });
  marks.filled.add(layerBits);
  return marks;
}

/**
 * True when what the end of the segment whose record starts at meta[r] was found to be (quiescent
 * or not, with a word offered or without) holds for the room `space`: the room it was found
 * quiescent with, or any room when no lane holds a weight there (the room only lets weights leave).
 */
function endKnown(meta: Int32Array, r: number, space: number): boolean {
  const quietSpace = meta[r + SEG_QUIET_SPACE];
  return quietSpace !== ROOM_CHANGED && (space === quietSpace || (meta[r + SEG_FLAGS] & HOLDS_AT_END) === 0);
}

/**
 * True when the engine at the end of the segment whose record starts at meta[r] is quiescent with
 * the room `space`, and a word offered if `inValid` (it was found so when recorded; endKnown).
 */
function endsQuiet(meta: Int32Array, r: number, space: number, inValid: boolean): boolean {
  return endKnown(meta, r, space) && ((meta[r + SEG_FLAGS] & QUIET_WITH_WORD) !== 0 || !inValid);
}

/**
 * Same control rules as TansEngineModel.tick, lane by lane, on counters: symbols left and the
 * index of the next one, words held (have) and the bit position in the oldest (pos), the lane
 * FIFO's fill, the output register's valid bit, init / end / finished flags; the distributor's
 * turn and words owed per stream.
 */
export class TansTimingModel {
  readonly params: TansDecoderParams;
  /** loadLayer needs EngineLayer.stepBits */
  readonly needsStepBits = true;
  private readonly logL: number;
  private readonly S: number;
  private readonly D: number;
  /** the step bits of every stream; nextQ[k] indexes lane k's next symbol in it */
  private bits: Uint8Array = new Uint8Array(0);
  private marks: StepMarks = emptyMarks(0, 0);
  /** each stream's first index in `bits` */
  private streamStart = new Int32Array(0);
  /** each stream's symbols in the open layer */
  private readonly symbolCount: Float64Array;
  private runQ = false;
  private turnQ = 0;
  private readonly wordsLeftQ: Float64Array;
  private readonly fifoCnt: Int32Array;
  private readonly remQ: Float64Array;
  private readonly nextQ: Int32Array;
  private readonly haveQ: Uint8Array;
  private readonly posQ: Uint8Array;
  private readonly initQ: Uint8Array;
  private readonly finQ: Uint8Array;
  private readonly errQ: Uint8Array;
  private readonly endQ: Uint8Array;
  private readonly endBadQ: Uint8Array;
  readonly outValid: Uint8Array;
  private doneC = false;
  private errorC = false;
  private cycleN = 0;
  /**
   * Every lane is between its first and last symbol (no init, end or finished flag), and the
   * fewest symbols any lane has left: what runSteady checks first, kept up to date by whatever
   * changes them (flags change only in tick() and loadLayer(), symbols left in every step).
   */
  private steady = false;
  private minRem = 0;
  /** shared trajectories (tans-trajectories.ts): the book, and the open layer's segments in it */
  private book: TrajectoryBook | null = null;
  private segs: Map<number, number[]> | null = null;
  /**
   * a segment may start here: the last quiescentSpace() said quiescent, or the last cycle made the
   * lanes steady, and no cycle has run since
   */
  private quietAt = false;
  /** the segment being recorded, or the one being followed and how far (cycles, weights delivered) */
  private rec: Recording | null = null;
  private readonly recording: Recording;
  private fol = NO_SEGMENT;
  private folP = 0;
  private folDelivered = 0;
  private readonly snap: Int32Array;
  private readonly grantScratch: Uint8Array;

  constructor(params: TansDecoderParams) {
    this.params = resolveTansDecoderParams(params);
    const S = this.S = this.params.streams;
    this.logL = Math.log2(this.params.states);
    this.D = this.params.streamFifoDepth;
    this.wordsLeftQ = new Float64Array(S);
    this.fifoCnt = new Int32Array(S);
    this.remQ = new Float64Array(S);
    this.nextQ = new Int32Array(S);
    this.haveQ = new Uint8Array(S);
    this.posQ = new Uint8Array(S);
    this.initQ = new Uint8Array(S);
    this.finQ = new Uint8Array(S).fill(1);
    this.errQ = new Uint8Array(S);
    this.endQ = new Uint8Array(S);
    this.endBadQ = new Uint8Array(S);
    this.outValid = new Uint8Array(S);
    this.snap = new Int32Array(1 + SNAP_PER_LANE * S);
    this.symbolCount = new Float64Array(S);
    this.recording = new Recording(this.snap.length);
    this.grantScratch = new Uint8Array(S);
  }

  /** Shares this engine's trajectories through `book` (null: none) from the next loadLayer on. */
  useBook(book: TrajectoryBook | null): void {
    this.book = book;
  }

  get inReady(): boolean {
    const t = this.turnQ;
    return this.runQ && this.wordsLeftQ[t] !== 0 && this.fifoCnt[t] < this.D;
  }
  get done(): boolean { return this.doneC; }
  get error(): boolean { return this.errorC; }
  get cycle(): number { return this.cycleN; }

  loadLayer(layer: EngineLayer): number {
    check(!this.runQ || this.doneC, 'loadLayer called while a layer is still running',
      'tick() until done before loading the next layer');
    const bits = layer.stepBits;
    if (!bits || bits.length !== this.S) throw new Error(`internal: the timing model needs the step bits of all ${this.S} streams`);
    for (let k = 0; k < this.S; k++) {
      if (bits[k].length !== layer.symbolCounts[k]) {
        throw new Error(`internal: stream ${k} has ${bits[k].length} step bits for ${layer.symbolCounts[k]} symbols`);
      }
      this.remQ[k] = layer.symbolCounts[k];
      this.symbolCount[k] = layer.symbolCounts[k];
      this.wordsLeftQ[k] = layer.wordCounts[k];
      this.initQ[k] = 1; this.finQ[k] = 0; this.errQ[k] = 0; this.endQ[k] = 0;
      this.haveQ[k] = 0; this.posQ[k] = 0;
    }
    this.bits = flatten(bits, this.nextQ);
    this.streamStart = Int32Array.from(this.nextQ);
    this.marks = stepMarks(bits, this.bits, this.nextQ, this.logL);
    this.turnQ = 0;
    this.runQ = true;
    this.doneC = false;
    this.errorC = false;
    this.refreshSteady();
    // (a segment's cycle holds at most GIVEN weights)
    this.segs = this.book && this.S <= GIVEN ? this.book.layer(`${this.S},${this.D},${this.logL}`, bits) : null;
    this.rec = null;
    this.fol = NO_SEGMENT;
    this.quietAt = false;
    const cycles = loadCycles(this.params);
    this.cycleN += cycles;
    return cycles;
  }

  tick(inValid: boolean, _inWord: number, outReady: Uint8Array): void {
    const { S, D, logL } = this;
    const run = this.runQ;
    const t = this.turnQ;
    const accept = inValid && run && this.wordsLeftQ[t] !== 0 && this.fifoCnt[t] < D;
    let anyErr = false;
    // done is a register: it reads the lanes as they are at the start of the tick
    const idleNow = run && this.allIdle();
    for (let k = 0; k < S; k++) {
      const cnt = this.fifoCnt[k];
      const fin = this.finQ[k] === 1;
      if (run && !fin && this.initQ[k] === 0 && this.remQ[k] !== 0) {
        // the common case, a running lane between its first and last symbol: when it steps, only
        // the bit position, the words held, the lane FIFO and the output register change
        const have = this.haveQ[k];
        const need = this.bits[this.nextQ[k]];
        if (have * 32 - this.posQ[k] >= need && (this.outValid[k] === 0 || outReady[k] !== 0)) {
          const p = this.posQ[k] + need;
          const crossed = p >= 32;
          const load = cnt > 0 && have < 2;
          this.haveQ[k] = have - (crossed ? 1 : 0) + (load ? 1 : 0);
          this.posQ[k] = crossed ? p - 32 : p;
          if (load) this.fifoCnt[k] = cnt - 1;
          this.remQ[k]--;
          this.nextQ[k]++;
          this.outValid[k] = 1;
          continue;
        }
      }
      if (fin && cnt === 0 && this.outValid[k] === 0) {
        // a finished lane with nothing held: only its error flag and the words it is owed count
        if (this.errQ[k]) anyErr = true;
        continue;
      }
      const fv = cnt > 0;
      const pend = this.wordsLeftQ[k] !== 0;
      const init = this.initQ[k] === 1;
      const rem = this.remQ[k];
      const have = this.haveQ[k];
      const pos = this.posQ[k];
      const oValid = this.outValid[k] === 1;
      const oReady = outReady[k] !== 0;
      const active = run && !fin;
      const need = init ? logL : (rem !== 0 ? this.bits[this.nextQ[k]] : 0);
      const avail = have * 32 - pos;
      const canBits = avail >= need;
      const symStep = active && !init && rem !== 0 && canBits && (!oValid || oReady);
      const initStep = active && init && canBits;
      const underflow = active && (init || rem !== 0) && !canBits && !fv && !pend;
      const endQ = this.endQ[k] === 1;
      const finalChk = active && !init && rem === 0 && !endQ;
      const endDone = active && endQ;
      const p = pos + (symStep || initStep ? need : 0);
      const crossed = p >= 32;
      const have1 = have - (crossed ? 1 : 0);
      const pop = fv && (fin || have < 2);
      this.haveQ[k] = have1 + (pop && !fin ? 1 : 0);
      this.posQ[k] = crossed ? p - 32 : p;
      if (initStep) this.initQ[k] = 0;
      // the control side of the end check (the value side was checked by the reference decoder)
      if (finalChk) { this.endQ[k] = 1; this.endBadQ[k] = avail >= 32 || fv || pend ? 1 : 0; }
      if (underflow || endDone) this.finQ[k] = 1;
      if (underflow || (endDone && this.endBadQ[k] === 1)) this.errQ[k] = 1;
      if (symStep) {
        this.remQ[k] = rem - 1;
        this.nextQ[k]++;
        this.outValid[k] = 1;
      } else if (oReady) {
        this.outValid[k] = 0;
      }
      if (pop) this.fifoCnt[k] = cnt - 1;
      if (this.errQ[k]) anyErr = true;
    }
    if (accept) {
      this.fifoCnt[t]++;
      this.wordsLeftQ[t] -= 1;
    }
    if (run && (accept || this.wordsLeftQ[t] === 0)) this.turnQ = this.nextTurn(t);
    this.errorC = anyErr;
    this.doneC = idleNow;
    this.cycleN++;
    const wasSteady = this.steady;
    this.refreshSteady();
    // (the lanes past their first symbols, as after a layer's start: a segment may start here, not
    // only at the next quiescent state, which a busy layer may not reach for thousands of cycles)
    if (this.steady && !wasSteady && this.fol === NO_SEGMENT && this.rec === null) this.quietAt = true;
  }

  /** Recomputes `steady` and `minRem` from the lanes' flags and symbols left. */
  private refreshSteady(): void {
    let steady = this.runQ;
    let minRem = Infinity;
    for (let k = 0; k < this.S; k++) {
      if (this.finQ[k] || this.initQ[k] || this.endQ[k]) steady = false;
      if (this.remQ[k] < minRem) minRem = this.remQ[k];
    }
    this.steady = steady;
    this.minRem = minRem;
  }

  /** The distributor takes a word for stream `turn` in cycle `c` of a bulk run (recorded in popLog for the DRAM replay). */
  private takeWord(turn: number, c: number): void {
    this.fifoCnt[turn]++;
    this.wordsLeftQ[turn] -= 1;
    const log = this.popLog;
    if (log) log.at[log.n++] = log.base + c;
  }

  /** The distributor's turn after `t`: the next stream still owed words (t itself when none is). */
  private nextTurn(t: number): number {
    const S = this.S;
    let k = t;
    for (let i = 1; i <= S; i++) {
      k = k + 1 === S ? 0 : k + 1;
      if (this.wordsLeftQ[k] !== 0) return k;
    }
    return t;
  }

  /** Every lane finished, its FIFO empty, owed no word, its output register empty. */
  private allIdle(): boolean {
    for (let k = 0; k < this.S; k++) {
      if (!(this.finQ[k] && this.fifoCnt[k] === 0 && this.wordsLeftQ[k] === 0 && !this.outValid[k])) return false;
    }
    return true;
  }

  /**
   * True when tick(inValid, ·, outReady) would change no register: no word accepted and the turn
   * staying, and in every lane no pop, no output taken, no step, no underflow, no end check.
   */
  quiescent(inValid: boolean, outReady: Uint8Array): boolean {
    const { S, D, logL } = this;
    const run = this.runQ;
    if (this.doneC !== (run && this.allIdle())) return false; // done rises or falls
    const t = this.turnQ;
    if (run) {
      if (this.wordsLeftQ[t] !== 0) {
        if (inValid && this.fifoCnt[t] < D) return false;
      } else {
        for (let k = 0; k < S; k++) if (this.wordsLeftQ[k] !== 0) return false;
      }
    }
    for (let k = 0; k < S; k++) {
      const cnt = this.fifoCnt[k];
      const fin = this.finQ[k] === 1;
      if (cnt > 0 && (fin || this.haveQ[k] < 2)) return false;
      const oValid = this.outValid[k] === 1;
      if (oValid && outReady[k] !== 0) return false;
      if (!run || fin) continue;
      const init = this.initQ[k] === 1;
      const rem = this.remQ[k];
      if (!init && rem === 0) return false; // its end check runs
      const need = init ? logL : this.bits[this.nextQ[k]];
      const canBits = this.haveQ[k] * 32 - this.posQ[k] >= need;
      if (canBits && (init || !oValid)) return false; // it steps
      if (!canBits && cnt === 0 && this.wordsLeftQ[k] === 0) return false; // underflow
    }
    return true;
  }

  /**
   * Runs up to `maxCycles` cycles at once, exactly as tick() would with the weight buffer taking
   * up to `space` weights over the stretch (granted lowest lanes first, as the source does each
   * cycle) and input words offered while `wordsOffered` last; returns the cycles run (0 when a
   * lane is not between its first and last symbol).
   *
   * Between a lane's first and last symbol no flag changes: per cycle it steps when it holds the
   * bits of its next symbol and its output register is free or taken, its held weight leaves when
   * granted, and it pops its FIFO when it holds fewer than two words. One loop over cycles and
   * lanes on locals, without tick()'s cases. The stretch ends after the cycle in which the
   * distributor takes the `stopAfterAccepts`-th word, in which the `maxDeliver`-th weight leaves,
   * in which neither a weight leaves nor a word is taken (idle), or in which no weight leaves and
   * the last word offered is taken (the slot counts that cycle starved if the FIFO is then empty).
   * A lane that underflows (needs bits while holding and being owed none) is an error, as in
   * tick(); a verified image has none.
   * With a book, the cycles come from a recorded segment where the run is on one (follow()).
   */
  runSteady(maxCycles: number, space: number, wordsOffered: number, stopAfterAccepts: number, maxDeliver: number): number {
    if (this.segs !== null) {
      this.enterSegment(space);
      if (this.fol !== NO_SEGMENT) {
        const n = this.follow(maxCycles, space, wordsOffered, stopAfterAccepts, maxDeliver);
        if (n > 0) return n;
      }
    }
    const n = this.runSteadyReal(maxCycles, space, wordsOffered, stopAfterAccepts, maxDeliver);
    if (this.rec !== null) this.recorded(this.lastDelivered);
    return n;
  }

  private runSteadyReal(maxCycles: number, space: number, wordsOffered: number, stopAfterAccepts: number, maxDeliver: number): number {
    const { S, D } = this;
    if (!this.steady) return 0;
    const m = Math.min(maxCycles, this.minRem);
    if (m < 1) return 0;
    // while the buffer has room for every lane, lane by lane, in chunks
    const roomy = Math.min(m, Math.floor(space / S), LANE_CHUNK);
    if (roomy >= 2) {
      const n = this.runLanes(roomy, wordsOffered, stopAfterAccepts, maxDeliver);
      if (n > 0) return n;
    } else if (space <= 0) {
      const n = this.runBlocked(m, wordsOffered, stopAfterAccepts);
      if (n > 0) return n;
    }
    const { haveQ, posQ, fifoCnt, nextQ, wordsLeftQ, bits, outValid } = this;
    const first = this.firstScratch;
    for (let k = 0; k < S; k++) first[k] = nextQ[k];
    let turn = this.turnQ;
    let left = space;
    let accepted = 0;
    let acceptedLast = false;
    let delivered = 0;
    let deliveredLast = 0;
    let blocked = 0;
    let c = 0;
    const rec = this.rec;
    while (c < m) {
      const want = wordsLeftQ[turn] !== 0 && fifoCnt[turn] < D;
      const accept = accepted < wordsOffered && want;
      const roomAtStart = left;
      let granted = 0;
      for (let k = 0; k < S; k++) {
        const have = haveQ[k];
        const cnt = fifoCnt[k];
        const next = nextQ[k];
        const p = posQ[k] + bits[next];
        const valid = outValid[k] === 1;
        const taken = valid && granted < left;
        if (taken) granted++;
        let h = have;
        if (p <= have * 32) {
          if (!valid || taken) {
            if (p >= 32) { posQ[k] = p - 32; h--; } else posQ[k] = p;
            nextQ[k] = next + 1;
            outValid[k] = 1;
          }
        } else {
          if (cnt === 0 && wordsLeftQ[k] === 0) throw new Error(`internal: tANS lane ${k} underflows in the timing model (an unverified stream?)`);
          if (taken) outValid[k] = 0;
        }
        if (cnt > 0 && have < 2) { h++; fifoCnt[k] = cnt - 1; }
        haveQ[k] = h;
      }
      left -= granted;
      delivered += granted;
      deliveredLast = granted;
      if (granted === 0 && roomAtStart <= 0) blocked++;
      acceptedLast = accept;
      if (accept) {
        this.takeWord(turn, c);
        accepted++;
      }
      if (accept || wordsLeftQ[turn] === 0) turn = this.nextTurn(turn);
      if (rec !== null) rec.push((accept ? TOOK : want ? STARVED : 0) | granted);
      c++;
      if (accepted >= stopAfterAccepts || delivered >= maxDeliver || (granted === 0 && (!accept || accepted >= wordsOffered))) break;
    }
    let minRem = Infinity;
    for (let k = 0; k < S; k++) {
      const rem = this.remQ[k] - (nextQ[k] - first[k]);
      this.remQ[k] = rem;
      if (rem < minRem) minRem = rem;
    }
    this.minRem = minRem;
    // the slot's blocked cycles are those before the stretch's last
    if (deliveredLast === 0 && space - delivered <= 0) blocked--;
    this.turnQ = turn;
    this.ranCycles(c, accepted, acceptedLast, delivered, deliveredLast, blocked);
    return c;
  }

  /**
   * What a bulk run of c cycles leaves for its caller: the words taken (and in its last cycle),
   * the weights delivered (and in its last cycle), its blocked cycles. No lane finished at the
   * start of any cycle of a bulk run, so the engine is not done.
   */
  private ranCycles(c: number, accepted: number, acceptedLast: boolean, delivered: number, deliveredLast: number, blocked: number): void {
    this.doneC = false;
    this.lastAccepts = accepted;
    this.lastCycleAccepted = acceptedLast;
    this.lastDelivered = delivered;
    this.lastCycleDelivered = deliveredLast;
    this.lastBlocked = blocked;
    this.cycleN += c;
  }

  /**
   * One cycle with the weight buffer's room `space` granted to the lanes holding a weight, lowest
   * lanes first (as the tANS slot grants it), and a word offered when `inValid`; returns the weights
   * granted. `lastCycleAccepted` says whether the distributor took the word.
   */
  stepSpace(inValid: boolean, space: number): number {
    if (this.segs !== null) {
      this.enterSegment(space);
      const seg = this.fol;
      if (seg !== NO_SEGMENT) {
        const p = this.folP;
        const book = this.book!;
        const m = book.meta;
        const r = seg * SEG_FIELDS;
        if (p < m[r + SEG_LENGTH] && space === m[r + SEG_SPACE] - this.folDelivered) {
          let b = book.cycles[m[r + SEG_CYCLES] + p];
          // (the word offered as in the segment: where it took one, and where it wanted one and had none)
          if ((b & TOOK) !== 0 ? !inValid : (b & STARVED) !== 0 && inValid) {
            const alt = variant(book, this.segs!, seg, p, inValid);
            if (alt !== NO_SEGMENT) {
              this.fol = alt;
              b = book.cycles[m[alt * SEG_FIELDS + SEG_CYCLES] + p];
              book.variantsTaken++;
            }
          }
          const took = (b & TOOK) !== 0;
          if (took ? inValid : !((b & STARVED) !== 0 && inValid)) {
            const given = b & GIVEN;
            this.folP = p + 1;
            this.folDelivered += given;
            this.cycleN++;
            this.book!.followedCycles++;
            this.lastCycleAccepted = took;
            this.doneC = false;
            return given;
          }
          this.leaveSegment(true); // (left for the word offered)
        } else {
          this.leaveSegment();
        }
      }
    }
    const given = this.stepSpaceReal(inValid, space);
    if (this.rec !== null) this.recorded(given);
    return given;
  }

  /** The room granted to the lanes holding a weight, lowest lanes first, in grantScratch; returns the weights granted. */
  private grantRoom(space: number): number {
    const ready = this.grantScratch;
    const valid = this.outValid;
    let granted = 0;
    for (let k = 0; k < this.S; k++) {
      const g = valid[k] === 1 && granted < space;
      ready[k] = g ? 1 : 0;
      if (g) granted++;
    }
    return granted;
  }

  private stepSpaceReal(inValid: boolean, space: number): number {
    const granted = this.grantRoom(space);
    const t = this.turnQ;
    const want = this.runQ && this.wordsLeftQ[t] !== 0 && this.fifoCnt[t] < this.D;
    const rec = this.rec;
    if (rec !== null) {
      // (a segment holds only cycles between the lanes' first and last symbols)
      if (!this.steady || this.minRem < 1) this.rec = null;
      else rec.push((want ? (inValid ? TOOK : STARVED) : 0) | granted);
    }
    this.tick(inValid, 0, this.grantScratch);
    this.lastCycleAccepted = want && inValid;
    return granted;
  }

  /** quiescent() with the room granted as stepSpace grants it. */
  quiescentSpace(inValid: boolean, space: number): boolean {
    const seg = this.fol;
    if (seg !== NO_SEGMENT) {
      const m = this.book!.meta;
      const r = seg * SEG_FIELDS;
      // inside a segment: not quiescent (said without the registers; stepping a quiescent engine
      // changes nothing, so the answer only costs steps)
      if (this.folP < m[r + SEG_LENGTH]) return false;
      // at its end, with the inputs it was found quiescent with: so (the registers are its end's,
      // written when a call needs them)
      if (endsQuiet(m, r, space, inValid)) {
        this.quietAt = true;
        return true;
      }
      // room, and a lane holding a weight: it hands it on (the usual start of the next segment)
      if (space > 0 && (m[r + SEG_FLAGS] & HOLDS_AT_END) !== 0) return false;
      // known for this room and not quiescent with its input: a word offered that the distributor
      // takes (a starved engine when a burst lands); the segment's link leads on
      if (endKnown(m, r, space)) {
        this.book!.wordsAtQuietEnds++;
        return false;
      }
      this.leaveSegment();
    }
    const valid = this.outValid;
    // the usual case first: with room in the buffer, a lane holding a weight hands it on
    if (space > 0) for (let k = 0; k < this.S; k++) if (valid[k] === 1) return false;
    this.grantRoom(space);
    const ready = this.grantScratch;
    const quiet = this.quiescent(inValid, ready);
    if (quiet && this.segs !== null) {
      const rec = this.rec;
      this.rec = null;
      // (quiescent with a word offered is quiescent without one too)
      if (rec !== null && rec.n > 0) this.file(rec, space, inValid || this.quiescent(true, ready));
      this.quietAt = true;
    }
    return quiet;
  }

  /** Files the recording in the book, ending at the registers now (quietSpace: see Segment). */
  private file(rec: Recording, quietSpace: number, quietInValid: boolean): void {
    const valid = this.outValid;
    let holds = false;
    for (let k = 0; k < this.S; k++) if (valid[k] === 1) holds = true;
    this.book!.add(this.segs!, rec.start, this.snapshotNow(), rec.cycles, rec.n, {
      space: rec.space, quietSpace, flags: (holds ? HOLDS_AT_END : 0) | (rec.starves ? HAS_STARVED : 0) | (quietInValid ? QUIET_WITH_WORD : 0),
    });
  }

  /**
   * At a call that runs cycles: from a quiescent state or the end of a followed segment, follows a
   * recorded segment that starts in this state with this room, or starts recording one. A call
   * with other room than a segment's own deliveries left (a group ended or started while the lanes
   * worked) ends the segment there: a recording is filed up to here (ROOM_CHANGED), a followed
   * one rebuilt to here, and the next starts from the registers reached.
   */
  private enterSegment(space: number): void {
    const at = this.fol;
    const book = this.book!;
    const m = book.meta;
    const a = at * SEG_FIELDS;
    if (at !== NO_SEGMENT && this.folP < m[a + SEG_LENGTH]) {
      if (space === m[a + SEG_SPACE] - this.folDelivered) return;
      // the room changed inside the followed segment (earlier than where it was recorded): the
      // registers rebuilt to here, a segment starts here
      this.leaveSegment();
      this.quietAt = true;
    } else if (at !== NO_SEGMENT) {
      // at the end of a followed segment (its registers known): the next one, linked or looked up
      // by its end
      this.quietAt = false;
      let next = m[a + SEG_NEXT] !== NO_SEGMENT && m[a + SEG_NEXT_SPACE] === space ? m[a + SEG_NEXT] : NO_SEGMENT;
      if (next !== NO_SEGMENT) book.linksTaken++;
      else {
        const w = this.snap.length;
        const snaps = book.snaps;
        const endAt = m[a + SEG_END];
        for (const seg of this.segs!.get(snaps[endAt + 1]) ?? []) {
          const r = seg * SEG_FIELDS;
          if (m[r + SEG_SPACE] === space && sameInts(snaps, m[r + SEG_START], snaps, endAt, w)) {
            next = seg;
            m[a + SEG_NEXT] = seg;
            m[a + SEG_NEXT_SPACE] = space;
            break;
          }
        }
      }
      if (next !== NO_SEGMENT) {
        this.fol = next;
        this.folP = 0;
        this.folDelivered = 0;
        return;
      }
      this.leaveSegment();
      this.quietAt = true; // (the registers now written: look up and record from them below)
    }
    const rec = this.rec;
    if (rec !== null && space !== rec.space - rec.delivered) {
      this.rec = null;
      // (the registers are this call's start: a recording steps every cycle)
      if (rec.n > 0) this.file(rec, ROOM_CHANGED, false);
      this.quietAt = true;
    }
    if (!this.quietAt) return;
    this.quietAt = false;
    this.rec = null;
    if (!this.steady) return;
    const now = this.snapshotNow();
    const list = this.segs!.get(this.nextQ[0]);
    if (list) {
      // (the book's arrays as they are now: filing above may have replaced them)
      const { meta, snaps } = book;
      for (const seg of list) {
        const r = seg * SEG_FIELDS;
        if (meta[r + SEG_SPACE] === space && sameInts(snaps, meta[r + SEG_START], now, 0, now.length)) {
          this.fol = seg;
          this.folP = 0;
          this.folDelivered = 0;
          return;
        }
      }
    }
    if (!book.full) {
      this.rec = this.recording;
      this.rec.begin(now, space);
    }
  }

  /** After a recorded call: its weights counted; a segment too long to keep is dropped. */
  private recorded(delivered: number): void {
    const rec = this.rec!;
    rec.delivered += delivered;
    if (rec.n > MAX_SEGMENT_CYCLES) this.rec = null;
  }

  /**
   * runSteady along the followed segment: its cycles from the current one, under runSteady's stop
   * rules, while the room is the segment's and the FIFO offers a word wherever the segment took
   * one. Returns the cycles followed; 0 when none could be (the registers are then rebuilt).
   */
  private follow(maxCycles: number, space: number, wordsOffered: number, stopAfterAccepts: number, maxDeliver: number): number {
    let seg = this.fol;
    const book = this.book!;
    const { meta, cycles } = book;
    let r = seg * SEG_FIELDS;
    let cyclesAt = meta[r + SEG_CYCLES];
    const length = meta[r + SEG_LENGTH];
    if (this.folP === length || space !== meta[r + SEG_SPACE] - this.folDelivered) {
      this.leaveSegment();
      return 0;
    }
    const log = this.popLog;
    let p = this.folP;
    let accepted = 0;
    let acceptedLast = false;
    let delivered = 0;
    let deliveredLast = 0;
    let blocked = 0;
    let short = false;
    let c = 0;
    // (a variant has the same start, room and first cycles, but may be longer)
    let segLength = length;
    while (c < maxCycles && p < segLength) {
      if (log !== null) {
        // The usual cycles, without branches on the word taken (they mispredict): weights out,
        // no word wanted and missed, and a word to take where the segment took one.
        const at = log.at;
        const base = log.base;
        let n = log.n;
        let last = -1;
        const end = Math.min(segLength, p + maxCycles - c);
        let stop = false;
        while (p < end && accepted < wordsOffered) {
          const b = cycles[cyclesAt + p];
          if ((b & STARVED) !== 0 || (b & GIVEN) === 0) break;
          const took = b >>> 7; // (TOOK is the byte's top bit)
          at[n] = base + c;
          n += took;
          accepted += took;
          delivered += b & GIVEN;
          last = b;
          c++;
          p++;
          if (accepted >= stopAfterAccepts || delivered >= maxDeliver) {
            stop = true;
            break;
          }
        }
        log.n = n;
        if (last >= 0) {
          deliveredLast = last & GIVEN;
          acceptedLast = (last & TOOK) !== 0;
        }
        if (stop || p === end) break;
      }
      // any other cycle
      const b = cycles[cyclesAt + p];
      const took = (b & TOOK) !== 0;
      // the segment took a word this run is not offered, or wanted one this run would offer: on
      // along a variant that did as this run does, if the book has one
      if (took ? accepted >= wordsOffered : (b & STARVED) !== 0 && accepted < wordsOffered) {
        const alt = variant(book, this.segs!, seg, p, accepted < wordsOffered);
        if (alt === NO_SEGMENT) {
          short = true;
          break;
        }
        this.fol = seg = alt;
        r = seg * SEG_FIELDS;
        cyclesAt = meta[r + SEG_CYCLES];
        segLength = meta[r + SEG_LENGTH];
        book.variantsTaken++;
        continue;
      }
      const given = b & GIVEN;
      if (given === 0 && space - delivered <= 0) blocked++;
      if (took) {
        if (log) log.at[log.n++] = log.base + c;
        accepted++;
      }
      delivered += given;
      deliveredLast = given;
      acceptedLast = took;
      c++;
      p++;
      if (accepted >= stopAfterAccepts || delivered >= maxDeliver || (given === 0 && (!took || accepted >= wordsOffered))) break;
    }
    this.folP = p;
    this.folDelivered += delivered;
    if (short) this.leaveSegment(true);
    if (c === 0) return 0;
    // the slot's blocked cycles are those before the stretch's last
    if (deliveredLast === 0 && space - delivered <= 0) blocked--;
    this.ranCycles(c, accepted, acceptedLast, delivered, deliveredLast, blocked);
    book.followedCycles += c;
    return c;
  }

  /**
   * Held groups one after another (TansSource.advance on a well-fed chip, 400 thousand a run on an
   * 8×8 array): called where a stretch has just taken a room grant with the engine held quiescent
   * at the end of a followed segment, it does for each grant what runSteady() and the source's hold
   * would do, in one loop: it follows the segment linked for the grant's room, then holds to the
   * next grant. Only a segment that follow() would run to its end and the hold would take: it
   * delivers the whole room, takes fewer words than the FIFO offers and the stretch may pop,
   * neither starves nor idles before its last cycle, stays within the cycles and weights the
   * stretch allows, and ends quiescent with no room and the word then offered (quiescentSpace()).
   * Any other stops the loop at that grant, where the caller's loop goes on as before. `out` is
   * accounted as follow() and the hold account it, the pops logged; `wordsHeld` is the FIFO's words,
   * `wordsLeft` the layer's words not yet taken, `weightsLeft` its weights not yet delivered.
   * Returns the words taken.
   */
  followHeld(limits: AdvanceLimits, out: AdvanceResult, wordsHeld: number, wordsLeft: number, weightsLeft: number): number {
    const book = this.book;
    if (book === null || this.segs === null || this.rec !== null || this.fol === NO_SEGMENT) return 0;
    const { meta, cycles } = book;
    const log = limits.pops;
    let seg = this.fol;
    if (this.folP !== meta[seg * SEG_FIELDS + SEG_LENGTH]) return 0;
    let taken = 0;
    for (;;) {
      const room = out.lastSpace;
      const a = seg * SEG_FIELDS;
      const next = meta[a + SEG_NEXT];
      if (next === NO_SEGMENT || meta[a + SEG_NEXT_SPACE] !== room) break;
      const r = next * SEG_FIELDS;
      const length = meta[r + SEG_LENGTH];
      const limit = cycleLimit(limits, out);
      // (a pop that reaches what the FIFO offers or the stretch may pop ends follow() inside)
      const popsLeft = limits.maxPops - out.popped;
      const canTake = Math.min(popsLeft, wordsHeld, wordsLeft);
      if (length > limit - out.cycles || out.delivered + room >= limits.maxDeliver || room >= weightsLeft) break;
      // its cycles, checked as they are read; the pops logged past log.n until it qualifies
      const cyclesAt = meta[r + SEG_CYCLES];
      const base = out.cycles;
      let took = 0;
      let delivered = 0;
      let blocked = 0;
      let fits = true;
      const last = length - 1;
      const at = log.at;
      const logged = log.n;
      for (let c = 0; c < length; c++) {
        const b = cycles[cyclesAt + c];
        // (an idle cycle before the last would end follow()'s stretch there: left to it)
        if ((b & STARVED) !== 0 || ((b & (GIVEN | TOOK)) === 0 && c !== last)) { fits = false; break; }
        const given = b & GIVEN;
        if (given === 0 && room - delivered <= 0) blocked++;
        at[logged + took] = base + c;
        took += b >>> 7; // (TOOK is the byte's top bit)
        delivered += given;
        if (took >= canTake) { fits = false; break; }
      }
      const end = cycles[cyclesAt + last];
      if (!fits || delivered !== room || (end & (GIVEN | TOOK)) !== 0) break;
      if (!endsQuiet(meta, r, 0, wordsLeft - took > 0 && wordsHeld - took > 0)) break;
      // followed: as follow() leaves it (its last, idle cycle not blocked: the hold's first is)
      blocked--;
      log.n += took;
      seg = next;
      this.fol = next;
      this.folP = length;
      this.folDelivered = room;
      this.cycleN += length;
      this.doneC = false;
      this.quietAt = true;
      book.followedCycles += length;
      book.linksTaken++;
      book.heldGroups++;
      taken += took;
      wordsHeld -= took;
      wordsLeft -= took;
      weightsLeft -= room;
      out.cycles += length;
      out.delivered += room;
      out.popped += took;
      out.blocked += blocked;
      out.lastDelivered = 0;
      out.lastPopped = 0;
      out.lastHasWord = wordsHeld > 0;
      out.lastSpace = 0;
      // held to the next grant (as TansSource.holdQuiet holds it), or to the stretch's end
      if (!holdToGrant(limits, out)) break;
    }
    return taken;
  }

  /**
   * Leaves the followed segment with the registers it has reached: its end's, or rebuilt by
   * stepping from its start with its room and a word offered wherever the segment did not starve
   * (stepping then repeats it: where the distributor wanted no word, offering one changes nothing).
   */
  private leaveSegment(recordVariant = false): void {
    const book = this.book!;
    const m = book.meta;
    const r = this.fol * SEG_FIELDS;
    const p = this.folP;
    this.fol = NO_SEGMENT;
    if (p === m[r + SEG_LENGTH]) {
      this.restore(book.snaps, m[r + SEG_END]);
      return;
    }
    this.restore(book.snaps, m[r + SEG_START]);
    book.rebuilds++;
    const log = this.popLog;
    const cycles = this.cycleN;
    this.popLog = null;
    const segSpace = m[r + SEG_SPACE];
    let space = segSpace;
    let done = 0;
    // a word offered in every cycle but those in which the segment starved (offered where it was
    // not wanted, a word is not taken)
    const bytes = book.cycles;
    const cyclesAt = m[r + SEG_CYCLES];
    const starves = (m[r + SEG_FLAGS] & HAS_STARVED) !== 0;
    while (done < p) {
      if ((bytes[cyclesAt + done] & STARVED) !== 0) {
        space -= this.stepSpaceReal(false, space);
        done++;
        continue;
      }
      let until = done + 1;
      if (starves) while (until < p && (bytes[cyclesAt + until] & STARVED) === 0) until++;
      else until = p;
      let n = this.runSteadyReal(until - done, space, Infinity, Infinity, Infinity);
      if (n > 0) {
        space -= this.lastDelivered;
      } else {
        space -= this.stepSpaceReal(true, space);
        n = 1;
      }
      done += n;
    }
    this.popLog = log;
    this.cycleN = cycles;
    if (space !== segSpace - this.folDelivered) {
      throw new Error(`internal: a tANS segment rebuilt to cycle ${p} delivered ${segSpace - space} weights, the segment ${this.folDelivered}`);
    }
    // from here the run steps: where it left for the word offered (its room the segment's), it
    // records the variant it makes, the segment's first p cycles and its own after them
    if (recordVariant && !book.full) {
      const rec = this.rec = this.recording;
      rec.begin(book.snaps.subarray(m[r + SEG_START], m[r + SEG_END]), segSpace);
      for (let i = 0; i < p; i++) rec.push(bytes[cyclesAt + i]);
      rec.delivered = this.folDelivered;
    }
  }

  /**
   * The registers, in `snap`: the turn, then per lane its next symbol, the words it is owed, and
   * words held (2 bits), bit position (5), FIFO fill (7), output valid and the five flags packed in
   * one value. (Symbols left follow from the next symbol: restore() derives them.)
   */
  private snapshotNow(): Int32Array {
    const s = this.snap;
    s[0] = this.turnQ;
    for (let k = 0, i = 1; k < this.S; k++, i += SNAP_PER_LANE) {
      s[i] = this.nextQ[k];
      s[i + 1] = this.wordsLeftQ[k];
      s[i + 2] = this.haveQ[k] | (this.posQ[k] << 2) | (this.fifoCnt[k] << 7) | (this.outValid[k] << 14) |
        (this.initQ[k] << 15) | (this.finQ[k] << 16) | (this.endQ[k] << 17) | (this.errQ[k] << 18) | (this.endBadQ[k] << 19);
    }
    return s;
  }

  /** Writes the registers from s[at ...] (snapshotNow's layout). */
  private restore(s: Int32Array, at: number): void {
    this.turnQ = s[at];
    for (let k = 0, i = at + 1; k < this.S; k++, i += SNAP_PER_LANE) {
      this.nextQ[k] = s[i];
      this.remQ[k] = this.symbolCount[k] - (s[i] - this.streamStart[k]);
      this.wordsLeftQ[k] = s[i + 1];
      const f = s[i + 2];
      this.haveQ[k] = f & 3;
      this.posQ[k] = (f >> 2) & 31;
      this.fifoCnt[k] = (f >> 7) & 127;
      this.outValid[k] = (f >> 14) & 1;
      this.initQ[k] = (f >> 15) & 1;
      this.finQ[k] = (f >> 16) & 1;
      this.endQ[k] = (f >> 17) & 1;
      this.errQ[k] = (f >> 18) & 1;
      this.endBadQ[k] = (f >> 19) & 1;
    }
    this.doneC = false;
    this.errorC = false;
    this.refreshSteady();
  }

  /** Lane k's bit position in its word after its step j: from the block before j's (StepMarks), or its stream's start. */
  private posAfter(k: number, j: number): number {
    const bits = this.bits;
    let i = j & ~BLOCK_MASK;
    let p: number;
    if (i - 1 < this.streamStart[k]) {
      p = this.logL;
      i = this.streamStart[k];
    } else {
      p = this.marks.blockPos[(i >>> BLOCK_SHIFT) - 1];
    }
    for (; i <= j; i++) {
      p += bits[i];
      if (p >= 32) p -= 32;
    }
    return p;
  }

  /**
   * runSteady when the buffer has room for every lane in every cycle: every lane's weight is taken
   * as soon as it is out, so a lane steps in every cycle in which it holds its next symbol's bits.
   * With two words held it does (a step reads at most log2(L) ≤ 12 bits); a step that ends a word
   * leaves it one, and from the next cycle on it pops its FIFO as soon as that holds a word; until
   * it has, it steps within the one word it holds, and a step that would need the next word stalls
   * it until the cycle after it pops that word. So the lanes go one at a time over the marks of
   * where their steps end a word (StepMarks), shifted by the cycles they stalled, and the
   * distributor cycle by cycle (whom it feeds, which waiting lane pops). A waiting lane's step that
   * ends exactly at its word's end fits; the lane then holds the next word if it pops it in that
   * cycle, else none and it stalls from the next cycle on. The run leaves to the cycle-by-cycle loop
   * a lane that would underflow, and one holding no word whose next step reads no bits. Lanes ≤ 32;
   * 0 when not so.
   */
  private runLanes(maxCycles: number, wordsOffered: number, stopAfterAccepts: number, maxDeliver: number): number {
    const { S, D, haveQ, posQ, fifoCnt, nextQ, wordsLeftQ, bits, outValid } = this;
    if (S > 32) return 0;
    const m = maxCycles;
    let waiting = 0; // lanes holding one word, to pop their FIFO's next as soon as it has one
    let stalled = 0; // waiting lanes that cannot step before they hold that word
    let valid = 0; // lanes whose output register holds a weight as the cycle starts
    let empty = 0; // waiting lanes holding no word (a step ended exactly at their word's end)
    let stallNext = 0; // lanes that stall from the next cycle on (they hold no word)
    let hasWords = 0; // lanes whose FIFO holds a word (fifoCnt[k] > 0)
    let full = 0; // lanes whose FIFO is full (the distributor waits at such a lane)
    let owed = 0; // lanes still owed words (the distributor's turn skips the others)
    const shift = this.laneShift; // per lane: the cycles of this run in which it did not step (stalls up to the last resumption)
    const stallFrom = this.laneStallFrom; // per stalled lane: the cycle its stall began
    for (let k = 0; k < S; k++) {
      const have = haveQ[k];
      if (fifoCnt[k] > 0) hasWords |= 1 << k;
      if (fifoCnt[k] >= D) full |= 1 << k;
      if (wordsLeftQ[k] !== 0) owed |= 1 << k;
      // (holding no word, a lane whose next step reads no bits could still step: the cycle loop's case)
      if (have > 2 || (have === 0 && bits[nextQ[k]] === 0)) return 0;
      const bit = 1 << k;
      if (outValid[k]) valid |= bit;
      if (have < 2) waiting |= bit;
      if (have === 0) empty |= bit;
      // (two words held always hold the bits of a step)
      if (have * 32 - posQ[k] < bits[nextQ[k]]) {
        if (fifoCnt[k] === 0 && wordsLeftQ[k] === 0) return 0; // it underflows: the cycle loop's error
        stalled |= bit;
        stallFrom[k] = 0;
      }
      shift[k] = 0;
    }
    if (this.endsWord.length < m) this.endsWord = new Uint32Array(Math.max(m, 2 * this.endsWord.length));
    const endsWord = this.endsWord; // per cycle: the lanes whose step in it ends a word
    endsWord.fill(0, 0, m);
    const { endsExactly } = this.marks;
    for (let k = 0; k < S; k++) if (((stalled >>> k) & 1) === 0) this.markEnds(k, nextQ[k], 0, m, true);
    const all = S === 32 ? -1 : (1 << S) - 1;
    const log = this.popLog;
    let turn = this.turnQ;
    let accepted = 0;
    let acceptedLast = false;
    let delivered = 0;
    let deliveredLast = 0;
    let validCount = popCount(valid);
    const rec = this.rec;
    let c = 0;
    while (c < m) {
      if (stallNext !== 0) {
        // a lane that holds no word cannot step (a step reads bits); one owed none underflows: the cycle loop's error
        let leave = false;
        for (let rest = stallNext; rest !== 0 && !leave; rest &= rest - 1) {
          const k = 31 - Math.clz32(rest & -rest);
          leave = fifoCnt[k] === 0 && wordsLeftQ[k] === 0;
        }
        if (leave) break;
        for (let rest = stallNext; rest !== 0; rest &= rest - 1) stallFrom[31 - Math.clz32(rest & -rest)] = c;
        stalled |= stallNext;
        stallNext = 0;
      }
      // a waiting lane whose step would end its only word stalls (stalled lanes carry no marks),
      // unless the step ends exactly at the word's end: it fits, and the lane goes on holding the
      // next word if it pops it in this cycle, else none (it stalls from the next cycle on)
      let into = waiting & endsWord[c];
      if (into !== 0) {
        let leave = false;
        let toEmpty = 0;
        for (let rest = into; rest !== 0 && !leave; rest &= rest - 1) {
          const k = 31 - Math.clz32(rest & -rest);
          const j = nextQ[k] + c - shift[k];
          if ((endsExactly[j >>> 5] >>> (j & 31)) & 1) {
            into ^= 1 << k;
            if (fifoCnt[k] > 0) continue;
            // (a step that reads no bits could follow even with no word held: the cycle loop's case)
            if (bits[j + 1] === 0 || (empty >>> k) & 1) leave = true;
            else toEmpty |= 1 << k;
          } else {
            leave = fifoCnt[k] === 0 && wordsLeftQ[k] === 0; // it underflows: the cycle loop's error
          }
        }
        if (leave) break;
        for (let rest = into; rest !== 0; rest &= rest - 1) {
          const k = 31 - Math.clz32(rest & -rest);
          this.markEnds(k, nextQ[k] + c - shift[k], c, m, false);
          this.laneStalls++;
        }
        for (let rest = toEmpty; rest !== 0; rest &= rest - 1) {
          const k = 31 - Math.clz32(rest & -rest);
          this.markEnds(k, nextQ[k] + c + 1 - shift[k], c + 1, m, false);
          this.laneStalls++;
        }
        for (let rest = into; rest !== 0; rest &= rest - 1) stallFrom[31 - Math.clz32(rest & -rest)] = c;
        stalled |= into;
        empty |= toEmpty;
        stallNext = toEmpty;
      }
      // (the distributor sees the lane FIFOs as the cycle starts)
      const want = (((owed & ~full) >>> turn) & 1) === 1;
      const accept = accepted < wordsOffered && want;
      // waiting lanes pop a word their FIFO held at the start of the cycle (one holding none then holds one)
      const popped = waiting & hasWords;
      if (popped !== 0) {
        full &= ~popped;
        for (let rest = popped; rest !== 0; rest &= rest - 1) {
          const k = 31 - Math.clz32(rest & -rest);
          if (--fifoCnt[k] === 0) hasWords ^= 1 << k;
          if ((empty >>> k) & 1) empty ^= 1 << k;
          else waiting ^= 1 << k;
          if (c > 0 && ((endsWord[c - 1] >>> k) & 1) === 0) this.lateWords++;
        }
      }
      // out: the weights held as the cycle started; next: those of the lanes that step in it
      const given = validCount;
      if ((all & ~stalled) !== valid) {
        valid = all & ~stalled;
        validCount = popCount(valid);
      }
      // a stalled lane that popped its word steps again from the next cycle (it stalled in this one)
      const resumed = stalled & popped;
      if (resumed !== 0) {
        stalled ^= resumed;
        for (let rest = resumed; rest !== 0; rest &= rest - 1) {
          const k = 31 - Math.clz32(rest & -rest);
          shift[k] += c + 1 - stallFrom[k];
          this.markEnds(k, nextQ[k] + c + 1 - shift[k], c + 1, m, true);
        }
      }
      waiting |= endsWord[c] & valid;
      acceptedLast = accept;
      if (accept) {
        // (takeWord, with the masks kept)
        const bit = 1 << turn;
        if (++fifoCnt[turn] >= D) full |= bit;
        if ((wordsLeftQ[turn] -= 1) === 0) owed ^= bit;
        if (log) log.at[log.n++] = log.base + c;
        hasWords |= bit;
        accepted++;
      }
      if (accept || ((owed >>> turn) & 1) === 0) {
        // the next lane after the turn still owed words, round robin (the turn itself when none is)
        const above = turn === 31 ? 0 : owed & ~((2 << turn) - 1);
        const next = above !== 0 ? above : owed;
        if (next !== 0) turn = 31 - Math.clz32(next & -next);
      }
      delivered += given;
      deliveredLast = given;
      if (rec !== null) {
        rec.push((accept ? TOOK : want ? STARVED : 0) | given);
      }
      c++;
      if (accepted >= stopAfterAccepts || delivered >= maxDeliver || (given === 0 && (!accept || accepted >= wordsOffered))) break;
    }
    if (c === 0) return 0;
    for (let rest = stalled; rest !== 0; rest &= rest - 1) {
      const k = 31 - Math.clz32(rest & -rest);
      shift[k] += c - stallFrom[k];
    }
    // each lane's registers after its steps: one word held while waiting for the next, else two
    let minRem = Infinity;
    for (let k = 0; k < S; k++) {
      const j0 = nextQ[k];
      const steps = c - shift[k];
      if (steps > 0) posQ[k] = this.posAfter(k, j0 + steps - 1);
      haveQ[k] = (waiting >>> k) & 1 ? ((empty >>> k) & 1 ? 0 : 1) : 2;
      outValid[k] = (valid >>> k) & 1;
      nextQ[k] = j0 + steps;
      const rem = this.remQ[k] - steps;
      this.remQ[k] = rem;
      if (rem < minRem) minRem = rem;
    }
    this.minRem = minRem;
    this.turnQ = turn;
    this.ranCycles(c, accepted, acceptedLast, delivered, deliveredLast, 0);
    this.laneRuns++;
    return c;
  }

  /**
   * runSteady with no room in the buffer and a weight in every lane's output register: no lane
   * steps, and only the distributor (a word a cycle while the turn's lane FIFO has room) and the
   * lanes holding fewer than two words (they pop their FIFO) move, until a cycle in which the
   * distributor takes nothing (idle). Leaves to the cycle-by-cycle loop a lane that would
   * underflow. Lanes ≤ 32; 0 when not so.
   */
  private runBlocked(maxCycles: number, wordsOffered: number, stopAfterAccepts: number): number {
    const { S, D, haveQ, posQ, fifoCnt, nextQ, wordsLeftQ, bits, outValid } = this;
    if (S > 32) return 0;
    let hungry = 0; // lanes holding fewer than two words
    for (let k = 0; k < S; k++) {
      if (!outValid[k]) return 0;
      if (haveQ[k] < 2) hungry |= 1 << k;
    }
    let turn = this.turnQ;
    let accepted = 0;
    let acceptedLast = false;
    const rec = this.rec;
    let c = 0;
    while (c < maxCycles) {
      let underflow = false;
      for (let rest = hungry; rest !== 0 && !underflow; rest &= rest - 1) {
        const k = 31 - Math.clz32(rest & -rest);
        underflow = fifoCnt[k] === 0 && wordsLeftQ[k] === 0 && haveQ[k] * 32 - posQ[k] < bits[nextQ[k]];
      }
      if (underflow) break;
      // (the distributor sees the lane FIFOs as the cycle starts)
      const want = wordsLeftQ[turn] !== 0 && fifoCnt[turn] < D;
      const accept = accepted < wordsOffered && want;
      if (rec !== null) {
        rec.push(accept ? TOOK : want ? STARVED : 0);
      }
      for (let rest = hungry; rest !== 0; rest &= rest - 1) {
        const k = 31 - Math.clz32(rest & -rest);
        if (fifoCnt[k] > 0) {
          fifoCnt[k]--;
          if (++haveQ[k] === 2) hungry ^= 1 << k;
        }
      }
      acceptedLast = accept;
      if (accept) {
        this.takeWord(turn, c);
        accepted++;
      }
      if (accept || wordsLeftQ[turn] === 0) turn = this.nextTurn(turn);
      c++;
      if (!accept || accepted >= stopAfterAccepts) break;
    }
    if (c === 0) return 0;
    this.turnQ = turn;
    // every cycle is blocked; the slot's blocked cycles are those before the stretch's last
    this.ranCycles(c, accepted, acceptedLast, 0, 0, c - 1);
    this.blockedRuns++;
    return c;
  }

  /**
   * Sets (or clears) lane k's marks in this.endsWord from cycle cFrom on, its symbol jFrom stepped
   * in cycle cFrom and one more in each cycle after: the cycles in which its step ends a word.
   */
  private markEnds(k: number, jFrom: number, cFrom: number, m: number, set: boolean): void {
    const ends = this.marks.endsWord;
    const endsWord = this.endsWord;
    const bit = 1 << k;
    const offset = cFrom - jFrom;
    // 32 symbols' flags at a time
    for (let j = jFrom, end = jFrom + m - cFrom; j < end;) {
      const span = Math.min(32 - (j & 31), end - j);
      let w = ends[j >>> 5] >>> (j & 31);
      if (span < 32) w &= (1 << span) - 1;
      for (; w !== 0; w &= w - 1) {
        const c = offset + j + 31 - Math.clz32(w & -w);
        endsWord[c] = set ? endsWord[c] | bit : endsWord[c] & ~bit;
      }
      j += span;
    }
  }

  /** stretches runLanes ran (a diagnostic: the tests check it is exercised) */
  laneRuns = 0;
  /** words runLanes saw a lane pop later than the cycle after it ended a word (it had waited) */
  lateWords = 0;
  /** lanes that stalled inside runLanes for want of their next word (and stepped on after it) */
  laneStalls = 0;
  /** stretches runBlocked ran (the buffer full, only the distributor moving) */
  blockedRuns = 0;
  private readonly laneShift = new Int32Array(32);
  private readonly laneStallFrom = new Int32Array(32);
  /** where runSteady records the cycle (popLog.base + its own count) of each word the distributor takes */
  popLog: PopLog | null = null;
  private endsWord = new Uint32Array(0);

  /** words the distributor took in the last runSteady, and whether it took one in its last cycle */
  lastAccepts = 0;
  lastCycleAccepted = false;
  private readonly firstScratch = new Int32Array(64);
  /** weights its lanes delivered in the last runSteady, and in its last cycle */
  lastDelivered = 0;
  lastCycleDelivered = 0;
  /** cycles of the last runSteady but its last with no weight out and no room in the buffer */
  lastBlocked = 0;
}
