/**
 * What verifying a cached image found, kept beside it in the image cache (`<key>.verdict`): each
 * layer's entropy bound and each tANS stream's step bits (the bits every decode step reads, which
 * the fast timing model needs: src/chip/tans-timing.ts). A warm run reads the image with every
 * container check (CRCs, lengths) and takes the rest from here instead of decoding every weight
 * again: the image was decoded in full when the verdict was written, and the verdict names the
 * image it belongs to (its length and CRC-32) and carries its own CRC-32. A verdict that is
 * missing, damaged or for other bytes is ignored: the image is then verified by decoding, and a
 * new verdict written.
 *
 * Layout (little-endian): "HWV1", image length u32, image CRC-32 u32, layer count u32; per layer
 * its entropy bound f64 and its step-bit count u32 (0 for a layer not coded tans); then every
 * step bit of the tans layers in layer and stream order, two to a byte (low nibble first; a step
 * reads at most log2 L ≤ 12 bits); then the CRC-32 of everything before it.
 */
import type { ContainerImage } from '../codecs/container.js';
import type { TansLayer } from '../codecs/codec.js';
import { crc32 } from '../codecs/crc32.js';
import { keepStepBits, stepBitsDecoded, streamSymbolCounts } from '../codecs/tans/index.js';

const MAGIC = 0x31565748; // "HWV1"

/** The verdict of `image` (read from `bytes`), after verifyImage decoded it: entropy per layer, step bits per tans layer. */
export function writeVerdict(bytes: Uint8Array, image: ContainerImage, entropyBits: readonly number[]): Uint8Array | undefined {
  const steps = image.layers.map((l) => (l.codec === 'tans' ? stepBitsDecoded(l.words) : undefined));
  if (image.layers.some((l, i) => l.codec === 'tans' && !steps[i])) return undefined; // not decoded here
  const counts = steps.map((s) => s?.reduce((a, b) => a + b.length, 0) ?? 0);
  const nibbles = counts.reduce((a, b) => a + b, 0);
  const head = 16 + 12 * image.layers.length;
  const out = new Uint8Array(head + Math.ceil(nibbles / 2) + 4);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, bytes.length, true);
  v.setUint32(8, crc32(bytes), true);
  v.setUint32(12, image.layers.length, true);
  image.layers.forEach((_, i) => {
    v.setFloat64(16 + 12 * i, entropyBits[i], true);
    v.setUint32(24 + 12 * i, counts[i], true);
  });
  let at = head * 2; // in nibbles
  for (const streams of steps) {
    for (const s of streams ?? []) at = packNibbles(s, out, at);
  }
  v.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/**
 * The entropy bound of every layer of `image` (read from `bytes`) from its verdict, each tans
 * layer's step bits kept as if this process had decoded it; undefined when the verdict is not a
 * sound one for exactly these bytes.
 */
export function readVerdict(verdict: Uint8Array, bytes: Uint8Array, image: ContainerImage): number[] | undefined {
  if (verdict.length < 20) return undefined;
  const v = new DataView(verdict.buffer, verdict.byteOffset, verdict.byteLength);
  const n = image.layers.length;
  const head = 16 + 12 * n;
  if (v.getUint32(0, true) !== MAGIC || v.getUint32(12, true) !== n || verdict.length < head + 4) return undefined;
  if (v.getUint32(verdict.length - 4, true) !== crc32(verdict.subarray(0, verdict.length - 4))) return undefined;
  if (v.getUint32(4, true) !== bytes.length || v.getUint32(8, true) !== crc32(bytes)) return undefined;
  const counts = image.layers.map((l) => (l.codec === 'tans' ? Array.from(streamSymbolCounts(l as TansLayer)) : undefined));
  let nibbles = 0;
  for (let i = 0; i < n; i++) {
    const want = counts[i]?.reduce((a, b) => a + b, 0) ?? 0;
    if (v.getUint32(24 + 12 * i, true) !== want) return undefined;
    nibbles += want;
  }
  if (verdict.length !== head + Math.ceil(nibbles / 2) + 4) return undefined;
  const entropyBits = image.layers.map((_, i) => v.getFloat64(16 + 12 * i, true));
  // in place (over the verdict itself) when it sits at the end of a buffer twice its size, as
  // ImageCache.getVerdict reads it: output byte 2j + 1 is written only after input byte j is read
  const inPlace = verdict.byteOffset === verdict.length && verdict.buffer.byteLength === 2 * verdict.length;
  const all = unpackNibbles(verdict.subarray(head, verdict.length - 4), nibbles,
    inPlace ? new Uint8Array(verdict.buffer, 0, nibbles) : new Uint8Array(nibbles));
  let from = 0;
  image.layers.forEach((layer, i) => {
    const streams = counts[i];
    if (streams) keepStepBits((layer as TansLayer).words, streams.map((c) => all.subarray(from, (from += c))));
  });
  return entropyBits;
}

/** `n` 4-bit values, two to a byte, low nibble first, into `out` (which may start before `packed` in its buffer). */
function unpackNibbles(packed: Uint8Array, n: number, out: Uint8Array): Uint8Array {
  const pairs = n >> 1;
  for (let j = 0; j < pairs; j++) {
    const b = packed[j];
    out[2 * j] = b & 15;
    out[2 * j + 1] = b >> 4;
  }
  if (n & 1) out[n - 1] = packed[pairs] & 15;
  return out;
}

/** Writes `values` (each < 16) into `out` from nibble `at` on (two to a byte, low first); returns the nibble after. */
function packNibbles(values: Uint8Array, out: Uint8Array, at: number): number {
  for (let j = 0; j < values.length; j++, at++) out[at >> 1] |= values[j] << ((at & 1) << 2);
  return at;
}
