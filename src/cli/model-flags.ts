/**
 * How a model file is read (`hwsim run|encode`): --input-shape for a graph with symbolic sizes,
 * --fold-bn, --skip-unsupported, --keep-quantization (ONNX), --topology to pair a weights file
 * without a graph with a topology. These are load options, not chip or codec parameters.
 */
import type { Argv } from 'yargs';
import { HwsimError } from '../errors.js';
import type { ModelLoadOptions } from '../models/load.js';

export function modelOptions<T>(y: Argv<T>) {
  return y
    .option('input-shape', { type: 'string', describe: 'the input size to walk the graph with, batch first, as the model lays it out (e.g. 1,3,224,224 for ONNX NCHW, 1,224,224,3 for Keras), when the file leaves sizes symbolic' })
    .option('fold-bn', { type: 'boolean', default: false, describe: 'fold each BatchNormalization into the conv/dense layer before it (w·γ/√(σ²+ε)) before quantizing' })
    .option('skip-unsupported', { type: 'boolean', default: false, describe: 'pass graph ops hwsim does not know through as shape-preserving instead of refusing the model (they are listed in the description)' })
    .option('keep-quantization', { type: 'boolean', default: false, describe: 'ONNX: keep the file\'s DequantizeLinear scales (per tensor or per output channel) as each layer\'s quantizer step' })
    .option('topology', { type: 'string', describe: 'the layer geometry for a weights file without a graph (.npy/.npz/.safetensors): a zoo network, a SCALE-Sim .csv or an .onnx model; layers paired by name, else in order' });
}

/** Parses `1,3,224,224` (or `1x3x224x224`). */
export function parseInputShape(s: string): number[] {
  const dims = s.split(/[,x×]/).map((d) => d.trim());
  const n = dims.map(Number);
  if (dims.length < 2 || n.some((d, i) => !/^\d+$/.test(dims[i]) || !Number.isSafeInteger(d) || d < 1)) {
    throw new HwsimError(`--input-shape ${s} is not a list of positive sizes`, 'give the sizes batch first, e.g. --input-shape 1,3,224,224');
  }
  return n;
}

export function modelOptionsFrom(argv: Record<string, unknown>): ModelLoadOptions {
  const shape = argv['input-shape'];
  const topo = argv.topology;
  if (Array.isArray(shape) || Array.isArray(topo)) throw new HwsimError('--input-shape and --topology are given once', 'give each at most once');
  return {
    inputShape: typeof shape === 'string' ? parseInputShape(shape) : undefined,
    foldBn: argv['fold-bn'] === true,
    skipUnsupported: argv['skip-unsupported'] === true,
    keepQuantization: argv['keep-quantization'] === true,
    pairTopology: typeof topo === 'string' ? topo : undefined,
  };
}
