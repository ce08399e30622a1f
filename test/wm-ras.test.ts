/**
 * Runtime-Accessible Sequences of the wm codec (src/codecs/wm/ras.ts, docs/FORMAT.md §4 codec 3):
 * element-wise rows closed by delimiters and reached by select, (distance, value) tuples for
 * pruned layers, and every malformed sequence refused by the container's decoder naming the layer
 * and the check (each built on purpose with the real matrix builder: the checks can fail).
 */
import { describe, expect, it } from 'vitest';
import type { LayerBase, WmLayer } from '../src/codecs/codec.js';
import { writeContainer, type ModelImage } from '../src/codecs/container.js';
import { recordBytes } from '../src/codecs/model-codec.js';
import { decodeContainer } from '../src/codecs/model-image.js';
import { quantize } from '../src/codecs/quant/index.js';
import { layerMatrix, layerOfSequence, wmCodec } from '../src/codecs/wm/index.js';
import { delimiterOf, elementSequence, RowAccess, tupleSequence, weightsOfSequence, zeroFraction } from '../src/codecs/wm/ras.js';
import { HwsimError } from '../src/errors.js';
import { loadModel } from '../src/models/load.js';
import type { LayerSpec } from '../src/models/types.js';
import { hwsimError } from './hwsim-error.js';

const ROWS = 6;
const ROW = 40;
const BINS = 7;
const base: LayerBase = { shape: [ROWS, ROW], quant: { bins: BINS, step: 0.1 } };
const spec: LayerSpec = { name: 'fc9', kind: 'fc', ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: ROW, filters: ROWS, stride: 1, weightShape: [ROWS, ROW] };
const opts = { states: 64, streams: 1, split: 'channel' as const, effort: 'fast' as const };

/** a sparse row-major layer: mostly the zero bin (3), some values */
const weights = Uint8Array.from({ length: ROWS * ROW }, (_, i) => ((i * 37) % 11 === 0 ? [0, 1, 2, 4, 5, 6][i % 6] : 3));

function imageOf(layer: WmLayer): Uint8Array {
  const image: ModelImage = { model: { name: 'm', source: 'test', synthetic: true, description: '' }, options: {}, specs: [spec], layers: [layer] };
  return writeContainer(image);
}

function refusal(layer: WmLayer): string {
  const e = hwsimError(() => decodeContainer(imageOf(layer), 'bad.hwz'));
  return e.message;
}

describe('element-wise rows with delimiters', () => {
  const layer = wmCodec.encode(weights, base, { ...opts, wmForm: 'element' });

  it('stores every row then a delimiter; row r starts at select(delimiter, r − 1) + 1', () => {
    expect(layer.levelLengths[0]).toBe(ROWS * ROW + ROWS);
    const rows = new RowAccess(layerMatrix(layer), layer);
    for (let r = 0; r < ROWS; r++) {
      expect(rows.rowStart(r)).toBe(r * (ROW + 1));
      expect(rows.rowEnd(r)).toBe(r * (ROW + 1) + ROW);
      expect(Array.from(rows.row(r))).toEqual(Array.from(weights.subarray(r * ROW, (r + 1) * ROW)));
      for (let j = 0; j < ROW; j += 7) expect(rows.weight(r, j)).toBe(weights[r * ROW + j]);
    }
    expect(Array.from(wmCodec.decode(layer))).toEqual(Array.from(weights));
  });

  it('refuses select past the last delimiter and weights outside a row', () => {
    const rows = new RowAccess(layerMatrix(layer), layer, 'fc9');
    expect(hwsimError(() => rows.rowStart(ROWS)).message).toMatch(/^layer fc9: wm rows: select past the last delimiter: row 6 of a layer with 6 rows \(0..5\)/);
    expect(hwsimError(() => rows.rowEnd(-1)).message).toMatch(/row -1 of a layer with 6 rows/);
    expect(hwsimError(() => rows.weight(2, ROW)).message).toMatch(/weight 40 of row 2 is outside the row's 0..39/);
    expect(hwsimError(() => new RowAccess(layerMatrix(wmCodec.encode(weights, base, { ...opts, wmForm: 'block' })), { ...layer, form: 'block' })).message)
      .toMatch(/block-wise layer has no rows to select/);
  });

  it('malformed sequences are refused naming the layer and the check', () => {
    const good = elementSequence(weights, base.shape, BINS);
    const D = delimiterOf(BINS);
    // a delimiter one place early: row 1 one weight short, row 2 one long
    const early = good.slice();
    [early[2 * ROW], early[2 * ROW + 1]] = [early[2 * ROW + 1], early[2 * ROW]];
    expect(early[2 * ROW]).toBe(D);
    const form = { form: 'element' as const, gapSymbols: 0, blockWeights: 0 };
    expect(refusal(layerOfSequence(early, base, form))).toMatch(/layer #0 'fc9': wm element-wise: row 1 holds 39 weights, the shape gives 40 per row/);
    // the last delimiter replaced by a weight: the last row is never closed
    const open = good.slice();
    open[open.length - 1] = 3;
    expect(refusal(layerOfSequence(open, base, form))).toMatch(/layer #0 'fc9': wm element-wise: row 5 has no closing delimiter/);
    expect(hwsimError(() => new RowAccess(layerMatrix(layerOfSequence(open, base, form)), layer)).message)
      .toMatch(/the sequence holds 5 delimiters, the shape gives 6 rows/);
    // the good sequence through the same path decodes (the refusals above are the checks, not the path)
    expect(decodeContainer(imageOf(layerOfSequence(good, base, form)), 'good.hwz').layers[0].symbols).toEqual(weights);
  });
});

describe('(distance, value) tuples for pruned layers', () => {
  it('round-trips, rows reachable by select, zeros costing only the distance code', () => {
    const layer = wmCodec.encode(weights, base, { ...opts, wmForm: 'tuples' });
    expect(Array.from(wmCodec.decode(layer))).toEqual(Array.from(weights));
    const nonzero = weights.filter((s) => s !== 3).length;
    expect(layer.levelLengths[0]).toBe(2 * nonzero + ROWS); // no filler needed: G covers the longest gap
    const rows = new RowAccess(layerMatrix(layer), layer);
    for (let r = 0; r < ROWS; r++) expect(Array.from(rows.row(r))).toEqual(Array.from(weights.subarray(r * ROW, (r + 1) * ROW)));
    expect(decodeContainer(imageOf(layer), 't.hwz').layers[0].symbols).toEqual(weights);
  });

  it('fillers carry gaps longer than the distance alphabet', () => {
    const seq = tupleSequence(weights, base.shape, BINS, 3); // gaps 0..1 and a filler of 2 zeros
    expect(seq.includes(BINS + 3)).toBe(true);
    expect(Array.from(weightsOfSequence(seq, { ...base, form: 'tuples', gapSymbols: 3 }))).toEqual(Array.from(weights));
    const layer = layerOfSequence(seq, base, { form: 'tuples', gapSymbols: 3, blockWeights: 0 });
    expect(decodeContainer(imageOf(layer), 'f.hwz').layers[0].symbols).toEqual(weights);
  });

  const G = 30;
  const form = { form: 'tuples' as const, gapSymbols: G, blockWeights: 0 };
  const dist = (g: number) => BINS + 1 + g;
  const D = delimiterOf(BINS);
  /** rows 1..5 empty (a delimiter each), row 0 as given */
  const rowsOf = (row0: number[]) => Uint8Array.from([...row0, D, D, D, D, D, D]);
  const cases: Array<[string, number[], RegExp]> = [
    ['a value without a distance', [5, D], /wm tuples: row 0: value 5 at sequence position 0 without a distance before it/],
    ['a distance not followed by a value', [dist(2), D], /wm tuples: row 0: the distance at sequence position 0 is not followed by a value/],
    ['a value past the row', [dist(28), 1, dist(28), 5, D], /wm tuples: row 0: a value at weight 57, past the row's 40 weights/],
    ['fillers past the row', [BINS + G, BINS + G, D], /wm tuples: row 0: fillers reach weight 58, past the row's 40 weights/],
  ];
  for (const [what, row0, message] of cases) {
    it(`refuses ${what}, naming the layer`, () => {
      expect(refusal(layerOfSequence(rowsOf(row0), base, form))).toMatch(new RegExp(`layer #0 'fc9': ${message.source}`));
    });
  }

  it('refuses a missing delimiter and symbols after the last row', () => {
    const short = Uint8Array.from([dist(0), 5, D, D, D, D, D]);
    expect(refusal(layerOfSequence(short, base, form))).toMatch(/wm tuples: row 5 has no closing delimiter \(the sequence ends after 5 of 6 rows\)/);
    const long = Uint8Array.from([dist(0), 5, D, D, D, D, D, D, dist(1), 4]);
    expect(refusal(layerOfSequence(long, base, form))).toMatch(/wm tuples: 2 symbol\(s\) after the last row's delimiter \(6 rows\)/);
    // the well-formed neighbour decodes
    const ok = Uint8Array.from([dist(0), 5, D, D, D, D, D, D]);
    expect(decodeContainer(imageOf(layerOfSequence(ok, base, form)), 'ok.hwz').layers[0].symbols[0]).toBe(5);
  });

  it('refuses a tuple header whose gap alphabet or sequence length is out of range', () => {
    const layer = wmCodec.encode(weights, base, { ...opts, wmForm: 'tuples' });
    expect(refusal({ ...layer, gapSymbols: 1 })).toMatch(/1 gap symbols outside 2..248/);
    expect(refusal({ ...layer, levelLengths: Int32Array.from(layer.levelLengths, (n, l) => (l === 0 ? 2 * ROWS * ROW + ROWS + 1 : n)) }))
      .toMatch(/a tuple sequence of 487 symbols outside 6..486/);
    expect(hwsimError(() => wmCodec.encode(weights, { ...base, quant: { bins: 255, step: 1 } }, { ...opts, wmForm: 'tuples' })))
      .toBeInstanceOf(HwsimError);
  });

  it('on the pruned LeNets\' FC layers tuples take fewer bits than the dense matrix (figures: bench/wm-tuples.ts)', () => {
    const model = loadModel('test/fixtures/lenet/lenet-300-100.safetensors');
    const fc1 = model.layers[0];
    const q = quantize(fc1.weights, 31, { method: 'mse' });
    expect(zeroFraction(q.symbols, 31)).toBeGreaterThan(0.9);
    const b: LayerBase = { shape: [...fc1.spec.weightShape], quant: q.params };
    const tuples = wmCodec.encode(q.symbols, b, { ...opts, wmForm: 'tuples' });
    const dense = wmCodec.encode(q.symbols, b, { ...opts, wmForm: 'element' });
    expect(Array.from(wmCodec.decode(tuples))).toEqual(Array.from(q.symbols));
    expect(recordBytes(tuples)).toBeLessThan(0.75 * recordBytes(dense));
  });
});
