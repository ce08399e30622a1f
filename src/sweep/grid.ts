/**
 * A sweep's grid: axes (a flag of `hwsim run` with a list of values) and fixed settings, from the
 * command line (`--states 32,64 --mac 8x8,16x16`) or a sweep file (JSON or YAML). Every value is
 * checked against the parameter declaration before anything runs, and the grid expands to design
 * points in one deterministic order (the first axis varies slowest), so that a shard of a sweep is
 * the same slice on every machine.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { HwsimError } from '../errors.js';
import { parsePairFlag } from '../params/cli.js';
import { paramsOn } from '../params/lookup.js';
import { flagOf, isAllowed, describeAllowed, type ParamDecl, type ParamValue } from '../params/schema.js';
import { checkParam } from '../params/validate.js';

/** One value of an axis: what the user wrote, and the parameters it sets (two for --mac). */
export interface AxisValue {
  text: string;
  set: Record<string, ParamValue>;
}

export interface Axis {
  /** the flag of `hwsim run`, without dashes (mac, dram-bw, states, decoders) */
  flag: string;
  values: AxisValue[];
}

export interface SweepGrid {
  /** the model argument: a zoo name, a weights file or a .hwz */
  model: string;
  /** axes with two or more values, in the order given */
  axes: Axis[];
  /** settings with one value (flags given once, or `fixed:` in a sweep file), by parameter name */
  fixed: Record<string, ParamValue>;
  /** the text of the flags/keys that made `fixed`, for the output's record */
  fixedText: Record<string, string>;
}

export interface DesignPoint {
  /** position in the whole grid (0-based), the same on every machine and in every shard */
  index: number;
  /** the axis values of this point, by flag, as written */
  axes: Record<string, string>;
  /** every parameter this point sets (fixed settings and axis values), by parameter name */
  set: Record<string, ParamValue>;
}

/** Most design points one sweep may have: a guard against a typo such as 1..1000 axes multiplied out. */
export const MAX_POINTS = 1_000_000;

/** The flags of `hwsim run` that can be axes: every chip and codec parameter, grouped by flag. */
export function sweepableFlags(): Map<string, ParamDecl[]> {
  const out = new Map<string, ParamDecl[]>();
  for (const p of paramsOn('run')) {
    if (!p.groups.includes('chip') && !p.groups.includes('codec')) continue;
    const f = flagOf(p, 'run');
    out.set(f, [...(out.get(f) ?? []), p]);
  }
  return out;
}

function flagList(): string {
  return [...sweepableFlags().keys()].join(', ');
}

/** The flag a user wrote (`dram-bw`, `dramBw`, `--dram-bw`, the parameter name `dramBytesPerCycle`, an alias `L`). */
export function resolveFlag(name: string): string | undefined {
  const flags = sweepableFlags();
  const bare = name.replace(/^-+/, '');
  const kebab = bare.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  for (const [flag, ps] of flags) {
    if (flag === bare || flag === kebab) return flag;
    if (ps.some((p) => p.name === bare || (p.alias !== undefined && p.alias === bare))) return flag;
  }
  return undefined;
}

/** One written value of a flag, checked: "16x16" for --mac, "2.5" for --dram-bw, "os" for --dataflow. */
export function parseAxisValue(flag: string, raw: unknown, where: string): AxisValue {
  const ps = sweepableFlags().get(flag);
  if (!ps) throw new HwsimError(`${where}: --${flag} is not a parameter a sweep can vary`, `the axes are: ${flagList()}`);
  const text = String(raw).trim();
  if (text === '') throw new HwsimError(`${where}: --${flag} has an empty value`, `give values separated by commas, e.g. --${flag} ${exampleOf(ps)}`);
  if (ps.length > 1) return { text, set: parsePairFlag(flag, ps, text, 'run') };
  const p = ps[0];
  let v: unknown = text;
  if (p.type === 'int' || p.type === 'number') v = typeof raw === 'number' ? raw : /^[-+0-9.eE]+$/.test(text) ? Number(text) : text;
  else if (p.type === 'boolean') v = typeof raw === 'boolean' ? raw : text === 'true' ? true : text === 'false' ? false : text;
  if (!isAllowed(p, v)) {
    throw new HwsimError(`${where}: --${flag} ${JSON.stringify(text)} is not allowed: ${describeAllowed(p)}${p.unit ? ` (${p.unit})` : ''}`,
      `give values separated by commas, each ${describeAllowed(p)}`);
  }
  return { text, set: { [p.name]: checkParam(p, v, { face: 'run' }) } };
}

function exampleOf(ps: readonly ParamDecl[]): string {
  if (ps.length > 1) return '8x8,16x16';
  const p = ps[0];
  if (p.type === 'enum') return p.choices.slice(0, 2).join(',');
  if (p.type === 'boolean') return 'true,false';
  return '1,2';
}

/** Values of one flag: a comma list (`32,64`), or a list from a sweep file. */
function valuesOf(flag: string, raw: unknown, where: string): AxisValue[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
  if (items.length === 0) throw new HwsimError(`${where}: --${flag} has no values`, 'give at least one value');
  const values = items.map((x) => parseAxisValue(flag, x, where));
  const seen = new Map<string, string>();
  for (const v of values) {
    const key = JSON.stringify(v.set);
    const before = seen.get(key);
    if (before !== undefined) {
      throw new HwsimError(`${where}: --${flag} lists the same value twice (${before} and ${v.text})`, 'give each value once');
    }
    seen.set(key, v.text);
  }
  return values;
}

/** Adds flag=values to a grid: several values make an axis, one a fixed setting. */
function addSetting(grid: SweepGrid, flag: string, raw: unknown, where: string): void {
  if (grid.axes.some((a) => a.flag === flag) || grid.fixedText[flag] !== undefined) {
    throw new HwsimError(`${where}: --${flag} is given twice`, `give --${flag} once, with all its values (--${flag} a,b,c)`);
  }
  const values = valuesOf(flag, raw, where);
  if (values.length === 1) {
    Object.assign(grid.fixed, values[0].set);
    grid.fixedText[flag] = values[0].text;
  } else {
    grid.axes.push({ flag, values });
  }
}

/** A grid from `hwsim sweep` flags: every sweepable flag present in argv (comma lists). */
export function gridFromFlags(model: string, argv: Readonly<Record<string, unknown>>): SweepGrid {
  const grid: SweepGrid = { model, axes: [], fixed: {}, fixedText: {} };
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const flag of sweepableFlags().keys()) {
    const v = argv[camel(flag)] ?? argv[flag];
    if (v === undefined) continue;
    addSetting(grid, flag, v, 'flags');
  }
  return grid;
}

/** What a sweep file holds (JSON or YAML). */
interface SweepFile {
  model?: unknown;
  axes?: unknown;
  fixed?: unknown;
  objectives?: unknown;
}

const FILE_KEYS = ['model', 'axes', 'fixed', 'objectives'];

/**
 * A grid from a sweep file:
 *   model: resnet50
 *   axes: { states: [32, 64], dram-bw: [1, 2, 4], mac: [8x8, 16x16] }
 *   fixed: { fifo-depth: 256 }
 *   objectives: [latency, memory, traffic]
 * Flags on the command line are added to it (a flag the file also sets is refused).
 */
export function readSweepFile(path: string): { grid: SweepGrid; objectives?: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HwsimError(`cannot read sweep file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give the path of a .json or .yaml sweep file');
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new HwsimError(`sweep file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`,
      'see docs/SWEEP.md for the sweep file format');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new HwsimError(`sweep file ${path} must hold a mapping (model, axes, fixed, objectives)`, 'see docs/SWEEP.md for an example');
  }
  const f = doc as SweepFile;
  for (const k of Object.keys(f)) {
    if (!FILE_KEYS.includes(k)) throw new HwsimError(`sweep file ${path}: unknown key "${k}"`, `the keys are: ${FILE_KEYS.join(', ')}`);
  }
  if (typeof f.model !== 'string' || f.model === '') {
    throw new HwsimError(`sweep file ${path}: "model" must name the network (a zoo name or a file)`, 'e.g. model: resnet50');
  }
  const grid: SweepGrid = { model: f.model, axes: [], fixed: {}, fixedText: {} };
  for (const [section, must] of [['axes', true], ['fixed', false]] as const) {
    const obj = f[section];
    if (obj === undefined && !must) continue;
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new HwsimError(`sweep file ${path}: "${section}" must map flags to ${section === 'axes' ? 'lists of values' : 'values'}`,
        section === 'axes' ? 'e.g. axes: { states: [32, 64], dram-bw: [1, 2, 4] }' : 'e.g. fixed: { fifo-depth: 256 }');
    }
    for (const [name, raw] of Object.entries(obj)) {
      const flag = resolveFlag(name);
      if (!flag) throw new HwsimError(`sweep file ${path}: "${name}" is not a parameter a sweep can vary`, `the axes are: ${flagList()}`);
      if (section === 'fixed' && Array.isArray(raw)) {
        throw new HwsimError(`sweep file ${path}: fixed "${name}" is a list`, `move it under axes, or give one value`);
      }
      addSetting(grid, flag, raw, `sweep file ${path}`);
    }
  }
  let objectives: string[] | undefined;
  if (f.objectives !== undefined) {
    if (!Array.isArray(f.objectives) || f.objectives.some((o) => typeof o !== 'string')) {
      throw new HwsimError(`sweep file ${path}: "objectives" must be a list of names`, 'e.g. objectives: [latency, memory, traffic]');
    }
    objectives = f.objectives as string[];
  }
  return { grid, objectives };
}

/** The file's grid with the command line's settings added. */
export function mergeGrids(file: SweepGrid, flags: SweepGrid, path: string): SweepGrid {
  const out: SweepGrid = { model: file.model, axes: [...file.axes], fixed: { ...file.fixed }, fixedText: { ...file.fixedText } };
  for (const a of flags.axes) {
    if (out.axes.some((b) => b.flag === a.flag) || out.fixedText[a.flag] !== undefined) {
      throw new HwsimError(`--${a.flag} is set both in ${path} and on the command line`, 'set it in one place');
    }
    out.axes.push(a);
  }
  for (const [flag, text] of Object.entries(flags.fixedText)) {
    if (out.axes.some((b) => b.flag === flag) || out.fixedText[flag] !== undefined) {
      throw new HwsimError(`--${flag} is set both in ${path} and on the command line`, 'set it in one place');
    }
    out.fixedText[flag] = text;
  }
  Object.assign(out.fixed, flags.fixed);
  return out;
}

export function pointCount(grid: SweepGrid): number {
  return grid.axes.reduce((a, x) => a * x.values.length, 1);
}

/** Every design point of the grid, the first axis varying slowest. */
export function expandGrid(grid: SweepGrid): DesignPoint[] {
  const n = pointCount(grid);
  if (n > MAX_POINTS) {
    throw new HwsimError(`the grid has ${n.toLocaleString('en-US')} design points, more than ${MAX_POINTS.toLocaleString('en-US')}`,
      'sweep fewer values, or split the sweep into several grids');
  }
  const out: DesignPoint[] = [];
  for (let index = 0; index < n; index++) {
    const axes: Record<string, string> = {};
    const set: Record<string, ParamValue> = { ...grid.fixed };
    let rest = index;
    for (let a = grid.axes.length - 1; a >= 0; a--) {
      const axis = grid.axes[a];
      const v = axis.values[rest % axis.values.length];
      rest = Math.floor(rest / axis.values.length);
      axes[axis.flag] = v.text;
      Object.assign(set, v.set);
    }
    // axis order in the record follows the grid, not the loop above
    const ordered: Record<string, string> = {};
    for (const axis of grid.axes) ordered[axis.flag] = axes[axis.flag];
    out.push({ index, axes: ordered, set });
  }
  return out;
}

/** A description of the grid that two shards of one sweep share exactly (what `sweep merge` compares). */
export function gridRecord(grid: SweepGrid): { model: string; axes: Record<string, string[]>; fixed: Record<string, string> } {
  return {
    model: grid.model,
    axes: Object.fromEntries(grid.axes.map((a) => [a.flag, a.values.map((v) => v.text)])),
    fixed: Object.fromEntries(Object.entries(grid.fixedText).sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function gridHash(record: ReturnType<typeof gridRecord>, extra: unknown): string {
  return createHash('sha256').update(JSON.stringify({ record, extra })).digest('hex').slice(0, 16);
}

/** `--shard 2/8` → { index: 2, count: 8 } (1-based index). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new HwsimError(`--shard ${text} is not i/n`, 'write the shard as i/n with 1 <= i <= n, e.g. --shard 1/4');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && count <= 100000 && index >= 1 && index <= count)) {
    throw new HwsimError(`--shard ${text}: the shard index must be 1..n and n at most 100000`, `e.g. --shard 1/${Math.max(1, Math.min(count, 100000)) || 4}`);
  }
  return { index, count };
}
