// Weights without a graph: `hwsim run` reports bytes and bits/weight and no guessed latency;
// --topology pairs them with a zoo network (by name), a SCALE-Sim CSV (in order) or an ONNX model,
// and the chip then runs the topology's geometry (MACs equal the topology's own).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { baseInputs } from '../bench/fuzz-loaders.js';
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

describe('the load flags through the CLI', () => {
  const onnxBase = baseInputs().find((b) => b.kind === 'onnx' && b.name === 'cnn-raw')!;
  const onnxFile = join(dir, 'cnn.onnx');
  writeFileSync(onnxFile, onnxBase.files.get('model.onnx')!);

  it('hwsim run model.onnx simulates the graph\'s geometry; --topology model.onnx gives it to weights without a graph', async () => {
    expect(await main(['run', onnxFile, '--states', '64', '--quiet', '--json', '--out', dir])).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'cnn-L64.json'), 'utf8')) as RunReport;
    // conv 3→4, 3×3/2 pads 1 on 8×8: 4·4·4·27; Gemm 16 → 5
    expect(r.macs).toBe(4 * 4 * 4 * 27 + 16 * 5);
    const st = join(dir, 'cnn.safetensors');
    writeFileSync(st, safetensorsBytes([
      { name: 'conv.weight', shape: [4, 3, 3, 3], data: laplace(108, 0.1, 1) }, { name: 'fc.weight', shape: [5, 16], data: laplace(80, 0.1, 2) }]));
    const m = loadModel(st, { load: { pairTopology: onnxFile } });
    expect(m.description).toMatch(/geometry from cnn\.onnx, paired in order/);
    expect(m.layers.reduce((a, l) => a + mapLayer(l.spec, l.weights.length, 'ws', 16, 16).macs, 0)).toBe(r.macs);
  });

  it('--input-shape walks a symbolic input; a bad one is refused in one line', async () => {
    const folder = join(dir, 'sym');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'w.bin'), new Uint8Array(Float32Array.from(laplace(3 * 3 * 3 * 8, 0.1, 3)).buffer));
    writeFileSync(join(folder, 'model.json'), JSON.stringify({
      modelTopology: { model_config: { class_name: 'Model', config: { layers: [
        { name: 'in', class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, null, null, 3] }, inbound_nodes: [] },
        { name: 'c', class_name: 'Conv2D', config: { name: 'c', filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }, inbound_nodes: [[['in', 0, 0, {}]]] },
      ] } } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'c/kernel', shape: [3, 3, 3, 8], dtype: 'float32' }] }],
    }));
    const model = join(folder, 'model.json');
    expect(await main(['run', model, '--states', '64', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/has symbolic sizes[\s\S]*fix: give the size to walk the graph with: --input-shape 1,224,224,3/);
    io.clear();
    expect(await main(['run', model, '--input-shape', '1,64,32,3', '--states', '64', '--quiet', '--json', '--out', dir, '--fold-bn', '--skip-unsupported'])).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'sym-L64.json'), 'utf8')) as RunReport;
    expect(r.macs).toBe(32 * 16 * 8 * 27);
    io.clear();
    expect(await main(['run', model, '--input-shape', '1,64,x', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/--input-shape 1,64,x is not a list of positive sizes/);
  });
});
