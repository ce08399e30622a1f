/**
 * Load time of the models users bring: each file read, decoded, its graph walked and its kernels
 * put in the canonical layout (loadWeightsFile), median of --runs (default 5) after one warm-up,
 * in parameters per second. The trained nsfwjs models come from scripts/fetch-models.sh (skipped
 * when absent); an ONNX model of InceptionV3's size is written here (random weights, a chain of
 * convs holding 22 M parameters) to time the ONNX path on the same scale.
 *
 *   npx tsc -p . && bash scripts/fetch-models.sh && node dist/bench/load-models.js [--runs 5]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { ONNX_SCHEMA } from '../src/models/onnx/schema.js';
import { intFlag, loadAverage, median, runIfEntry } from './entry.js';

const MODELS = join(import.meta.dirname, '..', '..', '.cache', 'models');

/** A chain of 3×3 convs on 35×35 (stride 1, pads 1) holding about `params` weights, float32 raw_data. */
function bigOnnx(path: string, params: number): void {
  const c = 512;
  const layers = Math.round(params / (c * c * 9));
  const node = [], initializer = [];
  for (let i = 0; i < layers; i++) {
    const data = new Float32Array(c * c * 9);
    for (let k = 0; k < data.length; k++) data[k] = Math.sin(k * 0.001 + i) * 0.05;
    initializer.push({ name: `w${i}`, dims: [c, c, 3, 3], data_type: 1, raw_data: new Uint8Array(data.buffer) });
    node.push({ op_type: 'Conv', name: `conv${i}`, input: [i ? `a${i - 1}` : 'x', `w${i}`], output: [`a${i}`], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] });
  }
  const Model = protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
  const m = {
    ir_version: 8, opset_import: [{ domain: '', version: 13 }],
    graph: { name: 'g', node, initializer, input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [1, c, 35, 35].map((d) => ({ dim_value: d })) } } } }],
      output: [{ name: `a${layers - 1}`, type: { tensor_type: { elem_type: 1 } } }] },
  };
  writeFileSync(path, Model.encode(Model.fromObject(m)).finish());
}

function main(argv: string[]): void {
  const runs = Math.max(1, intFlag(argv, 'runs', 5));
  const tmp = mkdtempSync(join(tmpdir(), 'hwsim-load-bench-'));
  try {
    const onnx = join(tmp, 'chain-22M.onnx');
    bigOnnx(onnx, 22e6);
    const files: [string, string][] = [
      ['nsfwjs MobileNetV2 (tfjs layers-model, uint8)', join(MODELS, 'nsfwjs-mobilenet_v2', 'model.json')],
      ['nsfwjs MobileNetV2 1.4 (tfjs graph-model, uint8)', join(MODELS, 'nsfwjs-mobilenet_v2_mid', 'model.json')],
      ['nsfwjs InceptionV3 (tfjs layers-model, uint8)', join(MODELS, 'nsfwjs-inception_v3', 'model.json')],
      ['ONNX conv chain, float32 raw_data (written here)', onnx],
    ];
    process.stdout.write(`load time, median of ${runs} after a warm-up; load average ${loadAverage()}\n\n`);
    process.stdout.write(`${'model'.padEnd(50)} ${'params'.padStart(12)} ${'median s'.padStart(9)} ${'M params/s'.padStart(11)}\n`);
    for (const [label, path] of files) {
      if (!existsSync(path)) { process.stdout.write(`${label.padEnd(50)} skipped: ${path} missing (bash scripts/fetch-models.sh)\n`); continue; }
      const params = loadWeightsFile(path).layers.reduce((a, l) => a + l.weights.length, 0);
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        loadWeightsFile(path);
        times.push((performance.now() - t0) / 1000);
      }
      const s = median(times);
      process.stdout.write(`${label.padEnd(50)} ${params.toLocaleString('en-US').padStart(12)} ${s.toFixed(3).padStart(9)} ${(params / s / 1e6).toFixed(1).padStart(11)}\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

runIfEntry(import.meta.url, main);
