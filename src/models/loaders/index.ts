/**
 * Weight files users bring → Model. Dispatch on the file name:
 *   .npy          one array = one layer (2-D fc [out, in], 3-D conv1d [out, in, k], 4-D conv OIHW)
 *   .npz          a zip of .npy arrays; arrays with fewer than 2 dims (biases, BN) are skipped
 *   .safetensors  tensors with ≥ 2 dims become layers, 1-D ones are skipped
 *   *.json        TensorFlow.js model.json + shards (TF layouts converted to the canonical one)
 * Torch-layout 4-D tensors named like a depthwise conv ('depthwise', 'dw') with one input
 * channel become dwconv layers. Geometry a file does not hold is set to documented defaults
 * (tensors.ts); the description says so. Loaded weights are real: synthetic = false.
 */
import { basename, dirname, extname } from 'node:path';
import { HwsimError } from '../../errors.js';
import { checkLayerSpecs } from '../checks.js';
import type { Model, ModelLayer } from '../types.js';
import { readRegularFile, requireRegularFile } from './files.js';
import { parseNpy } from './npy.js';
import { parseSafetensors, type NamedTensor } from './safetensors.js';
import { GEOMETRY_NOTE, tensorToLayer, WeightBudget, type KernelLayout } from './tensors.js';
import { parseTfjs } from './tfjs.js';
import { modelFromGraph, checkFinite as checkFiniteWeights } from '../graph/build.js';
import { kerasGraph, type GraphOptions } from '../graph/keras.js';
import { loadOnnx } from '../onnx/index.js';
import { graphDefGraph } from '../graph/graphdef.js';
import { readZip } from './zip.js';

export const WEIGHT_FORMATS = '.onnx, .npy, .npz, .safetensors, TensorFlow.js model.json';

const FORMATS = ['.onnx', '.npy', '.npz', '.safetensors', '.json'];

/**
 * Loads a weights file. Only a regular file is read (not a device, FIFO or socket); the files it
 * names (tfjs shards) must lie in its folder; declared sizes are checked against the limits
 * (src/limits.ts) before anything is allocated.
 */
export interface LoadOptions extends GraphOptions {
  /** fold each BatchNormalization into the conv/dense layer before it */
  foldBn?: boolean;
  /** ONNX: keep the file's DequantizeLinear scales as the quantizer */
  keepQuantization?: boolean;
}

export function loadWeightsFile(path: string, opts: LoadOptions = {}): Model {
  const fix = `give the path of a weights file (${WEIGHT_FORMATS})`;
  requireRegularFile(path, path, fix);
  const ext = extname(path).toLowerCase();
  const stem = basename(path, extname(path));
  if (!FORMATS.includes(ext)) {
    throw new HwsimError(`${path}: unknown weights format '${ext || basename(path)}'`,
      `hwsim reads ${WEIGHT_FORMATS}; convert other formats to ONNX, safetensors or .npz`);
  }
  if (ext === '.onnx') return loadOnnx(path, opts);
  const bytes = readRegularFile(path, path, fix);
  const budget = new WeightBudget();
  switch (ext) {
    case '.npy': {
      const a = parseNpy(bytes, path, budget);
      if (a.shape.length < 2) {
        throw new HwsimError(`${path}: a ${a.shape.length}-D array is not a weight layer (biases and BN are not weights)`,
          'give a 2-D (fc [out, in]) or 4-D (conv [out, in, kh, kw]) array');
      }
      return build(stem, path, 'NumPy .npy', [{ name: stem, ...a }], 'torch');
    }
    case '.npz': {
      // as numpy.load does, a member is an array when its data is an .npy (by its magic), whatever its
      // name, so an edited name cannot drop an array; other members (a readme) are skipped
      const arrays = readZip(bytes, path)
        .filter((e) => isNpy(e.data))
        .map((e) => ({ name: e.name.replace(/\.npy$/, ''), ...parseNpy(e.data, `${path}: ${e.name}`, budget) }));
      return build(stem, path, 'NumPy .npz', arrays, 'torch');
    }
    case '.safetensors':
      return build(stem, path, 'safetensors', parseSafetensors(bytes, path, budget), 'torch');
    default: {
      const { tensors, strides, order, topology } = parseTfjs(path, bytes, budget);
      const name = basename(dirname(path)) || stem;
      const byName = new Map(tensors.map((t) => [t.name, t]));
      const k = (topology as { model_config?: unknown })?.model_config !== undefined
        ? kerasGraph(topology, `${path} (Keras topology)`, new Set(byName.keys()), opts) : undefined;
      if (!k && Array.isArray((topology as { node?: unknown })?.node)) {
        const gd = graphDefGraph(topology, `${path} (graph-model)`, byName, opts);
        return modelFromGraph({ name, path, format: 'TensorFlow.js graph-model', graph: gd.graph, tensors: byName, perms: gd.perms }).model;
      }
      if (k) {
        return modelFromGraph({
          name, path, format: 'TensorFlow.js layers-model', graph: k.graph, tensors: byName, perms: k.perms,
          folds: k.folds, foldBn: opts.foldBn,
        }).model;
      }
      // graph order when the topology gives it (stable: unknown names keep manifest order, last)
      const rank = (t: NamedTensor) => order.get(kerasLayer(t.name)) ?? order.size;
      const sorted = tensors.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map((x) => x.t);
      return build(name, path, 'TensorFlow.js', sorted, 'tf', strides);
    }
  }
}

/** The Keras layer a tfjs weight belongs to: 'block_1_expand/kernel' → 'block_1_expand'. */
function kerasLayer(weightName: string): string {
  const parts = weightName.split('/');
  return parts.length > 1 ? parts[parts.length - 2] : weightName;
}

/** A NaN or infinite weight (or a float64 beyond float32's range) is named here, not deep in the quantizer. */
function checkFinite(layer: ModelLayer, tensor: string, path: string): ModelLayer {
  checkFiniteWeights(layer.weights, tensor, path);
  return layer;
}

function build(
  name: string, path: string, format: string, tensors: NamedTensor[], layout: KernelLayout, strides?: Map<string, number>,
): Model {
  const layers: ModelLayer[] = [];
  let skipped = 0;
  for (const t of tensors) {
    const stride = strides?.get(kerasLayer(t.name)) ?? 1;
    const layer = tensorToLayer(t.name, t.shape, t.data, layout, path, stride);
    if (layer) layers.push(checkFinite(layer, t.name, path)); else skipped++;
  }
  checkLayerSpecs(layers.map((l) => l.spec), path);
  if (layers.length === 0) {
    throw new HwsimError(`${path}: no weight tensors (2-D or more) among its ${tensors.length} tensors`,
      'give a file with conv/fc kernels; biases and batch-norm vectors alone are not weights');
  }
  const params = layers.reduce((a, l) => a + l.weights.length, 0);
  return {
    name,
    source: path,
    synthetic: false,
    description: `${format} weights from ${basename(path)}: ${layers.length} layers, ${params.toLocaleString('en-US')} weights` +
      `${skipped ? ` (${skipped} tensors with < 2 dims skipped)` : ''}; ${GEOMETRY_NOTE}`,
    layers,
    geometry: 'none',
  };
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function isNpy(data: Uint8Array): boolean {
  return data.length >= NPY_MAGIC.length && NPY_MAGIC.every((b, i) => data[i] === b);
}
