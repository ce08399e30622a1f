/**
 * Energy per inference (docs/ENERGY.md): access counts of each block times an energy per access.
 *
 * The counts come from the run itself: DRAM bytes by kind and FIFO pushes and pops as the cycle
 * model moved them (PipelineResult.layerCounts), weights delivered into the weight buffer, and,
 * from the layer's mapping on the array (the same analytic model the compute cycles come from),
 * MACs and the array's reads and writes of the weight buffer and the activation SRAM. The table
 * gives pJ per access at a technology node; 45 nm figures (Horowitz, ISSCC 2014) are scaled to the
 * other nodes by one documented rule, and any entry can be overridden in the chip config JSON
 * (`"energy": {"macPj": 0.25}`).
 */
import { HwsimError } from '../errors.js';
import type { LayerMapping } from './mac-array.js';
import type { Dataflow } from './config.js';

/** pJ per access; the fields of `"energy"` in the chip config JSON. */
export interface EnergyTable {
  /** one int8 × int8 multiply with a 32-bit accumulate */
  macPj: number;
  /** a 64-bit SRAM read at 8 KiB, 32 KiB and 1 MiB; other sizes interpolate (log-log) between them */
  sram8kRead64Pj: number;
  sram32kRead64Pj: number;
  sram1mRead64Pj: number;
  /** a write relative to a read of the same SRAM */
  sramWriteFactor: number;
  /** one decoded symbol's state update in a tANS lane (new state = base + bits from the bit buffer: an adder and a shifter) */
  decoderStatePj: number;
  /** one dequantized weight (symbol − zero point: an 8-bit add) */
  dequantPj: number;
  /** DRAM access energy per bit moved (device + interface, averaged over hits and misses) */
  dramPjPerBit: number;
}

export const ENERGY_KEYS: readonly (keyof EnergyTable)[] = [
  'macPj', 'sram8kRead64Pj', 'sram32kRead64Pj', 'sram1mRead64Pj', 'sramWriteFactor', 'decoderStatePj', 'dequantPj', 'dramPjPerBit',
];

/**
 * 45 nm, 0.9 V (Horowitz, "Computing's energy problem", ISSCC 2014): 8-bit multiply 0.2 pJ +
 * 32-bit add 0.1 pJ; 64-bit SRAM reads 10 / 20 / 100 pJ at 8 KiB / 32 KiB / 1 MiB; a 16..32-bit
 * add (0.05..0.1 pJ) for the state update; an 8-bit add (0.03 pJ) for dequantization. DRAM per
 * bit depends on the device, not on the chip's node: DRAM_PJ_PER_BIT.
 */
const BASE_45NM: Omit<EnergyTable, 'dramPjPerBit'> = {
  macPj: 0.3,
  sram8kRead64Pj: 10,
  sram32kRead64Pj: 20,
  sram1mRead64Pj: 100,
  sramWriteFactor: 1,
  decoderStatePj: 0.1,
  dequantPj: 0.03,
};

/**
 * pJ/bit by DRAM (docs/ENERGY.md names each source): LPDDR4 8 pJ/bit (the Accelergy CACTI
 * plug-in's LPDDR4 figure); LPDDR5 30% below LPDDR4X (Samsung's stated saving, applied to the
 * LPDDR4 figure: 5.6); DDR4 20 pJ/bit (the low end of Horowitz's 1.3–2.6 nJ per 64-bit DRAM
 * access). `simple` assumes the LPDDR4-class channel the default chip describes.
 */
export const DRAM_PJ_PER_BIT: Readonly<Record<string, number>> = {
  simple: 8, 'lpddr4-3200-x16': 8, 'lpddr4-3200-x32': 8, 'lpddr5-6400-x16': 5.6, 'ddr4-2400-x16': 20,
};

/** Supply voltage assumed at each node, for the C·V² rule (scaleToNode). */
export const NODE_VDD: Readonly<Record<number, number>> = { 45: 0.9, 28: 0.9, 16: 0.8, 7: 0.7 };

/**
 * Dynamic energy ∝ C·V², with C proportional to feature size: E(node) = E(45) · (node/45) ·
 * (V(node)/0.9)². A first-order rule (Stillmaker & Baas, Integration 2017, show it can be off by
 * a large factor at deep-submicron nodes): override entries with figures for your library.
 */
export function nodeFactor(node: number): number {
  const v = NODE_VDD[node];
  if (v === undefined) throw new HwsimError(`no energy scaling for a ${node} nm node`, `use one of ${Object.keys(NODE_VDD).join(', ')} nm`);
  return (node / 45) * (v / 0.9) ** 2;
}

/** The table of a chip: its node's scaled figures, its DRAM's pJ/bit, then the config's overrides. */
export function energyTableFor(node: number, dram: string, overrides: Record<string, unknown> | undefined, where: string): EnergyTable {
  const f = nodeFactor(node);
  const t: EnergyTable = {
    macPj: BASE_45NM.macPj * f,
    sram8kRead64Pj: BASE_45NM.sram8kRead64Pj * f,
    sram32kRead64Pj: BASE_45NM.sram32kRead64Pj * f,
    sram1mRead64Pj: BASE_45NM.sram1mRead64Pj * f,
    sramWriteFactor: BASE_45NM.sramWriteFactor,
    decoderStatePj: BASE_45NM.decoderStatePj * f,
    dequantPj: BASE_45NM.dequantPj * f,
    dramPjPerBit: DRAM_PJ_PER_BIT[dram] ?? DRAM_PJ_PER_BIT.simple,
  };
  checkEnergyOverrides(overrides, where);
  return { ...t, ...(overrides as Partial<EnergyTable>) };
}

/** Refuses an `"energy"` object with an unknown, missing (null) or negative entry, naming it. */
export function checkEnergyOverrides(o: unknown, where: string): void {
  if (o === undefined) return;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new HwsimError(`${where}: "energy" must be an object of pJ figures`, `e.g. "energy": {"macPj": 0.25, "dramPjPerBit": 4}; keys: ${ENERGY_KEYS.join(', ')}`);
  }
  for (const [k, v] of Object.entries(o)) {
    if (!(ENERGY_KEYS as readonly string[]).includes(k)) {
      throw new HwsimError(`${where}: energy.${k} is not an energy table entry`, `known entries: ${ENERGY_KEYS.join(', ')}`);
    }
    if (v === null || v === undefined || v === '') {
      throw new HwsimError(`${where}: energy.${k} is missing (${v === '' ? 'empty' : String(v)})`, 'give a number of pJ, or leave the key out to use the node\'s table');
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new HwsimError(`${where}: energy.${k} is ${JSON.stringify(v)}, not a number`, 'give pJ as a number, e.g. 0.25');
    }
    if (v < 0) throw new HwsimError(`${where}: energy.${k} is ${v}: an energy cannot be negative`, 'give pJ ≥ 0');
  }
}

/** pJ of a 64-bit read of an SRAM of `bytes`: log-log interpolation through the table's three sizes (extrapolated outside). */
export function sramRead64Pj(t: EnergyTable, bytes: number): number {
  const pts: [number, number][] = [[8192, t.sram8kRead64Pj], [32768, t.sram32kRead64Pj], [1 << 20, t.sram1mRead64Pj]];
  const b = Math.max(bytes, 64);
  const [a, c] = b <= pts[1][0] ? [pts[0], pts[1]] : [pts[1], pts[2]];
  if (a[1] <= 0 || c[1] <= 0) return b <= pts[1][0] ? a[1] : c[1];
  const slope = Math.log(c[1] / a[1]) / Math.log(c[0] / a[0]);
  return a[1] * (b / a[0]) ** slope;
}

export const ENERGY_COMPONENTS = [
  'dramWeights', 'dramHeaders', 'dramActivations', 'fifo', 'headerBuffer', 'decoderTable', 'decoderState', 'dequant',
  'weightBuffer', 'activationSram', 'mac',
] as const;
export type EnergyComponent = typeof ENERGY_COMPONENTS[number];

/** What one layer of one run accessed. Bytes for memories, operations for logic. */
export interface LayerAccessCounts {
  dramWeightBytes: number;
  dramHeaderBytes: number;
  dramActReadBytes: number;
  dramActWriteBytes: number;
  /** 32-bit words pushed into / popped from the weight FIFO */
  fifoPushWords: number;
  fifoPopWords: number;
  /** header bytes written into the staging buffer and read out of it by the decoder slot */
  headerBufferBytes: number;
  /** decode-table bytes written when the table is loaded, and table entries read (one per symbol) */
  tableWriteBytes: number;
  tableReadEntries: number;
  /** symbols the tANS lanes decoded (one state update each) */
  decodedSymbols: number;
  /** weights dequantized (tANS symbols; 0 for raw int8) */
  dequantWeights: number;
  /** weight-buffer bytes written (weights delivered) and read by the array */
  weightBufferWrites: number;
  weightBufferReads: number;
  /** activation-SRAM bytes: the array's ifmap and partial-sum reads and ofmap writes, and the DRAM spills through it */
  actSramReads: number;
  actSramWrites: number;
  macs: number;
}

/**
 * The array's SRAM traffic of a layer on its mapping (SCALE-Sim's operand streams): per fold the
 * stationary operand is loaded once and the other two stream over the temporal dimension.
 *   ws (weights stay): weight reads K·N; ifmap reads M·K per column fold; ofmap writes M·N per row fold
 *   os (outputs stay): weight reads K·N per row fold over M; ifmap reads M·K per column fold; ofmap writes M·N
 *   is (ifmap stays):  weight reads K·N per column fold over M; ifmap reads M·K; ofmap writes M·N per row fold
 * A row fold beyond the first reads back the partial sums it adds to (M·N per extra fold).
 */
export function arrayTraffic(m: LayerMapping, df: Dataflow, R: number, C: number): { weightReads: number; ifmapReads: number; psumReads: number; ofmapWrites: number } {
  const { M, K, N, copies } = m.dims;
  const ceil = Math.ceil;
  let w: number, i: number, o: number;
  if (df === 'ws') { w = K * N; i = M * K * ceil(N / C); o = M * N * ceil(K / R); }
  else if (df === 'os') { w = K * N * ceil(M / R); i = M * K * ceil(N / C); o = M * N; }
  else { w = K * N * ceil(M / C); i = M * K; o = M * N * ceil(K / R); }
  return { weightReads: w * copies, ifmapReads: i * copies, psumReads: (o - M * N) * copies, ofmapWrites: o * copies };
}

export interface EnergyBreakdown {
  /** pJ by component */
  pj: Record<EnergyComponent, number>;
  totalPj: number;
}

export interface EnergySizes {
  fifoBytes: number;
  /** tANS decode table bytes (3L), 0 without a decoder */
  tableBytes: number;
  headerBufferBytes: number;
  weightBufferBytes: number;
  activationSramBytes: number;
}

/** Energy of one layer's counts on a table. */
export function layerEnergy(c: LayerAccessCounts, t: EnergyTable, s: EnergySizes): EnergyBreakdown {
  const perByte = (bytes: number) => sramRead64Pj(t, bytes) / 8;
  const rw = (size: number, reads: number, writes: number) => perByte(size) * (reads + writes * t.sramWriteFactor);
  const bit = t.dramPjPerBit * 8;
  const pj: Record<EnergyComponent, number> = {
    dramWeights: c.dramWeightBytes * bit,
    dramHeaders: c.dramHeaderBytes * bit,
    dramActivations: (c.dramActReadBytes + c.dramActWriteBytes) * bit,
    fifo: rw(s.fifoBytes, c.fifoPopWords * 4, c.fifoPushWords * 4),
    headerBuffer: rw(s.headerBufferBytes, c.headerBufferBytes, c.headerBufferBytes),
    // one entry is 3 bytes (symbol, bits, base)
    decoderTable: rw(s.tableBytes, c.tableReadEntries * 3, c.tableWriteBytes),
    decoderState: c.decodedSymbols * t.decoderStatePj,
    dequant: c.dequantWeights * t.dequantPj,
    weightBuffer: rw(s.weightBufferBytes, c.weightBufferReads, c.weightBufferWrites),
    activationSram: rw(s.activationSramBytes, c.actSramReads, c.actSramWrites),
    mac: c.macs * t.macPj,
  };
  let totalPj = 0;
  for (const k of ENERGY_COMPONENTS) totalPj += pj[k];
  return { pj, totalPj };
}

/** Sum of breakdowns. */
export function sumEnergy(parts: readonly EnergyBreakdown[]): EnergyBreakdown {
  const pj = Object.fromEntries(ENERGY_COMPONENTS.map((k) => [k, 0])) as Record<EnergyComponent, number>;
  let totalPj = 0;
  for (const p of parts) {
    for (const k of ENERGY_COMPONENTS) pj[k] += p.pj[k];
    totalPj += p.totalPj;
  }
  return { pj, totalPj };
}

export const dramPj = (e: EnergyBreakdown): number => e.pj.dramWeights + e.pj.dramHeaders + e.pj.dramActivations;
