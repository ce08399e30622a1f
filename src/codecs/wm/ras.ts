/**
 * Runtime-Accessible Sequences (docs/WM.md, "RAS forms"; docs/FORMAT.md §4 codec 3): what the
 * wavelet matrix of a layer holds, beyond the weights' bins.
 *
 * - block-wise: the weights' bins, in flat order (alphabet = bins).
 * - element-wise: row r (output channel r: its shape[1..] weights) followed by a **delimiter**,
 *   the symbol `bins` (alphabet = bins + 1). Row r starts at 0 for r = 0, else at
 *   select(delimiter, r − 1) + 1, and ends at select(delimiter, r).
 * - tuples (pruned layers, element-wise rows): per row, each nonzero weight as a **(distance,
 *   value)** pair: the distance symbol `bins + 1 + g` (g zeros skipped, 0 ≤ g < G − 1), then the
 *   value's bin; the filler `bins + G` skips G − 1 zeros with no value; the row ends with the
 *   delimiter, the rest of the row being zeros (alphabet = bins + 1 + G).
 *
 * A row is thus reached by one select on the delimiter and read from there: the chip's random
 * access path (src/chip/wm-source.ts) and `RowAccess` below.
 */
import { HwsimError } from '../../errors.js';
import type { WmHeader } from '../codec.js';
import type { WaveletMatrix } from './matrix.js';

export type RasForm = WmHeader['form'];

/** the delimiter's symbol in an element-wise or tuple sequence */
export const delimiterOf = (bins: number): number => bins;
/** largest gap alphabet a tuple layer may have (its symbols are bytes) */
export const maxGapSymbols = (bins: number): number => 256 - bins - 1;
/** the bin of weight 0 (the zero-point quantizer's middle bin) */
export const zeroBin = (bins: number): number => (bins - 1) >> 1;

export function alphabetSize(h: Pick<WmHeader, 'form' | 'gapSymbols' | 'quant'>): number {
  const bins = h.quant.bins;
  return h.form === 'block' ? bins : h.form === 'element' ? bins + 1 : bins + 1 + h.gapSymbols;
}

/** rows of a layer (output channels) and weights per row */
export function rowGeometry(shape: readonly number[]): { rows: number; rowLength: number } {
  const rows = shape[0];
  return { rows, rowLength: shape.slice(1).reduce((a, b) => a * b, 1) };
}

/** The sequence the matrix of an element-wise layer holds: each row, then a delimiter. */
export function elementSequence(symbols: Uint8Array, shape: readonly number[], bins: number): Uint8Array {
  const { rows, rowLength } = rowGeometry(shape);
  const out = new Uint8Array(symbols.length + rows);
  for (let r = 0; r < rows; r++) {
    out.set(symbols.subarray(r * rowLength, (r + 1) * rowLength), r * (rowLength + 1));
    out[r * (rowLength + 1) + rowLength] = delimiterOf(bins);
  }
  return out;
}

/** Zero fraction of a layer's symbols (the zero bin's share). */
export function zeroFraction(symbols: Uint8Array, bins: number): number {
  const z = zeroBin(bins);
  let n = 0;
  for (let i = 0; i < symbols.length; i++) if (symbols[i] === z) n++;
  return symbols.length ? n / symbols.length : 0;
}

/** Gap alphabet for a pruned layer: enough distance symbols that no gap needs a filler, within a byte. */
export function gapSymbolsFor(symbols: Uint8Array, shape: readonly number[], bins: number): number {
  const { rows, rowLength } = rowGeometry(shape);
  const z = zeroBin(bins);
  let longest = 0;
  for (let r = 0; r < rows; r++) {
    let gap = 0;
    for (let j = 0; j < rowLength; j++) {
      if (symbols[r * rowLength + j] === z) gap++;
      else { longest = Math.max(longest, gap); gap = 0; }
    }
  }
  return Math.max(2, Math.min(maxGapSymbols(bins), longest + 2));
}

/** The (distance, value) sequence of a pruned layer with G gap symbols. */
export function tupleSequence(symbols: Uint8Array, shape: readonly number[], bins: number, G: number): Uint8Array {
  const { rows, rowLength } = rowGeometry(shape);
  const z = zeroBin(bins);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let gap = 0;
    for (let j = 0; j < rowLength; j++) {
      const s = symbols[r * rowLength + j];
      if (s === z) { gap++; continue; }
      while (gap >= G - 1) { out.push(bins + G); gap -= G - 1; }
      out.push(bins + 1 + gap, s);
      gap = 0;
    }
    out.push(delimiterOf(bins));
  }
  return Uint8Array.from(out);
}

/**
 * The weights' bins from a layer's sequence (the reference decoder's last step), checking the
 * form's rules: every row closed by a delimiter, element-wise rows of exactly shape[1..] weights,
 * tuple rows within their length, a distance always followed by a value.
 */
export function weightsOfSequence(seq: Uint8Array, h: Pick<WmHeader, 'form' | 'gapSymbols' | 'quant' | 'shape'>): Uint8Array {
  const bins = h.quant.bins;
  if (h.form === 'block') return seq;
  const { rows, rowLength } = rowGeometry(h.shape);
  const out = new Uint8Array(rows * rowLength);
  const D = delimiterOf(bins);
  let at = 0;
  if (h.form === 'element') {
    for (let r = 0; r < rows; r++) {
      const start = at;
      while (at < seq.length && seq[at] !== D) at++;
      if (at === seq.length) throw new HwsimError(`wm element-wise: row ${r} has no closing delimiter (the sequence ends after ${r} of ${rows} rows)`);
      if (at - start !== rowLength) throw new HwsimError(`wm element-wise: row ${r} holds ${at - start} weights, the shape gives ${rowLength} per row`);
      out.set(seq.subarray(start, at), r * rowLength);
      at++;
    }
  } else {
    const G = h.gapSymbols;
    out.fill(zeroBin(bins));
    for (let r = 0; r < rows; r++) {
      let pos = 0;
      for (;;) {
        if (at === seq.length) throw new HwsimError(`wm tuples: row ${r} has no closing delimiter (the sequence ends after ${r} of ${rows} rows)`);
        const s = seq[at++];
        if (s === D) break;
        if (s < bins) throw new HwsimError(`wm tuples: row ${r}: value ${s} at sequence position ${at - 1} without a distance before it`);
        if (s === bins + G) { pos += G - 1; continue; }
        pos += s - bins - 1;
        const v = at < seq.length ? seq[at++] : -1;
        if (!(v >= 0 && v < bins)) throw new HwsimError(`wm tuples: row ${r}: the distance at sequence position ${at - 2} is not followed by a value`);
        if (pos >= rowLength) throw new HwsimError(`wm tuples: row ${r}: a value at weight ${pos}, past the row's ${rowLength} weights`);
        out[r * rowLength + pos++] = v;
      }
      if (pos > rowLength) throw new HwsimError(`wm tuples: row ${r}: fillers reach weight ${pos}, past the row's ${rowLength} weights`);
    }
  }
  if (at !== seq.length) throw new HwsimError(`wm ${h.form === 'element' ? 'element-wise' : 'tuples'}: ${seq.length - at} symbol(s) after the last row's delimiter (${rows} rows)`);
  return out;
}

/**
 * Rows of an element-wise or tuple layer by random access: select on the delimiter, then access
 * (a tuple row is walked from its start). Every refusal names the check.
 */
export class RowAccess {
  readonly rows: number;
  readonly rowLength: number;
  private readonly delimiter: number;
  private readonly delimiters: number;
  /** "layer NAME: " when the caller names the layer (every refusal starts with it) */
  private readonly where: string;

  constructor(readonly wm: WaveletMatrix, readonly header: Pick<WmHeader, 'form' | 'gapSymbols' | 'quant' | 'shape'>, layerName = '') {
    this.where = layerName ? `layer ${layerName}: ` : '';
    if (header.form === 'block') throw new HwsimError(`${this.where}a block-wise layer has no rows to select: it is decoded block by block`);
    ({ rows: this.rows, rowLength: this.rowLength } = rowGeometry(header.shape));
    this.delimiter = delimiterOf(header.quant.bins);
    this.delimiters = wm.rank(this.delimiter, wm.length);
    if (this.delimiters !== this.rows) throw new HwsimError(`${this.where}wm rows: the sequence holds ${this.delimiters} delimiters, the shape gives ${this.rows} rows`);
  }

  /** sequence position where row r starts: 0, or one past the (r − 1)-th delimiter */
  rowStart(r: number): number {
    this.checkRow(r);
    return r === 0 ? 0 : this.wm.select(this.delimiter, r - 1) + 1;
  }

  /** sequence position of row r's delimiter */
  rowEnd(r: number): number {
    this.checkRow(r);
    return this.wm.select(this.delimiter, r);
  }

  /** the bin of weight j of row r */
  weight(r: number, j: number): number {
    if (!(Number.isInteger(j) && j >= 0 && j < this.rowLength)) {
      throw new HwsimError(`${this.where}wm rows: weight ${j} of row ${r} is outside the row's 0..${this.rowLength - 1}`);
    }
    if (this.header.form === 'element') {
      const start = this.rowStart(r);
      const end = this.rowEnd(r);
      if (end - start !== this.rowLength) throw new HwsimError(`${this.where}wm element-wise: row ${r} holds ${end - start} weights, the shape gives ${this.rowLength}`);
      return this.wm.access(start + j);
    }
    return this.row(r)[j];
  }

  /** all weights of row r (a tuple row expanded) */
  row(r: number): Uint8Array {
    const start = this.rowStart(r);
    const end = this.rowEnd(r);
    const seq = new Uint8Array(end - start + 1);
    for (let p = start; p <= end; p++) seq[p - start] = this.wm.access(p);
    try {
      return weightsOfSequence(seq, { ...this.header, shape: [1, this.rowLength] });
    } catch (err) {
      if (err instanceof HwsimError && this.where) throw new HwsimError(`${this.where}row ${r}: ${err.message}`, err.fix);
      throw err;
    }
  }

  private checkRow(r: number): void {
    if (!(Number.isInteger(r) && r >= 0 && r < this.rows)) {
      throw new HwsimError(`${this.where}wm rows: select past the last delimiter: row ${r} of a layer with ${this.rows} rows (0..${this.rows - 1})`);
    }
  }
}
