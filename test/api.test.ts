/**
 * The library face (src/index.ts): the calls a program makes instead of the CLI. `runModel` and
 * `runContainer` on the bytes it encoded report the same figures (the chip runs the container's
 * bytes either way), and the image round-trips through encode, writeImage, decode and inspect.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, inspect, loadModel, readImage, resolveChipConfig, runContainer, runModel, writeImage } from '../src/index.js';
import { quantizeWith } from '../src/codecs/quant/index.js';

describe('library API', () => {
  it('runModel and runContainer on the bytes it encoded give the same report', async () => {
    const chip = resolveChipConfig({ decoders: 4, dramBw: 1 });
    const model = loadModel('lenet-5');
    const { report, image } = await runModel(model, { states: 128, streams: 4, bins: 15 }, { chip });
    const again = await runContainer(image, 'lenet-5.hwz', { chip });
    expect(again.tans).toEqual(report.tans);
    expect(again.int8).toEqual(report.int8);
    expect(again.layers).toEqual(report.layers);
    expect(report.imageBytes).toBe(image.length);
    expect(report.tans.stalls.dram + report.tans.stalls.decoder).toBeGreaterThan(0); // weights matter on this chip
    expect(report.tans.weightBytes + report.tans.headerBytes).toBe(
      readImage(image).records.reduce((a, r) => a + Math.ceil(r.payload.length / 4) * 4 + r.prefix.length, 0));
  });

  it('encode → writeImage → decode gives the quantizer\'s levels; inspect accounts for every byte', () => {
    const model = loadModel('lenet-5');
    const image = encode(model, { states: 64, streams: 8 });
    const bytes = writeImage(image);
    const layers = decode(bytes, 'l5.hwz');
    layers.forEach((l, i) => {
      const symbols = quantizeWith(model.layers[i].weights, image.layers[i].quant).symbols;
      expect(l.symbols).toEqual(symbols);
    });
    const f = inspect(bytes, 'l5.hwz');
    const payload = readImage(bytes).records.reduce((a, r) => a + r.payload.length, 0);
    expect(f.fileBytes).toBe(bytes.length);
    expect(f.fileOverheadBytes).toBe(bytes.length - payload);
    expect(f.total.codedBits).toBe(payload * 8);
  });

  it('refuses bad parameters with the field named, before any work', async () => {
    expect(() => encode(loadModel('lenet-5'), { states: 48 })).toThrow(/states 48 is not allowed: a power of two/);
    expect(() => resolveChipConfig({ dramBw: 0 })).toThrow(/--dram-bw 0 is not allowed/);
  });
});
