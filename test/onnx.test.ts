// The ONNX loader on models written here with protobufjs and the same official schema: a small
// CNN (conv with pads and stride, depthwise with auto_pad SAME_UPPER, grouped conv, max pool,
// flatten, Gemm with transB, MatMul by a constant) whose MACs are counted by hand below; its
// shapes also checked against onnx.shape_inference (the Python onnx package); a quantized variant
// (INT8/UINT8 + DequantizeLinear, --keep-quantization); one with external data; and bad files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { mapLayer } from '../src/chip/mac-array.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { ONNX_SCHEMA } from '../src/models/onnx/schema.js';
import type { Model } from '../src/models/types.js';
import { hwsimError } from './hwsim-error.js';

const dir = mkdtempSync(join(tmpdir(), 'hwsim-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
const FLOAT = 1, UINT8 = 2, INT8 = 3, FLOAT16 = 10, STRING = 8;
const INTS = 7, INT = 2, STRINGA = 3;

type Attr = Record<string, unknown>;
const ints = (name: string, v: number[]): Attr => ({ name, type: INTS, ints: v });
const int = (name: string, v: number): Attr => ({ name, type: INT, i: v });
const str = (name: string, v: string): Attr => ({ name, type: STRINGA, s: new TextEncoder().encode(v) });
const node = (op_type: string, input: string[], output: string[], attribute: Attr[] = [], name = output[0]) => ({ op_type, input, output, attribute, name });

const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 0.71 + seed) * 1000) / 8000);
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
/** a FLOAT initializer: raw_data, or float_data when `typed` */
function floatInit(name: string, dims: number[], typed = false, data = values(count(dims), name.length)) {
  return typed ? { name, dims, data_type: FLOAT, float_data: data } : { name, dims, data_type: FLOAT, raw_data: new Uint8Array(Float32Array.from(data).buffer) };
}

function write(file: string, model: Record<string, unknown>): string {
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, ModelProto.encode(ModelProto.fromObject(model)).finish());
  return path;
}

function onnx(nodes: unknown[], inits: unknown[], input: (number | string)[] = [1, 3, 32, 32], output = 'y') {
  const dim = (d: number | string) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d });
  return {
    ir_version: 8, producer_name: 'hwsim-test', opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'g', node: nodes, initializer: inits,
      input: [{ name: 'x', type: { tensor_type: { elem_type: FLOAT, shape: { dim: input.map(dim) } } } }],
      output: [{ name: output, type: { tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_param: 'N' }, { dim_param: 'F' }] } } } }],
    },
  };
}

// The CNN, NCHW, by hand: out = floor((in + pads − span) / s) + 1; SAME_UPPER: ceil(in / s).
//   conv1  3→16, 3×3, stride 2, pads 1: (32 + 2 − 3) / 2 + 1 = 16: 16·16·16·3·9      = 110,592
//   bn1    (BatchNormalization, shape kept)
//   dw     group 16, 3×3, stride 2, SAME_UPPER: 8×8×16: 8·8·16·1·9                   = 9,216
//   gconv  group 4, 16→32, 3×3, pads 1: 8×8×32, 4 input channels per group: 8·8·32·4·9 = 73,728
//   pool   MaxPool 2×2 / 2 → 4×4×32;  flat  Flatten → 512
//   fc1    Gemm, B [64, 512] with transB = 1: 512·64                                  = 32,768
//   fc2    MatMul by [64, 10]: 64·10                                                  = 640
const CNN_MACS = 110_592 + 9_216 + 73_728 + 32_768 + 640;
const CNN_NODES = [
  node('Conv', ['x', 'w1', 'b1'], ['c1'], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])], 'conv1'),
  node('BatchNormalization', ['c1', 'g1', 'beta1', 'm1', 'v1'], ['n1'], [{ name: 'epsilon', type: 1, f: 0.001 }], 'bn1'),
  node('Relu', ['n1'], ['r1'], [], 'relu1'),
  node('Conv', ['r1', 'wdw'], ['d'], [int('group', 16), ints('strides', [2, 2]), str('auto_pad', 'SAME_UPPER')], 'dw'),
  node('Conv', ['d', 'wg'], ['gc'], [int('group', 4), ints('pads', [1, 1, 1, 1]), ints('dilations', [1, 1])], 'gconv'),
  node('MaxPool', ['gc'], ['p'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])], 'pool'),
  node('Flatten', ['p'], ['f'], [int('axis', 1)], 'flat'),
  node('Gemm', ['f', 'wfc1', 'bfc1'], ['h'], [int('transB', 1)], 'fc1'),
  node('MatMul', ['h', 'wfc2'], ['y'], [], 'fc2'),
];
const G1 = [1, 2, 0.5, 1, 1, 3, 1, 0.25, 1, 1, 1, 1, 1, 1, 1, 2];
const V1 = Array.from({ length: 16 }, (_, i) => 0.5 + i / 4);
function cnnInits(typed = false) {
  return [
    floatInit('w1', [16, 3, 3, 3], typed), floatInit('b1', [16], typed),
    floatInit('g1', [16], typed, G1), floatInit('beta1', [16], typed), floatInit('m1', [16], typed), floatInit('v1', [16], typed, V1),
    floatInit('wdw', [16, 1, 3, 3], typed), floatInit('wg', [32, 4, 3, 3], typed),
    floatInit('wfc1', [64, 512], typed), floatInit('bfc1', [64], typed), floatInit('wfc2', [64, 10], typed),
  ];
}

const chipMacs = (m: Model) => m.layers.reduce((a, l) => a + mapLayer(l.spec, l.weights.length, 'ws', 16, 16).macs, 0);

/** The Python onnx package, if installed (scripts/test.sh installs it). */
function pythonOnnx(): boolean {
  try {
    execFileSync('python3', ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAS_ONNX = pythonOnnx();
if (!HAS_ONNX) console.warn('onnx.test: the Python onnx package is missing; the shape-inference cross-check is skipped (pip install onnx)');

describe('ONNX: a small CNN written here', () => {
  const raw = write('cnn.onnx', onnx(CNN_NODES, cnnInits()));
  const typed = write('cnn-typed.onnx', onnx(CNN_NODES, cnnInits(true)));

  it('gives each weight layer its exact geometry and the hand-counted MACs', () => {
    const m = loadWeightsFile(raw);
    expect(m.geometry).toBe('graph');
    expect(m.layers.map((l) => [l.spec.name, l.spec.kind])).toEqual([
      ['conv1', 'conv'], ['dw', 'dwconv'], ['gconv', 'conv'], ['fc1', 'fc'], ['fc2', 'fc']]);
    expect(chipMacs(m)).toBe(CNN_MACS);
    const s = Object.fromEntries(m.layers.map((l) => [l.spec.name, l.spec]));
    expect(s.conv1).toMatchObject({ ifmapH: 33, stride: 2, channels: 3, filters: 16, weightShape: [16, 3, 3, 3] });
    // SAME_UPPER, 16 → 8 at stride 2: total pad 1, at the end
    expect(s.dw).toMatchObject({ kind: 'dwconv', ifmapH: 17, stride: 2, channels: 16, filters: 16, weightShape: [16, 1, 3, 3] });
    // a grouped conv: 4 input channels per output, exact MACs and weights
    expect(s.gconv).toMatchObject({ kind: 'conv', ifmapH: 10, channels: 4, filters: 32, weightShape: [32, 4, 3, 3] });
    expect(s.fc1).toMatchObject({ kind: 'fc', channels: 512, filters: 64, weightShape: [64, 512] });
    expect(s.fc2).toMatchObject({ kind: 'fc', channels: 64, filters: 10, weightShape: [10, 64] });
  });

  it('reads weights in the canonical layout: Conv as stored, Gemm transB as stored, MatMul transposed', () => {
    const m = loadWeightsFile(raw);
    const byName = Object.fromEntries(m.layers.map((l) => [l.spec.name, l.weights]));
    expect(Array.from(byName.conv1)).toEqual(Array.from(Float32Array.from(values(16 * 27, 2))));
    expect(Array.from(byName.fc1)).toEqual(Array.from(Float32Array.from(values(64 * 512, 4))));
    const w2 = Float32Array.from(values(640, 4)); // wfc2 [64, 10] → [10, 64]
    for (let o = 0; o < 10; o++) for (let i = 0; i < 64; i++) expect(byName.fc2[o * 64 + i]).toBe(w2[i * 10 + o]);
  });

  it('nodes listed out of order are walked in graph order', () => {
    const reversed = write('cnn-reversed.onnx', onnx([...CNN_NODES].reverse(), cnnInits()));
    const m = loadWeightsFile(reversed);
    expect(m.layers.map((l) => l.spec.name)).toEqual(['conv1', 'dw', 'gconv', 'fc1', 'fc2']);
    expect(chipMacs(m)).toBe(CNN_MACS);
  });

  it('Gemm with transB = 0 reads B [K, N] as MatMul does', () => {
    const gemm0 = CNN_NODES.map((n) => (n.name === 'fc2' ? node('Gemm', ['h', 'wfc2'], ['y'], [int('transB', 0)], 'fc2') : n));
    const a = loadWeightsFile(raw), b = loadWeightsFile(write('cnn-gemm0.onnx', onnx(gemm0, cnnInits())));
    expect(b.layers[4].spec).toEqual(a.layers[4].spec);
    expect(b.layers[4].weights).toEqual(a.layers[4].weights);
  });

  it('typed fields (float_data) give the same model as raw_data', () => {
    const a = loadWeightsFile(raw), b = loadWeightsFile(typed);
    expect(b.layers.map((l) => l.weights)).toEqual(a.layers.map((l) => l.weights));
  });

  it('--fold-bn folds bn1 into conv1: w · γ / √(σ² + ε) per output channel', () => {
    const plain = loadWeightsFile(raw).layers[0].weights;
    const folded = loadWeightsFile(raw, { foldBn: true }).layers[0].weights;
    for (let o = 0; o < 16; o++) {
      for (let i = o * 27; i < (o + 1) * 27; i++) expect(folded[i]).toBeCloseTo(plain[i] * G1[o] / Math.sqrt(Math.fround(V1[o]) + Math.fround(0.001)), 6);
    }
  });

  it.skipIf(!HAS_ONNX)('shapes agree with onnx.shape_inference (the Python onnx package), and onnx.checker accepts the file', () => {
    const script = [
      'import onnx, sys, json',
      'm = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True)',
      'g = onnx.shape_inference.infer_shapes(m, strict_mode=True).graph',
      'print(json.dumps({v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in list(g.value_info) + list(g.output)}))',
    ].join('\n');
    const inferred = JSON.parse(execFileSync('python3', ['-c', script, raw], { encoding: 'utf8' })) as Record<string, number[]>;
    const nchw = (hwc: number[]) => (hwc.length === 3 ? [1, hwc[2], hwc[0], hwc[1]] : [1, ...hwc]);
    const m = loadWeightsFile(raw);
    // each layer's output from its SCALE-Sim geometry, as the chip sees it
    const outOf = (name: string) => {
      const s = m.layers.find((l) => l.spec.name === name)!.spec;
      if (s.kind === 'fc') return [s.filters];
      const o = (n: number, k: number) => Math.ceil((n - k + s.stride) / s.stride);
      return [o(s.ifmapH, s.filterH), o(s.ifmapW, s.filterW), s.filters];
    };
    expect(inferred.c1).toEqual(nchw(outOf('conv1')));
    expect(inferred.d).toEqual(nchw(outOf('dw')));
    expect(inferred.gc).toEqual(nchw(outOf('gconv')));
    expect(inferred.h).toEqual(nchw(outOf('fc1')));
    expect(inferred.y).toEqual(nchw(outOf('fc2')));
    expect(inferred.f).toEqual([1, 512]);
  });
});

describe('ONNX: quantized weights (INT8 / UINT8 + DequantizeLinear)', () => {
  const q8 = Array.from({ length: 16 * 27 }, (_, i) => ((i * 37) % 255) - 127);
  const scales = Array.from({ length: 16 }, (_, i) => 0.01 * (i + 1));
  const u8 = Array.from({ length: 64 * 512 }, (_, i) => 1 + ((i * 13) % 255)); // levels −127..127 around 128
  const nodes = [
    node('DequantizeLinear', ['w1q', 'w1s', 'w1z'], ['w1'], [int('axis', 0)], 'dq1'),
    node('DequantizeLinear', ['wfc1q', 'wfc1s', 'wfc1z'], ['wfc1'], [], 'dqfc1'),
    ...CNN_NODES,
  ];
  const inits = [
    { name: 'w1q', dims: [16, 3, 3, 3], data_type: INT8, raw_data: Uint8Array.from(q8.map((v) => v & 0xff)) },
    floatInit('w1s', [16], false, scales), { name: 'w1z', dims: [16], data_type: INT8, int32_data: new Array(16).fill(0) },
    { name: 'wfc1q', dims: [64, 512], data_type: UINT8, raw_data: Uint8Array.from(u8) },
    floatInit('wfc1s', [], false, [0.5]), { name: 'wfc1z', dims: [], data_type: UINT8, int32_data: [128] },
    ...cnnInits().filter((t) => t.name !== 'w1' && t.name !== 'wfc1'),
  ];
  const path = write('cnn-q.onnx', onnx(nodes, inits));

  it('dequantizes (q − zero point) · scale, per output channel or per tensor', () => {
    const m = loadWeightsFile(path);
    expect(chipMacs(m)).toBe(CNN_MACS);
    const [c1, , , fc1] = m.layers.map((l) => l.weights);
    for (let i = 0; i < q8.length; i++) expect(c1[i]).toBe(Math.fround(q8[i] * Math.fround(scales[Math.floor(i / 27)])));
    for (let i = 0; i < u8.length; i++) expect(fc1[i]).toBe((u8[i] - 128) * 0.5);
  });

  it('--keep-quantization keeps the file\'s scales as the quantizer: the coded levels are q − zero point', () => {
    const m = loadWeightsFile(path, { keepQuantization: true });
    expect(m.layers[0].quant?.stepsPerChannel).toEqual(Float32Array.from(scales));
    expect(m.layers[3].quant).toEqual({ step: 0.5 });
    const image = encodeModel(m, { states: 256, streams: 2 });
    // conv1 is an edge layer (raw); fc1 is coded with tANS from 255 bins: level = q − 128
    expect(image.layers[0].codec).toBe('raw');
    const raw0 = image.layers[0] as { levels: Int8Array };
    expect(Array.from(raw0.levels)).toEqual(q8);
    expect(image.layers[3].quant.step).toBe(0.5);
    expect(image.layers[3].quant.bins).toBe(255);
    const without = encodeModel(loadWeightsFile(path), { states: 256, streams: 2 });
    expect(without.layers[3].quant.step).not.toBe(0.5);
    // a UINT8 0 around 128 is level −128: beyond the zero-point quantizer's ±127
    const zero = write('cnn-q0.onnx', onnx(nodes, inits.map((t) => (t.name === 'wfc1q' ? { ...t, raw_data: Uint8Array.from(u8.map((v, i) => (i === 5 ? 0 : v))) } : t))));
    expect(hwsimError(() => encodeModel(loadWeightsFile(zero, { keepQuantization: true }), { states: 256, streams: 2 })).message)
      .toBe('layer fc1: the file\'s quantization has level 128 (beyond ±127)');
  });
});

describe('ONNX: external data', () => {
  const data = Float32Array.from(values(16 * 27, 2));
  const ext = (location: string, offset = 0, length = data.byteLength) => ({
    name: 'w1', dims: [16, 3, 3, 3], data_type: FLOAT, data_location: 1,
    external_data: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }],
  });
  const model = (init: unknown) => onnx(CNN_NODES, [init, ...cnnInits().filter((t) => t.name !== 'w1')]);
  mkdirSync(join(dir, 'ext'), { recursive: true });
  const padded = new Uint8Array(64 + data.byteLength);
  padded.set(new Uint8Array(data.buffer), 64);
  writeFileSync(join(dir, 'ext', 'weights.bin'), padded);
  writeFileSync(join(dir, 'outside.bin'), padded);

  it('reads a tensor from a file beside the model, at its offset', () => {
    const m = loadWeightsFile(write('ext/model.onnx', model(ext('weights.bin', 64))));
    expect(m.layers[0].weights).toEqual(data);
    expect(chipMacs(m)).toBe(CNN_MACS);
  });

  it('refuses a file outside the model\'s folder, and data past the end of the file', () => {
    const out = write('ext/out.onnx', model(ext('../outside.bin', 64)));
    expect(hwsimError(() => loadWeightsFile(out)).message).toMatch(/names \.\.\/outside\.bin, which is outside the model's folder/);
    const past = write('ext/past.onnx', model(ext('weights.bin', 128)));
    expect(hwsimError(() => loadWeightsFile(past)).message).toBe(`${past}: tensor 'w1' reads bytes 128..${128 + data.byteLength} of 'weights.bin', which holds ${padded.length}`);
    const short = write('ext/short.onnx', model(ext('weights.bin', 64, 100)));
    expect(hwsimError(() => loadWeightsFile(short)).message).toBe(`${short}: tensor 'w1' declares 100 bytes of external data, its dims need ${data.byteLength}`);
  });
});

describe('ONNX: bad files, refused naming the tensor or node', () => {
  const good = new Uint8Array(ModelProto.encode(ModelProto.fromObject(onnx(CNN_NODES, cnnInits()))).finish()); // a copy: finish() may return a view of a pooled buffer

  it('a truncated or corrupted protobuf', () => {
    const cut = join(dir, 'cut.onnx');
    writeFileSync(cut, good.subarray(0, good.length - 1000));
    expect(hwsimError(() => loadWeightsFile(cut)).message).toMatch(new RegExp(`^${cut}: not a valid ONNX protobuf \\(`));
    const bad = join(dir, 'bad.onnx');
    const b = good.slice();
    b[0] = 0xff; // field 31, wire type 7: no such wire type
    writeFileSync(bad, b);
    expect(hwsimError(() => loadWeightsFile(bad)).message).toMatch(new RegExp(`^${bad}: not a valid ONNX protobuf \\(`));
  });

  it('a tensor whose bytes disagree with its dims, and an unknown data type', () => {
    const inits = cnnInits();
    inits[0] = { ...inits[0], raw_data: (inits[0].raw_data as Uint8Array).subarray(4) } as typeof inits[0];
    const p = write('size.onnx', onnx(CNN_NODES, inits));
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: tensor 'w1' holds 1724 bytes of FLOAT; its dims [16, 3, 3, 3] need 1728`);
    const t = write('type.onnx', onnx(CNN_NODES, [{ name: 'w1', dims: [16, 3, 3, 3], data_type: STRING }, ...cnnInits().slice(1)]));
    expect(hwsimError(() => loadWeightsFile(t)).message).toBe(`${t}: tensor 'w1' has data type STRING`);
    const f16 = write('f16.onnx', onnx(CNN_NODES, [{ name: 'w1', dims: [16, 3, 3, 3], data_type: FLOAT16, int32_data: new Array(432).fill(0x3c00) }, ...cnnInits().slice(1)]));
    expect(Array.from(new Set(loadWeightsFile(f16).layers[0].weights))).toEqual([1]);
  });

  it('a cycle, a window larger than its input, an unsupported op (and --skip-unsupported)', () => {
    const cyc = write('cycle.onnx', onnx([
      node('Conv', ['x', 'w1'], ['a'], [], 'A'), node('Add', ['a', 'c'], ['b'], [], 'B'), node('Relu', ['b'], ['c'], [], 'C'),
    ], [floatInit('w1', [16, 3, 3, 3])]));
    expect(hwsimError(() => loadWeightsFile(cyc)).message).toBe(`${cyc}: node 'B': the graph has a cycle (through 'B', 'C')`);
    const big = write('big.onnx', onnx([node('Conv', ['x', 'w'], ['y'], [], 'conv7')], [floatInit('w', [4, 3, 7, 7])], [1, 3, 4, 4]));
    expect(hwsimError(() => loadWeightsFile(big)).message).toBe(`${big}: node 'conv7' (Conv): a 7×7 window (stride 1×1, dilation 1×1) on a 4×4 input gives a -2×-2 output`);
    const un = write('resize.onnx', onnx([node('Resize', ['x'], ['r'], [], 'up'), node('Conv', ['r', 'w1'], ['y'], [], 'c')], [floatInit('w1', [16, 3, 3, 3])]));
    const e = hwsimError(() => loadWeightsFile(un));
    expect(e.message).toBe(`${un}: unsupported ONNX ops: up (Resize)`);
    expect(e.fix).toMatch(/--skip-unsupported/);
    const m = loadWeightsFile(un, { skipUnsupported: true });
    expect(chipMacs(m)).toBe(30 * 30 * 16 * 27);
    expect(m.description).toContain('1 unsupported nodes passed through unchanged (up: Resize)');
  });

  it('Squeeze of the pooled [N, C, 1, 1]; a squeeze of axes that are not 1 is refused', () => {
    const sq = (pooled: boolean) => onnx([
      node('Conv', ['x', 'w1'], ['c'], [], 'conv'),
      ...(pooled ? [node('GlobalAveragePool', ['c'], ['g'], [], 'gap')] : []),
      node('Squeeze', [pooled ? 'g' : 'c', 'axes'], ['s'], [], 'squeeze'), node('MatMul', ['s', 'wm'], ['y'], [], 'fc'),
    ], [floatInit('w1', [16, 3, 3, 3]), { name: 'axes', dims: [2], data_type: 7, int64_data: [2, 3] }, floatInit('wm', [16, 10])]);
    expect(chipMacs(loadWeightsFile(write('squeeze.onnx', sq(true))))).toBe(30 * 30 * 16 * 27 + 160);
    const bad = write('squeeze-bad.onnx', sq(false));
    expect(hwsimError(() => loadWeightsFile(bad)).message).toBe(`${bad}: node 'squeeze' (Squeeze): squeezes [30, 30, 16], whose leading axes are not all 1`);
  });

  it('a symbolic input size needs --input-shape', () => {
    const p = write('sym.onnx', onnx(CNN_NODES, cnnInits(), ['N', 3, 'H', 'W']));
    expect(hwsimError(() => loadWeightsFile(p)).fix).toBe('give the size to walk the graph with, batch first: --input-shape 1,3,224,224');
    expect(chipMacs(loadWeightsFile(p, { inputShape: [1, 3, 32, 32] }))).toBe(CNN_MACS);
    // another size walks the same graph to other MACs, until the flatten no longer fits fc1
    expect(hwsimError(() => loadWeightsFile(p, { inputShape: [1, 3, 64, 64] })).message).toMatch(/weight 'wfc1' has shape \[64, 512\]; layer 'fc1' \(Gemm\) on a \[2048\] input needs \[64, 2048\]/);
  });
});
