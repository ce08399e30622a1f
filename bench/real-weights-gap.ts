/**
 * Gap of tANS coding to the entropy bound on real trained weights: ours vs the FSE baseline.
 *
 *   bash scripts/fetch-models.sh && npx tsc -p . && node dist/bench/real-weights-gap.js \
 *     [--weights .cache/models/nsfwjs-mobilenet_v2/model.json] [--bins 15,31] [--states 64,128,256] [--json]
 *
 * Every conv/dwconv/fc kernel of the model is quantized on its own (zero-point, min-MSE step, the
 * quantizer `hwsim encode --bins N` uses) and coded as one stream with its own table, as the
 * encoder does per layer. A cell's gap is total actual coded bits over all layers against the
 * total of each layer's empirical entropy bound: sum(bits) / sum(n·H) − 1. "layers beaten" counts
 * layers where ours codes strictly fewer bits than FSE (ties are layers where both pick the same
 * table, typically tiny layers).
 */
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { quantize } from '../src/codecs/quant/index.js';
import { HwsimError } from '../src/errors.js';
import { runIfEntry } from './entry.js';
import { gapRowsForSymbols, type GapRow } from './tans-gap.js';

const DEFAULT_WEIGHTS = '.cache/models/nsfwjs-mobilenet_v2/model.json';

export interface RealGapCell {
  bins: number;
  states: number;
  layers: number;
  weights: number;
  /** weight-averaged entropy, bits/weight */
  entropy: number;
  oursBestGapPct: number;
  oursFastGapPct: number;
  fseGapPct: number;
  /** layers where ours (best) codes fewer bits than FSE, and where FSE codes fewer */
  layersBeaten: number;
  layersLost: number;
}

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new HwsimError(`${name} needs a value`, `e.g. ${name} ${fallback}`);
  return v;
}

function numberList(argv: string[], name: string, fallback: string): number[] {
  const list = option(argv, name, fallback).split(',').map(Number);
  if (list.some((v) => !Number.isInteger(v) || v <= 0)) throw new HwsimError(`${name}: '${list.join(',')}' is not a list of positive integers`, `e.g. ${name} ${fallback}`);
  return list;
}

export function realWeightGap(path: string, binsList: number[], states: number[]): { model: string; cells: RealGapCell[] } {
  const model = loadWeightsFile(path);
  if (model.synthetic) throw new HwsimError(`${path} holds synthetic weights`, 'give a trained model');
  const cells: RealGapCell[] = [];
  for (const bins of binsList) {
    const perLayer: GapRow[][] = model.layers.map((layer) => {
      const q = quantize(layer.weights, bins);
      return gapRowsForSymbols(layer.spec.name, q.symbols, bins, states);
    });
    states.forEach((L, k) => {
      let n = 0, hBits = 0, best = 0, fast = 0, fse = 0, beaten = 0, lost = 0;
      for (const rows of perLayer) {
        const r = rows[k];
        n += r.symbols;
        hBits += r.entropy * r.symbols;
        best += r.ours.bits;
        fast += r.oursFast.bits;
        fse += r.fse.bits;
        if (r.ours.bits < r.fse.bits) beaten++;
        if (r.ours.bits > r.fse.bits) lost++;
      }
      const gap = (bits: number) => (bits / hBits - 1) * 100;
      cells.push({
        bins, states: L, layers: perLayer.length, weights: n, entropy: hBits / n,
        oursBestGapPct: gap(best), oursFastGapPct: gap(fast), fseGapPct: gap(fse), layersBeaten: beaten, layersLost: lost,
      });
    });
  }
  return { model: `${model.name} (${model.source}, ${model.layers.length} weight layers)`, cells };
}

function main(argv: string[]): void {
  const path = option(argv, '--weights', DEFAULT_WEIGHTS);
  const result = realWeightGap(path, numberList(argv, '--bins', '15,31'), numberList(argv, '--states', '64,128,256'));
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const f = (v: number, w = 7, d = 2) => v.toFixed(d).padStart(w);
  const out = [
    `tANS gap to the entropy bound on real weights: ${result.model}`,
    'each layer quantized to N zero-point bins (min-MSE step) and coded with its own table; gap = sum(bits) / sum(n·H) - 1',
    ' bins     L  layers    weights  H bits |  best%  fast%   FSE% | layers ours<FSE  ours>FSE',
  ];
  for (const c of result.cells) {
    out.push(`${String(c.bins).padStart(5)} ${String(c.states).padStart(5)} ${String(c.layers).padStart(7)} ${String(c.weights).padStart(10)} ${f(c.entropy, 7, 3)} |` +
      `${f(c.oursBestGapPct)}${f(c.oursFastGapPct)}${f(c.fseGapPct)} | ${String(c.layersBeaten).padStart(15)} ${String(c.layersLost).padStart(9)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

runIfEntry(import.meta.url, main);
