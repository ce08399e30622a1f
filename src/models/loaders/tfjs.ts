/**
 * TensorFlow.js model.json: `weightsManifest` is a list of groups {paths, weights}; a group's
 * shard files (relative to model.json) are concatenated in order and its weights read from them
 * one after another: name, shape, dtype (float32 | int32 | bool), optional quantization
 * {dtype: uint8 | uint16 | float16, min, scale}, dequantized as v·scale + min. Kernels are
 * TensorFlow's layout (conv HWIO, depthwise [kh, kw, in, mult], dense [in, out]) and are turned
 * into the canonical one by tensorToLayer. Strides come from a Keras `modelTopology` when present.
 */
import { statSync } from 'node:fs';
import { HwsimError } from '../../errors.js';
import { confinedPath, readRegularFile } from './files.js';
import type { NamedTensor } from './safetensors.js';
import { decodeElements, ELEMENT_BYTES, elementCount, WeightBudget, type ElementType } from './tensors.js';

interface ManifestWeight {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown; min?: unknown; scale?: unknown };
}

const FIX = 'export the model again with tensorflowjs_converter (a model.json and its shard files side by side)';
const PLAIN: Record<string, ElementType> = { float32: 'f32', int32: 'i32', bool: 'u8' };
const QUANT: Record<string, ElementType> = { uint8: 'u8', uint16: 'u16', float16: 'f16' };
/** deeper than any Keras topology (a few levels per nested model); walked without recursion anyway */
export const MAX_TOPOLOGY_DEPTH = 1000;

export interface TfjsWeights {
  tensors: NamedTensor[];
  /** per Keras layer name, from modelTopology when the file has one: stride and position */
  strides: Map<string, number>;
  order: Map<string, number>;
  /** the file's modelTopology as it is (a Keras model_config, or a GraphDef's nodes) */
  topology: unknown;
  /** the file's `format` ('layers-model', 'graph-model') when it says */
  format?: string;
}

interface Planned { name: string; where: string; shape: number[]; count: number; type: ElementType; bytes: number; q?: ManifestWeight['quantization'] }

export function parseTfjs(path: string, json: Uint8Array, budget = new WeightBudget()): TfjsWeights {
  let doc: { weightsManifest?: unknown; modelTopology?: unknown; format?: unknown };
  try {
    doc = JSON.parse(new TextDecoder().decode(json));
  } catch (err) {
    throw new HwsimError(`${path}: not JSON (${(err as Error).message})`, FIX);
  }
  const manifest = doc?.weightsManifest;
  if (!Array.isArray(manifest)) throw new HwsimError(`${path}: no weightsManifest (not a TensorFlow.js model.json)`, FIX);
  const topology = kerasLayers(doc.modelTopology, path);
  const tensors: NamedTensor[] = [];
  manifest.forEach((group: { paths?: unknown; weights?: unknown }, g) => {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights) || group.paths.some((p) => typeof p !== 'string')) {
      throw new HwsimError(`${path}: weightsManifest group ${g} lacks its paths or weights lists`, FIX);
    }
    // every weight's shape and type first: sizes are checked against the limits before any shard is read
    const planned: Planned[] = [];
    for (const w of group.weights as ManifestWeight[]) {
      const name = typeof w?.name === 'string' ? w.name : `#${tensors.length + planned.length}`;
      const where = `${path}: weight '${name}'`;
      const shape = w?.shape;
      if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
        throw new HwsimError(`${where}: bad shape ${JSON.stringify(shape)}`, FIX);
      }
      const count = elementCount(shape as number[]);
      const q = w.quantization;
      let type: ElementType | undefined;
      if (q) type = typeof q.dtype === 'string' ? QUANT[q.dtype] : undefined;
      else type = typeof w.dtype === 'string' ? PLAIN[w.dtype] : undefined;
      if (!type) {
        throw new HwsimError(`${where}: unsupported ${q ? 'quantization ' : ''}dtype ${JSON.stringify(q ? q.dtype : w.dtype)}`,
          q ? 'quantized weights must be uint8, uint16 or float16' : 'weights must be float32, int32 or bool');
      }
      budget.take(count, `${where} of shape [${shape.join(', ')}]`);
      if (shape.length >= 2) budget.layer(path);
      planned.push({ name, where, shape: shape as number[], count, type, bytes: count * ELEMENT_BYTES[type], q });
    }
    const need = planned.reduce((a, w) => a + w.bytes, 0);
    // shards: regular files inside the model's folder, read only when they hold no more than the weights use
    const files = (group.paths as string[]).map((p) => confinedPath(path, p, 'weight shards'));
    const sizes = files.map((f) => { try { return statSync(f).size; } catch { return 0; } });
    const held = sizes.reduce((a, b) => a + b, 0);
    if (held > need) throw extra(g, held, need);
    const shards = (group.paths as string[]).map((p, i) => {
      const file = files[i];
      return readRegularFile(file, `${path}: weight shard '${p}'`, `put the shard files next to model.json (expected ${file})`,
        (code) => `${path}: weight shard '${p}' cannot be read (${code})`);
    });
    const data = concat(shards);
    let at = 0;
    for (const { name, where, shape, count, type, bytes, q } of planned) {
      if (at + bytes > data.length) {
        throw new HwsimError(`${where}: needs bytes ${at}..${at + bytes} of group ${g}, its shards hold ${data.length}`,
          'a shard is truncated or missing data: download or export the model again');
      }
      const values = decodeElements(data, at, count, type);
      if (q && type !== 'f16') {
        const { scale, min } = q as { scale: unknown; min: unknown };
        if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min)) {
          throw new HwsimError(`${where}: quantization lacks a numeric scale and min`, FIX);
        }
        for (let i = 0; i < count; i++) values[i] = values[i] * scale + min;
      }
      tensors.push({ name, shape, data: values });
      at += bytes;
    }
    if (at !== data.length) throw extra(g, data.length, need);
  });
  return { tensors, ...topology, topology: doc.modelTopology, format: typeof doc.format === 'string' ? doc.format : undefined };

  function extra(g: number, held: number, need: number): HwsimError {
    return new HwsimError(`${path}: group ${g}'s shards hold ${held} bytes, its weights use ${need}`,
      'the manifest and the shards disagree: download or export the model again');
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * Keras layer name → stride and → position in the topology (model_config layers are listed in
 * graph order; the manifest is often sorted by name, which would put the head mid-network).
 * Walked depth-first in document order with an explicit stack; deeper than MAX_TOPOLOGY_DEPTH is refused.
 */
function kerasLayers(topology: unknown, path: string): { strides: Map<string, number>; order: Map<string, number> } {
  const strides = new Map<string, number>();
  const order = new Map<string, number>();
  const stack: [unknown, number][] = [[topology, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_TOPOLOGY_DEPTH) {
      throw new HwsimError(`${path}: modelTopology nests deeper than ${MAX_TOPOLOGY_DEPTH} levels`,
        `a Keras topology is a few levels deep: ${FIX}`);
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) {
      const n = node as { name?: unknown; class_name?: unknown; config?: { name?: unknown; strides?: unknown } };
      const name = n.config?.name ?? n.name;
      if (typeof name === 'string' && typeof n.class_name === 'string' && !order.has(name)) order.set(name, order.size);
      const s = n.config?.strides;
      if (typeof name === 'string' && Array.isArray(s) && Number.isInteger(s[0]) && s[0] >= 1) strides.set(name, s[0]);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], depth + 1]);
  }
  return { strides, order };
}
