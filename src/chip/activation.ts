/**
 * The activation SRAM (docs/hw/activation-sram.md): what each layer reads from and writes to DRAM.
 * A layer whose ifmap + ofmap fit the SRAM keeps its ofmap on chip for the next layer; one that
 * does not spills its ofmap; the network's input comes from DRAM and its output goes there.
 */
import type { LayerSpec } from '../models/types.js';
import { gemmDims } from './mac-array.js';

export interface ActivationTraffic { ifmap: number; ofmap: number; read: number; write: number }

export function activationTraffic(specs: readonly { spec: LayerSpec; params: number }[], sramKb: number): ActivationTraffic[] {
  const sram = sramKb * 1024;
  let prevInDram = true; // the network input comes from DRAM
  return specs.map(({ spec, params }, i) => {
    const rep = spec.repeat ?? 1;
    const ifmap = spec.ifmapH * spec.ifmapW * spec.channels * rep;
    const d = gemmDims(spec, params);
    const ofmap = d.M * d.N * d.copies; // M = output pixels × repeat
    const fits = ifmap + ofmap <= sram;
    const last = i === specs.length - 1;
    // an ifmap the previous layer kept on chip is read from SRAM even when this layer spills
    const read = prevInDram ? ifmap : 0;
    const write = !fits || last ? ofmap : 0;
    prevInDram = !fits;
    return { ifmap, ofmap, read, write };
  });
}
