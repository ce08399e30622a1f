// The verdict the image cache keeps beside an image: what a full decode found, so that a warm run
// checks the image's CRCs and takes the entropy bounds and the tANS step bits from it.
import { describe, expect, it } from 'vitest';
import { readContainer, writeContainer } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { verifyImage } from '../src/codecs/model-image.js';
import type { TansLayer } from '../src/codecs/codec.js';
import { stepBitsDecoded } from '../src/codecs/tans/index.js';
import { layerStepBits } from '../src/chip/tans-timing.js';
import { crc32 } from '../src/codecs/crc32.js';
import { readVerdict, writeVerdict } from '../src/io/image-verdict.js';
import { ImageCache } from '../src/io/image-cache.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadZooModel } from '../src/models/zoo.js';

const bytesOf = (states: number) => writeContainer(encodeModel(loadZooModel('lenet-5', 1), { states, streams: 3 }));

describe('image verdicts', () => {
  it('give back exactly what a full decode finds, and are refused when damaged or for other bytes', () => {
    const bytes = bytesOf(64);
    const decoded = readContainer(bytes, 'a');
    const entropy = verifyImage(decoded, 'a').map((e) => e.entropyBits);
    const verdict = writeVerdict(bytes, decoded, entropy)!;
    expect(verdict).toBeDefined();

    // a fresh reading of the same bytes: no decode has run on it, the verdict supplies what one would
    const fresh = readContainer(bytes, 'b');
    const tans = fresh.layers.filter((l) => l.codec === 'tans') as TansLayer[];
    expect(tans.length).toBeGreaterThan(0);
    for (const l of tans) expect(stepBitsDecoded(l.words)).toBeUndefined();
    expect(readVerdict(verdict, bytes, fresh)).toEqual(entropy);
    for (const l of tans) {
      expect(stepBitsDecoded(l.words)!.map((b) => Array.from(b))).toEqual(layerStepBits(l, l.words).map((b) => Array.from(b)));
    }

    // every byte is covered: a flip anywhere is refused (the CRC), before any step bits are kept
    for (const at of [0, 5, 13, 20, verdict.length >> 1, verdict.length - 6, verdict.length - 1]) {
      const bad = verdict.slice();
      bad[at] ^= 0x10;
      const again = readContainer(bytes, 'c');
      expect(readVerdict(bad, bytes, again), `byte ${at}`).toBeUndefined();
      expect(stepBitsDecoded((again.layers.find((l) => l.codec === 'tans') as TansLayer).words)).toBeUndefined();
    }
    // a verdict whose own CRC is right but that belongs to other bytes (another image) is refused
    const other = bytesOf(128);
    expect(readVerdict(verdict, other, readContainer(other, 'd'))).toBeUndefined();
    // and one naming these bytes but with a step-bit count that does not fit the layers is refused
    const forged = verdict.slice();
    const v = new DataView(forged.buffer);
    v.setUint32(24, v.getUint32(24, true) + 1, true);
    v.setUint32(forged.length - 4, crc32(forged.subarray(0, forged.length - 4)), true);
    expect(readVerdict(forged, bytes, readContainer(bytes, 'e'))).toBeUndefined();
    // too short to hold anything
    expect(readVerdict(verdict.subarray(0, 10), bytes, readContainer(bytes, 'f'))).toBeUndefined();
  });

  it('read from the image cache, are unpacked in place over themselves and give the same step bits', () => {
    const bytes = bytesOf(64);
    const decoded = readContainer(bytes, 'h');
    const entropy = verifyImage(decoded, 'h').map((e) => e.entropyBits);
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-verdict-'));
    try {
      const cache = new ImageCache(dir);
      cache.putVerdict('k', writeVerdict(bytes, decoded, entropy)!);
      const read = cache.getVerdict('k')!;
      expect(read.byteOffset).toBe(read.length); // the room in front that the in-place unpack uses
      const fresh = readContainer(bytes, 'i');
      expect(readVerdict(read, bytes, fresh)).toEqual(entropy);
      const tans = fresh.layers.filter((l) => l.codec === 'tans') as TansLayer[];
      for (const l of tans) {
        const kept = stepBitsDecoded(l.words)!;
        expect(kept[0].buffer).toBe(read.buffer); // unpacked into the verdict's own buffer
        expect(kept.map((b) => Array.from(b))).toEqual(layerStepBits(l, l.words).map((b) => Array.from(b)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not written for an image this process has not decoded (no step bits to keep)', () => {
    const bytes = bytesOf(64);
    const image = readContainer(bytes, 'g');
    expect(writeVerdict(bytes, image, image.layers.map(() => 0))).toBeUndefined();
  });
});
