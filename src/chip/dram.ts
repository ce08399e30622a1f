/**
 * DRAM (docs/hw/dram.md): one channel shared by the weight reader and the activation spill port.
 * With `dram: simple` a burst lands a fixed latency after it issues (below); with a device preset
 * the port issues under the same credit and a DramDevice (src/chip/dram-timing.ts: banks, row
 * buffers, refresh, turnaround) serves each burst at its address in the DRAM image.
 *
 * Cycle semantics, per cycle t:
 *  1. Landing: every burst whose arrival cycle is <= t lands (words into the weight FIFO, layer
 *     header bytes into the header staging buffer) before the decoders look at the FIFO in cycle t.
 *  2. Credit: the channel earns `bandwidth` bytes of credit (kept in integer milli-bytes, so a
 *     fractional bandwidth such as 1.5 B/cycle is exact). An idle channel cannot bank: in a
 *     cycle in which no requester is left waiting, the credit is capped so that the next cycle
 *     starts with at most one burst (cap = burst − bandwidth, at least 0). The channel starts
 *     with that cap, so a burst can issue in cycle 0 and then one every burst/bandwidth cycles.
 *  3. Issue: while the credit covers the next request, a burst is issued and its bytes are taken
 *     from the credit. When both requesters have a request, they alternate burst by burst
 *     (round-robin, starting with the one that did not issue last). A weight burst issued in
 *     cycle t lands in cycle t + latency; activation bursts carry no data the model tracks, they
 *     only take bandwidth.
 *
 * The weight reader walks the layer images in order: per layer first its record prefix (codec
 * byte, lengths, binary header: into a one-layer staging buffer, which must be empty), then the
 * payload words
 * (into the FIFO, in bursts of burst/4 words, the last one partial). It issues a word burst only
 * when the FIFO has room for all of it (free = depth - stored - reserved).
 */
import type { WordFifo } from './fifo.js';
import { DramDevice, KIND_ACTIVATIONS, KIND_HEADERS, KIND_WEIGHTS, resolveDramTiming, type DeviceStats } from './dram-timing.js';

/** Receives every column access of a detailed DRAM: byte address, write or read, the device cycle (tCK) it arrived. */
export type DramTraceSink = (addr: number, write: boolean, cycle: number) => void;

/** What the DRAM model needs of the chip configuration. */
export interface DramConfig {
  dramBytesPerCycle: number;
  dramLatency: number;
  burstBytes: number;
  fifoDepth?: number;
  /** 'simple' (default) or a preset of src/chip/dram-timing.ts */
  dram?: string;
  dramCtrlLatency?: number;
  clockMhz?: number;
  dramTiming?: Record<string, unknown>;
}

/** What the DRAM reader needs of a layer's weight image. */
export interface DramImage {
  /** payload words, interleaved streams (EncodedLayer.words); undefined = dummy (raw int8) */
  /** payload words, interleaved streams as the container stores them; undefined = dummy (int8 baseline) */
  payload?: Uint32Array;
  words: number;
  /** the record prefix, read into the staging buffer before the payload */
  prefix: Uint8Array;
  /** activation bytes the layer reads from / writes to DRAM (they size the activation buffers' addresses) */
  actReadBytes?: number;
  actWriteBytes?: number;
}

/** What the reader needs of the weight FIFO: its fill, its room, and the reservation of a burst's words. */
export interface FifoRoom {
  readonly count: number;
  readonly free: number;
  reserve(n: number): void;
}

/** The FIFO as it was in an earlier cycle of a bulk stretch (Dram.replayStretch): fill and reservations. */
class FifoThen implements FifoRoom {
  depth = 0;
  count = 0;
  reserved = 0;
  get free(): number {
    return this.depth - this.count - this.reserved;
  }
  reserve(n: number): void {
    this.reserved += n;
  }
}

const KIND_WORDS = 0;
const KIND_TABLE = 1;

/** The window of the peak-bandwidth figure: bytes issued in aligned windows of this many cycles. */
export const PEAK_WINDOW_CYCLES = 1024;

export class Dram {
  readonly bwMilli: number;
  readonly latency: number;
  readonly burstBytes: number;
  readonly burstWords: number;
  /** credit an idle channel keeps at the end of a cycle */
  private readonly capMilli: number;
  credit: number;

  // in-flight weight bursts: a ring
  private readonly qArrival: Float64Array;
  private readonly qKind: Uint8Array;
  private readonly qLayer: Int32Array;
  private readonly qOffset: Int32Array;
  private readonly qCount: Int32Array;
  private qHead = 0;
  private qLen = 0;

  // weight reader position
  private readonly images: readonly DramImage[];
  /** layer the reader is fetching */
  readLayer = 0;
  /** 1 while reading the table of readLayer, 0 while reading its words */
  private inTable: boolean;
  /** bytes (table) or words (payload) of readLayer already requested */
  private readPos = 0;

  // header staging buffer (one layer's record prefix)
  private staging: Uint8Array;
  /** layer whose header occupies the staging buffer, or -1 */
  stagedLayer = -1;
  /** bytes of the staged header that have landed */
  stagedBytes = 0;

  // activation port
  actPending = 0;
  /** bytes of the open layer's activation traffic still to issue as reads (the rest are writes) */
  private actReadLeft = 0;
  private actWriteLeft = 0;
  private actLastWrite = true;
  private readonly actBlockBytes: number;
  private actBlockLeft = 0;
  /** layer whose activation traffic is open, and the next read / write address in its buffers */
  private actLayer = -1;
  private actReadAddr = 0;
  private actWriteAddr = 0;

  // detailed timing (null with the simple model)
  private readonly device: DramDevice | null;
  private readonly ctrlLatency: number;
  /** device tCK per chip cycle */
  private readonly devPerChip: number;
  private readonly trace?: DramTraceSink;
  /** byte address of each layer image (record prefix first, payload from the next burst boundary) */
  private readonly imageAddr: Float64Array;
  private readonly payloadAddr: Float64Array;
  /** the two activation buffers (a layer reads one and writes the other) */
  private readonly actBufAddr: [number, number];
  /** words that landed in the FIFO, per layer */
  readonly fifoPushWords: Float64Array;

  /** the FIFO of a past cycle, for replayStretch */
  private readonly then = new FifoThen();

  /** round-robin pointer: true when the weight reader issued last */
  private weightLast = false;

  // statistics
  weightBytesIssued = 0;
  headerBytesIssued = 0;
  actBytesIssued = 0;
  /** set in a cycle when the reader still wants to issue (it has a burst it may issue, credit permitting) */
  weightWanted = true;
  private wantBytes = 0;
  /** set in a cycle when the reader could not issue because the FIFO lacked room */
  blockedByFifo = false;
  /** when blockedByFifo: the words the reader's next burst needs free in the FIFO */
  blockedWords = 0;
  /** cycles in which the reader had words left but the FIFO, holding words, had no room for the next burst */
  fifoFullCycles = 0;
  // bytes issued per aligned PEAK_WINDOW_CYCLES window: the current one and the largest closed one
  private lastCycle = 0;
  /** every issue's cycle and bytes while logIssues (PipelineRun.skipPeriods replays a period's) */
  logIssues = false;
  private logT = new Float64Array(64);
  private logBytes = new Float64Array(64);
  private logLen = 0;
  /** issues dropped from the front of the log */
  private logBase = 0;
  private window = 0;
  private windowBytes = 0;
  private peakWindow = 0;

  constructor(cfg: DramConfig, images: readonly DramImage[], trace?: DramTraceSink) {
    const mode = cfg.dram ?? 'simple';
    if (mode === 'simple') {
      this.device = null;
      this.devPerChip = 1;
    } else {
      const p = resolveDramTiming(mode, cfg.dramTiming, 'chip');
      this.device = new DramDevice(p);
      this.devPerChip = 1000 / ((cfg.clockMhz ?? 500) * p.tCK);
    }
    this.ctrlLatency = cfg.dramCtrlLatency ?? 0;
    this.actBlockBytes = this.device ? this.device.p.rowBytes : cfg.burstBytes;
    this.trace = this.device ? trace : undefined;
    this.fifoPushWords = new Float64Array(images.length);
    // the DRAM image: each layer record from a burst boundary, as the container lays them out
    const B = cfg.burstBytes;
    const align = (v: number, a: number) => Math.ceil(v / a) * a;
    this.imageAddr = new Float64Array(images.length);
    this.payloadAddr = new Float64Array(images.length);
    let at = 0;
    images.forEach((im, i) => {
      this.imageAddr[i] = at;
      this.payloadAddr[i] = at + align(im.prefix.length, B);
      at = align(this.payloadAddr[i] + im.words * 4 + 4, B); // + the record's CRC
    });
    let actMax = 0;
    for (const im of images) actMax = Math.max(actMax, im.actReadBytes ?? 0, im.actWriteBytes ?? 0);
    const region = 1 << 20; // activation buffers on 1 MiB boundaries after the weights
    const a0 = align(at, region);
    // the second buffer starts half the banks further on, so that an interleaved read and write stream do not take turns in one bank
    const bankSkew = this.device ? this.device.p.rowBytes * (this.device.p.banks >> 1) : 0;
    this.actBufAddr = [a0, a0 + align(Math.max(actMax, 1), region) + bankSkew];
    this.bwMilli = Math.round(cfg.dramBytesPerCycle * 1000);
    this.latency = cfg.dramLatency;
    this.burstBytes = cfg.burstBytes;
    this.burstWords = cfg.burstBytes >>> 2;
    this.capMilli = Math.max(0, this.burstBytes * 1000 - this.bwMilli);
    this.credit = this.capMilli;
    this.images = images;
    this.inTable = images.length > 0 && images[0].prefix.length > 0;
    // bursts in flight at most: one per issue, up to ceil(bw)+1 issues per cycle, for latency+1
    // cycles; and never more than the FIFO words word bursts reserve plus one layer's header bursts
    const tableBursts = images.reduce((m, im) => Math.max(m, Math.ceil(im.prefix.length / this.burstBytes)), 0);
    this.staging = new Uint8Array(images.reduce((m, im) => Math.max(m, im.prefix.length), 0));
    // (the detailed model's latency has no fixed bound: then only the second bound holds)
    const byLatency = this.device ? Infinity : (this.latency + 2) * (Math.ceil(cfg.dramBytesPerCycle / 4) + 2);
    const maxInflight = Math.min(byLatency, (cfg.fifoDepth ?? Infinity) + tableBursts) + 8;
    if (!Number.isFinite(maxInflight)) throw new Error('internal: a detailed DRAM needs the FIFO depth (DramConfig.fifoDepth) to bound the bursts in flight');
    let cap = 16;
    while (cap < maxInflight) cap <<= 1;
    this.qArrival = new Float64Array(cap);
    this.qKind = new Uint8Array(cap);
    this.qLayer = new Int32Array(cap);
    this.qOffset = new Int32Array(cap);
    this.qCount = new Int32Array(cap);
  }

  get inflight(): number {
    return this.qLen;
  }

  /** true when the reader has requested everything */
  get readerDone(): boolean {
    return this.readLayer >= this.images.length;
  }

  /** Step 1: lands the bursts due by cycle t. Returns the number of bursts landed. */
  land(t: number, fifo: WordFifo): number {
    let n = 0;
    while (this.qLen > 0 && this.qArrival[this.qHead] <= t) {
      this.landOldest(fifo);
      n++;
    }
    return n;
  }

  /**
   * The cycle from which a burst in flight may bring more than words for the FIFO: `end`, or the
   * arrival of the first header burst before it (a landed header may begin the next layer).
   */
  wordsOnlyUntil(end: number): number {
    const mask = this.qArrival.length - 1;
    for (let i = 0, h = this.qHead; i < this.qLen && this.qArrival[h] < end; i++, h = (h + 1) & mask) {
      if (this.qKind[h] !== KIND_WORDS) return this.qArrival[h];
    }
    return end;
  }

  /**
   * Lands every burst due before cycle `end`, all of them word bursts (wordsOnlyUntil), in the
   * order they arrive. Returns the number of distinct cycles they landed in.
   */
  landWordsBefore(end: number, fifo: WordFifo): number {
    let cycles = 0;
    let last = -1;
    while (this.qLen > 0 && this.qArrival[this.qHead] < end) {
      if (this.qKind[this.qHead] !== KIND_WORDS) throw new Error(`internal: a header burst would land in a stretch of word landings before cycle ${end}`);
      if (this.qArrival[this.qHead] !== last) {
        last = this.qArrival[this.qHead];
        cycles++;
      }
      this.landOldest(fifo);
    }
    return cycles;
  }

  private landOldest(fifo: WordFifo): void {
    const h = this.qHead;
    if (this.qKind[h] === KIND_WORDS) {
      fifo.fill(this.images[this.qLayer[h]].payload, this.qOffset[h], this.qCount[h]);
      this.fifoPushWords[this.qLayer[h]] += this.qCount[h];
    } else {
      // the header bytes themselves cross DRAM: the source parses what landed here
      const off = this.qOffset[h];
      this.staging.set(this.images[this.qLayer[h]].prefix.subarray(off, off + this.qCount[h]), off);
      this.stagedBytes += this.qCount[h];
    }
    this.qHead = (h + 1) & (this.qArrival.length - 1);
    this.qLen--;
  }

  /** Bytes of the reader's next burst, or 0 when it has nothing it may issue now. */
  private nextWeightBytes(fifo: FifoRoom): number {
    this.blockedByFifo = false;
    if (this.readLayer >= this.images.length) return 0;
    const img = this.images[this.readLayer];
    if (this.inTable) {
      if (this.stagedLayer !== -1 && this.stagedLayer !== this.readLayer) return 0;
      return Math.min(this.burstBytes, img.prefix.length - this.readPos);
    }
    const n = Math.min(this.burstWords, img.words - this.readPos);
    if (fifo.free < n) {
      this.blockedByFifo = true;
      this.blockedWords = n;
      return 0;
    }
    return n * 4;
  }

  private issueWeight(t: number, fifo: FifoRoom, bytes: number): void {
    const mask = this.qArrival.length - 1;
    const q = (this.qHead + this.qLen) & mask;
    if (this.qLen > mask) throw new Error('internal: DRAM in-flight queue overflow');
    this.qLayer[q] = this.readLayer;
    const img = this.images[this.readLayer];
    if (this.device) {
      const addr = this.inTable ? this.imageAddr[this.readLayer] + this.readPos : this.payloadAddr[this.readLayer] + this.readPos * 4;
      this.qArrival[q] = this.deviceAccess(t, addr, bytes, false, this.inTable ? KIND_HEADERS : KIND_WEIGHTS);
    } else {
      this.qArrival[q] = t + this.latency;
    }
    if (this.inTable) {
      this.qKind[q] = KIND_TABLE;
      this.qCount[q] = bytes;
      this.qOffset[q] = this.readPos;
      if (this.readPos === 0) { this.stagedLayer = this.readLayer; this.stagedBytes = 0; }
      this.readPos += bytes;
      this.headerBytesIssued += bytes;
      if (this.readPos >= img.prefix.length) { this.inTable = false; this.readPos = 0; }
    } else {
      const n = bytes >>> 2;
      this.qKind[q] = KIND_WORDS;
      this.qCount[q] = n;
      this.qOffset[q] = this.readPos;
      fifo.reserve(n);
      this.readPos += n;
      this.weightBytesIssued += bytes;
    }
    this.qLen++;
    // next layer image (skipping empty payloads)
    while (!this.inTable && this.readLayer < this.images.length && this.readPos >= this.images[this.readLayer].words) {
      this.readLayer++;
      this.readPos = 0;
      this.inTable = this.readLayer < this.images.length && this.images[this.readLayer].prefix.length > 0;
    }
  }

  /**
   * The detailed device serves a burst issued in chip cycle t: its column accesses (casBytes each)
   * in order; returns the chip cycle its data has landed (controller latency included).
   */
  private deviceAccess(t: number, addr: number, bytes: number, write: boolean, kind: number): number {
    const dev = this.device as DramDevice;
    const cas = dev.p.casBytes;
    const arrive = Math.ceil(t * this.devPerChip);
    let end = arrive;
    for (let a = Math.floor(addr / cas) * cas; a < addr + bytes; a += cas) {
      this.trace?.(a, write, arrive);
      end = dev.access(a, write, arrive, kind).dataEnd;
    }
    return t + this.ctrlLatency + Math.max(0, Math.ceil(end / this.devPerChip) - t);
  }

  /**
   * The next activation burst of `bytes`: a read of the ifmap or a write of the ofmap. While both
   * remain they alternate in blocks of `actBlockBytes` (one DRAM row with a detailed device: every
   * switch costs a bus turnaround; a burst with the simple model, where it makes no difference).
   */
  private issueActivation(t: number, bytes: number): void {
    this.actPending -= bytes;
    this.actBytesIssued += bytes;
    const switchNow = this.actBlockLeft <= 0;
    const write = this.actReadLeft <= 0 || (this.actWriteLeft > 0 && (switchNow ? !this.actLastWrite : this.actLastWrite));
    if (write !== this.actLastWrite || switchNow) this.actBlockLeft = this.actBlockBytes;
    this.actBlockLeft -= bytes;
    this.actLastWrite = write;
    if (write) this.actWriteLeft -= bytes;
    else this.actReadLeft -= bytes;
    if (!this.device) return;
    const buf = this.actBufAddr[(this.actLayer + (write ? 1 : 0)) & 1];
    const addr = buf + (write ? this.actWriteAddr : this.actReadAddr);
    if (write) this.actWriteAddr += bytes;
    else this.actReadAddr += bytes;
    this.deviceAccess(t, addr, bytes, write, KIND_ACTIVATIONS);
  }

  /** A layer opens: its activation traffic (ifmap reads, ofmap writes) becomes pending. */
  openActivations(readBytes: number, writeBytes: number): void {
    this.actLayer++;
    this.actPending += readBytes + writeBytes;
    this.actReadLeft = readBytes;
    this.actWriteLeft = writeBytes;
    this.actReadAddr = 0;
    this.actWriteAddr = 0;
    this.actLastWrite = true;
    this.actBlockLeft = 0;
  }

  /** Row-buffer and command statistics of the detailed device (null with the simple model). */
  get deviceStats(): DeviceStats | null {
    return this.device ? this.device.stats : null;
  }

  /** Counts bytes issued in cycle t towards its window (and logs the issue, while logIssues). */
  private record(t: number, bytes: number): void {
    if (this.logIssues) this.logIssue(t, bytes);
    const w = Math.floor(t / PEAK_WINDOW_CYCLES);
    if (w !== this.window) {
      if (this.windowBytes > this.peakWindow) this.peakWindow = this.windowBytes;
      this.window = w;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes;
  }

  private logIssue(t: number, bytes: number): void {
    if (this.logLen === this.logT.length) {
      const grow = (a: Float64Array) => { const b = new Float64Array(a.length * 2); b.set(a); return b; };
      this.logT = grow(this.logT);
      this.logBytes = grow(this.logBytes);
    }
    this.logT[this.logLen] = t;
    this.logBytes[this.logLen++] = bytes;
  }

  /** The place in the issue log after the last issue so far (counted from the run's first issue). */
  issueMark(): number {
    return this.logBase + this.logLen;
  }

  /** Drops the logged issues before `mark` (issueMark()): the pipeline no longer needs them. */
  forgetIssuesBefore(mark: number): void {
    const drop = Math.min(mark - this.logBase, this.logLen);
    if (drop <= 0) return;
    this.logT.copyWithin(0, drop, this.logLen);
    this.logBytes.copyWithin(0, drop, this.logLen);
    this.logLen -= drop;
    this.logBase += drop;
  }

  /**
   * For PipelineRun.skipPeriods: appends to `sig` the reader's and the channel's state as seen from
   * cycle t (times and positions relative to t and to the reader's position), and to `ctr` the
   * counts that grow by the same amount in every period. False (nothing appended) where a skip is
   * not exact: a detailed DRAM (its banks and refreshes do not repeat), activation traffic pending,
   * the reader on a layer header, or a burst in flight that is not a word burst of the reader's layer.
   */
  periodState(t: number, sig: number[], ctr: number[]): boolean {
    if (this.device || this.actPending > 0 || this.inTable || this.readLayer >= this.images.length) return false;
    const mask = this.qArrival.length - 1;
    for (let i = 0, h = this.qHead; i < this.qLen; i++, h = (h + 1) & mask) {
      if (this.qKind[h] !== KIND_WORDS || this.qLayer[h] !== this.readLayer) return false;
    }
    sig.push(this.credit, this.readLayer, this.stagedLayer, this.stagedBytes, this.weightLast ? 1 : 0, this.weightWanted ? 1 : 0,
      this.wantBytes, this.blockedByFifo ? 1 : 0, this.blockedWords, this.lastCycle - t, this.qLen);
    for (let i = 0, h = this.qHead; i < this.qLen; i++, h = (h + 1) & mask) {
      sig.push(this.qArrival[h] - t, this.qCount[h], this.qOffset[h] - this.readPos);
    }
    // (in this order in skipPeriods; the reader's position last)
    ctr.push(this.weightBytesIssued, this.fifoPushWords[this.readLayer], this.fifoFullCycles, this.readPos);
    return true;
  }

  /**
   * Skips k periods of `period` cycles in which the reader and the channel repeat what they did
   * in the period logged between issue marks `from` and `to`: its issues happen again k times, each
   * a period later (they count towards their peak windows), the counts of periodState() grow by
   * k times `delta` (from `at` on in it), and the bursts in flight move on with the reader.
   */
  skipPeriods(k: number, period: number, from: number, to: number, delta: Float64Array, at: number): void {
    const logging = this.logIssues;
    this.logIssues = false;
    for (let j = 1; j <= k; j++) {
      for (let i = from - this.logBase; i < to - this.logBase; i++) this.record(this.logT[i] + j * period, this.logBytes[i]);
    }
    this.logIssues = logging;
    this.weightBytesIssued += k * delta[at];
    this.fifoPushWords[this.readLayer] += k * delta[at + 1];
    this.fifoFullCycles += k * delta[at + 2];
    const words = k * delta[at + 3];
    this.readPos += words;
    const mask = this.qArrival.length - 1;
    for (let i = 0, h = this.qHead; i < this.qLen; i++, h = (h + 1) & mask) {
      this.qArrival[h] += k * period;
      this.qOffset[h] += words;
    }
    this.lastCycle += k * period;
  }

  /**
   * True when the reader cannot request a header byte before it has requested `words` more payload
   * words: it reads a payload, with more than that left of it (PipelineRun.bulkCycles).
   */
  wordsOnlyFor(words: number): boolean {
    return !this.inTable && this.readLayer < this.images.length && this.readerWordsLeft > words;
  }

  /** Payload words of the reader's layer it has not requested yet (PipelineRun.skipPeriods). */
  get readerWordsLeft(): number {
    return this.images[this.readLayer].words - this.readPos;
  }

  /** The most bytes issued in one aligned window of PEAK_WINDOW_CYCLES cycles so far. */
  get peakWindowBytes(): number {
    return Math.max(this.peakWindow, this.windowBytes);
  }

  /** Steps 2 and 3: credit and issue for cycle t. Returns the number of weight bursts issued. */
  issue(t: number, fifo: FifoRoom): number {
    this.lastCycle = t;
    let credit = this.credit + this.bwMilli;
    let issued = 0;
    let waiting = false;
    for (;;) {
      const wb = this.nextWeightBytes(fifo);
      this.weightWanted = wb > 0;
      this.wantBytes = wb;
      const ab = this.actPending > this.burstBytes ? this.burstBytes : this.actPending;
      let pickWeight: boolean;
      if (wb > 0 && ab > 0) pickWeight = !this.weightLast;
      else if (wb > 0) pickWeight = true;
      else if (ab > 0) pickWeight = false;
      else break;
      const bytes = pickWeight ? wb : ab;
      if (credit < bytes * 1000) { waiting = true; break; }
      credit -= bytes * 1000;
      this.record(t, bytes);
      if (pickWeight) {
        this.issueWeight(t, fifo, bytes);
        issued++;
      } else {
        this.issueActivation(t, bytes);
      }
      this.weightLast = pickWeight;
    }
    if (!waiting && credit > this.capMilli) credit = this.capMilli;
    if (this.blockedByFifo && fifo.count > 0) this.fifoFullCycles++;
    this.credit = credit;
    return issued;
  }

  /** True when the whole header of `layer` has landed in the staging buffer. */
  headerLanded(layer: number): boolean {
    return this.stagedLayer === layer && this.stagedBytes >= this.images[layer].prefix.length;
  }

  /** The staged header as it landed (a copy: the buffer is reused for the next layer). */
  stagedHeader(): Uint8Array {
    return this.staging.slice(0, this.stagedBytes);
  }

  /** The decoder has taken the staged header: the buffer may receive the next one. */
  releaseStagedHeader(): void {
    this.stagedLayer = -1;
  }

  /** Arrival cycle of the oldest burst in flight (inflight > 0). */
  get nextArrival(): number {
    return this.qArrival[this.qHead];
  }

  /** Cycles from now until the credit covers the reader's pending burst (weightWanted). */
  cyclesToIssue(): number {
    const need = this.wantBytes * 1000 - this.credit;
    return need <= this.bwMilli ? 1 : Math.ceil(need / this.bwMilli);
  }

  /**
   * Advances cycles in which nothing but credit and the activation port changes: the weight reader
   * stays as the last issue() left it (waiting for credit for the same burst all along, when
   * `weightWanted`: the caller stops before the cycle it could issue; or with nothing it may
   * issue), nothing lands and nothing leaves `fifo`. Exactly `n` cycles, or with `untilActDone`
   * until the cycle in which the last activation burst issues (at most n). Returns the cycles
   * advanced. Same per-cycle rules as issue(), FIFO-full cycles included.
   */
  idleCycles(n: number, fifo: FifoRoom, untilActDone = false): number {
    return this.idleCyclesHeld(n, fifo.count > 0, untilActDone);
  }

  /** idleCycles, for cycles in which the FIFO held words (fifoHeldWords) or was empty throughout. */
  idleCyclesHeld(n: number, fifoHeldWords: boolean, untilActDone = false): number {
    const advanced = this.advanceIdle(n, untilActDone, this.weightWanted);
    if (this.blockedByFifo && fifoHeldWords) this.fifoFullCycles += advanced;
    return advanced;
  }

  /**
   * Cycles t0 + 1 .. t0 + n (t0: the cycle of the last issue()) in which the reader waits for the
   * credit of its burst (`weightWanted`; the caller stops before the cycle the credit would cover
   * it) while activation traffic is pending, as issue() would step them: with the channel taking
   * turns, at most one activation burst issues (if it is the activations' turn, in the first cycle
   * whose credit covers it); then it is the reader's turn, and only credit grows (never capped:
   * a requester waits in every cycle). Nothing lands and nothing leaves the FIFO.
   */
  waitForCredit(n: number): void {
    const t0 = this.lastCycle;
    let credit = this.credit;
    if (this.weightLast && this.actPending > 0) {
      const ab = this.actPending > this.burstBytes ? this.burstBytes : this.actPending;
      const i = credit + this.bwMilli >= ab * 1000 ? 1 : Math.ceil((ab * 1000 - credit) / this.bwMilli);
      if (i <= n) {
        credit -= ab * 1000;
        this.record(t0 + i, ab);
        this.issueActivation(t0 + i, ab);
        this.weightLast = false;
      }
    }
    credit += n * this.bwMilli;
    // (the caller's stretch ends before the reader's credit covers its burst on its turn)
    if (!this.weightLast && credit >= this.wantBytes * 1000) throw new Error(`internal: the reader's credit covered its burst in a stretch it waits through (from cycle ${t0 + 1})`);
    this.credit = credit;
    this.lastCycle = t0 + n;
  }

  /** True when every burst lands exactly `latency` cycles after it issues (the simple model). */
  get fixedLatency(): boolean {
    return this.device === null;
  }

  /**
   * Steps 2 and 3 for cycles t .. t + n − 1, which the decoder slot has already run in bulk:
   * `fifo` is the FIFO as the stretch left it, `popAt[0..pops)` the cycle (from t) in which each
   * word of the stretch left it, so that the reader sees in every cycle the room it had then, as
   * stepping would. Nothing lands in those cycles, or only word bursts the caller lands after the
   * replay (a landing turns reserved room into words: the reader's room stays), and the FIFO holds
   * words in all of them or in none. Runs of cycles in which the reader cannot issue (up to the
   * pop that makes room for its burst, or up to the cycle the credit could cover it: advanceIdle,
   * or waitForCredit with activation traffic) are taken at once. Returns the weight bursts issued.
   */
  replayStretch(t: number, n: number, fifo: WordFifo, popAt: Int32Array, pops: number): number {
    const then = this.then;
    then.depth = fifo.depth;
    then.count = fifo.count + pops;
    then.reserved = fifo.reserved;
    let issued = 0;
    let j = 0;
    let i = 0;
    while (i < n) {
      // the slot pops before the reader looks (steps 3 and 4 of a cycle)
      while (j < pops && popAt[j] <= i) { then.count--; j++; }
      // while the reader cannot issue (no burst it may issue, or waiting for credit without
      // activation traffic to alternate with), only credit and activation bursts move
      let until = i;
      if (!this.weightWanted) {
        const k = j + this.blockedWords - then.free - 1; // the pop after which the blocked burst fits
        until = !this.blockedByFifo ? n : k < j ? i : k < pops ? Math.min(n, popAt[k]) : n;
      } else if (this.actPending === 0) {
        until = Math.min(n, i + this.cyclesToIssue() - 1);
      } else {
        // waiting for credit with activation traffic: the channel's turns, before the cycle the
        // credit could cover the burst (pops meanwhile change nothing the reader looks at)
        const wait = Math.min(n - i, this.cyclesToIssue() - 1);
        if (wait > 0) {
          this.waitForCredit(wait);
          i += wait;
          continue;
        }
      }
      // (the FIFO-full count asks whether the FIFO holds words: a span ends at the pop that empties it)
      const empties = j + then.count - 1;
      if (then.count > 0 && empties < pops && popAt[empties] < until) until = popAt[empties];
      if (until > i) {
        this.idleCyclesHeld(until - i, then.count > 0);
        i = until;
        continue;
      }
      issued += this.issue(t + i, then);
      i++;
    }
    fifo.reserve(then.reserved - fifo.reserved);
    return issued;
  }

  /**
   * Words the decoder slot may pop, from the FIFO as the last issue() saw it, before the reader
   * could issue again (Infinity when pops cannot unblock it). Bulk stepping ends at that pop.
   */
  popsBeforeIssue(fifo: FifoRoom): number {
    return this.blockedByFifo ? this.blockedWords - fifo.free : Infinity;
  }

  private advanceIdle(n: number, untilActDone: boolean, readerWaiting: boolean): number {
    let credit = this.credit;
    const t0 = this.lastCycle; // the cycles advanced are t0 + 1 .. t0 + n
    if (this.actPending === 0) {
      credit += n * this.bwMilli;
      if (!readerWaiting && credit > this.capMilli) credit = this.capMilli;
      this.credit = credit;
      this.lastCycle = t0 + n;
      return n;
    }
    // cycle i = 1, 2, ...: the credit it earns, then the activation bursts it covers
    for (let i = 1; i <= n;) {
      credit += this.bwMilli;
      let waiting = readerWaiting;
      while (this.actPending > 0) {
        const ab = this.actPending > this.burstBytes ? this.burstBytes : this.actPending;
        if (credit < ab * 1000) { waiting = true; break; }
        credit -= ab * 1000;
        this.record(t0 + i, ab);
        this.issueActivation(t0 + i, ab);
        this.weightLast = false;
      }
      if (!waiting && credit > this.capMilli) credit = this.capMilli;
      if (this.actPending === 0) {
        if (untilActDone) { this.credit = credit; this.lastCycle = t0 + i; return i; }
        credit += (n - i) * this.bwMilli;
        if (!readerWaiting && credit > this.capMilli) credit = this.capMilli;
        break;
      }
      // the channel waits for the next activation burst (no cap): the cycles before the one whose
      // credit covers it only earn credit
      const ab = this.actPending > this.burstBytes ? this.burstBytes : this.actPending;
      const wait = Math.min(Math.ceil((ab * 1000 - credit) / this.bwMilli) - 1, n - i);
      credit += wait * this.bwMilli;
      i += wait + 1;
    }
    this.credit = credit;
    this.lastCycle = t0 + n;
    return n;
  }
}
