/**
 * tANS stream encoder and decoder. One stream is a forward-readable bit sequence (docs/FORMAT.md):
 *
 *   [initial state: log2(L) bits] [bits read after symbol 0] [bits read after symbol 1] ...
 *
 * packed LSB-first into little-endian 32-bit words, the last word zero-padded. The encoder runs
 * backwards over the symbols (tANS is LIFO) and writes its chunks in reverse so that a hardware
 * decoder can stream the words in DRAM address order. A correct stream ends in state 0.
 */
import { HwsimError } from '../../errors.js';
import type { DecodeTable, EncodeTable } from './table.js';

export interface EncodedStream {
  /** words, LSB-first; length = ceil(bitLength / 32) */
  readonly words: Uint32Array;
  readonly bitLength: number;
  readonly symbolCount: number;
}

/** Scratch space reused across calls so that encoding allocates nothing per symbol: chunk i is
 *  its bit value in the low 16 bits and its bit count above them. */
let scratch = new Uint32Array(0);

export function encodeStream(symbols: Uint8Array, enc: EncodeTable): EncodedStream {
  const n = symbols.length;
  if (scratch.length < n) scratch = new Uint32Array(n);
  const { states, slotOf, deltaNbBits, base, absentSymbol } = enc;
  let absent = 0;
  const chunks = scratch;
  let x = states; // full state in [L, 2L); the decoder must end in state x - L = 0
  let total = enc.log2States;
  for (let i = n - 1; i >= 0; i--) {
    const sym = symbols[i];
    const nb = (x + deltaNbBits[sym]) >>> 16;
    chunks[i] = (x & ((1 << nb) - 1)) | (nb << 16);
    total += nb;
    x = states + slotOf[base[sym] + (x >>> nb)];
    absent |= absentSymbol[sym];
  }
  if (absent) throw missingSymbol(symbols, enc);
  const words = new Uint32Array((total + 31) >>> 5);
  let acc = x - states;
  let accBits = enc.log2States;
  let w = 0;
  for (let i = 0; i < n; i++) {
    const chunk = chunks[i];
    const nb = chunk >>> 16;
    const v = chunk & 0xffff;
    acc |= v << accBits;
    accBits += nb;
    if (accBits >= 32) {
      words[w++] = acc >>> 0;
      accBits -= 32;
      acc = accBits === 0 ? 0 : v >>> (nb - accBits);
    }
  }
  if (accBits > 0) words[w++] = acc >>> 0;
  return { words, bitLength: total, symbolCount: n };
}

function missingSymbol(symbols: Uint8Array, enc: EncodeTable): HwsimError {
  const i = symbols.findIndex((sym) => !(enc.counts[sym] > 0));
  return new HwsimError(`symbol ${symbols[i]} at index ${i} has no slot in the tANS table`);
}

/** Where a stream's decode went wrong; the container reports it with the layer's name. */
export class StreamDecodeError extends HwsimError {}

/**
 * Decodes `count` symbols into `out` (at `outOffset`, every `outStride`-th slot). Verifies that
 * the stream ends in state 0 within its last word, that the bits past the end are 0 (FORMAT.md
 * §2), and, when the caller knows it, that exactly `bitLength` bits were read. When `stepBits`
 * is given (length ≥ count), it receives the bits read after each symbol (the decoder's per-step
 * bit needs, from which the chip's fast timing model works).
 */
export function decodeStream(
  words: Uint32Array, bitLength: number | undefined, count: number, dec: DecodeTable,
  out: Uint8Array, outOffset = 0, outStride = 1, stepBits?: Uint8Array,
): void {
  const log2L = dec.log2States;
  if (words.length * 32 < log2L || (bitLength !== undefined && (bitLength < log2L || bitLength > words.length * 32))) {
    throw new StreamDecodeError(`stream of ${words.length} words is too short for its initial state`);
  }
  const { symbol, nbBits, newState } = dec;
  // Read from a copy with a zero guard word so that the two-word window never reads past the end.
  const buf = new Uint32Array(words.length + 1);
  buf.set(words);
  let pos = log2L;
  let s = buf[0] & ((1 << log2L) - 1);
  let o = outOffset;
  for (let i = 0; i < count; i++) {
    out[o] = symbol[s];
    o += outStride;
    const nb = nbBits[s];
    if (stepBits) stepBits[i] = nb;
    const w = pos >>> 5;
    const off = pos & 31;
    const window = (buf[w] >>> off) | ((buf[w + 1] << 1) << (31 - off));
    s = newState[s] + (window & ((1 << nb) - 1));
    pos += nb;
  }
  if (bitLength !== undefined && pos !== bitLength) {
    throw new StreamDecodeError(`stream used ${pos} bits, its header says ${bitLength}`);
  }
  if (pos > words.length * 32) throw new StreamDecodeError(`stream ran past its ${words.length} words (${pos} bits read)`);
  if (words.length * 32 - pos >= 32) throw new StreamDecodeError(`stream ended ${words.length * 32 - pos} bits before the end of its words (a whole unused word)`);
  if (pos & 31 && buf[pos >>> 5] >>> (pos & 31) !== 0) throw new StreamDecodeError(`non-zero padding bits after the stream's last symbol`);
  if (s !== 0) throw new StreamDecodeError(`stream ended in state ${s}, not 0`);
}
