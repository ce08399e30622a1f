/**
 * The chip configuration: the chip group of the parameter declaration (src/params/declaration.ts)
 * with its config file (`--config chip.json`), its flags (`hwsim run` / `hwsim config`) and its
 * listing (`hwsim config --print`). Fields, defaults, ranges, units and help all come from there.
 *
 * The default is a small edge chip (docs/CHIP.md explains the choice): a 16×16 int8 MAC array at
 * 500 MHz, 8 tANS decoders, an LPDDR-class DRAM share of 8 B/cycle (4 GB/s) with 50 cycles
 * (100 ns) of access latency, 64-byte bursts, a 128-word weight FIFO and 512 KiB of activation SRAM.
 */
import { readFileSync } from 'node:fs';
import { HwsimError } from '../errors.js';
import { groupValuesFrom, parsePairFlag } from '../params/cli.js';
import type { ChipConfig as ChipParams } from '../params/generated-types.js';
import { groupDefaults, param, paramsOf } from '../params/lookup.js';
import { checkChipRules } from '../params/rules.js';
import { defaultOf, describeAllowed, flagOf, keyOf, type EnumParam, type ParamDecl } from '../params/schema.js';
import { applyFields, type Origin } from '../params/validate.js';
import { resolveDramTiming, type DramTimingParams } from './dram-timing.js';
import { checkEnergyOverrides, type EnergyTable } from './energy.js';

/**
 * The chip: its declared parameters, and two objects only the config JSON sets: `energy`
 * (overrides of the energy table, pJ; docs/ENERGY.md) and `dramTiming` (overrides of the `dram`
 * preset's timing parameters; docs/hw/dram.md).
 */
export interface ChipConfig extends ChipParams {
  energy?: Partial<EnergyTable>;
  dramTiming?: Partial<DramTimingParams>;
}
export type Dataflow = ChipConfig['dataflow'];
export const DATAFLOWS = (param('dataflow') as EnumParam).choices as readonly Dataflow[];

export const DEFAULT_CHIP: Readonly<ChipConfig> = Object.freeze(groupDefaults('chip') as unknown as ChipConfig);

/** A chip field as `hwsim config --print` and older callers see it. */
export interface FieldSpec {
  key: keyof ChipConfig;
  flag: string;
  unit: string;
  allowed: string;
  describe: string;
  check: (v: unknown) => boolean;
}

const spec = (p: ParamDecl): FieldSpec => ({
  key: keyOf(p, 'chip') as keyof ChipConfig,
  flag: flagOf(p, 'run'),
  unit: p.unit,
  allowed: describeAllowed(p),
  describe: p.help,
  check: (v) => { try { applyFields('chip', {}, { [keyOf(p, 'chip')]: v }, { face: 'run' }); return true; } catch { return false; } },
});

export const CHIP_FIELDS: readonly FieldSpec[] = paramsOf('chip').map(spec);

const originOf = (where: string): Origin => (where === 'flags' ? { face: 'run' } : { file: where, group: 'chip' });

/**
 * Applies a partial configuration on top of `base`, checking every field. `where` names the
 * origin in error messages: "flags", or the config file's path.
 */
export function applyChipConfig(base: ChipConfig, patch: Record<string, unknown>, where: string): ChipConfig {
  const origin = originOf(where);
  const { energy, dramTiming, ...fields } = patch;
  const out: ChipConfig = applyFields('chip', base, fields, origin);
  checkChipRules(out, origin);
  if (energy !== undefined) {
    checkEnergyOverrides(energy, where);
    out.energy = { ...base.energy, ...(energy as Partial<EnergyTable>) };
  }
  if (dramTiming !== undefined) {
    if (dramTiming === null || typeof dramTiming !== 'object' || Array.isArray(dramTiming)) {
      throw new HwsimError(`${where}: "dramTiming" must be an object of timing parameters`, 'e.g. "dramTiming": {"tRCD": 30}');
    }
    out.dramTiming = { ...base.dramTiming, ...(dramTiming as Partial<DramTimingParams>) };
  }
  if (out.dramTiming && Object.keys(out.dramTiming).length) {
    if (out.dram === 'simple') {
      throw new HwsimError(`${where}: "dramTiming" is given but the DRAM model is simple`, 'set "dram" to a preset (e.g. "lpddr4-3200-x16") whose timing it modifies');
    }
    resolveDramTiming(out.dram, out.dramTiming as Record<string, unknown>, where);
  }
  return out;
}

/** Cross-field rules (the FIFO holds a burst). */
export function checkChipConsistency(c: ChipConfig, where: string): void {
  checkChipRules(c, originOf(where));
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
  return parsePairFlag('mac', [param('macRows'), param('macCols')], s, 'run') as { macRows: number; macCols: number };
}

/** The chip flags every command that simulates shares (camelCase, as yargs gives them). */
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
  dram?: string;
  dramCtrlLatency?: number;
  techNode?: number;
}

const onChip = (p: ParamDecl) => p.groups.includes('chip');

/** defaults ← --config file ← flags. */
export function resolveChipConfig(flags: ChipFlags): ChipConfig {
  let c: ChipConfig = { ...DEFAULT_CHIP };
  if (flags.config) c = loadChipConfigFile(flags.config, c);
  const given = groupValuesFrom(flags as Record<string, unknown>, 'run', onChip);
  return applyChipConfig(c, given, 'flags');
}

/** Human-readable listing of a config, one field a line. */
export function formatChipConfig(c: ChipConfig): string {
  return paramsOf('chip').map((p) => {
    const key = keyOf(p, 'chip') as keyof ChipConfig;
    const d = defaultOf(p, 'chip');
    return `${key.padEnd(18)} ${String(c[key]).padStart(8)} ${p.unit.padEnd(8)} --${flagOf(p, 'run').padEnd(18)} ${p.help}` +
      (c[key] === d ? '' : ` (default ${d})`);
  }).join('\n');
}
