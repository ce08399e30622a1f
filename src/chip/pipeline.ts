/**
 * The pipeline that joins the blocks (docs/hw/pipeline.md):
 *
 *   DRAM ──bursts──▶ weight FIFO ──words──▶ decoder slot (tANS engine | raw bypass)
 *        ──weights──▶ double-buffered weight buffer ──groups──▶ R×C MAC array
 *   DRAM ◀──────── activation spills (ifmap reads, ofmap writes) ────────── activation SRAM
 *
 * The weight path is simulated cycle by cycle over the whole network (the reader, the FIFO and
 * the decoders run ahead into the next layer as far as buffers allow); compute is analytic per
 * group of folds (src/chip/mac-array.ts). Order of events within cycle t:
 *
 *   1. DRAM bursts due at t land (FIFO words, table bytes).
 *   2. Array: a group whose compute ends at t completes; if the open layer has computed all its
 *      groups and its activation traffic has been issued, the layer ends at t and the next one
 *      opens (its activation traffic becomes pending). Then, if the array is free, the next
 *      group starts when all its weights are in the weight buffer (delivered by cycle t − 1).
 *   3. Decoder slot: begins its next layer (tANS: when the table has landed; busy for the load
 *      cycles the engine reports), or steps once, delivering at most the free weight-buffer
 *      space: the buffer has two halves, so weights of group g + 1 may arrive while group g
 *      computes, and none of group g + 2.
 *   4. DRAM earns credit and issues bursts (src/chip/dram.ts).
 *   5. Accounting: a cycle in which the array computes is a compute cycle; any other cycle is a
 *      stall of the open layer, by cause (first that applies):
 *        activation  the layer's compute is done, its activation DRAM traffic is not
 *        table       the decoder waits for its table to land or is loading it
 *        decoder     (tANS layers) the FIFO holds words, or the engine has taken all the
 *                    layer's words: the decoders are the limit. The raw bypass is as wide as
 *                    DRAM, so a raw layer waiting on a non-empty FIFO waits on burst
 *                    granularity: counted as dram.
 *        fifo        the FIFO is empty and the reader may not issue because all FIFO space is
 *                    promised to bursts in flight: the FIFO is too shallow for the DRAM latency
 *        dram        the FIFO is empty otherwise: DRAM bandwidth or latency (or activations
 *                    taking the channel)
 *
 * Quiet stretches are skipped, not stepped: once the weight source has been still for its
 * `settleCycles` and nothing can change but credit and the activation port, the model jumps to
 * the next event (the group's end, a burst landing, or credit enough to issue), accounting the
 * skipped cycles exactly as stepping them would (docs/hw/pipeline.md).
 */
import type { ChipConfig } from './config.js';
import { Dram, type DramImage } from './dram.js';
import { WordFifo } from './fifo.js';
import type { LayerMapping } from './mac-array.js';
import type { SourceLayer, WeightSource } from './weight-source.js';

export interface ChipLayer extends SourceLayer, DramImage {
  mapping: LayerMapping;
  /** activation bytes this layer reads from / writes to DRAM */
  actReadBytes: number;
  actWriteBytes: number;
}

export const STALL_CAUSES = ['dram', 'fifo', 'decoder', 'table', 'activation'] as const;
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
}

export interface PipelineResult {
  totalCycles: number;
  layers: LayerTiming[];
  dramWeightBytes: number;
  dramTableBytes: number;
  dramActBytes: number;
  /** cycles the DRAM reader had words to read but no FIFO room (FIFO full) */
  fifoFullCycles: number;
  /** most bytes (weights, tables, activations) issued in one aligned PEAK_WINDOW_CYCLES window */
  peakWindowBytes: number;
  /** loop iterations actually simulated (the rest were skipped as quiet) */
  simulatedCycles: number;
}

export interface PipelineOptions {
  onProgress?: (layer: number, layers: number, cycle: number) => void;
}

const QUIET_CYCLES = 16;

export function runPipeline(cfg: ChipConfig, layers: readonly ChipLayer[], sources: { tans?: WeightSource; raw: WeightSource },
  opts: PipelineOptions = {}): PipelineResult {
  const L = layers.length;
  // global group tables
  let G = 0;
  for (const l of layers) G += l.mapping.groupWeights.length;
  const groupCycles = new Float64Array(G);
  const cumW = new Float64Array(G); // inclusive prefix sums of group weights
  const lastGroupOf = new Int32Array(L);
  {
    let g = 0;
    let acc = 0;
    for (let li = 0; li < L; li++) {
      const m = layers[li].mapping;
      for (let k = 0; k < m.groupWeights.length; k++, g++) {
        acc += m.groupWeights[k];
        cumW[g] = acc;
        groupCycles[g] = m.groupCycles[k];
      }
      lastGroupOf[li] = g - 1;
    }
  }
  const timing: LayerTiming[] = layers.map(() => ({
    start: 0, end: 0, compute: 0, stalls: { dram: 0, fifo: 0, decoder: 0, table: 0, activation: 0 },
    sourceStart: 0, sourceEnd: 0, sourceLoad: 0, sourceBlocked: 0, sourceStarved: 0,
  }));
  const fifo = new WordFifo(cfg.fifoDepth);
  const dram = new Dram(cfg, layers);

  let t = 0;
  let nextGroup = 0;
  let computing = false;
  let computeEnd = 0;
  let curLayer = 0;
  let layerComputeDone = false;
  dram.actPending = layers[0].actReadBytes + layers[0].actWriteBytes;

  let srcLayer = 0;
  let srcBegun = false;
  let srcBusy = 0;
  let srcDelivered = 0;
  let srcPopped = 0;
  let source: WeightSource = sources.raw;
  let delivered = 0;
  // freezing: cycles since the slot last did anything or saw its inputs change
  let srcQuiet = 0;
  let settle = QUIET_CYCLES;
  let lastHasWord = false;
  let lastSpace = -1;
  let iterations = 0;
  // stall counters of the open layer (flushed into timing at layer end)
  let sDram = 0, sFifo = 0, sDec = 0, sTable = 0, sAct = 0, busy = 0;

  for (;;) {
    iterations++;
    if ((iterations & 0xffff) === 0 && opts.onProgress) opts.onProgress(curLayer, L, t);
    let loadingNow = false;
    // 1. landing
    if (dram.inflight > 0) dram.land(t, fifo);
    // 2. array
    if (computing && computeEnd <= t) {
      computing = false;
      if (nextGroup - 1 === lastGroupOf[curLayer]) layerComputeDone = true;
    }
    if (!computing) {
      if (layerComputeDone && dram.actPending === 0) {
        const tm = timing[curLayer];
        tm.end = t;
        tm.compute = busy;
        tm.stalls.dram = sDram; tm.stalls.fifo = sFifo; tm.stalls.decoder = sDec; tm.stalls.table = sTable; tm.stalls.activation = sAct;
        sDram = sFifo = sDec = sTable = sAct = busy = 0;
        curLayer++;
        if (curLayer >= L) break;
        timing[curLayer].start = t;
        layerComputeDone = false;
        dram.actPending += layers[curLayer].actReadBytes + layers[curLayer].actWriteBytes;
      }
      if (!layerComputeDone && delivered >= cumW[nextGroup]) {
        computing = true;
        computeEnd = t + groupCycles[nextGroup];
        nextGroup++;
      }
    }
    // 3. decoder slot
    let frozen = false;
    if (srcLayer < L) {
      const done = nextGroup - (computing ? 1 : 0);
      const limit = cumW[done + 1 < G ? done + 1 : G - 1];
      const space = limit - delivered;
      const sl = layers[srcLayer];
      let act = false;
      if (!srcBegun) {
        const tans = sl.codec === 'tans';
        if (!tans || sl.tableBytes === 0 || (dram.stagedLayer === srcLayer && dram.stagedBytes >= sl.tableBytes)) {
          source = tans ? sources.tans! : sources.raw;
          settle = source.settleCycles ?? QUIET_CYCLES;
          if (tans && !sources.tans) throw new Error('internal: a tANS layer but no tANS engine');
          srcBusy = source.begin(sl);
          if (tans) dram.stagedLayer = -1;
          srcBegun = true;
          srcPopped = 0;
          timing[srcLayer].sourceStart = t;
          timing[srcLayer].sourceLoad = srcBusy;
          act = true;
        }
      }
      if (srcBegun) {
        if (srcBusy > 0) {
          srcBusy--;
          loadingNow = true;
          act = true;
        } else {
          // A slot that has done nothing for QUIET_CYCLES with unchanged inputs (FIFO head
          // present or not, buffer space) is settled: stepping it again changes nothing.
          const hasWord = fifo.count > 0;
          if (hasWord !== lastHasWord || space !== lastSpace) srcQuiet = 0;
          lastHasWord = hasWord;
          lastSpace = space;
          frozen = srcQuiet >= settle && srcDelivered < sl.params;
          let d = 0;
          if (!frozen) {
            d = source.step(fifo, space);
            if (d > 0 || source.popped > 0) act = true;
            srcPopped += source.popped;
          }
          if (d > 0) {
            delivered += d;
            srcDelivered += d;
          } else if (srcDelivered >= sl.params) {
            // delivered everything; the source is winding down
          } else if (space <= 0) {
            timing[srcLayer].sourceBlocked++;
          } else if (fifo.count === 0) {
            timing[srcLayer].sourceStarved++;
          }
          if (srcDelivered >= sl.params && source.layerDone) {
            timing[srcLayer].sourceEnd = t + 1;
            srcLayer++;
            srcBegun = false;
            srcDelivered = 0;
            act = true;
          }
        }
      }
      if (act) srcQuiet = 0;
      else srcQuiet++;
    } else {
      frozen = true;
    }
    // 4. DRAM
    dram.issue(t, fifo);
    // 5. accounting
    let cause = 0; // 0 compute, 1 activation, 2 table, 3 decoder, 4 fifo, 5 dram
    if (computing) {
      busy++;
    } else if (layerComputeDone) {
      sAct++;
      cause = 1;
    } else {
      const onLayer = srcLayer === curLayer;
      if (onLayer && (!srcBegun || loadingNow)) { sTable++; cause = 2; }
      else if (layers[curLayer].codec === 'tans' && (!onLayer || fifo.count > 0 || srcPopped >= layers[curLayer].words)) { sDec++; cause = 3; }
      else if (fifo.count === 0 && dram.blockedByFifo) { sFifo++; cause = 4; }
      else { sDram++; cause = 5; }
    }
    // 6. Jumps. With the slot settled, nothing changes until the next event: a group ends, a
    //    burst lands, or the reader earns the credit for its next burst. Cycles up to that
    //    event repeat this cycle's accounting. (With activation traffic pending the channel is
    //    shared burst by burst, so the model only jumps when the reader cannot issue at all.)
    if (frozen && !(layerComputeDone && !computing)) {
      if (dram.actPending === 0) {
        let e = computing ? computeEnd : Infinity;
        if (dram.inflight > 0) e = Math.min(e, dram.nextArrival);
        if (dram.weightWanted) e = Math.min(e, t + dram.cyclesToIssue());
        if (e === Infinity) throw new Error(`internal: chip pipeline deadlocked at cycle ${t} (layer ${layers[curLayer].name})`);
        const n = e - t - 1;
        if (n > 0) {
          if (cause === 0) busy += n;
          else if (cause === 2) sTable += n;
          else if (cause === 3) sDec += n;
          else if (cause === 4) sFifo += n;
          else sDram += n;
          if (srcLayer < L && srcBegun && srcBusy === 0) {
            if (lastSpace <= 0) timing[srcLayer].sourceBlocked += n;
            else if (fifo.count === 0) timing[srcLayer].sourceStarved += n;
          }
          if (dram.blockedByFifo && fifo.count > 0) dram.fifoFullCycles += n;
          dram.idleCycles(n, false, dram.weightWanted);
          t += n;
        }
      } else if (computing && dram.inflight === 0 && !dram.weightWanted && computeEnd > t + 1) {
        const n = computeEnd - t - 1;
        busy += n;
        if (srcLayer < L && srcBegun && srcBusy === 0) {
          if (lastSpace <= 0) timing[srcLayer].sourceBlocked += n;
          else if (fifo.count === 0) timing[srcLayer].sourceStarved += n;
        }
        if (dram.blockedByFifo && fifo.count > 0) dram.fifoFullCycles += n;
        dram.idleCycles(n);
        t += n;
      }
    } else if (frozen && dram.actPending > 0 && dram.inflight === 0 && !dram.weightWanted) {
      const n = Math.ceil((dram.actPending * 1000) / dram.bwMilli) + 2;
      const used = dram.idleCycles(n, true); // the layer's compute is done: activation stalls
      sAct += used;
      if (srcLayer < L && srcBegun && srcBusy === 0) {
        if (lastSpace <= 0) timing[srcLayer].sourceBlocked += used;
        else if (fifo.count === 0) timing[srcLayer].sourceStarved += used;
      }
      if (dram.blockedByFifo && fifo.count > 0) dram.fifoFullCycles += used;
      t += used;
    }
    t++;
  }
  return {
    totalCycles: timing[L - 1].end,
    layers: timing,
    dramWeightBytes: dram.weightBytesIssued,
    dramTableBytes: dram.tableBytesIssued,
    dramActBytes: dram.actBytesIssued,
    fifoFullCycles: dram.fifoFullCycles,
    peakWindowBytes: dram.peakWindowBytes,
    simulatedCycles: iterations,
  };
}
