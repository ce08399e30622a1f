/**
 * Crafted containers: files with valid CRCs whose declared sizes ask for more than the
 * limits (src/limits.ts) or than their bytes can hold, and structural oddities. Each is refused
 * before anything is allocated from it, with a HwsimError that names the file, the size asked
 * for and the limit. The corpus of the fuzz harness (bench/fuzz-container.ts) in named cases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assembleContainer, splitContainer, tansLayerWith, withDims } from '../bench/fuzz-container.js';
import { ByteWriter } from '../src/codecs/bytes.js';
import type { TansLayer } from '../src/codecs/codec.js';
import { readContainer, writeContainer, type ModelImage } from '../src/codecs/container.js';
import { decodeContainer, decodeImage } from '../src/codecs/model-image.js';
import { HwsimError } from '../src/errors.js';
import { DEFAULT_LIMITS, limits, setLimits } from '../src/limits.js';
import type { LayerSpec } from '../src/models/types.js';

afterEach(() => setLimits({ ...DEFAULT_LIMITS }));

const spec = (name: string, shape: number[]): LayerSpec => ({
  name, kind: shape.length === 2 ? 'fc' : 'conv', weightShape: shape, ifmapH: 4, ifmapW: 4,
  filterH: shape[2] ?? 1, filterW: shape[3] ?? 1, channels: shape[1] ?? 1, filters: shape[0], stride: 1,
});

function imageOf(layers: Array<[string, TansLayer]>, options: Record<string, unknown> = {}): ModelImage {
  return {
    model: { name: 'crafted', source: 'test', synthetic: true, description: 'crafted' },
    options, specs: layers.map(([n, l]) => spec(n, l.shape)), layers: layers.map(([, l]) => l),
  };
}

/** A one-layer container whose tANS layer has one symbol owning all L slots: it codes in 0 bits. */
function constantLayer(): TansLayer {
  return tansLayerWith(new Uint8Array(32).fill(1), { shape: [4, 8], quant: { bins: 3, step: 0.5 } },
    { states: 32, streams: 1, split: 'channel', kind: 'fse' });
}
/** The same with two symbols: every symbol costs at least one bit in some L steps. */
function twoSymbolLayer(): TansLayer {
  const symbols = Uint8Array.from({ length: 32 }, (_, i) => (i % 5 === 0 ? 0 : 1));
  return tansLayerWith(symbols, { shape: [4, 8], quant: { bins: 3, step: 0.5 } },
    { states: 32, streams: 1, split: 'channel', kind: 'fse' });
}

/** The container with record `i`'s shape replaced (rank and dims rewritten, CRCs recomputed). */
function withShape(bytes: Uint8Array, dims: number[], i = 0): Uint8Array {
  const parts = splitContainer(bytes);
  parts.records[i].header = withDims(parts.records[i].header, dims);
  return assembleContainer(parts);
}

function refusal(bytes: Uint8Array, label = 'crafted.hwz'): string {
  try {
    decodeContainer(bytes, label);
  } catch (err) {
    expect(err).toBeInstanceOf(HwsimError);
    expect((err as Error).message.startsWith(`${label}: `)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('the crafted container was accepted');
}

describe('crafted containers: declared sizes against the limits and the bytes', () => {
  const constant = writeContainer(imageOf([['w', constantLayer()]]));

  it('the base case decodes (a constant layer of 32 weights)', () => {
    expect(decodeContainer(constant, 'c.hwz').layers[0].symbols).toEqual(new Uint8Array(32).fill(1));
  });

  it('refuses a constant tANS layer of 2^31 weights in ~110 bytes: the size asked for and maxWeights', () => {
    const bomb = withShape(constant, [1 << 16, 1 << 15]);
    expect(bomb.length).toBeLessThan(120);
    expect(refusal(bomb)).toBe(`crafted.hwz: layer #0 'w': a layer of shape 65536×32768 asks for 2,147,483,648 (limit maxWeights = ${limits().maxWeights.toLocaleString('en-US')})`);
  });

  it('refuses a constant tANS layer of 2^30 weights ([1<<15, 1<<15]) under the default limit: the limit is what bounds a 0-bit layer', () => {
    const bomb = withShape(constant, [1 << 15, 1 << 15]);
    expect(bomb.length).toBeLessThan(120);
    expect(refusal(bomb)).toBe("crafted.hwz: layer #0 'w': a layer of shape 32768×32768 asks for 1,073,741,824 (limit maxWeights = 268,435,456)");
  });

  it('refuses 2^39 weights (rank 4)', () => {
    const msg = refusal(withShape(constant, [1 << 13, 1 << 13, 1 << 13, 1]));
    expect(msg).toMatch(/^crafted\.hwz: layer #0 'w': a layer of shape 8192×8192×8192×1 asks for 549,755,813,888 \(limit maxWeights = /);
  });

  it('refuses a layer beyond the format\'s own 2^31−1 even when maxWeights is raised', () => {
    setLimits({ maxWeights: 2 ** 40 });
    expect(refusal(withShape(constant, [1 << 16, 1 << 15]))).toBe(
      "crafted.hwz: layer #0 'w': shape 65536×32768 declares 2,147,483,648 weights; a layer holds at most 2,147,483,647");
  });

  it('refuses 2^30 weights with a two-symbol table: its one word holds far fewer symbols (bytes bound tANS when no symbol owns every slot)', () => {
    const two = writeContainer(imageOf([['w', twoSymbolLayer()]]));
    expect(decodeContainer(two, 'two.hwz').layers[0].symbols.length).toBe(32);
    setLimits({ maxWeights: 2 ** 30 }); // past the limit check: the bytes must refuse it
    const words = (twoSymbolLayer()).wordCounts[0];
    const capacity = (32 * words - 5 + 1) * 32 - 1;
    expect(refusal(withShape(two, [1 << 15, 1 << 15]))).toBe(
      `crafted.hwz: layer #0 'w': stream 0 must hold 1,073,741,824 symbols of shape 32768×32768; its ${words} words hold at most ${capacity.toLocaleString('en-US')} with this table`);
  });

  it('refuses layers whose weights together exceed maxWeights (each alone within it)', () => {
    const two = writeContainer(imageOf([['a', constantLayer()], ['b', constantLayer()]]));
    const parts = splitContainer(two);
    for (const r of parts.records) r.header = withDims(r.header, [1 << 15, 1 << 14]);
    setLimits({ maxWeights: 2 ** 29 + 1 });
    expect(refusal(assembleContainer(parts))).toBe('crafted.hwz: layers #0..#1 together asks for 1,073,741,824 (limit maxWeights = 536,870,913)');
  });

  it('refuses a raw layer whose payload is not there (a raw layer\'s bytes are its weights)', () => {
    const parts = splitContainer(constant);
    const rec = parts.records[0];
    rec.codec = 0;
    rec.header = withDims(rec.header.subarray(0, 1 + 1 + 1 + 1 + 4), [1 << 15, 1 << 15]); // common part only
    rec.header[rec.header.length - 5] = 255; // bins
    rec.payload = new Uint8Array(0);
    expect(refusal(assembleContainer(parts, { payloadLength: () => 2 ** 30 }))).toMatch(
      /^crafted\.hwz: layer #0 'w': truncated: payload of 1073741824 bytes and its CRC needs 1073741828 bytes at offset \d+, only \d+ left$/);
  });

  it('refuses a layer count beyond maxLayers, and one beyond what the bytes hold', () => {
    const trailerWith = (count: number) => {
      const parts = splitContainer(constant);
      const t = parts.trailer;
      // name, source, description, synthetic flag, settings: all short here (one-byte lengths)
      let pos = 0;
      for (let s = 0; s < 3; s++) pos += 1 + t[pos];
      pos += 1;
      pos += 1 + t[pos];
      const w = new ByteWriter();
      w.bytes(t.subarray(0, pos));
      w.varint(count);
      w.bytes(t.subarray(pos + 1));
      parts.trailer = w.result();
      return assembleContainer(parts);
    };
    expect(refusal(trailerWith(2 ** 31))).toBe(`crafted.hwz: trailer: the layer count asks for 2,147,483,648 (limit maxLayers = ${limits().maxLayers.toLocaleString('en-US')})`);
    expect(refusal(trailerWith(1000))).toMatch(/^crafted\.hwz: trailer: 1,000 layers declared; \d+ bytes of layer descriptions and \d+ bytes of records hold at most 1$/);
  });

  it('refuses a trailer that inflates past maxInflateBytes', () => {
    const big = writeContainer({ ...imageOf([['w', constantLayer()]]), model: { name: 'x', source: 's', synthetic: false, description: 'd'.repeat(100_000) } });
    expect(big.length).toBeLessThan(1000);
    expect(decodeContainer(big, 'big.hwz').image.model.description.length).toBe(100_000);
    setLimits({ maxInflateBytes: 65536 });
    expect(refusal(big)).toMatch(/^crafted\.hwz: the trailer of \d+ bytes inflates to more than 65,536 bytes \(limit maxInflateBytes = 65,536\)$/);
  });

  it('refuses a quantizer step that is NaN, infinite, zero or negative, and per-channel steps likewise', () => {
    for (const [v, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [0, '0'], [-1, '-1']] as const) {
      const parts = splitContainer(constant);
      const h = parts.records[0].header;
      new DataView(h.buffer, h.byteOffset).setFloat32(1 + 1 + 1 + 1, v, true); // rank, dims 4 and 8, bins
      expect(refusal(assembleContainer(parts))).toBe(`crafted.hwz: layer #0 'w': quantizer step ${shown} is not a positive number`);
    }
    const pc = constantLayer();
    pc.quant = { ...pc.quant, stepsPerChannel: Float32Array.of(1, 2, NaN, 4) };
    expect(refusal(writeContainer(imageOf([['w', pc]])))).toBe("crafted.hwz: layer #0 'w': per-channel step 2 is NaN, not a positive number");
  });

  it('refuses encode settings that are null, an array, a number or a string (not a JSON object)', () => {
    for (const text of ['null', '[]', '1', '"x"']) {
      const parts = splitContainer(constant);
      const t = parts.trailer;
      let pos = 0;
      for (let s = 0; s < 3; s++) pos += 1 + t[pos];
      pos += 1;
      const w = new ByteWriter();
      w.bytes(t.subarray(0, pos));
      const b = new TextEncoder().encode(text);
      w.varint(b.length);
      w.bytes(b);
      w.bytes(t.subarray(pos + 1 + t[pos]));
      parts.trailer = w.result();
      expect(refusal(assembleContainer(parts))).toBe('crafted.hwz: trailer: encode settings are not a JSON object');
    }
  });

  it("refuses a 'channel' split on a rank-1 shape (no input channels to split by)", () => {
    expect(refusal(withShape(constant, [32]))).toBe(
      "crafted.hwz: layer #0 'w': split 'channel' on a rank-1 shape (it needs an input-channel dimension; such a layer is split 'interleaved')");
  });

  it('checks an image built in memory too, before decoding it', () => {
    const img = imageOf([['w', constantLayer()]]);
    img.layers[0].shape = [1 << 15, 1 << 15];
    setLimits({ maxWeights: 1000 });
    expect(() => decodeImage(img, 'mem')).toThrow('mem: the 1 layers together asks for 1,073,741,824 (limit maxWeights = 1,000)');
  });

  it('reads a container written by the writer unchanged (the crafting helpers are faithful)', () => {
    expect(assembleContainer(splitContainer(constant))).toEqual(constant);
    expect(readContainer(constant, 'c.hwz').layers).toHaveLength(1);
  });
});
