// Weights without a graph: `hwsim run` reports bytes and bits/weight and no guessed latency;
// --topology pairs them with a zoo network (by name), a SCALE-Sim CSV (in order) or an ONNX model,
// and the chip then runs the topology's geometry (MACs equal the topology's own).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapLayer } from '../src/chip/mac-array.js';
import { main } from '../src/cli/main.js';
import { safetensorsBytes } from '../src/io/safetensors-write.js';
import { loadModel } from '../src/models/load.js';
import type { RunReport } from '../src/report/run-figures.js';
import { zooLayers } from '../src/models/zoo.js';
import { captureOutput } from './capture-output.js';
import { laplace } from './laplace.js';

const io = captureOutput();
const dir = mkdtempSync(join(tmpdir(), 'hwsim-topology-'));

/** LeNet-5's kernels under torch names, in torch layout (what a user's state_dict gives) */
const lenet = zooLayers('lenet-5');
const tensors = lenet.map((s, i) => ({ name: `${s.name}.weight`, shape: s.weightShape, data: laplace(s.weightShape.reduce((a, b) => a * b, 1), 0.05, i + 1) }));
const file = join(dir, 'lenet.safetensors');
writeFileSync(file, safetensorsBytes(tensors));

describe('weights without a graph', () => {
  it('run reports bytes and bits/weight and says why there is no latency (no 56×56 guess)', async () => {
    expect(await main(['run', file, '--states', '64', '--quiet', '--json', '--out', dir])).toBe(0);
    expect(io.stdout).toMatch(/no latency: the file holds kernels but no layer geometry/);
    expect(io.stdout).not.toMatch(/^latency/m);
    expect(io.stdout).not.toMatch(/56×56/);
    const r = JSON.parse(readFileSync(join(dir, 'lenet-weights.json'), 'utf8')) as { latency: null; total: { params: number }; fileBytes: number };
    expect(r.latency).toBeNull();
    expect(r.total.params).toBe(430_500);
  });

  it('--topology lenet-5 pairs the tensors by name; the chip runs the zoo\'s geometry', async () => {
    const m = loadModel(file, { load: { pairTopology: 'lenet-5' } });
    expect(m.geometry).toBe('graph');
    expect(m.description).toMatch(/geometry from lenet-5, paired by name/);
    expect(m.layers.map((l) => l.spec)).toEqual(lenet);
    expect(m.layers[0].weights).toEqual(tensors[0].data);
    expect(await main(['run', file, '--topology', 'lenet-5', '--states', '64', '--quiet', '--json', '--out', dir])).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'lenet-L64.json'), 'utf8')) as RunReport;
    expect(r.macs).toBe(lenet.reduce((a, s) => a + mapLayer(s, s.weightShape.reduce((x, y) => x * y, 1), 'ws', 16, 16).macs, 0));
  });

  it('a SCALE-Sim CSV pairs in order (its fc rows are 1×1 convs); a mismatch names both layers', () => {
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n' +
      'a, 28, 28, 5, 5, 1, 20, 1,\nb, 12, 12, 5, 5, 20, 50, 1,\nc, 1, 1, 1, 1, 800, 500, 1,\nd, 1, 1, 1, 1, 500, 10, 1,\n');
    const m = loadModel(file, { load: { pairTopology: csv } });
    expect(m.description).toMatch(/paired in order/);
    expect(m.layers.map((l) => l.spec.name)).toEqual(['a', 'b', 'c', 'd']);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, readFileSync(csv, 'utf8').replace('b, 12, 12, 5, 5, 20, 50', 'b, 12, 12, 3, 3, 20, 50'));
    expect(() => loadModel(file, { load: { pairTopology: bad } })).toThrow(`${file}: tensor 'conv2.weight' [50, 20, 5, 5] does not fit layer 'b' of ${bad}, which needs [50, 20, 3, 3] (paired in order, #1)`);
    expect(() => loadModel(file, { load: { pairTopology: 'resnet18' } })).toThrow(/4 weight layers, topology resnet18 21, and the names do not match/);
  });

  const mobilenet = join(import.meta.dirname, '..', '.cache', 'models', 'nsfwjs-mobilenet_v2', 'model.json');
  it.skipIf(!existsSync(mobilenet))('--topology is refused for a file with its own graph (needs scripts/fetch-models.sh)', () => {
    expect(() => loadModel(mobilenet, { load: { pairTopology: 'lenet-5' } })).toThrow(`--topology lenet-5: ${mobilenet} has its own graph`);
  });

  it('a .hwz encoded from such weights is reported the same way, not simulated on placeholder sizes', async () => {
    const hwz = join(dir, 'l.hwz');
    expect(await main(['encode', file, '--states', '64', '-o', hwz, '--quiet'])).toBe(0);
    io.clear();
    expect(await main(['run', hwz, '--quiet'])).toBe(0);
    expect(io.stdout).toMatch(/no latency/);
    expect(io.stdout).not.toMatch(/^latency/m);
  });
});
