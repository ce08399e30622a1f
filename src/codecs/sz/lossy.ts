/**
 * The SZ-style error-bounded lossy coder of a value array (docs/DEEPSZ.md, docs/FORMAT.md §4 "sz"):
 *
 *   pred_0 = 0, pred_i = r_{i−1}                     1-D Lorenzo: the previous reconstructed value
 *   q_i    = round((v_i − pred_i) / (2·eb))           linear quantization into bins of width 2·eb
 *   r_i    = fround(pred_i + q_i · fround(2·eb))      one binary64 multiply-add, rounded once to float32
 *
 * A value is predictable when |q_i| ≤ R (R ≤ MAX_RADIUS) and |r_i − v_i| ≤ eb; its bin code is the
 * symbol q_i + R + 1. Any other value is an escape: symbol 0, and the float32 value stored exactly
 * (r_i = v_i). Because the prediction uses the reconstructed value, errors never accumulate: every
 * r_i is within eb of v_i, whatever the length of the array (0, 1, 260, ...).
 */
import { check, HwsimError } from '../../errors.js';

/** the largest code radius: 2R + 2 symbols fit the tANS alphabet of 256 */
export const MAX_RADIUS = 127;
export const ESCAPE_SYMBOL = 0;

export interface SzCode {
  /** the error bound as stored (float32) */
  eb: number;
  /** codes lie in −radius..radius; symbols 1..2·radius+1, 0 = escape */
  radius: number;
  symbols: Uint8Array;
  /** the escaped values, in order */
  escapes: Float32Array;
  /** the reconstruction the decoder will produce */
  reconstructed: Float32Array;
}

export function checkErrorBound(eb: number): number {
  check(typeof eb === 'number' && Number.isFinite(eb) && eb > 0,
    `error bound ${eb} is not a positive number`, 'give an absolute error bound > 0, e.g. --error-bound 0.005');
  const stored = Math.fround(eb);
  check(stored > 0 && Number.isFinite(2 * stored), `error bound ${eb} does not fit a float32 > 0`, 'use a bound between 1e-30 and 1e30');
  return stored;
}

/** fround(2·eb): the bin width, the same number on both sides. */
const binWidth = (eb: number) => Math.fround(2 * eb);

/** Codes `values` within `eb` (see the file comment). The radius is the largest |q| used. */
export function szEncode(values: Float32Array, errorBound: number): SzCode {
  const eb = checkErrorBound(errorBound);
  const width = binWidth(eb);
  const n = values.length;
  const codes = new Int16Array(n);
  const escaped = new Uint8Array(n);
  const reconstructed = new Float32Array(n);
  let pred = 0;
  let radius = 0;
  let escapes = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new HwsimError(`value ${i} is ${v}`, 'SZ coding needs finite weights: fix or drop the NaN/infinite values');
    const q = Math.round((v - pred) / width);
    let r = NaN;
    if (q >= -MAX_RADIUS && q <= MAX_RADIUS) r = Math.fround(pred + q * width);
    if (r - v <= eb && v - r <= eb) {
      codes[i] = q;
      const a = q < 0 ? -q : q;
      if (a > radius) radius = a;
    } else {
      escaped[i] = 1;
      escapes++;
      r = v;
    }
    reconstructed[i] = r;
    pred = r;
  }
  const symbols = new Uint8Array(n);
  const esc = new Float32Array(escapes);
  for (let i = 0, e = 0; i < n; i++) {
    if (escaped[i]) { symbols[i] = ESCAPE_SYMBOL; esc[e++] = values[i]; } else symbols[i] = codes[i] + radius + 1;
  }
  return { eb, radius, symbols, escapes: esc, reconstructed };
}

/**
 * One step of the decoder (the recurrence the chip's value unit runs): the value for `symbol`
 * after `pred`, or NaN for an escape (the caller takes the next stored value).
 */
export function szStep(pred: number, symbol: number, radius: number, width: number): number {
  return Math.fround(pred + (symbol - radius - 1) * width);
}

/** The reconstruction of a whole code (reference decoder). */
export function szDecode(symbols: Uint8Array, radius: number, escapes: Float32Array, eb: number): Float32Array {
  const width = binWidth(eb);
  const out = new Float32Array(symbols.length);
  let pred = 0;
  let e = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    if (s === ESCAPE_SYMBOL) {
      if (e >= escapes.length) throw new HwsimError(`escape at value ${i} but only ${escapes.length} escaped values stored`);
      pred = escapes[e++];
    } else {
      if (s > 2 * radius + 1) throw new HwsimError(`bin code ${s} at value ${i} lies outside the radius ${radius}`);
      pred = szStep(pred, s, radius, width);
    }
    out[i] = pred;
  }
  if (e !== escapes.length) throw new HwsimError(`${escapes.length} escaped values stored, ${e} used`);
  return out;
}
