/**
 * The chip configuration: one declaration of every parameter of the simulated edge chip, with its
 * default, its unit and what is allowed. The JSON config file (`--config chip.json`), the CLI flags
 * of `hwsim run` / `hwsim config`, `hwsim config --print` and docs/CHIP.md all follow this table.
 *
 * The default is a small edge chip (docs/CHIP.md explains the choice): a 16×16 int8 MAC array at
 * 500 MHz, 8 tANS decoders, an LPDDR-class DRAM share of 8 B/cycle (4 GB/s) with 50 cycles
 * (100 ns) of access latency, 64-byte bursts, a 128-word weight FIFO and 512 KiB of activation SRAM.
 */
import { readFileSync } from 'node:fs';
import { HwsimError } from '../errors.js';

export type Dataflow = 'ws' | 'os' | 'is';
export const DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'is'];

export interface ChipConfig {
  /** MAC array rows R (systolic array height) */
  macRows: number;
  /** MAC array columns C (systolic array width) */
  macCols: number;
  /** dataflow of the systolic array: weight / output / input stationary (SCALE-Sim's ws, os, is) */
  dataflow: Dataflow;
  /** tANS decoders N; each decodes one stream, so a layer is encoded with N streams */
  decoders: number;
  /** DRAM bandwidth in bytes per chip cycle (may be fractional, resolution 1/1000 byte) */
  dramBytesPerCycle: number;
  /** DRAM access latency in cycles: a burst issued in cycle t is in the FIFO in cycle t + latency */
  dramLatency: number;
  /** DRAM burst size in bytes (a multiple of 4: the FIFO word) */
  burstBytes: number;
  /** weight FIFO depth in 32-bit words, between DRAM and the decoders */
  fifoDepth: number;
  /** per-decoder input stream FIFO depth in words, inside the tANS engine */
  streamFifoDepth: number;
  /** clock in MHz (only converts cycles to time) */
  clockMhz: number;
  /** activation SRAM in KiB (holds a layer's ifmap + ofmap; larger layers spill to DRAM) */
  sramKb: number;
}

export const DEFAULT_CHIP: Readonly<ChipConfig> = Object.freeze({
  macRows: 16,
  macCols: 16,
  dataflow: 'ws',
  decoders: 8,
  dramBytesPerCycle: 8,
  dramLatency: 50,
  burstBytes: 64,
  fifoDepth: 128,
  streamFifoDepth: 4,
  clockMhz: 500,
  sramKb: 512,
});

interface FieldSpec {
  key: keyof ChipConfig;
  flag: string;
  unit: string;
  allowed: string;
  describe: string;
  check: (v: unknown) => boolean;
}

const int = (lo: number, hi: number) => (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const num = (lo: number, hi: number, loOpen = true) => (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && v <= hi;

/** The parameter table: JSON key, CLI flag, unit, what is allowed. */
export const CHIP_FIELDS: readonly FieldSpec[] = [
  { key: 'macRows', flag: 'mac', unit: 'PEs', allowed: 'an integer 1..1024', describe: 'MAC array rows (set with --mac RxC)', check: int(1, 1024) },
  { key: 'macCols', flag: 'mac', unit: 'PEs', allowed: 'an integer 1..1024', describe: 'MAC array columns (set with --mac RxC)', check: int(1, 1024) },
  { key: 'dataflow', flag: 'dataflow', unit: '', allowed: 'one of ws, os, is', describe: 'systolic dataflow: weight, output or input stationary', check: (v) => DATAFLOWS.includes(v as Dataflow) },
  { key: 'decoders', flag: 'decoders', unit: '', allowed: 'an integer 1..64', describe: 'tANS decoders (= streams per layer)', check: int(1, 64) },
  { key: 'dramBytesPerCycle', flag: 'dram-bw', unit: 'B/cycle', allowed: 'a number > 0 and <= 4096 (resolution 0.001)', describe: 'DRAM bandwidth', check: (v) => num(0, 4096)(v) && Math.round((v as number) * 1000) >= 1 },
  { key: 'dramLatency', flag: 'dram-latency', unit: 'cycles', allowed: 'an integer 1..100000', describe: 'DRAM access latency', check: int(1, 100000) },
  { key: 'burstBytes', flag: 'burst', unit: 'B', allowed: 'a multiple of 4 in 4..4096', describe: 'DRAM burst size', check: (v) => int(4, 4096)(v) && (v as number) % 4 === 0 },
  { key: 'fifoDepth', flag: 'fifo-depth', unit: 'words', allowed: 'an integer 1..1048576, at least one burst', describe: 'weight FIFO depth (32-bit words)', check: int(1, 1 << 20) },
  { key: 'streamFifoDepth', flag: 'stream-fifo-depth', unit: 'words', allowed: 'an integer 2..64', describe: 'per-decoder input FIFO depth', check: int(2, 64) },
  { key: 'clockMhz', flag: 'clock-mhz', unit: 'MHz', allowed: 'a number > 0 and <= 10000', describe: 'clock frequency', check: num(0, 10000) },
  { key: 'sramKb', flag: 'sram-kb', unit: 'KiB', allowed: 'a number >= 0 and <= 1048576', describe: 'activation SRAM (ifmap + ofmap)', check: num(0, 1 << 20, false) },
];

function describeValue(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v);
}

/**
 * Applies a partial configuration on top of `base`, checking every field. `where` names the
 * origin in error messages ("chip.json", "flag").
 */
export function applyChipConfig(base: ChipConfig, patch: Record<string, unknown>, where: string): ChipConfig {
  const out: ChipConfig = { ...base };
  const known = new Set(CHIP_FIELDS.map((f) => f.key as string));
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (!known.has(k)) {
      throw new HwsimError(`${where}: unknown field "${k}"`,
        `the chip config fields are: ${CHIP_FIELDS.map((f) => f.key).join(', ')}`);
    }
    const f = CHIP_FIELDS.find((x) => x.key === k)!;
    if (!f.check(v) && where === 'flags') {
      throw new HwsimError(`--${f.flag} ${describeValue(v)} is not allowed: ${f.allowed}${f.unit ? ` (${f.unit})` : ''}`,
        `give --${f.flag} ${f.allowed}, or leave it out for the default ${describeValue(DEFAULT_CHIP[f.key])}`);
    }
    if (!f.check(v)) {
      throw new HwsimError(`${where}: field "${k}" is ${describeValue(v)}, allowed is ${f.allowed}${f.unit ? ` (${f.unit})` : ''}`,
        `set "${k}" to ${f.allowed}, or leave it out for the default ${describeValue(DEFAULT_CHIP[f.key])}`);
    }
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  checkChipConsistency(out, where);
  return out;
}

/** Cross-field rules. */
export function checkChipConsistency(c: ChipConfig, where: string): void {
  const burstWords = c.burstBytes / 4;
  if (c.fifoDepth < burstWords) {
    const covering = Math.ceil((c.dramLatency * c.dramBytesPerCycle) / 4) + burstWords;
    throw new HwsimError(`${where}: fifoDepth ${c.fifoDepth} words is smaller than one ${c.burstBytes}-byte burst (${burstWords} words)`,
      where === 'flags'
        ? `use --fifo-depth ${burstWords} or more (${covering} covers the DRAM latency), or a smaller --burst`
        : `set "fifoDepth" to ${burstWords} or more (${covering} covers the DRAM latency), or "burstBytes" smaller`);
  }
}

/** Reads and validates a JSON chip config file. */
export function loadChipConfigFile(path: string, base: ChipConfig = DEFAULT_CHIP): ChipConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HwsimError(`cannot read chip config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'give the path of a JSON file, e.g. the output of `hwsim config --print --json`');
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new HwsimError(`chip config ${path} is not valid JSON: ${(err as Error).message}`,
      'write a JSON object such as {"macRows": 16, "macCols": 16, "decoders": 8}; `hwsim config --print --json` prints one');
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new HwsimError(`chip config ${path} must be a JSON object`, 'e.g. {"decoders": 8, "dramBytesPerCycle": 8}');
  }
  const patch = { ...(obj as Record<string, unknown>) };
  delete patch['$comment'];
  return applyChipConfig(base, patch, path);
}

/** "16x16" (or "16") → rows, cols. */
export function parseMacFlag(s: string): { macRows: number; macCols: number } {
  const m = /^\s*(\d+)\s*(?:[x×*]\s*(\d+))?\s*$/i.exec(String(s));
  if (!m) throw new HwsimError(`--mac ${s} is not RxC`, 'write the array as rows x columns, e.g. --mac 16x16 or --mac 32x8');
  const macRows = Number(m[1]);
  const macCols = Number(m[2] ?? m[1]);
  if (!(macRows >= 1 && macCols >= 1 && macRows <= 1024 && macCols <= 1024)) {
    throw new HwsimError(`--mac ${s}: an array needs 1..1024 rows and columns`, 'e.g. --mac 16x16');
  }
  return { macRows, macCols };
}

/** The chip flags every command that simulates shares. */
export interface ChipFlags {
  config?: string;
  mac?: string;
  dataflow?: string;
  decoders?: number;
  dramBw?: number;
  dramLatency?: number;
  burst?: number;
  fifoDepth?: number;
  streamFifoDepth?: number;
  clockMhz?: number;
  sramKb?: number;
}

/** defaults ← --config file ← flags. */
export function resolveChipConfig(flags: ChipFlags): ChipConfig {
  let c: ChipConfig = { ...DEFAULT_CHIP };
  if (flags.config) c = loadChipConfigFile(flags.config, c);
  const patch: Record<string, unknown> = {
    dataflow: flags.dataflow,
    decoders: flags.decoders,
    dramBytesPerCycle: flags.dramBw,
    dramLatency: flags.dramLatency,
    burstBytes: flags.burst,
    fifoDepth: flags.fifoDepth,
    streamFifoDepth: flags.streamFifoDepth,
    clockMhz: flags.clockMhz,
    sramKb: flags.sramKb,
  };
  if (flags.mac !== undefined) Object.assign(patch, parseMacFlag(flags.mac));
  for (const [k, v] of Object.entries(patch)) if (typeof v === 'number' && Number.isNaN(v)) {
    const f = CHIP_FIELDS.find((x) => x.key === k)!;
    throw new HwsimError(`--${f.flag} is not a number`, `give ${f.allowed}`);
  }
  return applyChipConfig(c, patch, 'flags');
}

/** Registers the chip flags on a yargs builder. */
export function chipOptions<T>(y: import('yargs').Argv<T>) {
  return y
    .option('config', { type: 'string', describe: 'JSON chip config (see `hwsim config --print --json`); flags override it' })
    .option('mac', { type: 'string', describe: `MAC array RxC (default ${DEFAULT_CHIP.macRows}x${DEFAULT_CHIP.macCols})` })
    .option('dataflow', { type: 'string', describe: `systolic dataflow ws|os|is (default ${DEFAULT_CHIP.dataflow})` })
    .option('decoders', { type: 'number', describe: `tANS decoders = streams per layer (default ${DEFAULT_CHIP.decoders})` })
    .option('dram-bw', { type: 'number', describe: `DRAM bandwidth, bytes/cycle, may be fractional (default ${DEFAULT_CHIP.dramBytesPerCycle})` })
    .option('dram-latency', { type: 'number', describe: `DRAM latency, cycles (default ${DEFAULT_CHIP.dramLatency})` })
    .option('burst', { type: 'number', describe: `DRAM burst, bytes (default ${DEFAULT_CHIP.burstBytes})` })
    .option('fifo-depth', { type: 'number', describe: `weight FIFO depth, 32-bit words (default ${DEFAULT_CHIP.fifoDepth})` })
    .option('stream-fifo-depth', { type: 'number', describe: `per-decoder input FIFO depth, words (default ${DEFAULT_CHIP.streamFifoDepth})` })
    .option('clock-mhz', { type: 'number', describe: `clock, MHz (default ${DEFAULT_CHIP.clockMhz})` })
    .option('sram-kb', { type: 'number', describe: `activation SRAM, KiB (default ${DEFAULT_CHIP.sramKb})` });
}

/** Human-readable listing of a config, one field a line. */
export function formatChipConfig(c: ChipConfig): string {
  const lines: string[] = [];
  for (const f of CHIP_FIELDS) {
    const v = c[f.key];
    const isDefault = v === DEFAULT_CHIP[f.key];
    lines.push(`${f.key.padEnd(18)} ${String(v).padStart(8)} ${f.unit.padEnd(8)} --${f.flag.padEnd(18)} ${f.describe}${isDefault ? '' : ` (default ${DEFAULT_CHIP[f.key]})`}`);
  }
  return lines.join('\n');
}
