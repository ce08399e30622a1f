// The CRC-32 every container and zip check uses: zlib's where the runtime has it, else the table one.
import { describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../src/codecs/crc32.js';

describe('crc32', () => {
  it('gives the standard check value and agrees with the table-driven CRC on random data, whole and continued', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Table(check)).toBe(0xcbf43926);
    let seed = 1;
    for (const n of [0, 1, 7, 64, 1000, 100_003]) {
      const data = Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      expect(crc32(data)).toBe(crc32Table(data));
      const cut = n >> 1;
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(crc32Table(data));
    }
    // a flipped bit changes it
    const data = new Uint8Array(4096).fill(7);
    const before = crc32(data);
    data[2000] ^= 4;
    expect(crc32(data)).not.toBe(before);
  });
});
