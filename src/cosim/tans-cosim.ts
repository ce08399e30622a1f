/**
 * `hwsim cosim tans`: synthetic layers → reference decoder (golden symbols), cycle model (golden
 * cycles) and the Verilator-built RTL under the same stall pattern; every symbol, weight and
 * transfer cycle of the RTL is compared. A run that compared nothing is a failure.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { decodeStream } from '../codecs/tans/codec.js';
import { loadCycles, resolveTansDecoderParams, tableBanks, type TansDecoderParams } from '../chip/tans-decoder.js';
import { StallPattern } from './stall.js';
import { maxRunCycles, runModel, TransferColumns, type LayerTrace } from './tans-run.js';
import type { Model } from '../models/types.js';
import { modelLayers } from './model-vectors.js';
import { syntheticLayers, type CosimLayer } from './tans-vectors.js';
import { buildTansNetlistHarness } from './netlist.js';
import { buildTansHarness, type HarnessBuild, type RtlMutation } from './verilator.js';

export interface TansCosimOptions {
  params: Partial<TansDecoderParams>;
  /** synthetic layers (default 4), or with `weights` the first layers of the model (default all) */
  layers?: number;
  /** encode these weights with the tool's encoder instead of synthetic layers */
  weights?: { model: Model; bins: number; maxWeightsPerLayer: number };
  seed: number;
  stallRate: number;
  symbolsPerStream?: number;
  corruptLayers?: readonly number[];
  buildRoot?: string;
  /** protocol checks in the harness (default on): load gaps, loads offered while running, random
   *  data under low valids, resets at random points, ready/valid independence */
  protocol?: boolean;
  /** a deliberate RTL bug (mutation tests only): the run must then FAIL */
  mutation?: RtlMutation;
  /** simulate the Yosys iCE40 netlist of the engine (gate level, src/cosim/netlist.ts) instead of the RTL */
  netlist?: boolean;
  /** a profile-guided build of the RTL harness (trainTansHarness): a longer build, a faster run */
  pgo?: boolean;
}

export interface TansCosimResult {
  pass: boolean;
  config: TansDecoderParams;
  build: HarnessBuild;
  /** what ran: the RTL, or the synthesized netlist (with the seconds Yosys took) */
  level: 'rtl' | 'netlist';
  yosysSeconds?: number;
  layers: number;
  /** RTL output symbols compared with the reference decoder (or, in corrupted layers, the model) */
  symbolsCompared: number;
  /** layers whose run-cycle counts RTL and model agree on, out of `layers` */
  cycleCountsCompared: number;
  rtlCycles: number;
  modelCycles: number;
  mismatches: number;
  firstMismatch?: string;
  perLayer: Array<{
    rtlRun: number; modelRun: number;
    /** cycles from the previous layer's done to this one's run cycle 0 (RTL, model): the whole load in
     *  the foreground, the layer switch when the layer was loaded in the background */
    rtlLoad: number; modelLoad: number;
    /** the RTL loaded this layer in the background (two table banks, not replayed after a reset) */
    background: boolean;
    rtlError: boolean; modelError: boolean; corrupt: boolean; refRejects: boolean; symbols: number;
  }>;
  /** layers the reference decoder rejects and the RTL finished without error_o (each one also a mismatch) */
  missedCorruptions: number;
  /** layers the reference decoder accepts and the RTL flagged with error_o (each one also a mismatch) */
  falseErrors: number;
  /** how each corrupted layer was corrupted */
  corruptions: Array<{ layer: number; kind: string; stream: number }>;
  protocol: ProtocolReport;
  rtlSeconds: number;
  /** CPU seconds of the harness run */
  rtlCpuSeconds: number;
  modelSeconds: number;
}

/**
 * The training run of a profile-guided harness build: two synthetic layers of 20,000 symbols per
 * stream, once with the protocol checks and once without (the two loops the harness runs), under a
 * stall rate of 0.2. A binary that fails here is an error: its profile would be of a broken run.
 */
export function trainTansHarness(p: TansDecoderParams, binary: string): void {
  const layers = syntheticLayers(p, { layers: 2, seed: 1, symbolsPerStream: 20_000 });
  const work = mkdtempSync(join(tmpdir(), 'hwsim-cosim-train-'));
  try {
    for (const protocol of [true, false]) {
      writeStimulus(join(work, 'stimulus.bin'), p, layers, 1, 0.2, protocol);
      const r = spawnSync(binary, [join(work, 'stimulus.bin'), join(work, 'out.txt'), join(work, 'transfers.bin')], { encoding: 'utf8' });
      if (r.error || r.status !== 0) {
        throw new HwsimError(`the training run of the profile-guided harness failed (exit ${r.status}): ${(r.stdout + r.stderr).trim()}`,
          `run without --pgo; the build is in ${binary}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The harness reads every stimulus field as a 32-bit word: counts and cycle limits above this do not fit. */
export const HARNESS_MAX_U32 = 0xffffffff;

/**
 * Writes the harness's stimulus file: 32-bit little-endian words (the header, then per layer its
 * load and DRAM word counts and words). Written in pieces of at most `CHUNK_BYTES`, so a file of any
 * size is written without one buffer for all of it.
 */
export function writeStimulus(path: string, p: TansDecoderParams, layers: readonly CosimLayer[], seed: number, stallRate: number,
  protocol = true): void {
  const stall = new StallPattern(seed, stallRate);
  checkHarnessFits(layers);
  const maxCycles = layers.reduce((a, l) => Math.max(a, maxRunCycles(l)), 0);
  const fd = openSync(path, 'w');
  try {
    const out = new WordWriter(fd);
    const protoSeed = StallPattern.seedState(seed ^ 0x5bd1e995);
    const background = tableBanks(p) === 2 ? 1 : 0;
    for (const v of [p.streams, p.symbolBits, StallPattern.seedState(seed), stall.threshold, maxCycles, layers.length, protocol ? 1 : 0, protoSeed, background]) out.word(v);
    for (const l of layers) {
      out.word(l.load.length);
      out.word(l.words.length);
      out.words(l.load);
      out.words(l.words);
    }
    out.flush();
  } finally {
    closeSync(fd);
  }
}

const CHUNK_BYTES = 8 << 20;

/** 32-bit little-endian words written to a file descriptor a piece at a time. */
class WordWriter {
  private readonly buf = Buffer.alloc(CHUNK_BYTES);
  private n = 0;
  constructor(private readonly fd: number) {}
  word(v: number): void {
    if (this.n + 4 > this.buf.length) this.flush();
    this.buf.writeUInt32LE(v >>> 0, this.n);
    this.n += 4;
  }
  words(ws: ArrayLike<number>): void {
    for (let i = 0; i < ws.length; i++) this.word(ws[i]);
  }
  flush(): void {
    if (this.n > 0) writeSync(this.fd, this.buf, 0, this.n);
    this.n = 0;
  }
}

/** What the harness's protocol checks saw (docs/hw/tans-decoder.md, "Verification"). */
export interface ProtocolReport {
  /** the harness ran with protocol checks on */
  checked: boolean;
  violations: number;
  /** the first violations the harness printed */
  messages: string[];
  /** resets at random points (each layer then replayed) */
  resets: number;
  /** cycles a load was offered while a layer ran */
  busyLoads: number;
  /** cycles of a load with cfg_valid low */
  loadGaps: number;
}

export interface HarnessResult {
  traces: LayerTrace[];
  totalCycles: number;
  protocol: ProtocolReport;
  /** CPU seconds the harness used (its own clock()): a speed figure that machine load does not skew */
  cpuSeconds: number;
}

/** Bytes of one transfer record in the harness's transfer file: u32 run cycle (LE), stream, symbol, weight (int8), 0. */
export const TRANSFER_RECORD_BYTES = 8;

/**
 * The harness's transfer file read a piece at a time (2^20 symbols on 8 streams is 64 MB), handing
 * records on in order up to a count the text output gives.
 */
export class TransferReader {
  private readonly buf = Buffer.alloc(CHUNK_BYTES);
  private pos = 0;
  private len = 0;
  /** records handed on so far */
  count = 0;
  /** `bytes`: the records in memory instead of a file (parseHarnessOutput) */
  constructor(private readonly fd: number | null, private readonly bytes?: Buffer) {}
  /** hands records on to `sink` (null: drops them) until `total` have been read */
  readUpTo(total: number, sink: ((stream: number, symbol: number, weight: number, cycle: number) => void) | null): void {
    while (this.count < total) {
      if (this.len - this.pos < TRANSFER_RECORD_BYTES) this.refill(total);
      const b = this.bytes ?? this.buf;
      const o = this.pos;
      if (sink) sink(b[o + 4], b[o + 5], (b[o + 6] << 24) >> 24, b.readUInt32LE(o));
      this.pos += TRANSFER_RECORD_BYTES;
      this.count++;
    }
  }
  private refill(total: number): void {
    const short = () => new HwsimError(`the Verilator harness's transfer file holds ${this.count} records, its output counts ${total}: the RTL run did not complete`);
    if (this.bytes) {
      this.len = this.bytes.length;
      if (this.len - this.pos < TRANSFER_RECORD_BYTES) throw short();
      return;
    }
    const rest = this.len - this.pos;
    this.buf.copy(this.buf, 0, this.pos, this.len);
    this.pos = 0;
    this.len = rest + (this.fd === null ? 0 : readSync(this.fd, this.buf, rest, this.buf.length - rest, null));
    if (this.len < TRANSFER_RECORD_BYTES) throw short();
  }
}

/** Reads the harness's output lines into traces (typed columns per stream, see LayerTrace), pulling each layer's transfers from `transfers`. */
class HarnessOutputParser {
  readonly traces: LayerTrace[] = [];
  totalCycles = -1;
  cpuSeconds = NaN;
  readonly protocol: ProtocolReport = { checked: false, violations: 0, messages: [], resets: 0, busyLoads: 0, loadGaps: 0 };
  private cols: TransferColumns;
  private readonly push: (stream: number, symbol: number, weight: number, cycle: number) => void;
  constructor(private readonly streams: number, private readonly transfers: TransferReader, private readonly expected: readonly (readonly number[])[] = []) {
    this.cols = new TransferColumns(streams, expected[0]);
    this.push = (k, symbol, weight, cycle) => {
      if (k >= this.streams) throw new HwsimError(`the Verilator harness reported stream ${k} of ${this.streams} (transfer ${this.transfers.count})`);
      this.cols.push(k, symbol, weight, cycle);
    };
  }
  line(line: string): void {
    const f = line.split(' ');
    const records = () => {
      const i = f.indexOf('transfers');
      const n = i < 0 ? NaN : Number(f[i + 1]);
      if (!Number.isSafeInteger(n) || n < this.transfers.count) throw new HwsimError(`the Verilator harness wrote a line without a valid transfer count: ${line}`);
      return n;
    };
    if (f[0] === 'layer') {
      this.transfers.readUpTo(records(), this.push);
      this.traces.push({
        loadCycles: Number(f[3]), runCycles: Number(f[5]), wordsAccepted: Number(f[7]), error: f[9] === '1', hang: f[11] === '1',
        foreground: f[13] !== '0',
        ...this.cols.done(),
      });
      this.cols = new TransferColumns(this.streams, this.expected[this.traces.length]);
    } else if (f[0] === 'reset') {
      // the layer was reset part way and is replayed: its transfers so far do not count
      this.transfers.readUpTo(records(), null);
      this.cols = new TransferColumns(this.streams, this.expected[this.traces.length]);
    } else if (f[0] === 'proto') {
      this.protocol.messages.push(`layer ${f[1]} cycle ${f[2]}: ${f.slice(3).join(' ')}`);
    } else if (f[0] === 'end') {
      this.totalCycles = Number(f[1]);
      const kv = (key: string) => Number(f[f.indexOf(key) + 1] ?? NaN);
      Object.assign(this.protocol, {
        checked: kv('protocol') === 1, violations: kv('violations'), resets: kv('resets'), busyLoads: kv('busy_loads'), loadGaps: kv('load_gaps'),
      });
      this.cpuSeconds = kv('cpu_s');
    }
  }
  result(): HarnessResult {
    if (this.totalCycles < 0) throw new HwsimError('the Verilator harness output has no end line: the RTL run did not complete');
    return { traces: this.traces, totalCycles: this.totalCycles, protocol: this.protocol, cpuSeconds: this.cpuSeconds };
  }
}

/** The harness's output given whole: its text lines and its transfer records. */
export function parseHarnessOutput(text: string, transfers: Buffer, streams: number): HarnessResult {
  const parser = new HarnessOutputParser(streams, new TransferReader(null, transfers));
  for (const line of text.split('\n')) parser.line(line);
  return parser.result();
}

/**
 * The harness's output files read a piece at a time: the text lines (a few per layer) and the
 * transfer file, `TRANSFER_RECORD_BYTES` per transfer.
 */
export function readHarnessOutput(path: string, transferPath: string, streams: number, expected: readonly (readonly number[])[] = []): HarnessResult {
  const fd = openSync(path, 'r');
  const xfd = openSync(transferPath, 'r');
  try {
    const parser = new HarnessOutputParser(streams, new TransferReader(xfd), expected);
    const buf = Buffer.alloc(1 << 20);
    let rest = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const lines = (rest + buf.toString('latin1', 0, n)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) parser.line(line);
    }
    if (rest) parser.line(rest);
    return parser.result();
  } finally {
    closeSync(fd);
    closeSync(xfd);
  }
}

/**
 * Golden symbols of a layer from the reference decoder given what a container holds (each stream's
 * words and symbol count; not the encoder's bit length); null for a layer it rejects.
 */
function referenceSymbols(layer: CosimLayer): Uint8Array[] | null {
  try {
    return layer.streams.map((s) => {
      const out = new Uint8Array(s.symbolCount);
      decodeStream(s.words, undefined, s.symbolCount, layer.table, out);
      return out;
    });
  } catch {
    return null;
  }
}

/** Most symbols a synthetic co-simulation makes (layers x streams x mean symbols per stream): about 3 GB of traces. */
export const MAX_COSIM_SYMBOLS = 1 << 27;
const MAX_COSIM_LAYERS = 4096;

function checkCosimOptions(o: TansCosimOptions, streams: number): void {
  check(Number.isFinite(o.stallRate) && o.stallRate >= 0 && o.stallRate < 1, `--stall-rate ${o.stallRate} is outside [0, 1)`,
    'a probability per cycle, e.g. --stall-rate 0.2');
  check(Number.isSafeInteger(o.seed) && o.seed >= 0, `--seed ${o.seed} is not an integer 0..${Number.MAX_SAFE_INTEGER}`, 'e.g. --seed 1');
  if (o.layers !== undefined) {
    check(Number.isInteger(o.layers) && o.layers >= 1 && o.layers <= MAX_COSIM_LAYERS, `--layers ${o.layers} is not an integer 1..${MAX_COSIM_LAYERS}`, 'e.g. --layers 4');
  }
  if (o.symbolsPerStream !== undefined) {
    check(Number.isInteger(o.symbolsPerStream) && o.symbolsPerStream >= 1 && o.symbolsPerStream <= 1 << 20,
      `--symbols ${o.symbolsPerStream} is not an integer 1..1048576`, 'e.g. --symbols 400');
  }
  if (!o.weights) {
    const total = (o.layers ?? 4) * streams * (o.symbolsPerStream ?? 400);
    check(total <= MAX_COSIM_SYMBOLS, `--layers ${o.layers ?? 4} x --streams ${streams} x --symbols ${o.symbolsPerStream ?? 400} = ${total.toLocaleString('en-US')} symbols, ` +
      `more than a co-simulation holds (${MAX_COSIM_SYMBOLS.toLocaleString('en-US')})`, 'give fewer --layers, --streams or --symbols');
  } else {
    const { bins, maxWeightsPerLayer } = o.weights;
    check(Number.isInteger(bins) && bins >= 3 && bins <= 255 && bins % 2 === 1, `--bins ${bins} is not an odd integer 3..255`, 'e.g. --bins 15');
    check(Number.isInteger(maxWeightsPerLayer) && maxWeightsPerLayer >= 1 && maxWeightsPerLayer * (o.layers ?? 1) <= MAX_COSIM_SYMBOLS,
      `--max-weights ${maxWeightsPerLayer} is not an integer 1..${Math.floor(MAX_COSIM_SYMBOLS / (o.layers ?? 1)).toLocaleString('en-US')}`, 'e.g. --max-weights 65536');
  }
  for (const c of o.corruptLayers ?? []) {
    check(Number.isInteger(c) && c >= 0, `--corrupt ${c} is not a layer index`, 'give layer indices from 0, e.g. --corrupt 1');
  }
}

/** Refuses layers the harness cannot run (it counts cycles and words in 32 bits), before any build. */
function checkHarnessFits(layers: readonly CosimLayer[]): void {
  const maxCycles = layers.reduce((a, l) => Math.max(a, maxRunCycles(l)), 0);
  check(maxCycles <= HARNESS_MAX_U32, `a layer of this size may run ${maxCycles.toLocaleString('en-US')} cycles, more than the harness counts (2^32 - 1)`,
    'give fewer --symbols per stream, fewer --streams, or a smaller --max-weights');
}

export async function runTansCosim(o: TansCosimOptions): Promise<TansCosimResult> {
  // Everything that can be refused is refused before the Verilator build (which takes minutes
  // on a cold cache): the options, the decoder parameters, then the test vectors themselves
  // (their bins and sizes are checked while they are made) and the --corrupt indices against them.
  const p = resolveTansDecoderParams(o.params);
  checkCosimOptions(o, p.streams);
  const layers = o.weights
    ? modelLayers(p, o.weights.model, { ...o.weights, layers: o.layers, seed: o.seed, corruptLayers: o.corruptLayers })
    : syntheticLayers(p, { layers: o.layers ?? 4, seed: o.seed, symbolsPerStream: o.symbolsPerStream, corruptLayers: o.corruptLayers });
  check(layers.length >= 1, 'there are no layers to co-simulate', 'give a model with weight layers, or --layers 1 or more');
  for (const c of o.corruptLayers ?? []) {
    check(c < layers.length, `--corrupt ${c}: there are only ${layers.length} layers`, `give indices 0..${layers.length - 1}`);
  }
  checkHarnessFits(layers);
  const build = o.netlist ? await buildTansNetlistHarness(p, o.buildRoot, o.mutation)
    : await buildTansHarness(p, o.buildRoot, o.mutation, o.pgo ? (binary) => trainTansHarness(p, binary) : undefined);

  const t0 = performance.now();
  const model = runModel(p, layers, o.seed, o.stallRate);
  const modelSeconds = (performance.now() - t0) / 1000;

  const work = mkdtempSync(join(tmpdir(), 'hwsim-cosim-'));
  let rtl: HarnessResult;
  let rtlSeconds: number;
  try {
    writeStimulus(join(work, 'stimulus.bin'), p, layers, o.seed, o.stallRate, o.protocol ?? true);
    const t1 = performance.now();
    const r = spawnSync(build.binary, [join(work, 'stimulus.bin'), join(work, 'out.txt'), join(work, 'transfers.bin')], { encoding: 'utf8' });
    rtlSeconds = (performance.now() - t1) / 1000;
    if (r.error || r.status !== 0) {
      // an RTL simulation check ($fatal) prints on stdout and aborts the harness
      const said = [r.stdout, r.stderr, r.error ? String(r.error) : ''].map((t) => (t ?? '').trim()).filter(Boolean).join('; ');
      throw new HwsimError(`the Verilator harness failed (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`}): ${said}`,
        `rerun with the same --seed; the build is in ${build.dir}`);
    }
    rtl = readHarnessOutput(join(work, 'out.txt'), join(work, 'transfers.bin'), p.streams, layers.map((l) => l.symbolCounts));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  let mismatches = 0;
  let firstMismatch: string | undefined;
  const miss = (msg: string) => { mismatches++; firstMismatch ??= msg; };
  let symbolsCompared = 0;
  let cycleCountsCompared = 0;
  let missedCorruptions = 0;
  let falseErrors = 0;
  const perLayer: TansCosimResult['perLayer'] = [];
  layers.forEach((layer, l) => {
    const r = rtl.traces[l];
    const m = model[l];
    if (!r) { miss(`layer ${l}: the RTL produced no result`); return; }
    if (r.hang) miss(`layer ${l}: the RTL did not finish within ${maxRunCycles(layer)} cycles`);
    if (!m || m.hang) { miss(`layer ${l}: the cycle model did not finish`); return; }
    const ref = referenceSymbols(layer);
    if (!layer.corrupt && !ref) throw new HwsimError(`layer ${l}: the reference decoder rejects an uncorrupted stream (encoder bug)`);
    const half = (layer.bins - 1) >> 1;
    let layerSymbols = 0;
    for (let k = 0; k < p.streams; k++) {
      const expected: ArrayLike<number> = ref ? ref[k] : m.symbols[k];
      const source = ref ? 'reference decoder' : 'cycle model (corrupted layer)';
      if (r.symbols[k].length !== expected.length) {
        miss(`layer ${l} stream ${k}: RTL emitted ${r.symbols[k].length} symbols, ${source} ${expected.length}`);
      }
      const n = Math.min(r.symbols[k].length, expected.length);
      for (let i = 0; i < n; i++) {
        const got = r.symbols[k][i];
        if (got !== expected[i]) {
          miss(`layer ${l} stream ${k} index ${i}: expected symbol ${expected[i]} (${source}), got ${got} at run cycle ${r.cycles[k][i]}`);
        }
        const w = ((got - half) << 24) >> 24;
        if (r.weights[k][i] !== w) miss(`layer ${l} stream ${k} index ${i}: weight ${r.weights[k][i]}, expected ${w} = ${got} - ${half}`);
        if (m.cycles[k][i] !== r.cycles[k][i]) {
          miss(`layer ${l} stream ${k} index ${i}: RTL emitted at run cycle ${r.cycles[k][i]}, the cycle model at ${m.cycles[k][i]}`);
        }
      }
      if (ref && m.symbols[k].some((v, i) => v !== ref[k][i])) miss(`layer ${l} stream ${k}: the cycle model's symbols differ from the reference decoder`);
      symbolsCompared += n;
      layerSymbols += n;
    }
    // a layer the harness replayed after a reset was loaded in the foreground: the model's figure for that is loadLayer's
    const modelLoad = r.foreground && !m.foreground ? loadCycles(p) : m.loadCycles;
    if (r.loadCycles !== modelLoad) {
      miss(`layer ${l}: ${r.foreground ? 'load' : 'background load and switch'} took ${r.loadCycles} RTL cycles, ${modelLoad} in the model`);
    }
    if (r.runCycles !== m.runCycles) miss(`layer ${l}: RTL ran ${r.runCycles} cycles, the cycle model ${m.runCycles}`);
    else cycleCountsCompared++;
    // the verdict: error_o exactly when the reference decoder rejects the layer, either way
    const refRejects = ref === null;
    if (r.error !== refRejects) {
      if (refRejects) missedCorruptions++; else falseErrors++;
      miss(`layer ${l}: RTL error_o=${r.error ? 1 : 0}, but the reference decoder ${refRejects ? 'rejects' : 'accepts'} the layer` +
        (layer.corruption ? ` (${layer.corruption.kind} in stream ${layer.corruption.stream})` : ''));
    }
    if (m.error !== refRejects) miss(`layer ${l}: cycle model error=${m.error ? 1 : 0}, but the reference decoder ${refRejects ? 'rejects' : 'accepts'} the layer`);
    if (r.wordsAccepted !== layer.words.length) miss(`layer ${l}: RTL accepted ${r.wordsAccepted} of ${layer.words.length} words`);
    perLayer.push({ rtlRun: r.runCycles, modelRun: m.runCycles, rtlLoad: r.loadCycles, modelLoad, background: !r.foreground, rtlError: r.error, modelError: m.error, corrupt: layer.corrupt, refRejects, symbols: layerSymbols });
  });
  if (rtl.protocol.violations > 0) {
    // a protocol violation is the most direct diagnosis: it comes first
    mismatches += rtl.protocol.violations;
    firstMismatch = `protocol: ${rtl.protocol.messages[0]}`;
  }
  if ((o.protocol ?? true) && !rtl.protocol.checked) miss('the harness did not run its protocol checks');
  const rtlCycles = rtl.traces.reduce((a, t) => a + t.loadCycles + t.runCycles, 0);
  const modelCycles = perLayer.reduce((a, t) => a + t.modelLoad + t.modelRun, 0);
  // Guard against a vacuous pass: the RTL must have run and emitted every symbol.
  const expectedSymbols = layers.reduce((a, l) => a + (l.corrupt ? 0 : l.symbolCounts.reduce((x, y) => x + y, 0)), 0);
  const cleanCompared = perLayer.reduce((a, pl) => a + (pl.corrupt ? 0 : pl.symbols), 0);
  if (rtlCycles <= 0 || cleanCompared !== expectedSymbols) miss(`the RTL emitted ${cleanCompared} of ${expectedSymbols} symbols in ${rtlCycles} cycles`);
  return {
    pass: mismatches === 0, config: p, build, level: o.netlist ? 'netlist' : 'rtl',
    yosysSeconds: 'yosysSeconds' in build ? (build.yosysSeconds as number) : undefined, layers: layers.length, symbolsCompared, cycleCountsCompared,
    rtlCycles, modelCycles, mismatches, firstMismatch, perLayer, rtlSeconds, rtlCpuSeconds: rtl.cpuSeconds, modelSeconds, missedCorruptions, falseErrors,
    protocol: rtl.protocol,
    corruptions: layers.flatMap((l, i) => (l.corruption ? [{ layer: i, ...l.corruption }] : [])),
  };
}
