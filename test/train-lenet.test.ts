/**
 * The project's LeNet code (src/train): backward passes against finite differences, training
 * reproducible from its seed, and the committed fixtures' top-1 (their metadata, written by
 * scripts/train-lenet.ts) equal to what the evaluation code measures now.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, loadLenet } from '../src/train/fixtures.js';
import { accuracy, Lenet, train, type LenetName } from '../src/train/lenet.js';
import { loadMnist, PIXELS } from '../src/train/mnist.js';
import { seeded } from '../src/train/rng.js';

/** cross-entropy of one image, and the gradients of every parameter by backprop */
function lossAndGrad(net: Lenet, x: Float32Array, label: number): number {
  for (const p of net.params) p.grad.fill(0);
  const logits = net.forward(x);
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  const probs = new Float32Array(10);
  for (let i = 0; i < 10; i++) { probs[i] = Math.exp(logits[i] - max); sum += probs[i]; }
  for (let i = 0; i < 10; i++) probs[i] /= sum;
  const loss = -Math.log(probs[label]);
  probs[label] -= 1;
  let g: Float32Array = probs;
  for (let i = net.layers.length - 1; i >= 0; i--) g = net.layers[i].backward(g, i > 0);
  return loss;
}

describe('LeNet backward passes', () => {
  for (const name of ['lenet-300-100', 'lenet-5'] as LenetName[]) {
    it(`${name}: every parameter tensor's gradient matches central differences`, () => {
      const net = new Lenet(name);
      net.init(3);
      const u = seeded(5);
      const x = Float32Array.from({ length: PIXELS }, () => u());
      const label = 7;
      lossAndGrad(net, x, label);
      const grads = net.params.map((p) => Float32Array.from(p.grad));
      let checked = 0;
      net.params.forEach((p, pi) => {
        // the largest-gradient entries (a zero gradient would test nothing) and a few more
        const idx = [...grads[pi].keys()].sort((a, b) => Math.abs(grads[pi][b]) - Math.abs(grads[pi][a])).slice(0, 3);
        for (const i of idx) {
          const h = 1e-2;
          const keep = p.data[i];
          p.data[i] = keep + h; const up = lossAndGrad(net, x, label);
          p.data[i] = keep - h; const down = lossAndGrad(net, x, label);
          p.data[i] = keep;
          const numeric = (up - down) / (2 * h);
          expect(Math.abs(numeric - grads[pi][i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
          checked++;
        }
      });
      expect(checked).toBe(3 * net.params.length);
      expect(grads.every((g) => g.some((v) => v !== 0))).toBe(true);
    });
  }
});

describe('training and the fixtures', () => {
  it('training is reproducible from its seed (two runs, identical weights)', () => {
    const { train: data } = loadMnist();
    const small = { images: data.images.subarray(0, 300 * PIXELS), labels: data.labels.subarray(0, 300), count: 300 };
    const run = () => {
      const net = new Lenet('lenet-300-100');
      net.init(1);
      train(net, small, { epochs: 1, batch: 32, lr: 0.05, lrDecay: 1, momentum: 0.9, weightDecay: 5e-4, seed: 1, shift: 2 });
      return net.params.map((p) => Float32Array.from(p.data));
    };
    const a = run();
    const b = run();
    a.forEach((t, i) => expect(Buffer.from(t.buffer).equals(Buffer.from(b[i].buffer))).toBe(true));
  });

  for (const [name, variant] of [['lenet-300-100', 'dense'], ['lenet-300-100', 'pruned'], ['lenet-5', 'pruned']] as const) {
    it(`${name} (${variant}): the top-1 the training script recorded is the top-1 eval measures`, () => {
      const path = fixturePath(name, variant);
      const bytes = readFileSync(path);
      const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString()) as { __metadata__: Record<string, string> };
      const recorded = Number(header.__metadata__.top1);
      const { test } = loadMnist();
      expect(accuracy(loadLenet(name, variant), test).toFixed(6)).toBe(recorded.toFixed(6));
      expect(recorded).toBeGreaterThan(0.9);
    });
  }
});
