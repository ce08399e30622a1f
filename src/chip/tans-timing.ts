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
 * What it cannot see: the end-of-stream verdict on values (final state 0, zero padding). Its
 * timing is the same either way; the value checks were made by the reference decoder before any
 * simulation (run.ts verifies every image), and the control-side checks (underflow, words left,
 * a whole unread word at the end) are kept here.
 */
import type { TansHeader } from '../codecs/codec.js';
import { decodeStream } from '../codecs/tans/codec.js';
import { decodeTableOf, streamSymbolCounts } from '../codecs/tans/index.js';
import { deinterleaveStreams } from '../codecs/tans/layout.js';
import { check } from '../errors.js';
import { loadCycles, resolveTansDecoderParams, type EngineLayer, type TansDecoderParams } from './tans-decoder.js';

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
  return streams.map((w, k) => {
    const bits = new Uint8Array(counts[k]);
    decodeStream(w, undefined, counts[k], table, symbols, 0, 1, bits);
    return bits;
  });
}

const stepBitsCache = new WeakMap<Uint32Array, Uint8Array[]>();

/** layerStepBits, once per payload (the points of a sweep share the image's payload words). */
export function cachedStepBits(header: TansHeader, words: Uint32Array): Uint8Array[] {
  let bits = stepBitsCache.get(words);
  if (!bits) {
    bits = layerStepBits(header, words);
    stepBitsCache.set(words, bits);
  }
  return bits;
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
  private stepBits: readonly Uint8Array[] = [];
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
      this.nextQ[k] = 0;
      this.wordsLeftQ[k] = layer.wordCounts[k];
      this.initQ[k] = 1; this.finQ[k] = 0; this.errQ[k] = 0; this.endQ[k] = 0;
      this.haveQ[k] = 0; this.posQ[k] = 0;
    }
    this.stepBits = bits;
    this.turnQ = 0;
    this.runQ = true;
    this.doneC = false;
    this.errorC = false;
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
    let allIdle = true;
    for (let k = 0; k < S; k++) {
      const cnt = this.fifoCnt[k];
      const fin = this.finQ[k] === 1;
      if (run && !fin && this.initQ[k] === 0 && this.remQ[k] !== 0) {
        // the common case, a running lane between its first and last symbol: when it steps, only
        // the bit position, the words held, the lane FIFO and the output register change
        const have = this.haveQ[k];
        const need = this.stepBits[k][this.nextQ[k]];
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
          allIdle = false;
          continue;
        }
      }
      if (fin && cnt === 0 && this.outValid[k] === 0) {
        // a finished lane with nothing held: only its error flag and the words it is owed count
        if (this.errQ[k]) anyErr = true;
        if (this.wordsLeftQ[k] !== 0) allIdle = false;
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
      const need = init ? logL : (rem !== 0 ? this.stepBits[k][this.nextQ[k]] : 0);
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
      if (!(this.finQ[k] && this.fifoCnt[k] === 0 && this.wordsLeftQ[k] === 0 && !this.outValid[k])) allIdle = false;
    }
    if (accept) {
      this.fifoCnt[t]++;
      this.wordsLeftQ[t] -= 1;
      // the accepted word makes its lane busy (the idle test above ran before the push)
      allIdle = false;
    }
    if (run && (accept || this.wordsLeftQ[t] === 0)) {
      let k = t;
      for (let i = 1; i <= S; i++) {
        k = k + 1 === S ? 0 : k + 1;
        if (this.wordsLeftQ[k] !== 0) { this.turnQ = k; break; }
      }
    }
    this.errorC = anyErr;
    this.doneC = run && allIdle;
    this.cycleN++;
  }
}
