/**
 * SCALE-Sim topology CSV loader (the format SCALE-Sim v1/v2/v3 share):
 *
 *   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides[, Stride width],
 *
 * The first line is SCALE-Sim's header row when its second field is not a number, and is skipped
 * (SCALE-Sim skips line 1 whatever it holds); a first line whose second field is a number looks
 * like a layer and is refused, rather than silently losing that layer. Rows end with a trailing
 * comma; blank lines are ignored. The layer count, each ifmap and the weights are checked against
 * the limits (src/limits.ts) before any weight is drawn. No padding is applied (output size = ceil((H − R + S) / S)), so the dimensions are
 * taken as given. A layer whose name contains "DP" is depthwise: it holds Channels × Filter
 * Height × Filter Width weights (times Num Filter / Channels when Num Filter is a multiple of
 * Channels greater than it: a channel multiplier). A topology has no weights: the model gets
 * synthetic, seeded, Laplace-distributed weights (src/models/synthetic.ts) and is labelled synthetic.
 */
import { basename } from 'node:path';
import { HwsimError } from '../errors.js';
import { checkLimit } from '../limits.js';
import { checkLayerSpecs } from './checks.js';
import { readRegularFile } from './loaders/files.js';
import { syntheticModel } from './synthetic.js';
import type { LayerSpec, Model } from './types.js';

/** a number as SCALE-Sim's header row never has one in its second field */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const COLUMNS = ['Layer name', 'IFMAP Height', 'IFMAP Width', 'Filter Height', 'Filter Width', 'Channels', 'Num Filter', 'Strides', 'Stride width'];

/** Parses the text of a topology CSV; `file` names it in errors. */
export function parseScaleSimTopology(text: string, file = 'topology.csv'): LayerSpec[] {
  const lines = text.split(/\r?\n/);
  const specs: LayerSpec[] = [];
  const fix = `rows are: ${COLUMNS.slice(0, 8).join(', ')}[, ${COLUMNS[8]}], (the first line is a header)`;
  const first = lines[0].split(',').map((c) => c.trim());
  if (first.length > 1 && NUMBER.test(first[1])) {
    throw new HwsimError(`${file}: the first line looks like a layer, not SCALE-Sim's header row: ${JSON.stringify(lines[0].trim())}`,
      `add the header line \`${COLUMNS.slice(0, 8).join(', ')},\` (SCALE-Sim skips the first line, so hwsim will not read a layer there)`);
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    const where = `${file}: line ${i + 1}`;
    if (cells.length < 8 || cells.length > 9) {
      throw new HwsimError(`${where}: ${cells.length} columns, expected 8 or 9`, fix);
    }
    const name = cells[0];
    if (name === '') throw new HwsimError(`${where}, column 1 (${COLUMNS[0]}): empty layer name`, fix);
    const v: number[] = [];
    for (let c = 1; c < cells.length; c++) {
      const s = cells[c];
      const n = Number(s);
      if (!/^\d+$/.test(s) || !(n >= 1) || !Number.isSafeInteger(n)) {
        throw new HwsimError(`${where}, column ${c + 1} (${COLUMNS[c]}): '${s}' is not a positive integer`, fix);
      }
      v.push(n);
    }
    const [ifmapH, ifmapW, filterH, filterW, channels, filters, stride] = v;
    const strideW = v[7] ?? stride;
    if (strideW !== stride) {
      throw new HwsimError(`${where}, column 9 (${COLUMNS[8]}): stride width ${strideW} differs from stride ${stride}`,
        'hwsim models one stride per layer: give equal strides');
    }
    if (filterH > ifmapH || filterW > ifmapW) {
      throw new HwsimError(`${where}: filter ${filterH}x${filterW} is larger than the ${ifmapH}x${ifmapW} ifmap`,
        'SCALE-Sim applies no padding: give the padded ifmap size (e.g. 230x230 for a 7x7 filter on 224x224 with padding 3)');
    }
    const dw = name.includes('DP');
    let weightShape: number[];
    if (dw) {
      const mult = filters > channels && filters % channels === 0 ? filters / channels : 1;
      weightShape = [channels * mult, 1, filterH, filterW];
    } else {
      weightShape = [filters, channels, filterH, filterW];
    }
    checkLimit('maxLayers', specs.length + 1, `${file}: the layer count`);
    specs.push({
      name, kind: dw ? 'dwconv' : 'conv', ifmapH, ifmapW, filterH, filterW, channels,
      filters: dw ? weightShape[0] : filters, stride, weightShape,
    } as LayerSpec);
  }
  if (specs.length === 0) {
    throw new HwsimError(`${file}: no layers (only a header or blank lines)`, fix);
  }
  checkLayerSpecs(specs, file);
  return specs;
}

/** Loads a topology CSV as a model with synthetic weights. */
export function loadScaleSimTopology(path: string, seed = 1): Model {
  const text = new TextDecoder().decode(readRegularFile(path, path, 'give the path of a SCALE-Sim topology CSV'));
  const file = basename(path);
  const specs = parseScaleSimTopology(text, file);
  return syntheticModel(file.replace(/\.csv$/i, ''), `SCALE-Sim topology ${path}`, specs, seed,
    `SCALE-Sim topology ${file}, synthetic seeded Laplace weights (He scale, seed ${seed}), not trained`);
}
