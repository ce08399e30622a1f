/**
 * `hwsim cosim wm`: the generated query unit under Verilator against the reference decoder
 * (wmCodec.decode: every weight) and the cycle model (WmSource: LOAD, START and DECODE cycles of
 * every layer, and the cycle of every weight), both under the same stall pattern on the load port's
 * valid and each lane's ready. Corrupted layers must raise error_o exactly where the reference
 * decoder rejects them. A run that compared nothing is a failure.
 */
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { ByteWriter } from '../codecs/bytes.js';
import { params as paramCount, type WmLayer } from '../codecs/codec.js';
import { layerHeaderBytes } from '../codecs/container.js';
import { sequenceLength, wmCodec } from '../codecs/wm/index.js';
import type { WordFifo } from '../chip/fifo.js';
import { WmSource } from '../chip/wm-source.js';
import { resolveWmEngineParams } from '../params/groups.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { packageRoot } from '../package-root.js';
import { generateWmRtl, WM_RTL_FILES, WM_TOP, wmConfigName } from '../rtl/wm-rtl.js';
import { StallPattern } from './stall.js';
import { buildHarness, runHarness, type HarnessBuild, type RtlMutation } from './verilator.js';
import { checkLayerFits, laneFirstWeights, wmConfigWrites, wmCosimLayers, type WmCosimLayer, type WmVectorOptions } from './wm-vectors.js';

export interface WmCosimOptions extends WmVectorOptions {
  params: Partial<WmEngineParams>;
  stallRate: number;
  buildRoot?: string;
  /** a deliberate RTL bug (mutation tests only): the run must then FAIL */
  mutation?: RtlMutation;
}

export interface WmLayerResult {
  name: string;
  weights: number;
  /** symbols the unit streams: the weights, element-wise with a delimiter after each row */
  symbols: number;
  corrupt?: string;
  refRejects: boolean;
  rtl: { load: number; start: number; decode: number; done: boolean; error: boolean; code: number; delivered: number };
  model?: { load: number; start: number; decode: number };
}

export interface WmCosimResult {
  pass: boolean;
  config: WmEngineParams;
  build: HarnessBuild;
  layers: WmLayerResult[];
  /** weights whose symbol (against the reference) and delivery cycle (against the model) were compared */
  symbolsCompared: number;
  /** layers whose LOAD, START and DECODE cycle counts equal the model's */
  cycleCountsEqual: number;
  /** busy cycles of the layers the model ran (those the reference decodes) */
  rtlCycles: number;
  modelCycles: number;
  mismatches: number;
  firstMismatch?: string;
  missedCorruptions: number;
  falseErrors: number;
  protocolViolations: number;
  rtlSeconds: number;
  modelSeconds: number;
}

/** error_code_o of wm_query_unit.v, in words */
export const WM_ERROR_CODES = ['none', 'config', 'payload larger than the buffer', 'padding bits', 'zeros', 'directory', 'unused code or misplaced delimiter', 'cursor end check'];

export async function buildWmHarness(p: WmEngineParams, root = join(packageRoot(), 'build', 'cosim'), mutation?: RtlMutation): Promise<HarnessBuild> {
  const generated = generateWmRtl(p);
  return buildHarness({
    name: wmConfigName(p), top: WM_TOP, rtl: WM_RTL_FILES.map((name) => generated.find((f) => f.name === name)!),
    harness: 'cosim/wm_harness.cpp', command: 'hwsim cosim wm', binary: 'Vwm_cosim', flags: ['-CFLAGS', '-O1', '-Wno-fatal'],
  }, root, mutation);
}

/** the stall pattern of layer i: its own seed, so one layer's cycles cannot shift the next one's draws */
const layerStallSeed = (seed: number, i: number) => (seed + Math.imul(0x9e3779b1, i + 1)) >>> 0;
/** cycles after which the harness gives up on a layer (a hung unit) */
const cycleLimit = (l: WmLayer) => 64 * (l.words.length + paramCount(l.shape)) + 100_000;

/** The record prefix the chip parses for a layer: codec tag, header length, header, payload length. */
function recordPrefix(layer: WmLayer): Uint8Array {
  const header = layerHeaderBytes(layer);
  const w = new ByteWriter();
  w.u8(wmCodec.tag);
  w.varint(header.length);
  w.bytes(header);
  w.varint(4 * layer.words.length);
  return w.result();
}

interface ModelRun { load: number; start: number; decode: number; symbol: Int16Array; cycle: Float64Array }

/** The cycle model (WmSource) over one layer with the stall pattern the harness uses for it. */
export function runWmModel(p: WmEngineParams, c: WmCosimLayer, stallSeed: number, stallRate: number): ModelRun {
  const n = paramCount(c.layer.shape);
  const symbol = new Int16Array(n).fill(-1);
  const cycle = new Float64Array(n).fill(-1);
  let cyc = 0;
  const src = new WmSource({
    lanes: p.wmLanes, loadWords: p.wmLoadWords, settleCycles: 1 << 30,
    capture: (_name, pos, sym) => { symbol[pos] = sym; cycle[pos] = cyc; },
  });
  src.begin({ name: c.name, codec: 'wm', params: n, words: c.layer.words.length }, recordPrefix(c.layer));
  const ready = new Array<boolean>(p.wmLanes).fill(true);
  src.laneReady = ready;
  // per busy cycle: one draw for the load port's valid, then one per lane for its ready
  const pattern = new StallPattern(stallSeed, stallRate);
  const words = c.layer.words;
  let fed = 0;
  const limit = cycleLimit(c.layer);
  while (!src.layerDone) {
    const inStall = pattern.next();
    for (let k = 0; k < p.wmLanes; k++) ready[k] = !pattern.next();
    const count = inStall ? 0 : Math.min(p.wmLoadWords, words.length - fed);
    const fifo = { count, pop: () => words[fed++] } as unknown as WordFifo;
    src.step(fifo, p.wmLanes);
    cyc++;
    if (cyc > limit) throw new HwsimError(`internal: the cycle model did not finish ${c.name} in ${limit} cycles`);
  }
  return { load: src.phaseCycles.load, start: src.phaseCycles.start, decode: src.phaseCycles.decode, symbol, cycle };
}

export async function runWmCosim(o: WmCosimOptions): Promise<WmCosimResult> {
  const p = resolveWmEngineParams(o.params, 'cosim');
  check(Number.isFinite(o.stallRate) && o.stallRate >= 0 && o.stallRate < 1, `--stall-rate ${o.stallRate} is not in [0, 1)`, 'e.g. --stall-rate 0.2');
  const layers = wmCosimLayers(p, o);
  check(layers.length >= 1, 'there are no layers to co-simulate', 'give a model with weight layers, or --layers 1 or more');
  for (const c of layers) checkLayerFits(p, c);
  const build = await buildWmHarness(p, o.buildRoot, o.mutation);

  // the stimulus: lanes, load words, symbol bits, layers; per layer stall state, threshold, limit, config, payload
  const lines: number[] = [p.wmLanes, p.wmLoadWords, p.symbolBits, layers.length];
  layers.forEach((c, i) => {
    const pattern = new StallPattern(layerStallSeed(o.seed, i), o.stallRate);
    lines.push(pattern.state, pattern.threshold, cycleLimit(c.layer));
    const cfg = wmConfigWrites(p, c.layer);
    lines.push(cfg.length);
    for (const [a, d] of cfg) lines.push(a, d);
    lines.push(c.layer.words.length, ...c.layer.words);
  });
  const { text, seconds: rtlSeconds } = runHarness(build, lines, 'wm-cosim');

  // the harness output: per layer its transfers ("w lane symbol cycle"), then its summary line
  const rtlLayers: { sum: number[]; w: number[][] }[] = [];
  let cur: number[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('w ')) cur.push(line.slice(2).split(' ').map(Number));
    else if (line.startsWith('l ')) { rtlLayers.push({ sum: line.slice(2).split(' ').map(Number), w: cur }); cur = []; }
  }
  check(rtlLayers.length === layers.length, `the harness reported ${rtlLayers.length} of ${layers.length} layers`, `the build is in ${build.dir}`);

  let mismatches = 0;
  let firstMismatch: string | undefined;
  const miss = (what: string) => { mismatches++; firstMismatch ??= what; };
  let symbolsCompared = 0;
  let cycleCountsEqual = 0;
  let rtlCycles = 0;
  let modelCycles = 0;
  let missedCorruptions = 0;
  let falseErrors = 0;
  let protocolViolations = 0;
  let modelSeconds = 0;
  const out: WmLayerResult[] = [];
  layers.forEach((c, i) => {
    const [load, start, decode, done, error, code, violations] = rtlLayers[i].sum;
    protocolViolations += violations;
    if (violations) miss(`${c.name}: ${violations} protocol violations (out_valid_o or out_symbol_o changed before the transfer)`);
    const n = paramCount(c.layer.shape);
    const res: WmLayerResult = {
      name: c.name, weights: n, symbols: sequenceLength(c.layer), corrupt: c.corruption?.kind, refRejects: c.golden === null,
      rtl: { load, start, decode, done: done === 1, error: error === 1, code, delivered: rtlLayers[i].w.length },
    };
    out.push(res);
    if (c.golden === null) {
      if (!res.rtl.error) { missedCorruptions++; miss(`${c.name}: the reference rejects it (${c.refError}) but the RTL finished without error_o`); }
      return;
    }
    if (res.rtl.error || !res.rtl.done) {
      falseErrors += res.rtl.error ? 1 : 0;
      miss(`${c.name}: the RTL ${res.rtl.error ? `raised error_o (${WM_ERROR_CODES[code] ?? code})` : 'did not finish'} on a layer the reference decodes`);
      return;
    }
    const t0 = performance.now();
    const m = runWmModel(p, c, layerStallSeed(o.seed, i), o.stallRate);
    modelSeconds += (performance.now() - t0) / 1000;
    res.model = { load: m.load, start: m.start, decode: m.decode };
    modelCycles += m.load + m.start + m.decode;
    rtlCycles += load + start + decode;
    if (m.load === load && m.start === start && m.decode === decode) cycleCountsEqual++;
    else miss(`${c.name}: cycles LOAD/START/DECODE RTL ${load}/${start}/${decode}, model ${m.load}/${m.start}/${m.decode}`);
    // the j-th transfer of lane k is weight first_k + j (element-wise: the delimiters before the
    // lane's first symbol are not weights)
    const first = laneFirstWeights(p, c.layer);
    const seen = new Int32Array(p.wmLanes);
    for (const [k, sym, cyc] of rtlLayers[i].w) {
      const pos = first[k] + seen[k]++;
      if (pos >= (k + 1 < p.wmLanes ? first[k + 1] : n)) { miss(`${c.name}: lane ${k} delivered more than its slice`); continue; }
      symbolsCompared++;
      if (sym !== c.golden[pos]) miss(`${c.name}: weight ${pos} (lane ${k}) is ${sym}, the reference decodes ${c.golden[pos]}`);
      else if (cyc !== m.cycle[pos]) miss(`${c.name}: weight ${pos} (lane ${k}) left in cycle ${cyc}, the model delivers it in cycle ${m.cycle[pos]}`);
    }
    if (rtlLayers[i].w.length !== n) miss(`${c.name}: the RTL delivered ${rtlLayers[i].w.length} of ${n} weights`);
  });
  const pass = mismatches === 0 && symbolsCompared > 0 && out.some((l) => l.model !== undefined);
  return {
    pass, config: p, build, layers: out, symbolsCompared, cycleCountsEqual, rtlCycles, modelCycles, mismatches, firstMismatch,
    missedCorruptions, falseErrors, protocolViolations, rtlSeconds, modelSeconds,
  };
}
