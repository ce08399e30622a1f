/**
 * tANS weight decompression engine: its hardware parameters and its cycle-accurate model.
 *
 * The software decoder (what the block computes) is decodeStream in src/codecs/tans/codec.ts; this
 * file says how many cycles it takes. TansEngineModel is a register-level mirror of the RTL in
 * rtl-templates/tans/*.v: every field below named `...Q` is a flip-flop (or RAM) of the RTL and
 * tick() applies the same update rules. The cycle semantics are specified in docs/hw/tans-decoder.md.
 */
import { check, HwsimError } from '../errors.js';
import type { DecodeTable } from '../codecs/tans/table.js';
import { ENGINE_DEFAULTS, resolveEngineParams } from '../params/groups.js';
import type { TansEngineParams } from '../params/generated-types.js';

/**
 * Parameters of the tANS weight decompression engine (RTL `tans_engine`): the engine group of the
 * parameter declaration (src/params/declaration.ts), which also gives the Verilog names and checks.
 */
export type TansDecoderParams = TansEngineParams;
export type { TansEngineParams };

export const TANS_DECODER_DEFAULTS: Readonly<TansDecoderParams> = ENGINE_DEFAULTS;

/** Fills defaults and checks every field against the declaration. */
export function resolveTansDecoderParams(p: Partial<TansDecoderParams> = {}): TansDecoderParams {
  return resolveEngineParams(p);
}

/**
 * Bits of one packed decode-table entry in a lane's RAM: {newState, nbBits code, symbol}. When the
 * nbBits field (ceil(log2(log2 L + 1)) bits) has a code to spare, newState's bit 0 is not stored:
 * it is 0 whenever nbBits >= 1 (the low nbBits bits of newState are 0), and for nbBits = 0 the
 * spare code says "nbBits 0, newState odd" (tableEntryCode). So L = 256 takes 7 + 4 + 5 = 16 bits.
 */
export function tableEntryBits(p: TansDecoderParams): number {
  const logL = Math.log2(p.states);
  const nbW = Math.ceil(Math.log2(logL + 1));
  return logL - (tableEntryPacked(p) ? 1 : 0) + nbW + p.symbolBits;
}

/** The nbBits field has a spare code (2^width > log2 L + 1 values), so newState's bit 0 need not be stored. */
export function tableEntryPacked(p: TansDecoderParams): boolean {
  const logL = Math.log2(p.states);
  return 1 << Math.ceil(Math.log2(logL + 1)) > logL + 1;
}

/**
 * Bits of a word of the lane's table RAM: the entry, and, where a packed entry leaves a 16-bit word
 * a bit free, a flag of the spare code above it (tans_lane's FlagW), so that the read pointer's next
 * value picks its case from one RAM bit instead of a decode of the code's bits.
 */
export function tableRamBits(p: TansDecoderParams): number {
  const bits = tableEntryBits(p);
  return tableEntryPacked(p) && bits < 16 ? bits + 1 : bits;
}

/** A word of the lane's table RAM: the entry (tableEntryWord) and, where there is room (tableRamBits), the spare code's flag above it. */
export function tableRamWord(p: TansDecoderParams, newState: number, nbBits: number, symbol: number): number {
  const entry = tableEntryWord(p, newState, nbBits, symbol);
  const bits = tableEntryBits(p);
  return tableRamBits(p) > bits && takesSpareCode(p, newState, nbBits) ? entry + 2 ** bits : entry;
}

/** The entry's code field holds the spare code: a packed table's nbBits 0 with an odd newState. */
function takesSpareCode(p: TansDecoderParams, newState: number, nbBits: number): boolean {
  return tableEntryPacked(p) && nbBits === 0 && (newState & 1) === 1;
}

/**
 * A decode-table entry as the lane's RAM holds it: {newState >> packed, code, symbol}, where code
 * is nbBits, or all ones for nbBits 0 with an odd newState (packed entries only).
 */
export function tableEntryWord(p: TansDecoderParams, newState: number, nbBits: number, symbol: number): number {
  const logL = Math.log2(p.states);
  const nbW = Math.ceil(Math.log2(logL + 1));
  if (!tableEntryPacked(p)) return ((newState * (1 << nbW) + nbBits) * (1 << p.symbolBits)) + symbol;
  const code = takesSpareCode(p, newState, nbBits) ? (1 << nbW) - 1 : nbBits;
  return (((newState >>> 1) * (1 << nbW) + code) * (1 << p.symbolBits)) + symbol;
}

/**
 * Table banks in each lane's RAM: two where the table fits twice in one iCE40 block RAM
 * (SB_RAM40_4K, 256 x 16 in its widest mode: L <= 128, entries of at most 16 bits; wider entries
 * take two block RAMs side by side, which hold two banks as well), else one. With two banks the
 * next layer loads in the background while the current one decodes (TansEngineModel.preload).
 */
export function tableBanks(p: TansDecoderParams): 1 | 2 {
  return p.states <= 128 ? 2 : 1;
}

/**
 * Cycles a layer switch costs when the next layer was loaded in the background and its load has
 * completed: none. The edge ending the first cycle in which every lane is idle arms the lanes, the
 * same edge that raises done_o, so the cycle done_o is high is the next layer's run cycle 0.
 * Measured on the model by test/tans-engine.test.ts and on the RTL by the co-simulation.
 */
export const PRELOADED_SWITCH_CYCLES = 0;

/** Cycles the load port takes for one layer: bins header, L table entries, 2 descriptors per stream. */
export function loadCycles(p: TansDecoderParams): number {
  return 1 + p.states + 2 * p.streams;
}

/**
 * Cycles the table builder takes before the load port starts (docs/hw/tans-decoder.md, "Table
 * build"): it parses the fetched layer header one 32-bit word per cycle, then lays the spread into
 * its spread RAM one slot per cycle (the FSE step walk, the tuned rule's merge of the symbols'
 * key sequences, or the explicit spread bytes). The decode entries are then computed in slot order
 * with per-symbol counters, one per cycle, and written through the load port (loadCycles).
 * A model of a block the RTL does not have yet: the RTL engine is co-simulated from its load port.
 */
export function tableBuildCycles(headerBytes: number, states: number): number {
  return Math.ceil(headerBytes / 4) + states;
}

export interface EngineLayer {
  table: DecodeTable;
  bins: number;
  symbolCounts: ArrayLike<number>;
  wordCounts: ArrayLike<number>;
  /** per stream, the bits each symbol step reads (layerStepBits): given to the timing model only */
  stepBits?: readonly Uint8Array[];
}

/**
 * The load port's word sequence for a layer (what the RTL's cfg_data_i receives, one per cycle):
 * bins; then entry s = newState << 16 | nbBits << 8 | symbol for s = 0..L-1; then per stream
 * its symbol count and its word count.
 */
export function layerLoadWords(p: TansDecoderParams, layer: EngineLayer, what = 'the layer'): Uint32Array {
  checkLayer(p, layer, what);
  const L = p.states;
  const out = new Uint32Array(loadCycles(p));
  out[0] = layer.bins;
  const t = layer.table;
  for (let s = 0; s < L; s++) out[1 + s] = ((t.newState[s] << 16) | (t.nbBits[s] << 8) | t.symbol[s]) >>> 0;
  for (let k = 0; k < p.streams; k++) {
    out[1 + L + 2 * k] = layer.symbolCounts[k];
    out[2 + L + 2 * k] = layer.wordCounts[k];
  }
  return out;
}

/** Refuses a layer the engine cannot take (`what` names it in the message). */
function checkLayer(p: TansDecoderParams, layer: EngineLayer, what = 'the layer'): void {
  const t = layer.table;
  const L = p.states;
  const logL = Math.log2(L);
  check(t.states === L, `layer table has ${t.states} states, the engine ${L}`, `build the table with ${L} states`);
  check(Number.isInteger(layer.bins) && layer.bins >= 1 && layer.bins <= Math.min(256, 1 << p.symbolBits),
    `layer has ${layer.bins} bins, the engine's ${p.symbolBits}-bit symbols allow 1..${Math.min(256, 1 << p.symbolBits)}`,
    'give the engine more symbol bits (symbolBits) or quantize to fewer bins');
  for (let s = 0; s < L; s++) {
    // the engine forms the next state as newState | bits: the low nbBits bits of newState must be 0
    check(t.symbol[s] < layer.bins && t.nbBits[s] <= logL && t.newState[s] < L && (t.newState[s] & ((1 << t.nbBits[s]) - 1)) === 0,
      `decode table entry ${s} (symbol ${t.symbol[s]}, nbBits ${t.nbBits[s]}, newState ${t.newState[s]}) is out of range`,
      'build the table with buildDecodeTable from counts over the layer\'s bins');
  }
  check(layer.symbolCounts.length === p.streams && layer.wordCounts.length === p.streams,
    `layer has ${layer.symbolCounts.length} symbol counts and ${layer.wordCounts.length} word counts, the engine ${p.streams} streams`,
    `split the layer into ${p.streams} streams`);
  checkCountsFit(p, layer, what);
}

/**
 * Refuses a layer with a stream of more symbols or words than the engine's counters hold
 * (countBits wide: each lane's symbols left, each stream's words owed). `what` names the layer.
 */
function checkCountsFit(p: TansDecoderParams, layer: Pick<EngineLayer, 'symbolCounts' | 'wordCounts'>, what: string): void {
  const most = 2 ** p.countBits - 1;
  for (let k = 0; k < layer.symbolCounts.length; k++) {
    const n = layer.symbolCounts[k];
    const w = layer.wordCounts[k];
    check(Number.isInteger(n) && n >= 0 && Number.isInteger(w) && w >= 0,
      `stream ${k}: symbol count ${n} / word count ${w} are not counts`);
    if (n > most || w > most) {
      const need = Math.ceil(Math.log2(Math.max(n, w) + 1));
      throw new HwsimError(
        `stream ${k} of ${what} has ${n.toLocaleString('en-US')} symbols and ${w.toLocaleString('en-US')} words; the engine's ${p.countBits}-bit counters hold at most ${most.toLocaleString('en-US')}`,
        need <= 32 ? `give the engine ${need}-bit counters (--count-bits ${need}) or more streams (decoders)` : 'split the layer into more streams (decoders)');
    }
  }
}

/**
 * Cycle-accurate model of `tans_engine`. Registers are typed arrays indexed by stream; tick()
 * computes every lane's next state from the current registers only (as the RTL's always @* blocks
 * do), then commits, so evaluation order cannot leak between lanes.
 */
export class TansEngineModel {
  readonly params: TansDecoderParams;
  private readonly L: number;
  private readonly logL: number;
  private readonly S: number;
  private readonly D: number;
  // decode table RAM (one copy per lane in the RTL, all equal) and the dequantizer offset
  private tSym: Uint8Array;
  private tNb: Uint8Array;
  private tNs: Uint16Array;
  private halfQ = 0;
  // background load (two banks): the other bank, the shadow descriptors, the load words still to
  // come (one per tick) and the "loaded, waiting for done" flag
  private readonly banks: 1 | 2;
  private nSym: Uint8Array;
  private nNb: Uint8Array;
  private nNs: Uint16Array;
  private nHalf = 0;
  private readonly nRem: Float64Array;
  private readonly nWords: Float64Array;
  private loadLeft = 0;
  private queuedQ = false;
  // engine: run flag and the round-robin distributor
  private runQ = false;
  private turnQ = 0;
  private readonly wordsLeftQ: Float64Array;
  // per-lane word FIFOs
  private readonly fifoMem: Uint32Array;
  private readonly fifoHead: Int32Array;
  private readonly fifoCnt: Int32Array;
  /** per stream: the last word it took, its highest set bit's index + 1, 0 for 0 (RTL top_q: {non-zero, index}) */
  private readonly topQ: Uint8Array;
  // per-lane decoder registers
  private readonly remQ: Float64Array;
  private readonly stateQ: Uint16Array;
  private readonly curQ: Uint32Array;
  private readonly nxtQ: Uint32Array;
  private readonly haveQ: Uint8Array;
  private readonly posQ: Uint8Array;
  private readonly initQ: Uint8Array;
  private readonly finQ: Uint8Array;
  private readonly errQ: Uint8Array;
  private readonly endQ: Uint8Array;
  private readonly endBadQ: Uint8Array;
  readonly outValid: Uint8Array;
  readonly outSymbol: Uint16Array;
  readonly outWeight: Int8Array;
  private doneC = false;
  private armQ = false;  // RTL arm_q: the lanes are armed at the end of this tick (run cycle 0)
  private errorC = false;
  private cycleN = 0;

  constructor(params: TansDecoderParams) {
    this.params = resolveTansDecoderParams(params);
    const S = this.S = this.params.streams;
    this.L = this.params.states;
    this.logL = Math.log2(this.L);
    this.D = this.params.streamFifoDepth;
    this.tSym = new Uint8Array(this.L);
    this.tNb = new Uint8Array(this.L);
    this.tNs = new Uint16Array(this.L);
    this.banks = tableBanks(this.params);
    this.nSym = new Uint8Array(this.L);
    this.nNb = new Uint8Array(this.L);
    this.nNs = new Uint16Array(this.L);
    this.nRem = new Float64Array(S);
    this.nWords = new Float64Array(S);
    this.wordsLeftQ = new Float64Array(S);
    this.fifoMem = new Uint32Array(S * this.D);
    this.fifoHead = new Int32Array(S);
    this.fifoCnt = new Int32Array(S);
    this.topQ = new Uint8Array(S);
    this.remQ = new Float64Array(S);
    this.stateQ = new Uint16Array(S);
    this.curQ = new Uint32Array(S);
    this.nxtQ = new Uint32Array(S);
    this.haveQ = new Uint8Array(S);
    this.posQ = new Uint8Array(S);
    this.initQ = new Uint8Array(S);
    this.finQ = new Uint8Array(S).fill(1); // lanes reset to "finished": idle until a layer starts
    this.errQ = new Uint8Array(S);
    this.endQ = new Uint8Array(S);
    this.endBadQ = new Uint8Array(S);
    this.outValid = new Uint8Array(S);
    this.outSymbol = new Uint16Array(S);
    this.outWeight = new Int8Array(S);
  }

  get inReady(): boolean {
    const t = this.turnQ;
    return this.runQ && this.wordsLeftQ[t] !== 0 && this.fifoCnt[t] < this.D;
  }
  get done(): boolean { return this.doneC; }
  get error(): boolean { return this.errorC; }
  get cycle(): number { return this.cycleN; }

  /** True while a background load is under way or waits for the current layer's done. */
  get preloading(): boolean { return this.loadLeft > 0 || this.queuedQ; }

  /**
   * Loads a layer through the load port while the engine is free (idle, or done_o high): the
   * L + 2S + 1 load cycles pass at once (cycle advances by them) and the next tick is run cycle 0.
   * Returns the load cycles.
   */
  loadLayer(layer: EngineLayer): number {
    // (done alone is not enough: in the done cycle of a background switch the next layer runs)
    check(!this.runQ || (this.doneC && !this.armQ && this.finQ.every((f) => f === 1)), 'loadLayer called while a layer is still running',
      'tick() until done before loading the next layer, or preload() it (two table banks)');
    check(!this.preloading, 'loadLayer called while a background load is under way', 'tick() until the preloaded layer has started');
    checkLayer(this.params, layer);
    this.stage(layer);
    this.start();
    this.doneC = false;
    this.errorC = false;
    const cycles = loadCycles(this.params);
    this.cycleN += cycles;
    return cycles;
  }

  /**
   * Starts a background load (two table banks only): from the next tick on, the load port takes one
   * word of `layer` per tick (L + 2S + 1 ticks) into the bank the lanes do not read and the shadow
   * descriptors, while the current layer (if any) goes on. The tick that takes the last word arms
   * the lanes if the engine is free then (not running, or every lane idle); otherwise the layer
   * waits and the first tick with every lane idle arms them, the tick that raises done
   * (PRELOADED_SWITCH_CYCLES = 0: done is then high in the new layer's run cycle 0). Returns the load cycles.
   */
  preload(layer: EngineLayer): number {
    check(this.banks === 2, `preload: the engine's ${this.L}-state tables take one bank (background loads need L <= 128)`,
      'loadLayer() after done instead');
    check(!this.preloading, 'preload called while a background load is under way', 'tick() until the preloaded layer has started');
    checkLayer(this.params, layer);
    this.stage(layer);
    this.loadLeft = loadCycles(this.params);
    return this.loadLeft;
  }

  /** The load port's writes: the table into the other bank, the descriptors into the shadows. */
  private stage(layer: EngineLayer): void {
    const t = layer.table;
    this.nSym.set(t.symbol);
    this.nNb.set(t.nbBits);
    this.nNs.set(t.newState);
    this.nHalf = ((layer.bins - 1) & 0x1ff) >>> 1;
    for (let k = 0; k < this.S; k++) {
      this.nRem[k] = layer.symbolCounts[k];
      this.nWords[k] = layer.wordCounts[k];
    }
  }

  /**
   * start: the lanes switch to the staged bank and descriptors (RTL `start`); they are armed at the
   * end of the next tick (RTL arm_q: run cycle 0, in which a finished lane has nothing to do).
   */
  private start(): void {
    [this.tSym, this.nSym] = [this.nSym, this.tSym];
    [this.tNb, this.nNb] = [this.nNb, this.tNb];
    [this.tNs, this.nNs] = [this.nNs, this.tNs];
    this.halfQ = this.nHalf;
    for (let k = 0; k < this.S; k++) {
      this.remQ[k] = this.nRem[k];
      this.wordsLeftQ[k] = this.nWords[k];
      this.haveQ[k] = 0; this.posQ[k] = 0;
    }
    this.turnQ = 0;
    this.runQ = true;
    this.armQ = true;
  }

  /** arm_q: every lane begins the layer (init), its error and end check cleared. */
  private armLanes(): void {
    for (let k = 0; k < this.S; k++) {
      this.initQ[k] = 1; this.finQ[k] = 0; this.errQ[k] = 0; this.endQ[k] = 0;
    }
  }

  tick(inValid: boolean, inWord: number, outReady: Uint8Array): void {
    const { S, D, logL } = this;
    const run = this.runQ;
    // every lane finished and nothing in flight (RTL idle_all; not while the lanes are being armed)
    const arming = this.armQ;
    this.armQ = false;
    let idleAll = !arming;
    for (let k = 0; k < S && idleAll; k++) {
      if (!(this.finQ[k] && this.fifoCnt[k] === 0 && this.wordsLeftQ[k] === 0 && !this.outValid[k])) idleAll = false;
    }
    // background load: this tick's load word; the layer switch needs the engine free (every lane
    // idle now: the switch is at the edge that raises done)
    let switchNow = false;
    if (this.loadLeft > 0 || this.queuedQ) {
      const lastWord = this.loadLeft === 1;
      if (this.loadLeft > 0) this.loadLeft--;
      const loaded = lastWord || this.queuedQ;
      const free = !run || idleAll;
      switchNow = loaded && free;
      this.queuedQ = loaded && !free;
    }
    // done is a register: it rises the tick after every lane is idle, and falls with a switch once
    // high (a switch in the first idle cycle raises it for one cycle: the next layer's run cycle 0)
    const idleNow = run && idleAll && !(switchNow && this.doneC);
    // error in a done cycle is the finished layer's verdict: the lanes' errors before this tick
    let errBefore = false;
    for (let k = 0; k < S; k++) if (this.errQ[k]) errBefore = true;
    const t = this.turnQ;
    const accept = inValid && run && this.wordsLeftQ[t] !== 0 && this.fifoCnt[t] < D;
    let anyErr = false;
    for (let k = 0; k < S; k++) {
      const cnt = this.fifoCnt[k];
      const fv = cnt > 0;
      const pend = this.wordsLeftQ[k] !== 0;
      const fin = this.finQ[k] === 1;
      const init = this.initQ[k] === 1;
      const rem = this.remQ[k];
      const state = this.stateQ[k];
      const have = this.haveQ[k];
      const pos = this.posQ[k];
      const oValid = this.outValid[k] === 1;
      const oReady = outReady[k] !== 0;
      const active = run && !fin;
      const need = init ? logL : this.tNb[state];
      const avail = have * 32 - pos;
      const canBits = avail >= need;
      const symStep = active && !init && rem !== 0 && canBits && (!oValid || oReady);
      const initStep = active && init && canBits;
      const underflow = active && (init || rem !== 0) && !canBits && !fv && !pend;
      // end of stream in two cycles: the first takes the verdict, the second finishes with it
      const endQ = this.endQ[k] === 1;
      const finalChk = active && !init && rem === 0 && !endQ;
      const endDone = active && endQ;
      // exact end: last read inside the last word, zero padding after it, state 0 (FORMAT.md §2).
      // The padding is judged from the top bit of the last word the stream took: when the rest of
      // the end is clean, that word is the current one (the FIFO empty, no word owed, have = 1).
      const padBad = have === 1 && this.topQ[k] > pos;
      const badEnd = state !== 0 || avail >= 32 || padBad || fv || pend;
      // bit window {nxt, cur} >> pos, low `need` bits
      let bits = 0;
      if (symStep || initStep) {
        const cur = this.curQ[k];
        const nxt = this.nxtQ[k];
        const win = pos === 0 ? cur : ((cur >>> pos) | (nxt << (32 - pos))) >>> 0;
        bits = need === 0 ? 0 : win & ((1 << need) - 1);
      }
      const p = pos + (symStep || initStep ? need : 0);
      const crossed = p >= 32;
      const have1 = have - (crossed ? 1 : 0);
      const pop = fv && (fin || have < 2);
      const load = pop && !fin;
      let curD = crossed ? this.nxtQ[k] : this.curQ[k];
      let nxtD = this.nxtQ[k];
      if (load) {
        const w = this.fifoMem[k * D + this.fifoHead[k]];
        if (have1 === 0) curD = w; else nxtD = w;
      }
      // commit lane registers
      this.curQ[k] = curD;
      this.nxtQ[k] = nxtD;
      this.haveQ[k] = have1 + (load ? 1 : 0);
      this.posQ[k] = crossed ? p - 32 : p;
      if (initStep) this.stateQ[k] = bits;
      else if (symStep) this.stateQ[k] = (this.tNs[state] | bits) & (this.L - 1);
      if (initStep) this.initQ[k] = 0;
      if (finalChk) { this.endQ[k] = 1; this.endBadQ[k] = badEnd ? 1 : 0; }
      if (underflow || endDone) this.finQ[k] = 1;
      if (underflow || (endDone && this.endBadQ[k] === 1)) this.errQ[k] = 1;
      if (symStep) {
        this.remQ[k] = rem - 1;
        const sym = this.tSym[state];
        this.outValid[k] = 1;
        this.outSymbol[k] = sym;
        this.outWeight[k] = sym - this.halfQ;
      } else if (oReady) {
        this.outValid[k] = 0;
      }
      if (pop) {
        this.fifoHead[k] = this.fifoHead[k] === D - 1 ? 0 : this.fifoHead[k] + 1;
        this.fifoCnt[k] = cnt - 1;
      }
    }
    // distributor: push into the turn's FIFO, then move the turn to the next stream still owed words
    if (accept) {
      const c = this.fifoCnt[t];
      let tail = this.fifoHead[t] + c;
      if (tail >= D) tail -= D;
      this.fifoMem[t * D + tail] = inWord >>> 0;
      this.topQ[t] = 32 - Math.clz32(inWord);
      this.fifoCnt[t] = c + 1;
      this.wordsLeftQ[t] -= 1;
    }
    if (run && (accept || this.wordsLeftQ[t] === 0)) {
      let k = t;
      for (let i = 1; i <= S; i++) {
        k = k + 1 === S ? 0 : k + 1;
        if (this.wordsLeftQ[k] !== 0) { this.turnQ = k; break; }
      }
    }
    if (arming) this.armLanes();
    if (switchNow) this.start();
    for (let k = 0; k < S; k++) if (this.errQ[k]) anyErr = true;
    this.errorC = idleNow ? errBefore : anyErr && !this.armQ;
    this.doneC = idleNow;
    this.cycleN++;
  }
}
