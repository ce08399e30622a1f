/**
 * DeepSZ on the trained LeNet-300-100 fixture: the image `hwsim deepsz` writes decodes within the
 * chosen bounds, `hwsim eval` of that file gives the top-1 deepsz measured (the same code), and
 * bad input is refused with a clear error. Needs the mnist digits (scripts/fetch-mnist.sh, run by
 * scripts/test.sh) and the committed fixtures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeContainer } from '../src/codecs/model-image.js';
import { main } from '../src/cli/main.js';
import { parseBudget } from '../src/cli/cmd-deepsz.js';
import { fixturePath, lenetModel, loadLenet } from '../src/train/fixtures.js';
import { assess, deepsz } from '../src/train/deepsz.js';
import { accuracy } from '../src/train/lenet.js';
import { loadMnist } from '../src/train/mnist.js';
import { resolveLenet } from '../src/train/resolve.js';
import { captureOutput } from './capture-output.js';

const out = captureOutput();
const dir = mkdtempSync(join(tmpdir(), 'hwsim-deepsz-'));

describe('deepsz on lenet-300-100', () => {
  it('writes an image whose FC weights lie within the chosen bounds, and eval of the file gives the measured top-1', async () => {
    const { test } = loadMnist();
    expect(test.count).toBe(2004);
    const net = loadLenet('lenet-300-100');
    const model = lenetModel(net, fixturePath('lenet-300-100', 'pruned'));
    const assessment = assess(net, test, { bounds: [1e-3, 3e-2, 1e-1] });
    expect(assessment.layers.map((l) => l.name)).toEqual(['fc1', 'fc2', 'fc3']);
    // a looser bound never takes more bytes
    for (const l of assessment.layers) expect(l.candidates[2].bytes).toBeLessThanOrEqual(l.candidates[0].bytes);
    const r = deepsz(net, model, test, 0.01, assessment);
    expect(r.top1Before - r.top1After).toBeLessThanOrEqual(0.01 + 1e-12);
    expect(r.bruteBytes).toBe(r.choice.bytes);
    const file = join(dir, 'l300.hwz');
    const { writeContainer } = await import('../src/codecs/container.js');
    writeFileSync(file, writeContainer(r.image));
    const { layers } = decodeContainer(new Uint8Array(readFileSync(file)), file);
    layers.forEach((d, i) => {
      expect(d.codec).toBe('sz');
      const w = model.layers[i].weights;
      const eb = r.layers[i].eb;
      for (let k = 0; k < w.length; k++) {
        if (w[k] === 0) { if (d.values[k] !== 0) throw new Error(`pruned weight ${k} of ${d.name} decoded to ${d.values[k]}`); } else if (!(Math.abs(d.values[k] - w[k]) <= Math.fround(eb))) throw new Error(`weight ${k} of ${d.name} off by more than ${eb}`);
      }
    });
    // the file's bytes are what deepsz reports (header + payload per FC layer)
    expect(layers.reduce((a, l) => a + l.payloadBits / 8, 0)).toBeLessThan(r.fcBytes);
    // eval reads the file through the decoders and gives the same top-1 deepsz measured
    expect(accuracy(resolveLenet(file).net, test)).toBe(r.top1After);
    expect(await main(['eval', file, '--json'])).toBe(0);
    expect(JSON.parse(out.stdout).top1).toBe(r.top1After);
  });
});

describe('the sz codec through the CLI', () => {
  it('encode --codec sz, decode and inspect round-trip; run takes the file', async () => {
    const file = join(dir, 'sz.hwz');
    expect(await main(['encode', 'lenet-300-100', '--codec', 'sz', '--error-bound', '0.002', '--sparsity', '0.8', '-o', file, '--quiet'])).toBe(0);
    expect(out.stdout).toMatch(/3 sz \(DeepSZ\) layers/);
    out.clear();
    expect(await main(['inspect', file, '--json'])).toBe(0);
    const figures = JSON.parse(out.stdout) as { layers: Array<{ codec: string }> };
    expect(figures.layers.map((l) => l.codec)).toEqual(['sz', 'sz', 'sz']);
    out.clear();
    expect(await main(['decode', file, '-o', join(dir, 'sz.safetensors')])).toBe(0);
    expect(out.stdout).toMatch(/all checks passed/);
    // a flipped payload byte: refused by the CRC, the layer named
    const bytes = new Uint8Array(readFileSync(file));
    bytes[200] ^= 0x40;
    writeFileSync(join(dir, 'bad.hwz'), bytes);
    out.clear();
    expect(await main(['inspect', join(dir, 'bad.hwz')])).toBe(2);
    expect(out.stderr).toMatch(/layer #0 'fc1': CRC-32 mismatch/);
  });
});

describe('bad input', () => {
  it('refuses budgets outside (0, 100 %)', () => {
    expect(parseBudget('0.3%')).toBeCloseTo(0.003, 12);
    expect(parseBudget('0.003')).toBeCloseTo(0.003, 12);
    for (const b of ['0%', '0', '100%', '150%', '-1%', '1']) expect(() => parseBudget(b)).toThrow(/is outside \(0, 100 %\)/);
    expect(() => parseBudget('abc')).toThrow(/is not a number/);
  });

  it('the CLI prints one line and exits 2 for each mistake', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['deepsz', 'lenet-300-100', '--loss-budget', '0%'], /loss budget 0 % is outside \(0, 100 %\)/],
      [['deepsz', 'lenet-300-100', '--loss-budget', '100%'], /loss budget 100 % is outside/],
      [['deepsz', 'lenet-300-100', '--bounds', '0,1e-3'], /error bound 0 is not a positive number/],
      [['deepsz', 'lenet-300-100', '--bounds=-1e-3'], /error bound -0.001 is not a positive number/],
      [['deepsz', 'lenet-300-100', '--sparsity', '1', '--bounds', '1e-2'], /sparsity 1 is outside \[0, 1\)/],
      [['deepsz', 'resnet50'], /deepsz needs a model it can evaluate/],
      [['encode', 'lenet-300-100', '--codec', 'sz', '--error-bound', '0', '-o', join(dir, 'x.hwz')], /--error-bound 0 is not allowed|error bound/],
      [['encode', 'lenet-300-100', '--codec', 'sz', '--sparsity', '1', '-o', join(dir, 'x.hwz')], /--sparsity 1 is not allowed|sparsity/],
      [['eval', 'resnet50'], /neither a LeNet nor an existing file/],
    ];
    const csv = join(dir, 'conv-only.csv');
    writeFileSync(csv, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nconv1, 10, 10, 3, 3, 3, 8, 1,\n');
    cases.push([['deepsz', csv], /has no FC layers/]);
    for (const [args, msg] of cases) {
      out.clear();
      expect(await main(args), args.join(' ')).toBe(2);
      expect(out.stderr, args.join(' ')).toMatch(msg);
      expect(out.stderr).not.toMatch(/internal error|at .*\.ts:/);
    }
  });
});
