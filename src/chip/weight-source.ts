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
  /**
   * The payload words themselves, as DRAM holds them (the words the FIFO will deliver). A source
   * that works from the FIFO never reads them; the fast timing model of the tANS engine reads its
   * per-symbol bit counts from them up front (src/chip/tans-timing.ts).
   */
  payload?: Uint32Array;
  /**
   * Activation sparsity (src/chip/act-sparsity.ts): per weight in flat order, 1 when the array
   * needs it. Absent: every weight. `params` is then the count of needed weights.
   */
  needed?: Uint8Array;
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
   * True when the source looks at the values of the words it pops (the exact tANS engine, the
   * wavelet-matrix unit). When
   * no source of a run does, the FIFO keeps counts only (WordFifo.keepValues).
   */
  readonly readsWordValues: boolean;
  /**
   * The most words it pops in one cycle, if it says (the pipeline's bulk stretches that span burst
   * landings keep that many in the FIFO for it, so that it sees the FIFO it would see with them).
   */
  readonly wordsPerCycle?: number;
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
   * Bulk stepping (optional; the pipeline's fast path): runs consecutive cycles exactly as that
   * many step() calls would, while nothing but the source itself changes the FIFO (no burst
   * lands, or none it could see before its `maxPops`-th pop) and the buffer space (no group starts
   * or ends, but where it takes a room grant), starting with `space`. Stops after the first cycle
   * that is idle (no weight out, no word popped; unless `holdQuiet`), that pops the `maxPops`-th
   * word or the FIFO's last one (unless `pastEmpty`), that delivers the `maxDeliver`-th weight, or
   * after `maxCycles` (before a room grant it does not take).
   * The pipeline accounts every cycle but the last in bulk and finishes the last as a step.
   */
  advance?(fifo: WordFifo, space: number, limits: AdvanceLimits, out: AdvanceResult): void;
  /**
   * True when its advance() takes the room grants of AdvanceLimits.grants (a stretch may then
   * span the array's group ends); for any other source the pipeline grants none.
   */
  readonly takesGrants?: boolean;
  /**
   * Optional and exact: true when a step with these inputs would change nothing in the source,
   * so that the pipeline may hold it at once instead of after settleCycles quiet cycles.
   */
  quiescent?(fifo: WordFifo, space: number): boolean;
  /**
   * True when the last step changed the source's state without a transfer (a symbol decoded but
   * not needed, a random-access stall counted down): the pipeline must not hold it as settled.
   */
  readonly progressed?: boolean;
  /**
   * Optional, for skipping periods of identical groups (PipelineRun.skipPeriods, docs/hw/pipeline.md,
   * "Repeated periods"): a source that never reads the values of the words it pops and whose state,
   * apart from a position that moves the same way in every period, is one number. `periodState()`
   * is that number (NaN when the source cannot be skipped now), `periodPosition()` the position,
   * and `skipPeriods(delta)` moves the position on by `delta`.
   */
  periodState?(): number;
  periodPosition?(): number;
  skipPeriods?(delta: number): void;
  /**
   * True once the source has finished the layer after delivering its last weight (the tANS engine
   * needs a cycle or two to check its end states and go idle); the next layer begins only then.
   */
  readonly layerDone: boolean;
}

export interface AdvanceLimits {
  maxCycles: number;
  maxPops: number;
  maxDeliver: number;
  /**
   * The stretch may go on after the pop that empties the FIFO (the pipeline accounts its cycles
   * alike whatever the FIFO holds: the array computes). A source may stop there all the same.
   */
  pastEmpty: boolean;
  /**
   * After a cycle that is idle with the buffer full, a source that is quiescent then (quiescent())
   * may go on to `maxCycles` or its next room grant; one that is not may go on through its idle
   * cycles until it is (the pipeline sets it where nothing but the source changes its inputs up to
   * there: the array computes its group, and the FIFO keeps words throughout, so that no idle cycle
   * is a starved one).
   */
  holdQuiet: boolean;
  /**
   * Room the buffer gains inside the stretch (WeightSource.takesGrants): the array's group ends
   * and the next one starts at once, so the buffer's half that held it fills with the group after.
   * Only a source held quiescent behind the full buffer (holdQuiet) up to a grant's cycle takes it
   * and goes on; any other ends the stretch before that cycle. Empty for other sources.
   */
  grants: RoomGrants;
  /** where the source records when it popped each word (the caller clears it before a stretch) */
  pops: PopLog;
}

/** Room granted in a stretch: at cycle at[i] (from the stretch's first, increasing) room[i] more weights, i < n. */
export interface RoomGrants {
  at: Float64Array;
  room: Float64Array;
  n: number;
}

/**
 * The cycle (counted from the stretch's first, 0) in which each word of a stretch left the FIFO,
 * in order: from it the pipeline replays the DRAM reader over the stretch, which sees in every
 * cycle the FIFO room it had then. `base` is where a source's inner loop starts counting.
 */
export interface PopLog {
  at: Int32Array;
  n: number;
  base: number;
}

/** What advance() did; `last*` describe its last cycle, the totals include it. */
export interface AdvanceResult {
  cycles: number;
  delivered: number;
  popped: number;
  /** cycles but the last without a weight out while the buffer had no room (the slot's blocked cycles) */
  blocked: number;
  /** of them, cycles the source was held quiescent (AdvanceLimits.holdQuiet; a diagnostic) */
  held: number;
  /** idle cycles but the last it went on through, not quiescent (AdvanceLimits.holdQuiet; a diagnostic) */
  idleOn: number;
  /** room grants it took (AdvanceLimits.grants, the first ones): groups the array started inside it */
  granted: number;
  lastDelivered: number;
  lastPopped: number;
  /** the last cycle's inputs: FIFO head present, buffer space */
  lastHasWord: boolean;
  lastSpace: number;
}

/** Clears `out` for a stretch starting with `space` free in the weight buffer. */
export function startStretch(out: AdvanceResult, space: number): void {
  out.cycles = 0; out.delivered = 0; out.popped = 0; out.blocked = 0; out.held = 0; out.idleOn = 0; out.granted = 0;
  out.lastDelivered = 0; out.lastPopped = 0; out.lastSpace = space;
}

/** The cycle the stretch may run to, from where it is: the next room grant's (not taken yet), else maxCycles. */
export function cycleLimit(limits: AdvanceLimits, out: AdvanceResult): number {
  return out.granted < limits.grants.n ? limits.grants.at[out.granted] : limits.maxCycles;
}

/**
 * A source held quiescent behind the full buffer (AdvanceLimits.holdQuiet) after an idle cycle:
 * every cycle to the stretch's next room grant, or its end, is that cycle again, blocked. At a
 * grant it takes the room and the stretch goes on (returns true): the array's next group started,
 * its weights all there. False: held to the stretch's end.
 */
export function holdToGrant(limits: AdvanceLimits, out: AdvanceResult): boolean {
  const limit = cycleLimit(limits, out);
  const n = limit - out.cycles;
  // (the idle cycle before is no longer the last: it and n − 1 of these are the blocked ones)
  out.blocked += n;
  out.cycles += n;
  out.held += n;
  if (limit >= limits.maxCycles) return false;
  // the last held cycle is no longer the last either (blocked); the next starts with the room
  out.blocked++;
  out.lastSpace = limits.grants.room[out.granted];
  out.granted++;
  out.lastDelivered = 0;
  out.lastPopped = 0;
  return true;
}

/** The stop rules of WeightSource.advance but idleness, after a cycle accounted in `out`. */
export function stretchEnds(out: AdvanceResult, limits: AdvanceLimits, fifo: WordFifo): boolean {
  return out.cycles >= cycleLimit(limits, out) || out.popped >= limits.maxPops || (out.lastPopped > 0 && fifo.count === 0 && (!limits.pastEmpty || out.lastDelivered === 0)) ||
    out.delivered >= limits.maxDeliver;
}

/**
 * One step() of `source` inside advance(), with the space left after the stretch so far
 * (out.lastSpace − out.lastDelivered); returns true when the stretch ends after it.
 */
export function stepInto(source: WeightSource, fifo: WordFifo, out: AdvanceResult, limits: AdvanceLimits): boolean {
  const space = out.lastSpace - out.lastDelivered;
  const idleBefore = out.cycles > 0 && out.lastDelivered === 0 && space <= 0;
  if (idleBefore) out.blocked++; // the previous cycle: no weight out, the buffer full
  out.lastHasWord = fifo.count > 0;
  out.lastSpace = space;
  const d = source.step(fifo, space);
  const p = source.popped;
  const log = limits.pops;
  for (let i = 0; i < p; i++) log.at[log.n++] = out.cycles;
  out.cycles++;
  out.delivered += d;
  out.popped += p;
  out.lastDelivered = d;
  out.lastPopped = p;
  return (d === 0 && p === 0) || stretchEnds(out, limits, fifo);
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
  readonly readsWordValues = false;
  readonly settleCycles = 2;
  popped = 0;
  private params = 0;
  private words = 0;
  private fed = 0;
  private held = 0;

  get wordsPerCycle(): number {
    return this.widthWords;
  }

  constructor(readonly widthWords: number) {
    this.lanes = widthWords * 4;
  }

  get layerDone(): boolean {
    return this.held === 0 && this.fed >= this.words;
  }

  private needed: Uint8Array | null = null;
  /** cycles advance() took many at once (a diagnostic: the tests check it is exercised) */
  batchedCycles = 0;

  begin(layer: SourceLayer): number {
    this.params = layer.params;
    this.words = layer.words;
    this.needed = layer.needed ?? null;
    this.fed = 0;
    this.held = 0;
    return 0;
  }

  /** The weights held of the word last popped; NaN under activation sparsity (its words differ). */
  periodState(): number {
    return this.needed ? NaN : this.held;
  }

  /** words popped in the layer */
  periodPosition(): number {
    return this.fed;
  }

  skipPeriods(delta: number): void {
    this.fed += delta;
  }

  /** A step changes nothing without room in the buffer, or with no weight held and none to pop. */
  quiescent(fifo: WordFifo, space: number): boolean {
    return space <= 0 || (this.held === 0 && (fifo.count === 0 || this.fed >= this.words));
  }

  /**
   * step() cycle after cycle in one call (stepInto's accounting), on locals: the per-cycle calls and
   * field writes are most of an int8 run's time. Under activation sparsity, step() itself.
   */
  advance(fifo: WordFifo, space: number, limits: AdvanceLimits, out: AdvanceResult): void {
    startStretch(out, space);
    if (this.needed) {
      while (!stepInto(this, fifo, out, limits));
      return;
    }
    const { widthWords, lanes, words, params } = this;
    let held = this.held;
    let fed = this.fed;
    let count = fifo.count;
    let cycles = 0, delivered = 0, popped = 0, lastD = 0, lastP = 0;
    const log = limits.pops;
    const popAt = log.at;
    let logged = log.n;
    let left = space, lastSpace = space, lastHasWord = count > 0;
    const fullWords = Math.floor(params / 4);
    // no blocked cycles: without room in the buffer the bypass neither delivers nor pops, so the stretch ends
    for (;;) {
      if (held === 0) {
        // Cycles that pop a full width of whole words and hand all their weights on, none of them
        // ending the stretch (the FIFO keeps a word, the buffer room for a full width): k at once.
        const k = Math.min(Math.floor((count - 1) / widthWords), Math.floor(left / lanes), Math.floor((fullWords - fed) / widthWords),
          limits.maxCycles - cycles - 1, Math.ceil((limits.maxPops - popped) / widthWords) - 1, Math.ceil((limits.maxDeliver - delivered) / lanes) - 1);
        if (k >= 2) {
          this.batchedCycles += k;
          for (let c = cycles, end = cycles + k; c < end; c++) for (let i = 0; i < widthWords; i++) popAt[logged++] = c;
          cycles += k;
          count -= k * widthWords;
          fed += k * widthWords;
          popped += k * widthWords;
          delivered += k * lanes;
          left -= k * lanes;
        }
      }
      lastSpace = left;
      lastHasWord = count > 0;
      const budget = left < lanes ? left : lanes;
      let d = 0;
      let p = 0;
      while (d < budget) {
        if (held === 0) {
          if (p >= widthWords || count === 0 || fed >= words) break;
          count--;
          p++;
          held = Math.min(4, params - fed * 4);
          fed++;
        }
        const n = held < budget - d ? held : budget - d;
        held -= n;
        d += n;
      }
      for (let i = 0; i < p; i++) popAt[logged++] = cycles;
      cycles++;
      delivered += d;
      popped += p;
      lastD = d;
      lastP = p;
      left = lastSpace - d;
      if ((d === 0 && p === 0) || cycles >= limits.maxCycles || popped >= limits.maxPops || (p > 0 && count === 0) ||
        delivered >= limits.maxDeliver) break;
    }
    fifo.drop(popped);
    log.n = logged;
    this.held = held;
    this.fed = fed;
    this.popped = lastP;
    out.cycles = cycles; out.delivered = delivered; out.popped = popped; out.blocked = 0;
    out.lastDelivered = lastD; out.lastPopped = lastP; out.lastHasWord = lastHasWord; out.lastSpace = lastSpace;
  }

  /** weights of word w the weight buffer takes: all of them, or the needed ones */
  private weightsOfWord(w: number): number {
    const needed = this.needed;
    if (!needed) return Math.min(4, this.params - w * 4);
    let n = 0;
    for (let i = 4 * w; i < 4 * w + 4 && i < needed.length; i++) n += needed[i];
    return n;
  }

  step(fifo: WordFifo, space: number): number {
    const budget = space < this.lanes ? space : this.lanes;
    let delivered = 0;
    let popped = 0;
    while (delivered < budget) {
      if (this.held === 0) {
        if (popped >= this.widthWords || fifo.count === 0 || this.fed >= this.words) break;
        fifo.pop();
        this.held = this.weightsOfWord(this.fed);
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
