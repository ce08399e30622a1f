/**
 * `hwsim cosim wm --access sequential|random [--rows]`: the random-access port against wm.access and
 * wmAccessCycles, or (--rows) row requests on element-wise layers against RowAccess and wmRowAccessCycles.
 */
import { check, HwsimError } from '../errors.js';
import { accessLayers, ACCESS_ORDERS, rowLayers, runWmAccessCosim, type AccessOrder, type AccessFigures, type MatrixShape } from '../cosim/wm-access-cosim.js';
import { REFUSED_ACCESS_CYCLES } from '../chip/wm-access.js';
import { loadModel } from '../models/load.js';
import { wmEngineParamsFrom } from '../params/cli.js';
import { wmConfigName } from '../rtl/wm-rtl.js';

export const MATRIX_CHOICES = ['plain', 'huffman', 'both'] as const;

export interface WmAccessArgs {
  access: string; matrix?: string; accesses?: number; layers?: number; weights?: string; bins?: number; maxWeights?: number;
  seed: number; stallRate: number; symbols?: number; corrupt: number[]; corruptAs?: string; rows?: boolean;
}

const rate = (n: number, s: number) => (s > 0 ? Math.round(n / s).toLocaleString('en-US') : 'n/a');
/** cycles per access of the positions inside the sequence (a refused one takes REFUSED_ACCESS_CYCLES) */
const perAccess = (f: AccessFigures) => (f.accesses > f.refused ? ((f.cycles - REFUSED_ACCESS_CYCLES * f.refused) / (f.accesses - f.refused)).toFixed(3) : '-');
const perSelect = (f: AccessFigures) => (f.selects ? (f.selectCycles / f.selects).toFixed(2) : '-');
const hitRate = (f: AccessFigures) => (f.hits + f.misses ? `${(100 * f.hits / (f.hits + f.misses)).toFixed(1)} %` : '-');

/** Prints the comparison; false when it failed. */
export async function cosimWmAccess(argv: Record<string, unknown> & WmAccessArgs): Promise<boolean> {
  check((ACCESS_ORDERS as readonly string[]).includes(argv.access), `--access ${argv.access} is not an access order`, `use one of ${ACCESS_ORDERS.join(', ')}`);
  check(argv.corrupt.length === 0 && argv.corruptAs === undefined, '--corrupt and --corrupt-as are flags of the streaming unit, not of --access',
    'leave them out; the access co-simulation mixes positions outside the sequence in by itself');
  const matrix = argv.matrix ?? 'both';
  check((MATRIX_CHOICES as readonly string[]).includes(matrix), `--matrix ${matrix} is not a matrix shape`, `use one of ${MATRIX_CHOICES.join(', ')}`);
  const shapes: MatrixShape[] = matrix === 'both' ? ['plain', 'huffman'] : [matrix as MatrixShape];
  const p = wmEngineParamsFrom(argv, 'cosim');
  if (argv.weights === undefined) {
    for (const [flag, v] of [['--bins', argv.bins], ['--max-weights', argv.maxWeights]] as const) {
      if (v !== undefined) throw new HwsimError(`${flag} has no effect without --weights`, `leave ${flag} out, or give --weights <model>`);
    }
  }
  const model = argv.weights === undefined ? undefined : loadModel(argv.weights, { seed: argv.seed });
  const rows = argv.rows === true;
  const source = { seed: argv.seed, shapes, layers: argv.layers, weightsPerLayer: argv.symbols, model, bins: argv.bins, maxWeightsPerLayer: argv.maxWeights };
  const layers = rows ? rowLayers(p, source) : accessLayers(p, source);
  const r = await runWmAccessCosim({ params: p, layers, order: argv.access as AccessOrder, seed: argv.seed, stallRate: argv.stallRate, accesses: argv.accesses, rows });
  const what = rows ? 'row requests' : 'accesses';
  const lines = [
    `${r.pass ? 'PASS' : 'FAIL'} cosim wm access ${wmConfigName(p)} rank-cache ${p.wmRankCache} ${r.order}${rows ? ' rows' : ''} seed ${argv.seed} stall-rate ${argv.stallRate}`,
    `  sequences: ${model ? `${model.name}, ${model.synthetic ? 'SYNTHETIC' : 'trained'} (${model.source}); Huffman-shaped through the encoder` : 'synthetic Laplace layers'}` +
      `${rows ? ', element-wise (rows, a delimiter after each)' : ''}; matrices ${shapes.join(', ')}`,
    `  Verilator build: ${r.build.cached ? 'cached' : `built in ${r.build.seconds.toFixed(1)} s`} (${r.build.dir})`,
    `  layer                        matrix   length levels  ${what.padStart(8)} refused   RTL cycles/access hits  model cycles/access hits` +
      `${rows ? '   selects  RTL/model cycles/select  RTL/model walk' : ''}   (cycles/access: requests not refused)`,
    ...r.layers.map((l) => `  ${l.name.padEnd(28)} ${l.shape.padEnd(7)} ${String(l.length).padStart(7)} ${String(l.levels).padStart(6)} ` +
      `${String(l.rtl.accesses).padStart(9)} ${String(l.rtl.refused).padStart(7)}   ${perAccess(l.rtl).padStart(17)} ${hitRate(l.rtl).padStart(7)}  ` +
      `${perAccess(l.model).padStart(19)} ${hitRate(l.model).padStart(7)}` +
      (rows ? `   ${String(l.rtl.selects).padStart(7)}  ${`${perSelect(l.rtl)}/${perSelect(l.model)}`.padStart(23)}  ${`${l.rtl.walk}/${l.model.walk}`.padStart(14)}` : '')),
    `  ${what} compared ${r.accessesCompared} (` +
      (rows ? 'row start against RowAccess.rowStart, symbol against RowAccess.weight, the weight encoded and the row decoded, refusals against RowAccess.weight\'s, cycles, select cycles, hits and misses against wmRowAccessCycles, the walk at go against wmDelimiterWalkCycles'
        : 'symbol against wm.access, refusals, cycles, hits and misses against wmAccessCycles') + ')',
    `  RTL ${r.rtl.cycles} request cycles (${r.rtl.hits} hits, ${r.rtl.misses} misses${rows ? `, ${r.rtl.selects} selects in ${r.rtl.selectCycles} cycles` : ''}), ` +
      `model ${r.model.cycles} (${r.model.hits} hits, ${r.model.misses} misses${rows ? `, ${r.model.selects} selects in ${r.model.selectCycles} cycles` : ''}); ` +
      `run ${r.rtl.run} cycles from the first request to the last response, stalls included`,
    `  protocol violations ${r.protocolViolations}; mismatches ${r.mismatches}${r.firstMismatch ? `; first: ${r.firstMismatch}` : ''}`,
    `  speed: RTL ${rate(r.accessesCompared, r.rtlSeconds)} ${what}/s, cycle model ${rate(r.accessesCompared, r.modelSeconds)} ${what}/s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return r.pass;
}
