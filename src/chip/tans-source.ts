/**
 * The tANS engine in the decoder slot: an adapter from the pipeline's WeightSource to the
 * cycle-exact model of the RTL weight decompression engine (src/chip/tans-decoder.ts,
 * docs/hw/tans-decoder.md). At the start of a layer it parses the layer header the DRAM delivered
 * into the staging buffer (with the container's own reader, so the file format and what the chip
 * understands are one), builds the decode table from the fetched counts and spread rule (the
 * table builder, tableBuildCycles) and loads the engine. With two table banks (L <= 128) it does
 * that for the next layer in the background while the current one runs (preload), and the layer
 * switch then costs PRELOADED_SWITCH_CYCLES (none) once the background load is complete. Per cycle it offers the FIFO head word
 * (only words of the current layer), raises outReady on as many valid lanes as the weight buffer
 * has room for (lowest lanes first), ticks the engine once and pops the word if the engine took it.
 */
import { parseRecordPrefix } from '../codecs/container.js';
import { decodeTableOf, streamSymbolCounts } from '../codecs/tans/index.js';
import { streamIndices } from '../codecs/tans/streams.js';
import { HwsimError } from '../errors.js';
import type { WordFifo } from './fifo.js';
import {
  cycleLimit, holdToGrant, startStretch, stepInto, stretchEnds, type AdvanceLimits, type AdvanceResult, type PopLog, type SourceLayer, type WeightSource,
} from './weight-source.js';
import {
  loadCycles, PRELOADED_SWITCH_CYCLES, tableBanks, TansEngineModel, tableBuildCycles, type EngineLayer, type TansDecoderParams,
} from './tans-decoder.js';
import { cachedStepBits, TansTimingModel } from './tans-timing.js';
import type { TansHeader } from '../codecs/codec.js';
import type { TrajectoryBook } from './tans-trajectories.js';

/**
 * What the pipeline uses of the engine: its handshakes and flags (TansEngineModel, the register
 * model with values; TansTimingModel, the same timing from counters; a test may pass another).
 */
export interface TansEngine {
  loadLayer(layer: EngineLayer): number;
  readonly inReady: boolean;
  readonly outValid: Uint8Array;
  tick(inValid: boolean, inWord: number, outReady: Uint8Array): void;
  readonly done: boolean;
  readonly error: boolean;
  readonly cycle: number;
  /** true when loadLayer needs EngineLayer.stepBits (the timing model) */
  readonly needsStepBits?: boolean;
  /** many cycles at once between the lanes' first and last symbols (TansTimingModel.runSteady) */
  runSteady?(maxCycles: number, space: number, wordsOffered: number, stopAfterAccepts: number, maxDeliver: number): number;
  /** where runSteady records the cycle (from popLog.base) of each word it takes */
  popLog?: PopLog | null;
  readonly lastBlocked?: number;
  readonly lastAccepts?: number;
  readonly lastCycleAccepted?: boolean;
  readonly lastDelivered?: number;
  readonly lastCycleDelivered?: number;
  /** one cycle with the room granted lowest lanes first (TansTimingModel.stepSpace) */
  stepSpace?(inValid: boolean, space: number): number;
  /** true when a cycle with this word offered (or not) and this room would change nothing (TansTimingModel.quiescentSpace) */
  quiescentSpace?(inValid: boolean, space: number): boolean;
  /** trajectories shared with other runs of the image (tans-trajectories.ts) */
  useBook?(book: TrajectoryBook | null): void;
  /** held groups one after another, from a room grant just taken (TansTimingModel.followHeld); returns the words taken */
  followHeld?(limits: AdvanceLimits, out: AdvanceResult, wordsHeld: number, wordsLeft: number, weightsLeft: number): number;
}
export type TansEngineFactory = (params: TansDecoderParams) => TansEngine;

/** The exact mode's engine: every register of the RTL, values included. */
export const tansEngineModel: TansEngineFactory = (p) => new TansEngineModel(p);
/** The fast mode's engine: the same cycles from per-symbol bit counts (tans-timing.ts). */
export const tansTimingModel: TansEngineFactory = (p) => new TansTimingModel(p);

/** A layer's header as the chip parsed it, and the engine's view of it. */
interface PreparedLayer {
  header: TansHeader;
  engineLayer: EngineLayer;
}

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
  /** weights of the layer to deliver */
  private weights = 0;
  private fed = 0;
  private layerName = '';
  /** weights delivered in the current layer (the pipeline counts them) */
  emitted = 0;
  /** symbols decoded but not needed (activation sparsity), all layers */
  dropped = 0;
  progressed = false;
  /** per lane: which of its symbols the array needs (activation sparsity), and how many it has emitted */
  private laneNeeded: Uint8Array[] | null = null;
  private laneAt = new Int32Array(0);
  private readonly book: TrajectoryBook | null;

  /** the distributor hands on one word a cycle */
  readonly wordsPerCycle = 1;
  /** held behind a full buffer, it takes the room of the array's next group (holdQuiet) */
  readonly takesGrants = true;
  /** the exact engine decodes the words it pops; the fast one reads its step bits instead */
  get readsWordValues(): boolean {
    return !this.engine.needsStepBits;
  }

  get layerDone(): boolean {
    return this.engine.done;
  }

  /** background preparation of the next layer: only with two table banks (tableBanks) */
  readonly preload?: (layer: SourceLayer, prefix: Uint8Array) => number;
  /** the layer prepared in the background, until its begin() */
  private preloaded: { name: string; prepared: PreparedLayer } | null = null;

  /**
   * `background: false` loads every layer after the previous one is done, even with two banks;
   * `trajectories`: a book of engine trajectories shared with other runs of the image (a sweep's).
   */
  constructor(factory: TansEngineFactory, readonly params: TansDecoderParams, opts: { background?: boolean; trajectories?: TrajectoryBook } = {}) {
    this.engine = factory(params);
    this.book = opts.trajectories ?? null;
    this.lanes = params.streams;
    this.ready = new Uint8Array(params.streams);
    if (tableBanks(params) === 2 && opts.background !== false) {
      this.preload = (layer, prefix) => {
        this.preloaded = { name: layer.name, prepared: this.prepare(layer, prefix) };
        // the table builder and the load port work through the next layer in the background
        return tableBuildCycles(prefix.length, params.states) + loadCycles(params);
      };
    }
  }

  begin(layer: SourceLayer, prefix: Uint8Array): number {
    const pre = this.preloaded;
    this.preloaded = null;
    const background = pre !== null && pre.name === layer.name;
    const { header, engineLayer } = background ? pre.prepared : this.prepare(layer, prefix);
    const p = this.params;
    this.words = layer.words;
    this.weights = layer.params;
    this.fed = 0;
    this.emitted = 0;
    this.layerName = layer.name;
    const needed = layer.needed;
    this.laneNeeded = needed
      ? streamIndices(header.shape, p.streams, header.split).map((list) => Uint8Array.from(list, (j) => needed[j]))
      : null;
    this.laneAt = new Int32Array(p.streams);
    // (under activation sparsity lanes drop weights: the book's segments do not hold for it)
    this.engine.useBook?.(this.laneNeeded ? null : this.book);
    const load = this.engine.loadLayer(engineLayer);
    // a layer loaded in the background costs only the switch to its bank (the arming is loadLayer's)
    return background ? PRELOADED_SWITCH_CYCLES : tableBuildCycles(prefix.length, p.states) + load;
  }

  /** The engine's view of a layer from its record prefix as it landed (checked against the engine). */
  private prepare(layer: SourceLayer, prefix: Uint8Array): PreparedLayer {
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
    const engineLayer: EngineLayer = {
      table: decodeTableOf(header), bins: header.quant.bins,
      symbolCounts: streamSymbolCounts(header), wordCounts: header.wordCounts,
    };
    if (this.engine.needsStepBits) {
      if (!layer.payload) throw new Error(`internal: the tANS timing model needs the payload words of layer ${layer.name}`);
      engineLayer.stepBits = cachedStepBits(header, layer.payload);
    }
    return { header, engineLayer };
  }

  /**
   * Grants the weight buffer's room to the lanes with a weight, lowest lanes first; returns the
   * weights granted. Under activation sparsity a lane's unneeded weight is taken without room
   * (decoded and dropped: the engine cannot jump) and counted in `dropped`.
   */
  private grant(space: number): number {
    const valid = this.engine.outValid;
    const ready = this.ready;
    const needed = this.laneNeeded;
    let granted = 0;
    let dropped = 0;
    for (let k = 0; k < ready.length; k++) {
      if (valid[k] && needed && !needed[k][this.laneAt[k]]) {
        ready[k] = 1;
        dropped++;
      } else if (valid[k] && granted < space) {
        ready[k] = 1;
        granted++;
      } else {
        ready[k] = 0;
      }
      if (ready[k] && needed) this.laneAt[k]++;
    }
    this.dropped += dropped;
    this.progressed = dropped > 0;
    return granted;
  }

  quiescent(fifo: WordFifo, space: number): boolean {
    const eng = this.engine;
    // under sparsity the grant has side effects (which weight each lane is at): settle by waiting
    if (!eng.quiescentSpace || this.laneNeeded) return false;
    return eng.quiescentSpace(this.fed < this.words && fifo.count > 0, space);
  }

  step(fifo: WordFifo, space: number): number {
    const eng = this.engine;
    const inValid = this.fed < this.words && fifo.count > 0;
    let take: boolean;
    let granted: number;
    if (eng.stepSpace && !this.laneNeeded) {
      // (the timing model reads no word values)
      granted = eng.stepSpace(inValid, space);
      take = eng.lastCycleAccepted!;
      this.progressed = false;
    } else {
      take = inValid && eng.inReady;
      const word = inValid ? fifo.peek() : 0;
      granted = this.grant(space);
      eng.tick(inValid, word >>> 0, this.ready);
    }
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

  /** step() cycle after cycle in one call (WeightSource.advance). */
  advance(fifo: WordFifo, space: number, limits: AdvanceLimits, out: AdvanceResult): void {
    startStretch(out, space);
    const eng = this.engine;
    // idle cycles in a row, the last one included (goesOnIdle)
    let idleRun = 0;
    for (;;) {
      // between the lanes' first and last symbols the timing model runs many cycles in one call
      // (every weight to the buffer: not under activation sparsity, where some are dropped)
      if (eng.runSteady && !this.laneNeeded) {
        const held = fifo.count;
        const left = out.lastSpace - out.lastDelivered;
        // the stretch ends with the maxPops-th pop or (unless pastEmpty) the one that empties the
        // FIFO; from an empty FIFO (nothing lands in a stretch) no pop comes, and only maxPops ≤ 0
        // ends it at once
        const popsLeft = limits.maxPops - out.popped;
        const stopAfter = popsLeft <= 0 ? 0 : held === 0 || limits.pastEmpty ? popsLeft : Math.min(popsLeft, held);
        eng.popLog = limits.pops;
        limits.pops.base = out.cycles;
        const n = eng.runSteady(cycleLimit(limits, out) - out.cycles, left, Math.min(held, this.words - this.fed),
          stopAfter, limits.maxDeliver - out.delivered);
        if (n > 0) {
          if (out.cycles > 0 && out.lastDelivered === 0 && left <= 0) out.blocked++; // the cycle before: not the last
          const taken = eng.lastAccepts!;
          const given = eng.lastDelivered!;
          fifo.drop(taken);
          this.fed += taken;
          this.emitted += given;
          out.cycles += n;
          out.delivered += given;
          out.popped += taken;
          out.blocked += eng.lastBlocked!;
          out.lastDelivered = eng.lastCycleDelivered!;
          out.lastPopped = eng.lastCycleAccepted ? 1 : 0;
          out.lastHasWord = held - taken + out.lastPopped > 0;
          out.lastSpace = left - given + out.lastDelivered;
          if (out.lastDelivered === 0 && out.lastPopped === 0) {
            // (the cycles of the call before its last moved something)
            idleRun = n > 1 ? 1 : idleRun + 1;
            if (!this.holdQuiet(fifo, limits, out)) {
              if (this.goesOnIdle(fifo, limits, out, idleRun)) continue;
              return;
            }
            // (the usual stretch of a well-fed chip: held groups one after another, in one loop)
            if (eng.followHeld) {
              const delivered = out.delivered;
              const taken = eng.followHeld(limits, out, fifo.count, this.words - this.fed, this.weights - this.emitted);
              fifo.drop(taken);
              this.fed += taken;
              this.emitted += out.delivered - delivered;
              if (out.cycles >= limits.maxCycles) return;
            }
            idleRun = 0;
            continue;
          }
          idleRun = 0;
          if (stretchEnds(out, limits, fifo)) return;
          continue;
        }
      }
      const ends = stepInto(this, fifo, out, limits);
      const idle = out.lastDelivered === 0 && out.lastPopped === 0;
      idleRun = idle ? idleRun + 1 : 0;
      if (!ends) continue;
      if (!idle) return;
      if (this.holdQuiet(fifo, limits, out)) idleRun = 0;
      else if (!this.goesOnIdle(fifo, limits, out, idleRun)) return;
    }
  }

  /**
   * After an idle last cycle that holdQuiet did not hold (the engine not quiescent: a lane still
   * fills its output register, or the buffer has room): true when the stretch goes on through it
   * (AdvanceLimits.holdQuiet), to hold the engine once it is quiescent behind the full buffer. Only
   * an engine that can say it is quiescent (quiescent()), and for at most settleCycles idle cycles
   * in a row (`idleRun`): beyond those the pipeline's own rule for a settled slot takes over.
   */
  private goesOnIdle(fifo: WordFifo, limits: AdvanceLimits, out: AdvanceResult, idleRun: number): boolean {
    if (!limits.holdQuiet || idleRun > this.settleCycles || !this.engine.quiescentSpace || this.laneNeeded ||
      stretchEnds(out, limits, fifo)) return false;
    out.idleOn++;
    return true;
  }

  /**
   * After an idle last cycle with the buffer full (AdvanceLimits.holdQuiet): the engine quiescent,
   * it is held to the stretch's next room grant, which it takes (returns true), or to its end
   * (holdToGrant).
   */
  private holdQuiet(fifo: WordFifo, limits: AdvanceLimits, out: AdvanceResult): boolean {
    // (the pipeline holds a source only while it owes weights: one that has delivered them all winds down)
    if (!limits.holdQuiet || out.lastSpace > 0 || this.emitted >= this.weights || this.progressed ||
      !this.quiescent(fifo, out.lastSpace)) return false;
    return holdToGrant(limits, out);
  }
}
