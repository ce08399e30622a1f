/**
 * Writes test vectors for the cocotb bench (sim/tans): layers from the TS encoder with their load
 * words, DRAM words, expected symbols and the cycle model's verdicts.
 *   node dist/src/cosim/write-tans-vectors.js OUT.json STATES SYMBOL_BITS STREAMS LAYERS SEED SYMBOLS [CORRUPT_LAYER...]
 * Expected symbols come from the reference decoder, or from the cycle model for a corrupted layer.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolveTansDecoderParams } from '../chip/tans-decoder.js';
import { runModel } from './tans-run.js';
import { syntheticLayers } from './tans-vectors.js';

export function tansVectors(states: number, symbolBits: number, streams: number, layers: number, seed: number,
  symbolsPerStream: number, corruptLayers: number[]): unknown {
  const p = resolveTansDecoderParams({ states, symbolBits, streams });
  const ls = syntheticLayers(p, { layers, seed, symbolsPerStream, corruptLayers });
  const model = runModel(p, ls, seed, 0);
  return {
    params: p,
    layers: ls.map((l, i) => ({
      bins: l.bins,
      half: (l.bins - 1) >> 1,
      corrupt: l.corrupt,
      load: Array.from(l.load),
      words: Array.from(l.words),
      symbols: (l.corrupt ? model[i].symbols : l.symbols).map((s) => Array.from(s)),
      error: model[i].error,
      /** run cycles with in_valid and out_ready always high */
      runCycles: model[i].runCycles,
      loadCycles: model[i].loadCycles,
    })),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, ...nums] = process.argv.slice(2);
  const [states, symbolBits, streams, layers, seed, symbols, ...corrupt] = nums.map(Number);
  if (!out || [states, symbolBits, streams, layers, seed, symbols].some((v) => !Number.isFinite(v))) {
    process.stderr.write('usage: write-tans-vectors.js OUT.json STATES SYMBOL_BITS STREAMS LAYERS SEED SYMBOLS [CORRUPT_LAYER...]\n');
    process.exit(2);
  }
  writeFileSync(out, JSON.stringify(tansVectors(states, symbolBits, streams, layers, seed, symbols, corrupt)));
}
