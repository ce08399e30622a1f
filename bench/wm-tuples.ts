/**
 * Bits per weight of the wm codec's (distance, value) tuples on the project's pruned LeNets
 * (test/fixtures/lenet/, DeepSZ-pruned and fine-tuned), beside the dense element-wise matrix and
 * tANS at L = 64 and 256 on the same symbols, with the layer's H0. Whole records: header (with
 * its code lengths) and payload (bitmaps and rank directories), as the container stores them.
 *
 *   npx tsc -p . && node dist/bench/wm-tuples.js [--bins 15]
 */
import { execSync } from 'node:child_process';
import { recordBytes, tansOrRaw } from '../src/codecs/model-codec.js';
import { quantize } from '../src/codecs/quant/index.js';
import { wmCodec } from '../src/codecs/wm/index.js';
import { zeroFraction } from '../src/codecs/wm/ras.js';
import { loadModel } from '../src/models/load.js';
import { intFlag, runIfEntry } from './entry.js';

function main(argv: string[]): void {
  const bins = intFlag(argv, 'bins', 15);
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  console.log(`bins ${bins}; bits per weight of whole records (header + payload)`);
  console.log('| model | layer | weights | zeros | H0 | wm tuples | wm element-wise | tANS L=64 | tANS L=256 |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const name of ['lenet-300-100', 'lenet-5']) {
    const model = loadModel(`test/fixtures/lenet/${name}.safetensors`);
    for (const l of model.layers) {
      const q = quantize(l.weights, bins, { method: 'mse' });
      const n = l.weights.length;
      const base = { shape: [...l.spec.weightShape], quant: q.params };
      const opts = { states: 64, streams: 8, split: 'channel' as const, effort: 'fast' as const };
      const bpw = (bytes: number) => (8 * bytes / n).toFixed(3);
      const tuples = wmCodec.encode(q.symbols, base, { ...opts, wmForm: 'tuples' });
      const element = wmCodec.encode(q.symbols, base, { ...opts, wmForm: 'element' });
      const t64 = tansOrRaw(q.symbols, base, opts).tansBytes;
      const t256 = tansOrRaw(q.symbols, base, { ...opts, states: 256 }).tansBytes;
      console.log(`| ${name} | ${l.spec.name} | ${n} | ${(100 * zeroFraction(q.symbols, bins)).toFixed(1)} % | ${(q.entropyBits / n).toFixed(3)} | ` +
        `${bpw(recordBytes(tuples))} | ${bpw(recordBytes(element))} | ${bpw(t64)} | ${bpw(t256)} |`);
    }
  }
}

runIfEntry(import.meta.url, main);
