/**
 * The pipeline that joins the blocks (docs/hw/pipeline.md):
 *
 *   DRAM ──bursts──▶ weight FIFO ──words──▶ decoder slot (tANS engine | raw bypass)
 *        ──weights──▶ double-buffered weight buffer ──groups──▶ R×C MAC array
 *   DRAM ◀──────── activation spills (ifmap reads, ofmap writes) ────────── activation SRAM
 *
 * The weight path is simulated cycle by cycle over the whole network (the reader, the FIFO and
 * the decoders run ahead into the next layer as far as buffers allow); compute is analytic per
 * group of folds (src/chip/mac-array.ts). Cycle t is these steps of PipelineRun, in order:
 *
 *   1. landBursts: DRAM bursts due at t land (FIFO words, layer header bytes).
 *   2. advanceArray: a group whose compute ends at t completes; if the open layer has computed
 *      all its groups and its activation traffic has been issued, the layer ends at t and the
 *      next one opens (its activation traffic becomes pending). Then, if the array is free, the
 *      next group starts when all its weights are in the weight buffer (delivered by t − 1).
 *   3. stepDecoderSlot: begins its next layer when mayBeginLayer allows (when the layer's header
 *      has landed in the staging buffer; the source parses those bytes and is busy for the table
 *      build and load cycles it reports), or steps once, delivering at
 *      most the free weight-buffer space: the buffer has two halves, so weights of group g + 1
 *      may arrive while group g computes, and none of group g + 2.
 *   4. issueDram: DRAM earns credit and issues bursts (src/chip/dram.ts).
 *   5. accountCycle: a cycle in which the array computes is a compute cycle; any other cycle is
 *      a stall of the open layer, by cause (cycleKind; first that applies):
 *        activation  the layer's compute is done, its activation DRAM traffic is not
 *        header      the slot waits for the layer's header to land, or builds and loads its table
 *        decoder     (layers of a decoder, WeightSource.isDecoder) the FIFO holds words, or the
 *                    decoder has taken all the layer's words: the decoders are the limit. The
 *                    raw bypass is as wide as
 *                    DRAM, so a raw layer waiting on a non-empty FIFO waits on burst
 *                    granularity: counted as dram.
 *        fifo        the FIFO is empty and the reader may not issue because all FIFO space is
 *                    promised to bursts in flight: the FIFO is too shallow for the DRAM latency
 *        dram        the FIFO is empty otherwise: DRAM bandwidth or latency (or activations
 *                    taking the channel)
 *   6. skipQuietCycles: once the weight source has been still for its `settleCycles` and nothing
 *      can change but credit and the activation port, the model jumps to the next event (the
 *      group's end, a burst landing, credit enough to issue, or the last activation burst).
 *      accountSkipped gives the skipped cycles exactly the accounting of cycle t, as stepping
 *      them would (docs/hw/pipeline.md, "Settled stretches").
 */
import type { ChipConfig } from './config.js';
import { Dram, type DramImage, type DramTraceSink } from './dram.js';
import type { DeviceStats } from './dram-timing.js';
import { WordFifo } from './fifo.js';
import type { LayerMapping } from './mac-array.js';
import type { CodecId } from '../codecs/codec.js';
import type { AdvanceLimits, AdvanceResult, SourceLayer, WeightSource } from './weight-source.js';

export interface ChipLayer extends SourceLayer, DramImage {
  mapping: LayerMapping;
  /** activation bytes this layer reads from / writes to DRAM */
  actReadBytes: number;
  actWriteBytes: number;
}

export const STALL_CAUSES = ['dram', 'fifo', 'decoder', 'header', 'activation'] as const;
export type StallCause = typeof STALL_CAUSES[number];

export interface LayerTiming {
  /** cycle the layer opened (the previous one ended) and ended */
  start: number;
  end: number;
  /** array busy cycles (= SCALE-Sim compute cycles of the layer) */
  compute: number;
  stalls: Record<StallCause, number>;
  /** decoder slot: cycle it began the layer (table load included) and delivered its last weight */
  sourceStart: number;
  sourceEnd: number;
  /** table/descriptor load cycles */
  sourceLoad: number;
  /** slot cycles with no weight out because the weight buffer was full (compute backpressure) */
  sourceBlocked: number;
  /** slot cycles with no weight out and an empty FIFO (starved) */
  sourceStarved: number;
  /** accesses counted for the energy report: FIFO words pushed (landed) and popped, weights into the weight buffer */
  fifoPushWords: number;
  fifoPopWords: number;
  weightsDelivered: number;
}

/**
 * The ways the model skips a quiet stretch (skipQuietCycles):
 * - `nextEvent`: no activation traffic pending; jump to the next group end, burst landing or the
 *   cycle the reader's credit covers its burst (whichever comes first);
 * - `groupEnd`: activation traffic is pending and the reader may issue nothing (blocked by a full
 *   FIFO, or done); jump to the group's end or the next landing, the activation port draining
 *   meanwhile;
 * - `activationDrain`: the layer has computed everything, only its activation traffic is left
 *   and the reader is idle; jump to the cycle the last activation burst issues;
 * - `landings`: the array computes, the reader waits for FIFO room and the FIFO holds words; land
 *   the word bursts due before the group ends and jump to its end (skipLandings);
 * - `creditWait`: activation traffic is pending and the reader waits for the credit of its burst;
 *   jump to the next landing, group end or the cycle the credit covers the burst, the two
 *   requesters taking turns meanwhile (Dram.waitForCredit).
 */
export const QUIET_SKIP_KINDS = ['nextEvent', 'groupEnd', 'activationDrain', 'landings', 'creditWait'] as const;
export type QuietSkipKind = typeof QUIET_SKIP_KINDS[number];
/** Indices into QUIET_SKIP_KINDS (counted in an array: a store keyed by name costs more than the skip's own bookkeeping). */
const NEXT_EVENT = 0;
const GROUP_END = 1;
const ACTIVATION_DRAIN = 2;
const LANDINGS = 3;
const CREDIT_WAIT = 4;
type SkipKind = number;

export interface PipelineResult {
  totalCycles: number;
  layers: LayerTiming[];
  dramWeightBytes: number;
  dramHeaderBytes: number;
  dramActBytes: number;
  /** cycles the DRAM reader had words to read but no FIFO room (FIFO full) */
  fifoFullCycles: number;
  /** most bytes (weights, tables, activations) issued in one aligned PEAK_WINDOW_CYCLES window */
  peakWindowBytes: number;
  /** loop iterations actually simulated (the rest were skipped as quiet) */
  simulatedCycles: number;
  /** quiet stretches skipped, by kind (a diagnostic: the tests check each kind is exercised) */
  quietSkips: Record<QuietSkipKind, number>;
  /** stretches of more than one cycle the decoder slot was stepped through in bulk (a diagnostic) */
  bulkStretches: number;
  /** weight bursts the DRAM reader issued inside those stretches, replayed after them (a diagnostic) */
  bulkIssues: number;
  /** bursts that landed inside those stretches, landed after them (a diagnostic) */
  bulkLandings: number;
  /** cycles of those stretches in which the source was held quiescent, blocked by the buffer (a diagnostic) */
  bulkHeldCycles: number;
  /** idle cycles of those stretches the source went on through, not yet quiescent (a diagnostic) */
  bulkIdleCycles: number;
  /** groups the array started inside those stretches, the source held behind the full buffer (a diagnostic) */
  bulkGroups: number;
  /** groups of the array skipped as repeats of a period before them (a diagnostic; skipPeriods) */
  periodGroups: number;
  /** row-buffer hits, activates, refreshes of a detailed DRAM (null with `dram: simple`) */
  dramDevice: DeviceStats | null;
}

/** What a progress report of a run knows: enough for a rate (cycles per second) and an ETA. */
export interface PipelineProgress {
  /** loop iterations stepped so far (the rest of `cycle` was skipped as quiet) */
  steps: number;
  /** the network's compute cycles (SCALE-Sim's): a lower bound of the run's cycles */
  computeCycles: number;
}

export interface PipelineOptions {
  /** called every 65,536 loop iterations: the open layer, the layer count, the chip cycle reached */
  onProgress?: (layer: number, layers: number, cycle: number, progress: PipelineProgress) => void;
  /**
   * Skip quiet stretches (default true). False steps every cycle, a settled source still held:
   * the tests compare both to check that a skip accounts exactly what the stepped cycles would.
   */
  skipQuietStretches?: boolean;
  /**
   * Jump over repeated periods of groups (default true; only with skipQuietStretches): the tests
   * compare runs with and without to check that a jump counts exactly what the periods would.
   */
  skipRepeatedPeriods?: boolean;
  /** every DRAM column access of a detailed DRAM model (`--dram-trace`) */
  dramTrace?: DramTraceSink;
}

export function runPipeline(cfg: ChipConfig, layers: readonly ChipLayer[], sourceOf: (codec: CodecId) => WeightSource,
  opts: PipelineOptions = {}): PipelineResult {
  return new PipelineRun(cfg, layers, sourceOf, opts.skipQuietStretches ?? true, opts.skipRepeatedPeriods ?? true, opts.dramTrace).run(opts);
}

/** A source that does not say how long it takes to settle is stepped this long before it is held. */
const DEFAULT_SETTLE_CYCLES = 16;

/**
 * What a cycle of the open layer is: compute, or a stall by cause. Indices into
 * PipelineRun.openCycles; STALL_CAUSES[k] is kind k + 1.
 */
const COMPUTE = 0;
const DRAM_STALL = 1;
const FIFO_STALL = 2;
const DECODER_STALL = 3;
const HEADER_STALL = 4;
const ACTIVATION_STALL = 5;
type CycleKind = number;

/** Global group tables over the whole network: the array works through groups in order. */
interface GroupTables {
  /** groups in the network */
  count: number;
  /** compute cycles of each group */
  cycles: Float64Array;
  /** inclusive prefix sums of group weights: weights of groups 0..g */
  cumWeights: Float64Array;
  /** the last group of each layer */
  lastGroupOf: Int32Array;
}

/**
 * Tables already made, by the layers' mappings (mapLayer shares a mapping between runs on one
 * array: a sweep's int8 baselines and points on it share their tables, 6 MB on an 8×8 array).
 * Read only, as the mappings are.
 */
const tablesMemo = new WeakMap<LayerMapping, Array<{ mappings: LayerMapping[]; tables: GroupTables }>>();
const TABLES_PER_FIRST_MAPPING = 8;

function groupTables(layers: readonly ChipLayer[]): GroupTables {
  const first = layers[0].mapping;
  let made = tablesMemo.get(first);
  if (made) {
    for (const e of made) if (e.mappings.length === layers.length && e.mappings.every((m, i) => m === layers[i].mapping)) return e.tables;
  } else {
    tablesMemo.set(first, (made = []));
  }
  const tables = computeGroupTables(layers);
  made.push({ mappings: layers.map((l) => l.mapping), tables });
  if (made.length > TABLES_PER_FIRST_MAPPING) made.shift();
  return tables;
}

function computeGroupTables(layers: readonly ChipLayer[]): GroupTables {
  let count = 0;
  for (const l of layers) count += l.mapping.groupWeights.length;
  const cycles = new Float64Array(count);
  const cumWeights = new Float64Array(count);
  const lastGroupOf = new Int32Array(layers.length);
  let g = 0;
  let acc = 0;
  layers.forEach((layer, li) => {
    const m = layer.mapping;
    for (let k = 0; k < m.groupWeights.length; k++, g++) {
      acc += m.groupWeights[k];
      cumWeights[g] = acc;
      cycles[g] = m.groupCycles[k];
    }
    lastGroupOf[li] = g - 1;
  });
  return { count, cycles, cumWeights, lastGroupOf };
}

/** Group ends one bulk stretch may span (the room grants it offers the source). */
const MAX_GRANTS = 64;
/** How many more words than the layer's mean a stretch's groups are assumed to need (grantRooms). */
const GRANT_MARGIN = 1.25;

/** Group starts compared for a repeated period (skipPeriods): periods of up to this many groups. */
const MAX_PERIOD_GROUPS = 64;
/** Where the DRAM's counts start in PeriodSnap.ctr (after the pipeline's 12), and the reader's words among them. */
const DRAM_COUNTS_AT = 12;
const READER_WORDS_AT = DRAM_COUNTS_AT + 3;

/** The run's state at a group start, for skipPeriods. */
interface PeriodSnap {
  t: number;
  /** the group that started */
  group: number;
  /** the DRAM's issue log up to here (Dram.issueMark) */
  mark: number;
  /** what must be equal at two group starts: the state as seen from t, positions relative */
  sig: number[];
  /** what grows by the same amount in every period */
  ctr: number[];
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The state of one run and its per-cycle steps. */
class PipelineRun {
  private readonly groups: GroupTables;
  /** each layer's weight source (looked up once: cycleKind asks every cycle) */
  private readonly sources: readonly WeightSource[];
  private readonly timing: LayerTiming[];
  private readonly fifo: WordFifo;
  private readonly dram: Dram;

  private t = 0;
  private iterations = 0;
  /** quiet stretches skipped, per kind (QUIET_SKIP_KINDS order) */
  private readonly quietSkips = new Float64Array(QUIET_SKIP_KINDS.length);

  // array
  /** the open layer (the one the array computes or stalls for) */
  private curLayer = 0;
  private nextGroup = 0;
  private computing = false;
  private computeEnd = 0;
  /** the open layer has computed all its groups (it may still wait for its activation traffic) */
  private layerComputeDone = false;
  /** compute cycles and stalls by kind of the open layer (flushed into timing at layer end) */
  private readonly openCycles = [0, 0, 0, 0, 0, 0];

  // decoder slot
  /** the layer the slot works on (runs ahead of curLayer) */
  private srcLayer = 0;
  private srcBegun = false;
  /** load cycles left before the source's first step */
  private srcBusy = 0;
  /** the layer the source prepares in the background (WeightSource.preload), or -1; its header and
   *  the cycle from which its preparation no longer holds the slot */
  private preloadedLayer = -1;
  private preloadPrefix: Uint8Array = new Uint8Array(0);
  private preloadReadyAt = 0;
  private srcDelivered = 0;
  private srcPopped = 0;
  private source: WeightSource;
  /** weights delivered into the weight buffer over the whole network */
  private delivered = 0;
  /** settling: cycles since the slot last did anything or saw its inputs change */
  private srcQuiet = 0;
  private settleCycles = DEFAULT_SETTLE_CYCLES;
  private lastHasWord = false;
  private lastSpace = -1;

  // bulk stepping (advanceSource)
  private readonly bulkLimits: AdvanceLimits;
  /** the stretch bulkCycles sized spans the reader's issues (replayed after it), not only its waits */
  private bulkSpansIssues = false;
  /** the stretch bulkCycles sized spans word landings too (landed after it), its pops held to the words the FIFO holds */
  private bulkSpansLandings = false;
  private readonly bulk: AdvanceResult = { cycles: 0, delivered: 0, popped: 0, blocked: 0, held: 0, idleOn: 0, granted: 0, lastDelivered: 0, lastPopped: 0, lastHasWord: false, lastSpace: 0 };
  private bulkStretches = 0;
  private bulkIssues = 0;
  private bulkLandings = 0;
  private bulkHeldCycles = 0;
  private bulkIdleCycles = 0;
  private bulkGroups = 0;

  // repeated periods (skipPeriods)
  /** the fast mode with a DRAM whose timing repeats (fixed latency) */
  private readonly periodsOn: boolean;
  /** periodsOn and the open layer's source can be jumped over (it logs the DRAM's issues meanwhile) */
  private periodLayer = false;
  /** the state at the last few group starts of the open layer, oldest first */
  private readonly periodSnaps: PeriodSnap[] = [];
  private periodGroups = 0;

  // set by stepDecoderSlot for the rest of the cycle
  /** the slot spent this cycle building or loading a table */
  private loadingNow = false;
  /** the slot held a settled source this cycle (it is on a layer, past its load) */
  private slotSettled = false;
  /** the slot cannot change until an input does: it held a settled source or had no layer left */
  private slotFrozen = false;

  constructor(cfg: ChipConfig, private readonly layers: readonly ChipLayer[],
    sourceOf: (codec: CodecId) => WeightSource, private readonly skipQuiet: boolean, repeatPeriods: boolean, dramTrace?: DramTraceSink) {
    this.groups = groupTables(layers);
    this.sources = layers.map((l) => sourceOf(l.codec));
    this.timing = layers.map(() => ({
      start: 0, end: 0, compute: 0, stalls: { dram: 0, fifo: 0, decoder: 0, header: 0, activation: 0 },
      sourceStart: 0, sourceEnd: 0, sourceLoad: 0, sourceBlocked: 0, sourceStarved: 0,
      fifoPushWords: 0, fifoPopWords: 0, weightsDelivered: 0,
    }));
    this.fifo = new WordFifo(cfg.fifoDepth, this.sources.some((s) => s.readsWordValues));
    // (a stretch pops at most the words the FIFO held when it began: what lands in it, it does not see)
    this.bulkLimits = { maxCycles: 0, maxPops: 0, maxDeliver: 0, pastEmpty: false, holdQuiet: false,
      grants: { at: new Float64Array(MAX_GRANTS), room: new Float64Array(MAX_GRANTS), n: 0 }, pops: { at: new Int32Array(cfg.fifoDepth), n: 0, base: 0 } };
    this.dram = new Dram(cfg, layers, dramTrace);
    this.dram.openActivations(layers[0].actReadBytes, layers[0].actWriteBytes);
    this.source = this.sources[0];
    this.periodsOn = skipQuiet && repeatPeriods && this.dram.fixedLatency;
    this.openPeriods();
  }

  run(opts: PipelineOptions): PipelineResult {
    const L = this.layers.length;
    const computeCycles = this.layers.reduce((a, l) => a + l.mapping.computeCycles, 0);
    for (;;) {
      this.iterations++;
      if ((this.iterations & 0xffff) === 0 && opts.onProgress) {
        opts.onProgress(this.curLayer, L, this.t, { steps: this.iterations, computeCycles });
      }
      this.landBursts();
      if (!this.advanceArray()) break;
      this.stepDecoderSlot();
      this.issueDram();
      const kind = this.accountCycle();
      this.skipQuietCycles(kind);
      this.t++;
    }
    const { dram, timing } = this;
    timing.forEach((tm, i) => { tm.fifoPushWords = dram.fifoPushWords[i]; });
    return {
      totalCycles: timing[L - 1].end,
      layers: timing,
      dramWeightBytes: dram.weightBytesIssued,
      dramHeaderBytes: dram.headerBytesIssued,
      dramActBytes: dram.actBytesIssued,
      fifoFullCycles: dram.fifoFullCycles,
      peakWindowBytes: dram.peakWindowBytes,
      simulatedCycles: this.iterations,
      quietSkips: Object.fromEntries(QUIET_SKIP_KINDS.map((k, i) => [k, this.quietSkips[i]])) as Record<QuietSkipKind, number>,
      bulkStretches: this.bulkStretches,
      bulkIssues: this.bulkIssues,
      bulkLandings: this.bulkLandings,
      bulkHeldCycles: this.bulkHeldCycles,
      bulkIdleCycles: this.bulkIdleCycles,
      bulkGroups: this.bulkGroups,
      periodGroups: this.periodGroups,
      dramDevice: dram.deviceStats,
    };
  }

  // 1.
  private landBursts(): void {
    if (this.dram.inflight > 0) this.dram.land(this.t, this.fifo);
  }

  // 2. Returns false when the last layer has ended.
  private advanceArray(): boolean {
    if (this.computing && this.computeEnd <= this.t) {
      this.computing = false;
      if (this.nextGroup - 1 === this.groups.lastGroupOf[this.curLayer]) this.layerComputeDone = true;
    }
    if (this.computing) return true;
    if (this.layerComputeDone && this.dram.actPending === 0) {
      this.closeLayer();
      if (this.curLayer >= this.layers.length) return false;
    }
    if (!this.layerComputeDone && this.delivered >= this.groups.cumWeights[this.nextGroup]) {
      this.computing = true;
      this.startGroup(this.t);
      if (this.periodLayer) this.skipPeriods();
    }
    return true;
  }

  /** The array starts its next group in cycle `at` (its weights all in the buffer). */
  private startGroup(at: number): void {
    this.computeEnd = at + this.groups.cycles[this.nextGroup];
    this.nextGroup++;
  }

  /**
   * Repeated periods (docs/hw/pipeline.md): at a group start, when the whole state of the run as
   * seen from this cycle (FIFO, reader, bursts in flight, slot, buffer) is the state of a group
   * start p groups ago, and the groups ahead repeat the p groups before, the run repeats that
   * period exactly: its counts grow by the same amount and its DRAM issues recur a period later.
   * The model then jumps over as many whole periods as the layer allows, to the group start where
   * the repeats end, with every count as stepping would leave it. Only for a source that never
   * reads the values of its words (the raw bypass of the int8 baseline and of raw layers).
   */
  private skipPeriods(): void {
    const snaps = this.periodSnaps;
    const now = this.periodSnapshot();
    if (!now) {
      this.forgetPeriods();
      return;
    }
    for (let i = snaps.length - 1; i >= 0; i--) {
      const then = snaps[i];
      if (!sameNumbers(then.sig, now.sig)) continue;
      const k = this.periodsAhead(then, now);
      if (k > 0) {
        this.jumpPeriods(then, now, k);
        this.forgetPeriods();
        return;
      }
    }
    snaps.push(now);
    if (snaps.length > MAX_PERIOD_GROUPS) snaps.shift();
    this.dram.forgetIssuesBefore(snaps[0].mark);
  }

  /** The state at this group start (null where a skip would not be exact): what must repeat, and the counts. */
  private periodSnapshot(): PeriodSnap | null {
    const { source, dram, fifo, t } = this;
    const li = this.curLayer;
    if (!this.srcBegun || this.srcBusy > 0 || this.srcLayer !== li || dram.readLayer !== li || this.preloadedLayer > li ||
      source.periodState === undefined) return null;
    const state = source.periodState();
    if (Number.isNaN(state)) return null;
    // (the group's compute cycles are compared with the groups' pattern, in periodsAhead)
    const sig: number[] = [li, this.delivered - this.groups.cumWeights[this.nextGroup - 1], Math.min(this.srcQuiet, this.settleCycles),
      this.lastHasWord ? 1 : 0, this.lastSpace, fifo.count, fifo.reserved, state];
    const tm = this.timing[li];
    const c = this.openCycles;
    // (DRAM_COUNTS_AT of them; jumpPeriods adds them in this order)
    const ctr: number[] = [c[0], c[1], c[2], c[3], c[4], c[5], tm.sourceBlocked, tm.sourceStarved, this.srcPopped, this.srcDelivered,
      this.delivered, source.periodPosition!()];
    if (!dram.periodState(t, sig, ctr)) return null;
    return { t, group: this.nextGroup - 1, mark: dram.issueMark(), sig, ctr };
  }

  /**
   * How many periods from `now` on repeat the one from `then`: the groups they read (from the one
   * starting now to two past the last started in them) must repeat the period's, within the open
   * layer, and the reader and the slot must stay clear of the layer's end (no partial burst or
   * word, the slot's stretches not limited by the layer's weights).
   */
  private periodsAhead(then: PeriodSnap, now: PeriodSnap): number {
    const { cycles, cumWeights, lastGroupOf } = this.groups;
    const p = now.group - then.group;
    const g = now.group;
    const li = this.curLayer;
    const first = li > 0 ? lastGroupOf[li - 1] + 1 : 0;
    const last = lastGroupOf[li] - 1;
    const weightsOf = (x: number) => cumWeights[x] - (x > 0 ? cumWeights[x - 1] : 0);
    let y = Math.max(g - 1, first + p);
    while (y <= last && cycles[y] === cycles[y - p] && weightsOf(y) === weightsOf(y - p)) y++;
    let k = Math.floor((y - 1 - g - 2) / p);
    const wordsPerPeriod = now.ctr[READER_WORDS_AT] - then.ctr[READER_WORDS_AT];
    if (!(wordsPerPeriod > 0)) return 0;
    k = Math.min(k, Math.floor((this.dram.readerWordsLeft - this.dram.burstWords - 1) / wordsPerPeriod));
    const layerStart = first > 0 ? cumWeights[first - 1] : 0;
    const params = this.layers[li].params;
    // (for the raw bypass the reader's bound implies this one: it cannot deliver words not yet read)
    while (k > 0 && params - (cumWeights[g + k * p + 2] - layerStart) < this.source.lanes) k--;
    return k;
  }

  /** Jumps over k periods of `now.t − then.t` cycles from `now`: every count as k repeats would leave it. */
  private jumpPeriods(then: PeriodSnap, now: PeriodSnap, k: number): void {
    // (a typed array: a plain one changes its elements' kind with the values, and every change
    // threw the DRAM's optimized skipPeriods away)
    const d = new Float64Array(now.ctr.length);
    for (let i = 0; i < d.length; i++) d[i] = now.ctr[i] - then.ctr[i];
    const period = now.t - then.t;
    const c = this.openCycles;
    for (let i = 0; i < 6; i++) c[i] += k * d[i];
    const tm = this.timing[this.curLayer];
    tm.sourceBlocked += k * d[6];
    tm.sourceStarved += k * d[7];
    this.srcPopped += k * d[8];
    this.fifo.turn(k * d[8]);
    this.srcDelivered += k * d[9];
    this.delivered += k * d[10];
    this.source.skipPeriods!(k * d[11]);
    this.dram.skipPeriods(k, period, then.mark, now.mark, d, DRAM_COUNTS_AT);
    this.t += k * period;
    this.computeEnd += k * period;
    this.nextGroup += k * (now.group - then.group);
    this.periodGroups += k * (now.group - then.group);
  }

  /** Ends the open layer at t and opens the next one (if any), whose activation traffic becomes pending. */
  private closeLayer(): void {
    const tm = this.timing[this.curLayer];
    const c = this.openCycles;
    tm.end = this.t;
    tm.compute = c[COMPUTE];
    tm.stalls.dram = c[DRAM_STALL];
    tm.stalls.fifo = c[FIFO_STALL];
    tm.stalls.decoder = c[DECODER_STALL];
    tm.stalls.header = c[HEADER_STALL];
    tm.stalls.activation = c[ACTIVATION_STALL];
    c.fill(0);
    this.curLayer++;
    if (this.curLayer >= this.layers.length) return;
    this.timing[this.curLayer].start = this.t;
    this.layerComputeDone = false;
    const next = this.layers[this.curLayer];
    this.dram.openActivations(next.actReadBytes, next.actWriteBytes);
    this.openPeriods();
  }

  /** A layer opens: periods are looked for in it if its source can be jumped over (skipPeriods). */
  private openPeriods(): void {
    this.periodLayer = this.periodsOn && this.sources[this.curLayer].periodState !== undefined;
    this.dram.logIssues = this.periodLayer;
    this.forgetPeriods();
  }

  /** No group start before this one can begin a period: the states kept and the issues logged are dropped. */
  private forgetPeriods(): void {
    this.periodSnaps.length = 0;
    this.dram.forgetIssuesBefore(this.dram.issueMark());
  }

  /**
   * Free weight-buffer room: half A holds group d (computing or waiting; d = groups finished),
   * half B fills with group d + 1; nothing of group d + 2 may arrive.
   */
  private bufferSpace(): number {
    const { count, cumWeights } = this.groups;
    const finished = this.nextGroup - (this.computing ? 1 : 0);
    return cumWeights[finished + 1 < count ? finished + 1 : count - 1] - this.delivered;
  }

  // 3.
  private stepDecoderSlot(): void {
    this.loadingNow = false;
    this.slotSettled = false;
    this.slotFrozen = this.srcLayer >= this.layers.length;
    if (this.slotFrozen) return;
    const space = this.bufferSpace();
    let active = false;
    if (!this.srcBegun && this.mayBeginLayer(this.srcLayer)) {
      this.beginLayer();
      active = true;
    }
    if (this.srcBegun) {
      if (this.srcBusy > 0) {
        this.srcBusy--;
        this.loadingNow = true;
        active = true;
      } else if (this.stepSource(space)) {
        active = true;
      }
    }
    if (this.srcBegun && this.srcBusy === 0 && this.preloadNext()) active = true;
    if (active) this.srcQuiet = 0;
    else this.srcQuiet++;
    this.slotFrozen = this.slotSettled;
  }

  /**
   * The one place that decides whether the slot may begin a layer (its previous layer is done):
   * when the layer's header (record prefix) has landed in the staging buffer.
   */
  private mayBeginLayer(li: number): boolean {
    return this.layers[li].prefix.length === 0 || this.preloadedLayer === li || this.dram.headerLanded(li);
  }

  /**
   * While a layer runs, hands the next layer's landed header to a source that prepares layers in
   * the background (WeightSource.preload). Returns true when it did.
   */
  private preloadNext(): boolean {
    if (!this.preloadDue()) return false;
    const li = this.srcLayer + 1;
    const next = this.layers[li];
    this.preloadPrefix = this.dram.stagedHeader();
    this.dram.releaseStagedHeader();
    this.preloadedLayer = li;
    this.preloadReadyAt = this.t + this.source.preload!(next, this.preloadPrefix);
    return true;
  }

  /** preloadNext would hand the next layer's header to the source in this cycle. */
  private preloadDue(): boolean {
    const li = this.srcLayer + 1;
    if (li >= this.layers.length || this.preloadedLayer === li || !this.source.preload) return false;
    const next = this.layers[li];
    return next.prefix.length > 0 && this.sources[li] === this.source && this.dram.headerLanded(li);
  }

  private beginLayer(): void {
    const li = this.srcLayer;
    const layer = this.layers[li];
    this.source = this.sources[li];
    this.settleCycles = this.source.settleCycles ?? DEFAULT_SETTLE_CYCLES;
    const preloaded = this.preloadedLayer === li;
    const header = preloaded ? this.preloadPrefix : layer.prefix.length > 0 ? this.dram.stagedHeader() : layer.prefix;
    if (!preloaded && layer.prefix.length > 0) this.dram.releaseStagedHeader();
    this.srcBusy = this.source.begin(layer, header);
    if (preloaded) this.srcBusy = Math.max(this.srcBusy, this.preloadReadyAt - this.t);
    // a new layer is a change of input: the source is not settled until it has been still again
    this.srcQuiet = 0;
    this.lastSpace = -1;
    this.srcBegun = true;
    this.srcPopped = 0;
    this.timing[li].sourceStart = this.t;
    this.timing[li].sourceLoad = this.srcBusy;
  }

  /** One cycle of a begun, loaded source. Returns true when it transferred or finished the layer. */
  private stepSource(firstSpace: number): boolean {
    let space = firstSpace;
    const layer = this.layers[this.srcLayer];
    const { fifo, source } = this;
    // A source that has done nothing for its settleCycles with unchanged inputs (FIFO head
    // present or not, buffer space) is settled: stepping it again changes nothing.
    const hasWord = fifo.count > 0;
    if (hasWord !== this.lastHasWord || space !== this.lastSpace) this.srcQuiet = 0;
    this.lastHasWord = hasWord;
    this.lastSpace = space;
    this.slotSettled = this.srcDelivered < layer.params &&
      (this.srcQuiet >= this.settleCycles || (this.skipQuiet && source.quiescent !== undefined && source.quiescent(fifo, space)));
    let active = false;
    let d = 0;
    if (!this.slotSettled) {
      // (not in the cycle the next layer's header goes to the source: that frees the staging buffer,
      // and the DRAM reader may then fetch the following header)
      const maxCycles = this.preloadDue() ? 0 : this.bulkCycles();
      let popped: number;
      if (maxCycles > 1 && source.advance) {
        // (a stretch ends after a cycle without transfer, so `progressed` is that last cycle's)
        d = this.advanceSource(source, space, maxCycles, layer);
        popped = this.bulk.lastPopped;
        space = this.bulk.lastSpace;
      } else {
        d = source.step(fifo, space);
        popped = source.popped;
      }
      if (d > 0 || popped > 0 || source.progressed) active = true;
      this.srcPopped += popped;
    }
    if (d > 0) {
      this.delivered += d;
      this.srcDelivered += d;
    } else if (this.srcDelivered < layer.params) {
      this.countSlotIdle(1, space);
    } // else: delivered everything, the source is winding down
    if (this.srcDelivered >= layer.params && source.layerDone) {
      this.timing[this.srcLayer].sourceEnd = this.t + 1;
      this.timing[this.srcLayer].fifoPopWords = this.srcPopped;
      this.timing[this.srcLayer].weightsDelivered = this.srcDelivered;
      this.srcLayer++;
      this.srcBegun = false;
      this.srcDelivered = 0;
      active = true;
    }
    return active;
  }

  /**
   * How many cycles from t on the slot may be stepped in bulk (WeightSource.advance): while the
   * array computes its group, or waits for the weights of the next one (its layer not yet
   * computed), and no burst lands (or only word bursts the source cannot tell from none, below).
   * 0 when bulk stepping is off or not possible.
   *
   * The DRAM reader's steps of those cycles are replayed after the slot's (Dram.replayStretch,
   * from the cycles the slot popped its words in). With a fixed DRAM latency the stretch may span
   * the reader's issues: it ends within the latency, before a burst issued in it could land, and
   * every cycle of it is the same kind (computing, or a FIFO holding words throughout: decoder
   * or DRAM bound by the open layer's source, not by the reader). Otherwise the reader must not
   * issue inside: the stretch ends at the pop that makes room for its burst, and by the cycle its
   * credit covers the burst (activation bursts in between only spend credit).
   */
  private bulkCycles(): number {
    this.bulkLimits.grants.n = 0;
    if (!this.skipQuiet || this.layerComputeDone) return 0;
    const { dram, t, fifo } = this;
    let m = this.computing ? this.computeEnd - t : Infinity;
    this.bulkSpansIssues = dram.fixedLatency && (this.computing || fifo.count > 0);
    // A source that leaves in the FIFO the most words it pops in a cycle sees the same FIFO whether
    // bursts land or not (and the FIFO holds words throughout: the cycles stay of one kind), and a
    // landing leaves the reader's room as it was: the stretch may then span word landings, to the
    // group's end or the weights it waits for (not header landings, which may start a preload,
    // nor headers the reader could request in it: it requests at most the FIFO's depth in words
    // meanwhile). Only from a FIFO at least half full: from a fuller one the stretch would end at
    // the next landing, from an emptier one (while computing) it goes on past the pop that empties
    // it (pastEmpty), which its held pops would end.
    this.bulkSpansLandings = this.bulkSpansIssues && 2 * fifo.count >= fifo.depth && this.spanPops() > 0 && dram.wordsOnlyFor(fifo.depth);
    if (this.bulkSpansLandings) {
      if (!this.computing) return dram.wordsOnlyUntil(Infinity) - t;
      // while the array computes, the stretch may go on over its next groups (grantRooms)
      const n = dram.wordsOnlyUntil(this.grantRooms()) - t;
      const grants = this.bulkLimits.grants;
      while (grants.n > 0 && grants.at[grants.n - 1] >= n) grants.n--;
      return n;
    }
    if (dram.inflight > 0) m = Math.min(m, dram.nextArrival - t);
    if (this.bulkSpansIssues) return Math.min(m, dram.latency);
    if (dram.weightWanted) m = Math.min(m, dram.cyclesToIssue());
    return m;
  }

  /**
   * Offers the source of a stretch from t that spans landings while the array computes its group
   * the room of the groups after (AdvanceLimits.grants), within the open layer, and returns the
   * cycle the last of those groups ends (the group's end without grants). When the group ends with
   * the next group's weights in the buffer (the source held behind it), the next starts at once
   * and the buffer's freed half takes the group after; the source takes that grant only then.
   */
  private grantRooms(): number {
    const grants = this.bulkLimits.grants;
    let end = this.computeEnd;
    if (!this.source.takesGrants || this.periodLayer || this.srcLayer !== this.curLayer) return end;
    const { cycles, cumWeights, lastGroupOf } = this.groups;
    const last = lastGroupOf[this.curLayer];
    // Only groups whose words the FIFO likely holds (at the layer's mean bits per weight, with a
    // margin): a stretch that pops all it may ends inside a group, where the next one starts
    // from an emptier FIFO. (Any grants give the same figures; these give the fewest steps.)
    const layer = this.layers[this.srcLayer];
    const wordsPerWeight = (GRANT_MARGIN * layer.words) / layer.params;
    let words = (cumWeights[this.nextGroup] - this.delivered) * wordsPerWeight;
    const budget = this.spanPops();
    for (let g = this.nextGroup - 1; g + 2 <= last && grants.n < MAX_GRANTS; g++) {
      const room = cumWeights[g + 2] - cumWeights[g + 1];
      words += room * wordsPerWeight;
      if (words > budget) break;
      grants.at[grants.n] = end - this.t;
      grants.room[grants.n] = room;
      grants.n++;
      end += cycles[g + 1];
    }
    return end;
  }

  /** The words the source may pop in a stretch that spans landings (0: none, or it does not say how many it pops a cycle). */
  private spanPops(): number {
    const w = this.source.wordsPerCycle;
    return w === undefined ? 0 : Math.max(0, this.fifo.count - w + 1);
  }

  /**
   * Steps the source over a stretch of cycles t .. t + n − 1 in one call; accounts the first
   * n − 1 cycles here (their DRAM steps replayed from the cycles the source popped its words in)
   * and leaves t at the last one, which the caller finishes as a stepped cycle. Returns the last
   * cycle's weights.
   */
  private advanceSource(source: WeightSource, space: number, maxCycles: number, layer: ChipLayer): number {
    const r = this.bulk;
    // Every cycle but the last is the same kind: compute while the array computes (the stretch may
    // then go on past the pop that empties the FIFO); otherwise the stretch ends with that pop, so
    // the FIFO holds words in all of them iff it does now (with none, nothing is popped).
    const kind = this.computing ? COMPUTE : this.cycleKind();
    this.bulkLimits.maxCycles = maxCycles;
    this.bulkLimits.maxPops = this.bulkSpansLandings ? this.spanPops() : this.bulkSpansIssues ? Infinity : this.dram.popsBeforeIssue(this.fifo);
    this.bulkLimits.pastEmpty = kind === COMPUTE && !this.bulkSpansLandings;
    // (a quiescent source blocked by the full buffer stays so to the group's end, or on over the
    // groups it is granted: landings do not reach it, the reader's issues are replayed)
    this.bulkLimits.holdQuiet = kind === COMPUTE && this.bulkSpansLandings;
    this.bulkLimits.pops.n = 0;
    // waiting for a group: it starts the cycle after its last weight arrives
    this.bulkLimits.maxDeliver = this.computing ? layer.params - this.srcDelivered
      : Math.min(layer.params - this.srcDelivered, this.groups.cumWeights[this.nextGroup] - this.delivered);
    source.advance!(this.fifo, space, this.bulkLimits, r);
    const before = r.cycles - 1;
    if (before > 0) {
      const { pops } = this.bulkLimits;
      const issued = this.dram.replayStretch(this.t, before, this.fifo, pops.at, pops.n);
      if (issued > 0 && !this.bulkSpansIssues) throw new Error(`internal: a weight burst issued inside a bulk stretch from cycle ${this.t}`);
      this.bulkIssues += issued;
      this.openCycles[kind] += before;
      this.timing[this.srcLayer].sourceBlocked += r.blocked;
      this.bulkHeldCycles += r.held;
      this.bulkIdleCycles += r.idleOn;
      // the groups that started inside it, each as the one before ended (their weights were there)
      for (let i = 0; i < r.granted; i++) this.startGroup(this.computeEnd);
      this.bulkGroups += r.granted;
      const d = r.delivered - r.lastDelivered;
      this.delivered += d;
      this.srcDelivered += d;
      this.srcPopped += r.popped - r.lastPopped;
      this.t += before;
      // (bursts landing up to the last cycle land before it pops, as landBursts would land them)
      if (this.bulkSpansLandings) {
        const inflight = this.dram.inflight;
        this.dram.landWordsBefore(this.t + 1, this.fifo);
        this.bulkLandings += inflight - this.dram.inflight;
      }
      this.bulkStretches++;
      // every cycle before the last moved something: the source is not settling
      this.srcQuiet = 0;
    }
    this.lastHasWord = r.lastHasWord;
    this.lastSpace = r.lastSpace;
    return r.lastDelivered;
  }

  /** Counts n slot cycles without a weight out: blocked by a full buffer, or starved by an empty FIFO. */
  private countSlotIdle(n: number, space: number): void {
    if (space <= 0) this.timing[this.srcLayer].sourceBlocked += n;
    else if (this.fifo.count === 0) this.timing[this.srcLayer].sourceStarved += n;
  }

  // 4.
  private issueDram(): void {
    this.dram.issue(this.t, this.fifo);
  }

  // 5.
  private accountCycle(): CycleKind {
    const kind = this.cycleKind();
    this.openCycles[kind]++;
    return kind;
  }

  /** The one place that decides what a cycle of the open layer is: compute or a stall cause. */
  private cycleKind(): CycleKind {
    if (this.computing) return COMPUTE;
    if (this.layerComputeDone) return ACTIVATION_STALL;
    const open = this.layers[this.curLayer];
    const onLayer = this.srcLayer === this.curLayer;
    if (onLayer && (!this.srcBegun || this.loadingNow)) return HEADER_STALL;
    if (this.sources[this.curLayer].isDecoder && (!onLayer || this.fifo.count > 0 || this.srcPopped >= open.words)) return DECODER_STALL;
    if (this.fifo.count === 0 && this.dram.blockedByFifo) return FIFO_STALL;
    return DRAM_STALL;
  }

  // 6. With the slot settled (or out of layers), nothing changes until the next event, so the
  //    cycles up to it repeat this cycle's accounting. With activation traffic pending the channel
  //    is shared burst by burst, so the model only jumps when the reader cannot issue at all.
  private skipQuietCycles(kind: CycleKind): void {
    if (!this.slotFrozen) return;
    const { dram, t } = this;
    if (this.layerComputeDone && !this.computing) {
      if (dram.actPending > 0 && dram.inflight === 0 && !dram.weightWanted) {
        // the idle channel drains the activations in about this many cycles; it stops at the last burst
        const bound = Math.ceil((dram.actPending * 1000) / dram.bwMilli) + 2;
        this.accountSkipped(bound, kind, ACTIVATION_DRAIN);
      }
    } else if (dram.actPending === 0) {
      if (this.computing && dram.blockedByFifo && this.fifo.count > 0 && dram.inflight > 0 && dram.nextArrival < this.computeEnd) {
        this.skipLandings(kind);
        return;
      }
      let e = this.computing ? this.computeEnd : Infinity;
      if (dram.inflight > 0) e = Math.min(e, dram.nextArrival);
      if (dram.weightWanted) e = Math.min(e, t + dram.cyclesToIssue());
      if (e === Infinity) throw new Error(`internal: chip pipeline deadlocked at cycle ${t} (layer ${this.layers[this.curLayer].name})`);
      if (e - t - 1 > 0) this.accountSkipped(e - t - 1, kind, NEXT_EVENT);
    } else if (dram.weightWanted) {
      // the reader waits for credit while activation bursts share the channel: up to the next
      // event the channel's per-cycle rules are all that moves (Dram.waitForCredit)
      let e = Math.min(this.computing ? this.computeEnd : Infinity, t + dram.cyclesToIssue());
      if (dram.inflight > 0) e = Math.min(e, dram.nextArrival);
      if (e - t - 1 > 0) this.accountReplayed(e - t - 1, kind);
    } else if (this.computing || dram.inflight > 0) {
      // the reader may issue nothing (blocked by the FIFO, or done): up to the group's end or the
      // next landing only the activation port moves
      let e = this.computing ? this.computeEnd : Infinity;
      if (dram.inflight > 0) e = Math.min(e, dram.nextArrival);
      if (e - t - 1 > 0) this.accountSkipped(e - t - 1, kind, GROUP_END);
    }
  }

  /**
   * The array computes, the slot is settled with words in the FIFO, and the reader waits for FIFO
   * room: until the group ends only word bursts land. A landing turns reserved words into stored
   * ones (the room the reader waits for stays), and the slot, seeing words before and after, stays
   * settled; so each landing cycle accounts as the quiet cycles around it. The stretch ends before
   * a header burst lands (it may begin the next layer's preload).
   */
  private skipLandings(kind: CycleKind): void {
    const { dram, t } = this;
    const end = dram.wordsOnlyUntil(this.computeEnd);
    // (each landing cycle would have been stepped: one more quiet cycle of the slot's count)
    this.srcQuiet += dram.landWordsBefore(end, this.fifo);
    if (end - t - 1 > 0) this.accountSkipped(end - t - 1, kind, LANDINGS);
  }

  /**
   * Like accountSkipped(n, kind, NEXT_EVENT), for a reader waiting for credit with activation
   * traffic pending: the n cycles' DRAM steps as issue() would take them (Dram.waitForCredit),
   * which cannot issue a weight burst before its credit is earned.
   */
  private accountReplayed(n: number, kind: CycleKind): void {
    if (!this.skipQuiet) return;
    this.dram.waitForCredit(n);
    this.openCycles[kind] += n;
    if (this.slotSettled) this.countSlotIdle(n, this.lastSpace);
    this.t += n;
    this.quietSkips[CREDIT_WAIT]++;
  }

  /**
   * Skips n cycles after t that are identical to cycle t (for `activationDrain`, n is an upper
   * bound: the skip ends with the last activation burst). Everything a stepped cycle would count
   * is counted here, once for all of them: the cycle's kind, the slot's blocked/starved cycles,
   * and (in the DRAM model) credit, activation bursts and FIFO-full cycles.
   */
  private accountSkipped(n: number, kind: CycleKind, why: SkipKind): void {
    if (!this.skipQuiet) return;
    const cycles = this.dram.idleCycles(n, this.fifo, why === ACTIVATION_DRAIN);
    this.openCycles[kind] += cycles;
    if (this.slotSettled) this.countSlotIdle(cycles, this.lastSpace);
    this.t += cycles;
    this.quietSkips[why]++;
  }
}
