/**
 * `hwsim cosim tans`: synthetic layers → reference decoder (golden symbols), cycle model (golden
 * cycles) and the Verilator-built RTL under the same stall pattern; every symbol, weight and
 * transfer cycle of the RTL is compared. A run that compared nothing is a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { decodeStream } from '../codecs/tans/codec.js';
import { resolveTansDecoderParams, type TansDecoderParams } from '../chip/tans-decoder.js';
import { StallPattern } from './stall.js';
import { maxRunCycles, runModel, type LayerTrace } from './tans-run.js';
import type { Model } from '../models/types.js';
import { modelLayers } from './model-vectors.js';
import { syntheticLayers, type CosimLayer } from './tans-vectors.js';
import { buildTansHarness, type HarnessBuild } from './verilator.js';

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
}

export interface TansCosimResult {
  pass: boolean;
  config: TansDecoderParams;
  build: HarnessBuild;
  layers: number;
  /** RTL output symbols compared with the reference decoder (or, in corrupted layers, the model) */
  symbolsCompared: number;
  /** layers whose run-cycle counts RTL and model agree on, out of `layers` */
  cycleCountsCompared: number;
  rtlCycles: number;
  modelCycles: number;
  mismatches: number;
  firstMismatch?: string;
  perLayer: Array<{ rtlRun: number; modelRun: number; rtlError: boolean; modelError: boolean; corrupt: boolean; symbols: number }>;
  rtlSeconds: number;
  modelSeconds: number;
}

export function writeStimulus(path: string, p: TansDecoderParams, layers: readonly CosimLayer[], seed: number, stallRate: number): void {
  const stall = new StallPattern(seed, stallRate);
  const hex = (v: number) => (v >>> 0).toString(16);
  const lines = [p.streams, p.symbolBits, StallPattern.seedState(seed), stall.threshold,
    Math.max(...layers.map(maxRunCycles)), layers.length].map(hex);
  for (const l of layers) {
    lines.push(hex(l.load.length), hex(l.words.length));
    for (const w of l.load) lines.push(hex(w));
    for (const w of l.words) lines.push(hex(w));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

export function parseHarnessOutput(text: string, streams: number): { traces: LayerTrace[]; totalCycles: number } {
  const traces: LayerTrace[] = [];
  const fresh = (): LayerTrace => ({
    loadCycles: 0, runCycles: 0, wordsAccepted: 0, error: false, hang: false,
    symbols: Array.from({ length: streams }, () => []), weights: Array.from({ length: streams }, () => []),
    cycles: Array.from({ length: streams }, () => []),
  });
  let cur = fresh();
  let total = -1;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[0] === 's') {
      const k = Number(f[1]);
      cur.symbols[k].push(Number(f[2]));
      cur.weights[k].push(Number(f[3]));
      cur.cycles[k].push(Number(f[4]));
    } else if (f[0] === 'layer') {
      cur.loadCycles = Number(f[3]);
      cur.runCycles = Number(f[5]);
      cur.wordsAccepted = Number(f[7]);
      cur.error = f[9] === '1';
      cur.hang = f[11] === '1';
      traces.push(cur);
      cur = fresh();
    } else if (f[0] === 'end') {
      total = Number(f[1]);
    }
  }
  if (total < 0) throw new HwsimError('the Verilator harness output has no end line: the RTL run did not complete');
  return { traces, totalCycles: total };
}

/** Golden symbols of a layer from the reference decoder; null for a layer it rejects. */
function referenceSymbols(layer: CosimLayer): Uint8Array[] | null {
  try {
    return layer.streams.map((s) => {
      const out = new Uint8Array(s.symbolCount);
      decodeStream(s.words, s.bitLength, s.symbolCount, layer.table, out);
      return out;
    });
  } catch {
    return null;
  }
}

function checkCosimOptions(o: TansCosimOptions): void {
  check(Number.isFinite(o.stallRate) && o.stallRate >= 0 && o.stallRate < 1, `--stall-rate ${o.stallRate} is outside [0, 1)`,
    'a probability per cycle, e.g. --stall-rate 0.2');
  check(Number.isSafeInteger(o.seed), `--seed ${o.seed} is not an integer`, 'e.g. --seed 1');
  if (o.layers !== undefined) check(Number.isInteger(o.layers) && o.layers >= 1, `--layers ${o.layers} is not a positive integer`, 'e.g. --layers 4');
  if (o.symbolsPerStream !== undefined) {
    check(Number.isInteger(o.symbolsPerStream) && o.symbolsPerStream >= 1 && o.symbolsPerStream <= 1 << 20,
      `--symbols ${o.symbolsPerStream} is outside 1..1048576`, 'e.g. --symbols 400');
  }
  for (const c of o.corruptLayers ?? []) {
    check(Number.isInteger(c) && c >= 0, `--corrupt ${c} is not a layer index`, 'give layer indices from 0, e.g. --corrupt 1');
  }
}

export async function runTansCosim(o: TansCosimOptions): Promise<TansCosimResult> {
  // Everything that can be refused is refused before the Verilator build (which takes minutes
  // on a cold cache): the options, the decoder parameters, then the test vectors themselves
  // (their bins and sizes are checked while they are made) and the --corrupt indices against them.
  checkCosimOptions(o);
  const p = resolveTansDecoderParams(o.params);
  const layers = o.weights
    ? modelLayers(p, o.weights.model, { ...o.weights, layers: o.layers, seed: o.seed, corruptLayers: o.corruptLayers })
    : syntheticLayers(p, { layers: o.layers ?? 4, seed: o.seed, symbolsPerStream: o.symbolsPerStream, corruptLayers: o.corruptLayers });
  check(layers.length >= 1, 'there are no layers to co-simulate', 'give a model with weight layers, or --layers 1 or more');
  for (const c of o.corruptLayers ?? []) {
    check(c < layers.length, `--corrupt ${c}: there are only ${layers.length} layers`, `give indices 0..${layers.length - 1}`);
  }
  const build = await buildTansHarness(p, o.buildRoot);

  const t0 = performance.now();
  const model = runModel(p, layers, o.seed, o.stallRate);
  const modelSeconds = (performance.now() - t0) / 1000;

  const work = mkdtempSync(join(tmpdir(), 'hwsim-cosim-'));
  let rtl: { traces: LayerTrace[]; totalCycles: number };
  let rtlSeconds: number;
  try {
    writeStimulus(join(work, 'stimulus.txt'), p, layers, o.seed, o.stallRate);
    const t1 = performance.now();
    const r = spawnSync(build.binary, [join(work, 'stimulus.txt'), join(work, 'out.txt')], { encoding: 'utf8' });
    rtlSeconds = (performance.now() - t1) / 1000;
    if (r.error || r.status !== 0) {
      throw new HwsimError(`the Verilator harness failed (exit ${r.status}): ${(r.stderr || String(r.error ?? '')).trim()}`,
        `rerun with the same --seed; the build is in ${build.dir}`);
    }
    rtl = parseHarnessOutput(readFileSync(join(work, 'out.txt'), 'utf8'), p.streams);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  let mismatches = 0;
  let firstMismatch: string | undefined;
  const miss = (msg: string) => { mismatches++; firstMismatch ??= msg; };
  let symbolsCompared = 0;
  let cycleCountsCompared = 0;
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
    if (r.loadCycles !== m.loadCycles) miss(`layer ${l}: load took ${r.loadCycles} RTL cycles, ${m.loadCycles} in the model`);
    if (r.runCycles !== m.runCycles) miss(`layer ${l}: RTL ran ${r.runCycles} cycles, the cycle model ${m.runCycles}`);
    else cycleCountsCompared++;
    if (r.error !== m.error) miss(`layer ${l}: RTL error_o=${r.error ? 1 : 0}, model error=${m.error ? 1 : 0}`);
    if (!layer.corrupt && r.error) miss(`layer ${l}: RTL raised error on an uncorrupted layer`);
    if (r.wordsAccepted !== layer.words.length) miss(`layer ${l}: RTL accepted ${r.wordsAccepted} of ${layer.words.length} words`);
    perLayer.push({ rtlRun: r.runCycles, modelRun: m.runCycles, rtlError: r.error, modelError: m.error, corrupt: layer.corrupt, symbols: layerSymbols });
  });
  const rtlCycles = rtl.traces.reduce((a, t) => a + t.loadCycles + t.runCycles, 0);
  const modelCycles = model.reduce((a, t) => a + t.loadCycles + t.runCycles, 0);
  if (rtlCycles !== rtl.totalCycles) miss(`the harness counted ${rtl.totalCycles} cycles, its layers ${rtlCycles}`);
  // Guard against a vacuous pass: the RTL must have run and emitted every symbol.
  const expectedSymbols = layers.reduce((a, l) => a + (l.corrupt ? 0 : l.symbolCounts.reduce((x, y) => x + y, 0)), 0);
  const cleanCompared = perLayer.reduce((a, pl) => a + (pl.corrupt ? 0 : pl.symbols), 0);
  if (rtlCycles <= 0 || cleanCompared !== expectedSymbols) miss(`the RTL emitted ${cleanCompared} of ${expectedSymbols} symbols in ${rtlCycles} cycles`);
  return {
    pass: mismatches === 0, config: p, build, layers: layers.length, symbolsCompared, cycleCountsCompared,
    rtlCycles, modelCycles, mismatches, firstMismatch, perLayer, rtlSeconds, modelSeconds,
  };
}
