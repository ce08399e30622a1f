/**
 * The chip's sz decoder (src/chip/sz-source.ts): its cycles against an independent recurrence of
 * the documented semantics (docs/hw/sz-decoder.md), and whole runs with FC layers in sz.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP } from '../src/chip/config.js';
import { WordFifo } from '../src/chip/fifo.js';
import { SzSource, szSchedule } from '../src/chip/sz-source.js';
import { layerHeaderBytes, type ModelImage } from '../src/codecs/container.js';
import { ByteWriter } from '../src/codecs/bytes.js';
import type { SzLayer } from '../src/codecs/codec.js';
import { encodeSzLayer, szCodec } from '../src/codecs/sz/index.js';
import { loadZooModel } from '../src/models/zoo.js';
import { runModel } from '../src/run.js';
import { laplace } from './laplace.js';

function prefixOf(layer: SzLayer): Uint8Array {
  const h = layerHeaderBytes(layer);
  const w = new ByteWriter();
  w.u8(szCodec.tag); w.varint(h.length); w.bytes(h); w.varint(szCodec.payloadLength(layer));
  return w.result();
}

function imageOf(layer: SzLayer): ModelImage {
  return {
    model: { name: 't', source: 't', synthetic: true, description: 't' }, options: {},
    specs: [{ name: 'fc', kind: 'fc', weightShape: layer.shape, ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: layer.shape[1], filters: layer.shape[0], stride: 1 }],
    layers: [layer],
  };
}

/** cycles of the source with every word in the FIFO and unlimited buffer space, by stepping it */
function stepped(layer: SzLayer, lanes: number): { cycles: number; delivered: number; popped: number } {
  const src = new SzSource(lanes, imageOf(layer));
  const n = layer.shape[0] * layer.shape[1];
  src.begin({ name: 'fc', codec: 'sz', params: n, words: layer.words.length }, prefixOf(layer));
  const fifo = new WordFifo(layer.words.length + 1);
  fifo.reserve(layer.words.length);
  fifo.fill(layer.words, 0, layer.words.length);
  let cycles = 0; let delivered = 0; let popped = 0;
  while (!(delivered >= n && src.layerDone)) {
    delivered += src.step(fifo, 1 << 30);
    popped += src.popped;
    cycles++;
    if (cycles > 10 * n + 1000) throw new Error('the source never finished');
  }
  return { cycles, delivered, popped };
}

/** the same from the documented semantics, as a recurrence over entries (no stepping) */
function recurrence(layer: SzLayer, lanes: number): number {
  const n = layer.shape[0] * layer.shape[1];
  const { runs, wordsThrough, tail } = szSchedule(layer, n);
  let handoff = -1; // cycle of the previous hand-over
  let sEnd = -1;    // cycle in which the scatter stage empties
  for (let e = 0; e < runs.length; e++) {
    const words = wordsThrough[e] - (e > 0 ? wordsThrough[e - 1] : 0);
    const decoded = handoff + Math.max(1, words);
    handoff = Math.max(decoded, sEnd);
    sEnd = handoff + Math.ceil(runs[e] / lanes);
  }
  const tailStart = Math.max(sEnd, handoff + 1, 0);
  const end = tail > 0 ? tailStart + Math.ceil(tail / lanes) : tailStart;
  return end + 1;
}

describe('per-kind codec choice', () => {
  it('--codec sz codes the FC layers in sz; --conv-codec raw keeps the conv layers int8', async () => {
    const { encodeModel } = await import('../src/codecs/model-codec.js');
    const model = loadZooModel('lenet-5');
    expect(encodeModel(model, { codec: 'sz' }).layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'sz', 'sz']);
    expect(encodeModel(model, { codec: 'sz', convCodec: 'raw' }).layers.map((l) => l.codec)).toEqual(['raw', 'raw', 'sz', 'sz']);
    expect(encodeModel(model, {}).layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'tans', 'raw']);
  });
});

describe('sz decoder cycle model', () => {
  it('delivers every weight, pops every word, and takes the cycles of the documented recurrence', () => {
    let cases = 0;
    for (const [shape, sparsity, eb] of [[[10, 30], 0.5, 1e-3], [[100, 300], 0.92, 5e-3], [[40, 500], 0.99, 1e-4], [[7, 13], 0, 9e-3]] as const) {
      const w = laplace(shape[0] * shape[1], 0.05, shape[0]);
      const { layer } = encodeSzLayer(w, shape, { errorBound: eb, sparsity });
      for (const lanes of [1, 4, 16, 64]) {
        const s = stepped(layer, lanes);
        expect(s.delivered).toBe(shape[0] * shape[1]);
        expect(s.popped).toBe(layer.words.length);
        expect(s.cycles).toBe(recurrence(layer, lanes));
        cases++;
      }
    }
    expect(cases).toBe(16);
  });

  it('runs lenet-5 with its FC layers in sz, conv2 in tANS and the edge conv raw', async () => {
    const model = loadZooModel('lenet-5');
    const { report, image } = await runModel(model, { codec: 'sz', errorBound: 5e-3, sparsity: 0.9 }, { chip: { ...DEFAULT_CHIP } });
    expect(report.layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'sz', 'sz']);
    expect(image.length).toBeGreaterThan(0);
    for (const l of report.layers.filter((x) => x.codec === 'sz')) {
      expect(l.tans.cycles).toBeGreaterThan(0);
      // payload bytes fetched: what the file's record holds (4-byte words)
      expect(l.tans.weightBytes % 4).toBe(0);
    }
  });
});
