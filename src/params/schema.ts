/**
 * The shape of a parameter declaration, and what follows from one declaration alone: the text of
 * its allowed range and the check of a single value. Everything else (flags, config JSON, docs,
 * Verilog checks, TypeScript types) is built on these two functions, so they cannot disagree.
 */

/** Where a parameter is given: the hwsim commands (and the library calls behind them). */
export type Face = 'run' | 'encode' | 'config' | 'rtl' | 'cosim' | 'synth';
export const FACES: readonly Face[] = ['run', 'encode', 'config', 'rtl', 'cosim', 'synth'];

/** The typed objects parameters are grouped into: ChipConfig, CodecParams, TansEngineParams, WmEngineParams. */
export type Group = 'chip' | 'codec' | 'engine' | 'wm';
export const GROUPS: readonly Group[] = ['chip', 'codec', 'engine', 'wm'];

/** The group whose values (defaults, keys) a face works with. */
export const FACE_GROUP: Readonly<Record<Face, Group>> = {
  run: 'chip', config: 'chip', encode: 'codec', rtl: 'engine', cosim: 'engine', synth: 'engine',
};

interface Common {
  /** camelCase key in config JSON and TypeScript */
  readonly name: string;
  /** a different key inside one group (the chip calls its stream count `decoders`) */
  readonly keyIn?: Partial<Record<Group, string>>;
  readonly groups: readonly Group[];
  readonly faces: readonly Face[];
  /** CLI flag without dashes; default: the kebab-case name */
  readonly flag?: string;
  /** a different flag on some faces (`--decoders` on run/config for the stream count) */
  readonly flagOn?: Partial<Record<Face, string>>;
  /** one-letter alias, where the face uses the default flag */
  readonly alias?: string;
  /** Verilog parameter (UpperCamelCase) where the RTL has one */
  readonly verilog?: string;
  readonly unit: string;
  readonly help: string;
  /** docs: why the default is what it is */
  readonly why?: string;
  /** faces on which a comma list of values is a sweep (`hwsim synth --states 64,128`) */
  readonly listOn?: readonly Face[];
  /** text added to the allowed range for a rule that involves other fields */
  readonly crossRule?: string;
  /** the default applies only when this other parameter is absent (a budget vs a fixed bin count) */
  readonly defaultUnless?: string;
}

export interface IntParam extends Common {
  readonly type: 'int';
  readonly default?: number;
  readonly defaultIn?: Partial<Record<Group, number>>;
  readonly min: number;
  readonly max: number;
  readonly pow2?: boolean;
  readonly multipleOf?: number;
  readonly odd?: boolean;
  readonly choices?: readonly number[];
}

export interface NumberParam extends Common {
  readonly type: 'number';
  readonly default?: number;
  readonly defaultIn?: Partial<Record<Group, number>>;
  readonly min: number;
  /** min itself is not allowed (a bandwidth > 0) */
  readonly minExclusive?: boolean;
  readonly max?: number;
  /** values are used rounded to this step; one that rounds to an excluded min is refused */
  readonly resolution?: number;
}

export interface EnumParam extends Common {
  readonly type: 'enum';
  readonly default: string;
  readonly defaultIn?: Partial<Record<Group, string>>;
  readonly choices: readonly string[];
}

export interface BooleanParam extends Common {
  readonly type: 'boolean';
  readonly default: boolean;
  readonly defaultIn?: Partial<Record<Group, boolean>>;
}

export type ParamDecl = IntParam | NumberParam | EnumParam | BooleanParam;
export type ParamValue = number | string | boolean;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag of a parameter on a face, without dashes. */
export function flagOf(p: ParamDecl, face?: Face): string {
  return (face && p.flagOn?.[face]) ?? p.flag ?? kebab(p.name);
}

/** The key of a parameter inside a group's object. */
export function keyOf(p: ParamDecl, group: Group): string {
  return p.keyIn?.[group] ?? p.name;
}

/** The default inside a group; undefined for a parameter that is optional (absent unless given). */
export function defaultOf(p: ParamDecl, group: Group): ParamValue | undefined {
  return (p.defaultIn as Partial<Record<Group, ParamValue>> | undefined)?.[group] ?? p.default;
}

function listWords(xs: readonly (string | number)[]): string {
  return xs.join(', ');
}

/** "an integer 1..64", "a power of two in 32..4096", "one of ws, os, is": the allowed set, in words. */
export function describeAllowed(p: ParamDecl): string {
  let s: string;
  switch (p.type) {
    case 'boolean': s = 'true or false'; break;
    case 'enum': s = `one of ${listWords(p.choices)}`; break;
    case 'int':
      if (p.choices) s = p.choices.length === 1 ? `${p.choices[0]}` : `one of ${listWords(p.choices)}`;
      else if (p.pow2) s = `a power of two in ${p.min}..${p.max}`;
      else if (p.multipleOf) s = `a multiple of ${p.multipleOf} in ${p.min}..${p.max}`;
      else if (p.odd) s = `an odd integer in ${p.min}..${p.max}`;
      else s = `an integer ${p.min}..${p.max}`;
      break;
    case 'number':
      s = `a number ${p.minExclusive ? '>' : '>='} ${p.min}${p.max === undefined ? '' : ` and <= ${p.max}`}` +
        (p.resolution ? ` (resolution ${p.resolution})` : '');
      break;
  }
  return p.crossRule ? `${s}, ${p.crossRule}` : s;
}

/** The values to suggest in a fix, when there are few enough to list. */
export function suggestValues(p: ParamDecl): string | undefined {
  if (p.type === 'enum') return listWords(p.choices);
  if (p.type !== 'int') return undefined;
  if (p.choices) return p.choices.length > 1 ? listWords(p.choices) : undefined;
  if (p.pow2) {
    const vs: number[] = [];
    for (let v = p.min; v <= p.max; v *= 2) vs.push(v);
    return vs.length <= 12 ? listWords(vs) : undefined;
  }
  return undefined;
}

const isPow2 = (v: number) => v > 0 && (v & (v - 1)) === 0;

/** True when `v` is an allowed value of `p` (type and range; cross-field rules are not checked here). */
export function isAllowed(p: ParamDecl, v: unknown): boolean {
  switch (p.type) {
    case 'boolean': return typeof v === 'boolean';
    case 'enum': return typeof v === 'string' && p.choices.includes(v);
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < p.min || v > p.max) return false;
      if (p.choices && !p.choices.includes(v)) return false;
      if (p.pow2 && !isPow2(v)) return false;
      if (p.multipleOf && v % p.multipleOf !== 0) return false;
      if (p.odd && v % 2 === 0) return false;
      return true;
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      if (p.max !== undefined && v > p.max) return false;
      const used = p.resolution ? Math.round(v / p.resolution) * p.resolution : v;
      return p.minExclusive ? v > p.min && used > p.min : v >= p.min;
    }
  }
}
