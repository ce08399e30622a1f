/**
 * Weights without a graph (.npy, .npz, .safetensors) paired with a topology that has the geometry
 * (a zoo network, a SCALE-Sim CSV, an ONNX model): by name when every weight tensor's name matches
 * exactly one topology layer (ignoring case, punctuation and a trailing weight/kernel), else in
 * order when the counts agree; each pair must hold the same canonical weight shape.
 */
import { basename } from 'node:path';
import { HwsimError } from '../errors.js';
import type { LayerSpec, Model } from './types.js';

const key = (s: string) => s.toLowerCase().replace(/[/.:_-]?(weight|kernel|depthwise_kernel)$/, '').replace(/[^a-z0-9]/g, '');
const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

export function pairWithTopology(weights: Model, specs: readonly LayerSpec[], topology: string): Model {
  const fix = `give a topology with the file's ${weights.layers.length} weight layers, in order or with matching names`;
  const byKey = new Map<string, LayerSpec[]>();
  for (const s of specs) byKey.set(key(s.name), [...(byKey.get(key(s.name)) ?? []), s]);
  const named = weights.layers.map((l) => byKey.get(key(l.spec.name)));
  const byName = named.every((m) => m?.length === 1) && new Set(named.map((m) => m![0])).size === named.length;
  if (!byName && specs.length !== weights.layers.length) {
    throw new HwsimError(`${weights.source}: ${weights.layers.length} weight layers, topology ${topology} ${specs.length}, and the names do not match`, fix);
  }
  const layers = weights.layers.map((l, i) => {
    const spec = byName ? named[i]![0] : specs[i];
    const a = l.spec.weightShape, b = spec.weightShape;
    // an fc [out, in] is a 1×1 conv [out, in, 1, 1] in a SCALE-Sim CSV
    const trim = (s: readonly number[]) => { const t = [...s]; while (t.length > 2 && t[t.length - 1] === 1) t.pop(); return t; };
    const ta = trim(a), tb = trim(b);
    if (ta.length !== tb.length || ta.some((d, k) => d !== tb[k])) {
      throw new HwsimError(`${weights.source}: tensor '${l.spec.name}' ${shapeText(a)} does not fit layer '${spec.name}' of ${topology}, which needs ${shapeText(b)} (paired ${byName ? 'by name' : `in order, #${i}`})`,
        fix);
    }
    // the topology's geometry; the file's weights in their canonical shape
    return { ...l, spec: { ...spec, weightShape: [...spec.weightShape] } };
  });
  return {
    ...weights,
    description: `${weights.description.replace(/; layer geometry not in the file.*$/, '')}; geometry from ${basename(topology)}, paired ${byName ? 'by name' : 'in order'}`,
    layers,
    geometry: 'graph',
  };
}
