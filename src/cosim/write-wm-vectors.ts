/**
 * Writes test vectors for the cocotb bench of the wm query unit (sim/wm): synthetic layers from
 * the reference encoder with the unit's config writes, payload words and expected symbols (the
 * reference decoder's), a corrupted layer marked with whether the reference rejects it, and each
 * layer's LOAD/START/DECODE cycles from the cycle model with no stalls.
 *   node dist/src/cosim/write-wm-vectors.js OUT.json LANES LOAD_WORDS LEVELS BUFFER_WORDS LAYERS SEED WEIGHTS [CORRUPT_LAYER...]
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { params as paramCount } from '../codecs/codec.js';
import { resolveWmEngineParams } from '../params/groups.js';
import { runWmModel } from './wm-cosim.js';
import { checkLayerFits, WM_CORRUPTIONS, wmConfigWrites, wmCosimLayers, type WmCorruption } from './wm-vectors.js';

export function wmVectors(lanes: number, loadWords: number, levels: number, bufferWords: number, layers: number, seed: number,
  weights: number, corruptLayers: number[]): unknown {
  const p = resolveWmEngineParams({ wmLanes: lanes, wmLoadWords: loadWords, wmLevels: levels, wmBufferWords: bufferWords });
  const corrupt = new Map<number, WmCorruption>(corruptLayers.map((l, i) => [l, WM_CORRUPTIONS[i % WM_CORRUPTIONS.length]]));
  const ls = wmCosimLayers(p, { seed, layers, weightsPerLayer: weights, corrupt });
  for (const l of ls) checkLayerFits(p, l);
  return {
    params: p,
    layers: ls.map((l) => {
      const n = paramCount(l.layer.shape);
      const m = l.golden ? runWmModel(p, l, 1, 0) : undefined;
      return {
        name: l.name,
        weights: n,
        slice: Math.ceil(n / p.wmLanes),
        config: wmConfigWrites(p, l.layer),
        words: Array.from(l.layer.words),
        golden: l.golden ? Array.from(l.golden) : null,
        corrupt: l.corruption?.kind ?? null,
        cycles: m ? { load: m.load, start: m.start, decode: m.decode } : null,
      };
    }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, ...nums] = process.argv.slice(2);
  const [lanes, loadWords, levels, bufferWords, layers, seed, weights, ...corrupt] = nums.map(Number);
  if (!out || [lanes, loadWords, levels, bufferWords, layers, seed, weights].some((v) => !Number.isFinite(v))) {
    process.stderr.write('usage: write-wm-vectors.js OUT.json LANES LOAD_WORDS LEVELS BUFFER_WORDS LAYERS SEED WEIGHTS [CORRUPT_LAYER...]\n');
    process.exit(2);
  }
  writeFileSync(out, JSON.stringify(wmVectors(lanes, loadWords, levels, bufferWords, layers, seed, weights, corrupt)));
}
