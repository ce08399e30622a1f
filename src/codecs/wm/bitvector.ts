/**
 * A bit vector with rank and select, the building block of the wavelet matrix (docs/WM.md).
 *
 * Bits are LSB-first in 32-bit words: bit i is (words[i >> 5] >>> (i & 31)) & 1.
 *
 * Rank directory: one 64-bit entry per 2048-bit block (64 words), i.e. 3.125 % of the bitmap.
 *   entry word 0: ones before the block (32 bits, absolute)
 *   entry word 1: ones in the block before sub-block 1 (bits 0..9), 2 (bits 10..20), 3 (bits 21..31)
 * A block is 4 sub-blocks of 512 bits (16 words = one 64-byte DRAM burst). rank1(i) is one
 * directory read plus the popcount of at most one 512-bit line masked at i: no search, no second
 * directory level, and every popcount is over whole aligned words, which a popcount tree does in
 * one cycle per word (or per line, for a wide tree).
 */
import { HwsimError } from '../../errors.js';

export const BLOCK_BITS = 2048;
export const SUB_BITS = 512;
const BLOCK_WORDS = BLOCK_BITS / 32;
const SUB_WORDS = SUB_BITS / 32;

export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** directory words (2 per block) for a bit vector of `length` bits */
export const directoryWords = (length: number): number => 2 * (Math.floor(length / BLOCK_BITS) + 1);
export const bitmapWords = (length: number): number => Math.ceil(length / 32);

/** Builds the rank directory of `words` (the bits past `length` must be zero). */
export function buildDirectory(words: Uint32Array, length: number): Uint32Array {
  const dir = new Uint32Array(directoryWords(length));
  let total = 0;
  for (let b = 0; 2 * b < dir.length; b++) {
    dir[2 * b] = total;
    let inBlock = 0;
    let rel = 0;
    for (let s = 0; s < 4; s++) {
      if (s > 0) rel |= inBlock << (s === 1 ? 0 : s === 2 ? 10 : 21);
      for (let k = 0; k < SUB_WORDS; k++) {
        const w = b * BLOCK_WORDS + s * SUB_WORDS + k;
        if (w < words.length) inBlock += popcount32(words[w]);
      }
    }
    dir[2 * b + 1] = rel >>> 0;
    total += inBlock;
  }
  return dir;
}

export class BitVector {
  readonly ones: number;

  /** `words` and `dir` as built by BitVectorBuilder / buildDirectory (or read from a container and checked) */
  constructor(readonly words: Uint32Array, readonly length: number, readonly dir: Uint32Array = buildDirectory(words, length)) {
    this.ones = this.rank1(length);
  }

  get(i: number): number {
    if (!(i >= 0 && i < this.length)) throw new HwsimError(`bit ${i} is outside the bit vector's 0..${this.length - 1}`);
    return (this.words[i >>> 5] >>> (i & 31)) & 1;
  }

  /** ones in [0, i), 0 ≤ i ≤ length: one directory entry, then a masked popcount of ≤ 16 words */
  rank1(i: number): number {
    const block = i >>> 11;
    const sub = (i >>> 9) & 3;
    const rel = this.dir[2 * block + 1];
    let r = this.dir[2 * block] + (sub === 0 ? 0 : sub === 1 ? rel & 0x3ff : sub === 2 ? (rel >>> 10) & 0x7ff : rel >>> 21);
    const end = i >>> 5;
    for (let w = (i >>> 9) << 4; w < end; w++) r += popcount32(this.words[w]);
    const tail = i & 31;
    if (tail) r += popcount32(this.words[end] & ((1 << tail) - 1) >>> 0);
    return r;
  }

  rank0(i: number): number { return i - this.rank1(i); }

  /** position of the j-th one (j from 0); refuses j ≥ ones */
  select1(j: number): number {
    if (!(j >= 0 && j < this.ones)) throw new HwsimError(`select1(${j}): the bit vector has ${this.ones} ones`);
    return this.select(j, 1);
  }

  /** position of the j-th zero (j from 0); refuses j ≥ zeros */
  select0(j: number): number {
    const zeros = this.length - this.ones;
    if (!(j >= 0 && j < zeros)) throw new HwsimError(`select0(${j}): the bit vector has ${zeros} zeros`);
    return this.select(j, 0);
  }

  private select(j: number, bit: 0 | 1): number {
    const blocks = this.dir.length >> 1;
    const before = (b: number) => (bit ? this.dir[2 * b] : b * BLOCK_BITS - this.dir[2 * b]);
    // last block whose count-before is ≤ j
    let lo = 0;
    let hi = blocks - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (before(mid) <= j) lo = mid; else hi = mid - 1;
    }
    let left = j - before(lo);
    for (let w = lo * BLOCK_WORDS; ; w++) {
      const word = bit ? this.words[w] : ~this.words[w] >>> 0;
      const c = popcount32(word);
      if (left < c) {
        let v = word;
        for (let k = 0; k < 32; k++, v >>>= 1) if ((v & 1) && left-- === 0) return w * 32 + k;
      }
      left -= c;
    }
  }

  /** bits the vector takes with its directory */
  get storedBits(): number { return 32 * (this.words.length + this.dir.length); }
}

/** Appends bits, then freezes into a BitVector. */
export class BitVectorBuilder {
  private words: Uint32Array;
  length = 0;
  constructor(capacity: number) { this.words = new Uint32Array(bitmapWords(capacity)); }
  push(bit: number): void {
    if (bit) this.words[this.length >>> 5] |= 1 << (this.length & 31);
    this.length++;
  }
  build(): BitVector { return new BitVector(this.words.slice(0, bitmapWords(this.length)), this.length); }
}
