/**
 * The wm codec in the container: round trips through the CLI and in process against the
 * quantizer's symbols (independent of any codec), the RAS form chosen per layer by FLOPs per
 * parameter, and every corruption of a wm section refused naming the layer and the check.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleContainer, splitContainer } from '../bench/fuzz-container.js';
import { main } from '../src/cli/main.js';
import type { WmLayer } from '../src/codecs/codec.js';
import { readContainer, writeContainer, type ModelImage } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { decodeContainer } from '../src/codecs/model-image.js';
import { quantizeWith } from '../src/codecs/quant/index.js';
import { layerMatrix, wmCodec } from '../src/codecs/wm/index.js';
import { directoryWords as layerDirWords } from '../src/codecs/wm/bitvector.js';
import { flopsPerParam } from '../src/codecs/wm/choose.js';
import { RowAccess } from '../src/codecs/wm/ras.js';
import { HwsimError } from '../src/errors.js';
import { loadZooModel } from '../src/models/zoo.js';
import { captureOutput } from './capture-output.js';

const io = captureOutput();

describe('hwsim encode --codec wm → inspect → decode (lenet-5)', () => {
  it('decodes what it encoded, bit for bit, and inspect shows the wm layers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-wm-'));
    const hwz = join(dir, 'l5.hwz');
    expect(await main(['encode', 'lenet-5', '--codec', 'wm', '--bins', '15', '-o', hwz, '--quiet'])).toBe(0);
    expect(io.stdout).toMatch(/as wavelet matrices: .* wm layers [+-][0-9.]+% vs their entropy bound/);
    io.clear();
    expect(await main(['inspect', hwz, '--json'])).toBe(0);
    const inspected = JSON.parse(io.stdout) as { layers: Array<{ codec: string }> };
    expect(inspected.layers.map((l) => l.codec)).toEqual(['raw', 'wm', 'wm', 'raw']);
    const out = join(dir, 'l5.npy');
    expect(await main(['decode', hwz, '-o', out])).toBe(0);
    const model = loadZooModel('lenet-5', 1);
    const image = readContainer(readFileSync(hwz), 'l5.hwz');
    image.layers.forEach((layer, i) => {
      const symbols = quantizeWith(model.layers[i].weights, layer.quant).symbols;
      const m = (layer.quant.bins - 1) / 2;
      const q = readFileSync(join(dir, `l5.${image.specs[i].name}.q.npy`));
      const levels = new Int8Array(q.buffer, q.byteOffset + q.length - symbols.length, symbols.length);
      expect(Array.from(levels)).toEqual(Array.from(symbols, (s) => s - m));
    });
  });

  it('the same model through tans and wm decodes to the same levels', () => {
    const model = loadZooModel('lenet-5', 1);
    const a = decodeContainer(writeContainer(encodeModel(model, { bins: 31 })), 'tans.hwz').layers;
    const b = decodeContainer(writeContainer(encodeModel(model, { bins: 31, codec: 'wm' })), 'wm.hwz').layers;
    expect(b.map((l) => l.layer.codec)).toEqual(['raw', 'wm', 'wm', 'raw']);
    a.forEach((l, i) => expect(b[i].levels).toEqual(l.levels));
  });

  it('chooses element-wise below the FLOPs-per-parameter threshold and block-wise above it', () => {
    const model = loadZooModel('lenet-5', 1);
    const fpr = model.layers.map((l) => flopsPerParam(l.spec, l.weights.length));
    expect(fpr[1]).toBeGreaterThan(16); // conv2: every output position
    expect(fpr[2]).toBe(1); // ip1: fully connected
    const forms = (t: number) => encodeModel(model, { codec: 'wm', bins: 15, wmFprThreshold: t }).layers.map((l) => (l.codec === 'wm' ? l.form : '-'));
    expect(forms(16)).toEqual(['-', 'block', 'element', '-']);
    expect(forms(0)).toEqual(['-', 'block', 'block', '-']);
    expect(forms(1e6)).toEqual(['-', 'element', 'element', '-']);
  });

  it('random access into a decoded layer agrees with the sequential decoder (rows by select on the delimiter)', () => {
    const model = loadZooModel('lenet-5', 1);
    const layer = encodeModel(model, { codec: 'wm', bins: 31 }).layers[2] as WmLayer;
    expect(layer.form).toBe('element');
    const all = wmCodec.decode(layer);
    const rows = new RowAccess(layerMatrix(layer), layer);
    expect([rows.rows, rows.rowLength]).toEqual([500, 800]);
    for (let i = 0; i < all.length; i += 331) expect(rows.weight(Math.floor(i / 800), i % 800)).toBe(all[i]);
    // row r starts one past the (r − 1)-th delimiter: 801 symbols per row
    expect(rows.rowStart(7)).toBe(7 * 801);
    expect(rows.rowEnd(7)).toBe(7 * 801 + 800);
    expect(() => rows.rowStart(500)).toThrow(/select past the last delimiter: row 500 of a layer with 500 rows/);
    expect(() => rows.weight(3, 800)).toThrow(/weight 800 of row 3 is outside the row's 0..799/);
    expect(() => layerMatrix(layer).access(all.length + 500)).toThrow(/access: position 400500 is outside the sequence's 0..400499/);
  });
});

/** A one-layer wm image of a small skewed sequence. */
function smallImage(): ModelImage {
  const symbols = Uint8Array.from({ length: 5000 }, (_, i) => [3, 3, 3, 2, 4, 3, 1, 5, 3, 0, 6, 3][(i * 7) % 12]);
  const base = { shape: [50, 100], quant: { bins: 7, step: 0.1 } };
  const layer = wmCodec.encode(symbols, base, { states: 64, streams: 1, split: 'channel', effort: 'fast', wmForm: 'element' });
  return {
    model: { name: 'small', source: 'test', synthetic: true, description: 'small' }, options: {},
    specs: [{ name: 'fc1', kind: 'fc', ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: 100, filters: 50, stride: 1, weightShape: [50, 100] }],
    layers: [layer],
  };
}

function refusal(bytes: Uint8Array): string {
  try {
    decodeContainer(bytes, 'bad.hwz');
  } catch (err) {
    expect(err).toBeInstanceOf(HwsimError);
    return (err as Error).message;
  }
  throw new Error('the corrupted container was accepted');
}

/** the container with record 0's header or payload changed, CRCs recomputed */
function tampered(edit: (rec: { header: Uint8Array; payload: Uint8Array }) => void): Uint8Array {
  const parts = splitContainer(writeContainer(smallImage()));
  edit(parts.records[0]);
  return assembleContainer(parts);
}

describe('corrupted wm sections', () => {
  const good = writeContainer(smallImage());
  // header layout after the common part (rank 2, dims 50 and 100, bins, f32 step = 8 bytes):
  // form, levels, lengths[8] (7 bins and the delimiter), level lengths (levels − 1 varints),
  // zeros (levels varints)
  const SECTION = 8;

  it('the untouched container decodes', () => {
    expect(decodeContainer(good, 'good.hwz').layers[0].layer.codec).toBe('wm');
  });

  it('a flipped payload byte without a new CRC fails the record CRC', () => {
    const bad = good.slice();
    bad[bad.length - 200] ^= 0x10;
    expect(refusal(bad)).toMatch(/CRC/);
  });

  const cases: Array<[string, (rec: { header: Uint8Array; payload: Uint8Array }) => void, RegExp]> = [
    ['unknown RAS form', (r) => { r.header[SECTION] = 7; }, /layer #0.*unknown RAS form 7/],
    ['too many levels', (r) => { r.header[SECTION + 1] = 30; }, /layer #0.*30 levels; the format allows at most 24/],
    ['a code longer than the levels', (r) => { r.header[SECTION + 2] = 9; }, /layer #0.*code length 9 of symbol 0 exceeds/],
    ['Kraft broken', (r) => { r.header.fill(1, SECTION + 2, SECTION + 10); }, /layer #0.*(Kraft|longest code)/],
    ['zeros of a level', (r) => { r.header[r.header.length - 1] ^= 1; }, /layer #0.*level \d+: the header says \d+ zeros, the bitmap has \d+/],
    // level 0 holds 5050 bits (5000 weights, 50 delimiters): 158 bitmap words, then its directory
    ['a directory word', (r) => { r.payload[4 * 158] ^= 1; }, /layer #0 'fc1': wm level 0: rank directory word 0 is 1, the bitmap gives 0/],
    ['a bitmap bit', (r) => { r.payload[3] ^= 0x80; }, /layer #0.*(rank directory|zeros)/],
  ];
  for (const [what, edit, message] of cases) {
    it(`refuses ${what} naming the layer and the check`, () => {
      expect(refusal(tampered(edit))).toMatch(message);
    });
  }

  it('a level length that does not match the bitmaps is refused, not decoded wrongly', () => {
    // header lengths change the payload length the header implies, so the reader refuses first
    const msg = refusal(tampered((r) => {
      const levelsAt = SECTION + 2 + 8; // the first level-length varint
      r.header[levelsAt] -= 1;
    }));
    expect(msg).toMatch(/layer #0 'fc1': level 2 holds \d+ bits, more than level 1's \d+/);
  });

  it('a level one bit short (directory, zeros and padding all consistent) fails the cursor end check', () => {
    const layer = smallImage().layers[0] as WmLayer;
    // a level whose last bit is a zero, so that dropping it keeps zeros, padding and words consistent
    let at = 0;
    let level = -1;
    layer.levelLengths.forEach((n, l) => {
      const words = Math.ceil(n / 32);
      const lastBit = (layer.words[at + Math.floor((n - 1) / 32)] >>> ((n - 1) & 31)) & 1;
      const nextFits = l + 1 === layer.levelLengths.length || layer.levelLengths[l + 1] <= n - 1;
      if (level < 0 && lastBit === 0 && (n - 1) % 32 !== 0 && nextFits) level = l;
      at += words + layerDirWords(n);
    });
    expect(level).toBeGreaterThanOrEqual(0); // the test needs a trailing zero to drop
    const short: WmLayer = { ...layer, levelLengths: layer.levelLengths.slice(), levelZeros: layer.levelZeros.slice() };
    short.levelLengths[level] -= 1;
    short.levelZeros[level] -= 1;
    expect(() => wmCodec.decode(short)).toThrow(/wm level \d+: node \d+ (is read past its end|holds \d+ bits but the weights read)|rank directory/);
  });
});
