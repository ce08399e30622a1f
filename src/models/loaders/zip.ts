/**
 * The part of ZIP an .npz needs: the central directory (ZIP64 included), stored (0) and deflated
 * (8) entries, CRC-32 checked. Every inconsistency is a HwsimError naming the archive.
 *
 * Zip bombs: the sizes the central directory declares are added up and checked against the limit
 * maxInflateBytes before anything is inflated; entries whose data overlap (one deflate stream
 * listed 8 times) are refused; each entry is inflated with its declared size as the output bound
 * (zlib stops there), so the bytes inflated never exceed the checked total.
 */
import { inflateRawSync } from 'node:zlib';
import { crc32 } from '../../codecs/crc32.js';
import { HwsimError } from '../../errors.js';
import { checkLimit } from '../../limits.js';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const FIX = 'write the archive again (numpy.savez / numpy.savez_compressed)';

export function readZip(bytes: Uint8Array, where: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const bad = (what: string): never => { throw new HwsimError(`${where}: ${what}`, FIX); };
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : bad(`truncated at byte ${at}`));
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : bad(`truncated at byte ${at}`));
  const u64 = (at: number) => u32(at) + u32(at + 4) * 4294967296;

  // end of central directory: the last signature within the final 64 KiB + 22 bytes
  let eocd = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 65535; at--) {
    if (view.getUint32(at, true) === 0x06054b50) { eocd = at; break; }
  }
  if (eocd < 0) bad('not a zip archive (no end-of-central-directory record)');
  let count = u16(eocd + 10);
  let countOnDisk = u16(eocd + 8);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  // where the central directory must end: at the (ZIP64) end-of-central-directory record
  let cdEnd = eocd;
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== 0x07064b50) bad('ZIP64 archive without its locator');
    const z = u64(loc + 8);
    if (u32(z) !== 0x06064b50) bad('bad ZIP64 end-of-central-directory record');
    countOnDisk = u64(z + 24);
    count = u64(z + 32);
    cdSize = u64(z + 40);
    cdOffset = u64(z + 48);
    cdEnd = z;
  }
  // The CRCs cover the members' data, not the directory: its fields must agree with each other,
  // so that an edited count or name length cannot drop a member silently.
  if (countOnDisk !== count) bad(`the end-of-central-directory record gives ${count} entries and ${countOnDisk} on this disk`);
  if (cdOffset + cdSize !== cdEnd) {
    bad(`the central directory (${cdSize} bytes at ${cdOffset}) does not end where its end record begins (${cdEnd})`);
  }
  interface Dir { name: string; method: number; crc: number; size: number; start: number; compSize: number; local: number }
  const dir: Dir[] = [];
  let declared = 0;
  let at = cdOffset;
  for (let e = 0; e < count; e++) {
    if (u32(at) !== 0x02014b50) bad(`central directory entry ${e} has a bad signature`);
    const flags = u16(at + 8), method = u16(at + 10), crc = u32(at + 16);
    let compSize = u32(at + 20), size = u32(at + 24);
    const nameLen = u16(at + 28), extraLen = u16(at + 30), commentLen = u16(at + 32);
    let local = u32(at + 42);
    if (at + 46 + nameLen > bytes.length) bad('truncated central directory');
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extra field: the 64-bit values of the 32-bit fields that are 0xffffffff, in order
    for (let x = at + 46 + nameLen; x + 4 <= at + 46 + nameLen + extraLen;) {
      const id = u16(x), len = u16(x + 2);
      if (id === 0x0001) {
        let p = x + 4;
        if (size === 0xffffffff) { size = u64(p); p += 8; }
        if (compSize === 0xffffffff) { compSize = u64(p); p += 8; }
        if (local === 0xffffffff) local = u64(p);
      }
      x += 4 + len;
    }
    at += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) bad(`entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) bad(`entry '${name}' uses compression method ${method} (only stored and deflate are read)`);
    if (method === 0 && size !== compSize) bad(`entry '${name}' is stored with ${compSize} bytes, its header says ${size}`);
    if (method === 8) {
      declared += size;
      checkLimit('maxInflateBytes', declared, `${where}: inflating entries up to '${name}'`);
    }
    if (u32(local) !== 0x04034b50) bad(`entry '${name}' has a bad local header`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + compSize > bytes.length) bad(`entry '${name}' is truncated (needs ${compSize} bytes at ${start}, file has ${bytes.length})`);
    dir.push({ name, method, crc, size, start, compSize, local });
  }
  if (at !== cdEnd) bad(`the ${count} central directory entries end at byte ${at}, the directory at ${cdEnd}`);
  // a real archive stores each entry once: entries sharing bytes are a zip bomb or a forgery
  const byPlace = dir.slice().sort((a, b) => a.local - b.local);
  for (let i = 1; i < byPlace.length; i++) {
    const a = byPlace[i - 1], b = byPlace[i];
    if (b.local < a.start + a.compSize) bad(`entries '${a.name}' and '${b.name}' overlap (both use bytes from ${b.local})`);
  }
  const entries: ZipEntry[] = [];
  for (const { name, method, crc, size, start, compSize } of dir) {
    const raw = bytes.subarray(start, start + compSize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else {
      try {
        // zlib stops at the declared size: an entry that inflates further is cut there, and refused below
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }); // a Buffer is a Uint8Array
      } catch (err) {
        return bad(`entry '${name}' does not inflate: ${(err as Error).message}`);
      }
    }
    if (data.length !== size) bad(`entry '${name}' holds ${data.length} bytes, its header says ${size}`);
    if (crc32(data) !== crc) bad(`entry '${name}' fails its CRC-32 check`);
    entries.push({ name, data });
  }
  return entries;
}
