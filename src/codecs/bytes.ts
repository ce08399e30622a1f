/**
 * Byte and bit I/O for the .hwz container (docs/FORMAT.md §4): little-endian integers, LEB128
 * varints, and LSB-first bit fields (the counts of a tANS header). The reader checks every read
 * against the bytes present and names the field and its place in any error.
 */
import { HwsimError } from '../errors.js';
import { crc32 } from './crc32.js';

export class ByteWriter {
  private buf = new Uint8Array(1 << 12);
  private view = new DataView(this.buf.buffer);
  length = 0;
  // bit packing state: bits accumulate LSB-first and are flushed a byte at a time
  private bitAcc = 0;
  private bitCount = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.length, v >>> 0, true); this.length += 4; }
  f32(v: number): void { this.ensure(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  ascii(s: string): void { this.bytes(new TextEncoder().encode(s)); }
  /** unsigned LEB128: 7 bits a byte, low group first, high bit set on all but the last byte */
  varint(v: number): void {
    if (!(Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER)) throw new Error(`internal: varint ${v}`);
    while (v >= 0x80) { this.u8((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    this.u8(v);
  }
  /** the low `n` (≤ 24) bits of v, LSB-first after the bits written before */
  bits(v: number, n: number): void {
    this.bitAcc |= (v & ((1 << n) - 1)) << this.bitCount;
    this.bitCount += n;
    while (this.bitCount >= 8) { this.u8(this.bitAcc & 0xff); this.bitAcc >>>= 8; this.bitCount -= 8; }
  }
  /** exp-Golomb (order 0) of v ≥ 0: z zero bits, a one bit, then the low z bits of v + 1 */
  expGolomb(v: number): void {
    const x = v + 1;
    const z = 31 - Math.clz32(x);
    this.bits(0, z);
    this.bits(1, 1);
    this.bits(x, z);
  }
  /** pads the bit field to a whole byte with zero bits */
  alignBits(): void { if (this.bitCount > 0) this.bits(0, 8 - this.bitCount); }
  crcFrom(start: number): number { return crc32(this.buf.subarray(start, this.length)); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** Bytes a varint of v takes. */
export function varintBytes(v: number): number {
  let n = 1;
  while (v >= 0x80) { v = Math.floor(v / 0x80); n++; }
  return n;
}

export class ByteReader {
  pos: number;
  /** where an error is: "layer #3 'conv2'"; set by the container as it walks the file */
  context = '';
  private readonly view: DataView;
  private bitAcc = 0;
  private bitCount = 0;

  /**
   * Reads `buf` from `start` up to `end`. `label` names the file in errors; `fix` is the advice
   * every failed check carries.
   */
  constructor(readonly buf: Uint8Array, readonly label: string, start = 0, readonly end = buf.length,
    private readonly fix = 're-encode the model, or restore the file from a good copy') {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }
  fail(what: string): HwsimError {
    const where = this.context ? `${this.label}: ${this.context}: ` : `${this.label}: `;
    return new HwsimError(where + what, this.fix);
  }
  get left(): number { return this.end - this.pos; }
  need(n: number, what: string): void {
    if (n > this.left) {
      throw this.fail(`truncated: ${what} needs ${n} bytes at offset ${this.pos}, only ${Math.max(0, this.left)} left`);
    }
  }
  u8(what: string): number { this.need(1, what); return this.view.getUint8(this.pos++); }
  u32(what: string): number { this.need(4, what); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  f32(what: string): number { this.need(4, what); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  bytes(n: number, what: string): Uint8Array { this.need(n, what); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  /** a varint no larger than `max` (bounds every length before anything is allocated from it) */
  varint(what: string, max = 0xffffffff): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.u8(what);
      v += (b & 0x7f) * scale;
      if (!(b & 0x80)) break;
      scale *= 0x80;
      if (i >= 7) throw this.fail(`${what}: varint longer than 8 bytes`);
    }
    if (v > max) throw this.fail(`${what} ${v} exceeds ${max}`);
    return v;
  }
  expectAscii(s: string, what: string, hint: string): void {
    const got = new TextDecoder().decode(this.bytes(s.length, what));
    if (got !== s) throw this.fail(`bad ${what} '${got.replace(/[^\x20-\x7e]/g, '?')}' (expected '${s}'): ${hint}`);
  }
  bits(n: number, what: string): number {
    while (this.bitCount < n) { this.bitAcc |= this.u8(what) << this.bitCount; this.bitCount += 8; }
    const v = this.bitAcc & ((1 << n) - 1);
    this.bitAcc >>>= n;
    this.bitCount -= n;
    return v;
  }
  expGolomb(what: string): number {
    let z = 0;
    while (this.bits(1, what) === 0) if (++z > 24) throw this.fail(`${what}: exp-Golomb code longer than 24 bits`);
    return ((1 << z) | this.bits(z, what)) - 1;
  }
  /** ends a bit field: the padding bits up to the byte boundary must be zero */
  alignBits(what: string): void {
    if (this.bitAcc !== 0) throw this.fail(`${what}: non-zero padding bits`);
    this.bitAcc = 0;
    this.bitCount = 0;
  }
}

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
