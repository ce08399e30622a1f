/**
 * The CLI face of the declaration: yargs options for a command, and the validated values read back
 * from its argv. Help text, ranges and defaults come from the declaration; so do the errors.
 */
import type { Argv } from 'yargs';
import { HwsimError } from '../errors.js';
import type { ChipConfig, CodecParams, TansEngineParams, WmEngineParams } from './generated-types.js';
import { paramsOn } from './lookup.js';
import { resolveEngineParams, resolveWmEngineParams, validateCodecParams } from './groups.js';
import { defaultOf, describeAllowed, FACE_GROUP, flagOf, keyOf, type Face, type ParamDecl, type ParamValue } from './schema.js';
import { checkParam } from './validate.js';

type Filter = (p: ParamDecl) => boolean;
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parameters of a face grouped by flag: two parameters sharing one flag are an RxC pair (--mac). */
function flagsOn(face: Face, filter: Filter = () => true): Map<string, ParamDecl[]> {
  const out = new Map<string, ParamDecl[]>();
  for (const p of paramsOn(face).filter(filter)) {
    const f = flagOf(p, face);
    out.set(f, [...(out.get(f) ?? []), p]);
  }
  return out;
}

function helpText(ps: readonly ParamDecl[], face: Face): string {
  const group = FACE_GROUP[face];
  const [p] = ps;
  if (ps.length === 2) {
    return `${ps.map((x) => x.name).join(' x ')} as RxC, each ${describeAllowed(p)}` +
      ` (default ${defaultOf(ps[0], group)}x${defaultOf(ps[1], group)})`;
  }
  const d = defaultOf(p, group);
  const list = p.listOn?.includes(face) ? '; a comma list (e.g. 64,128) sweeps' : '';
  const dflt = d === undefined ? '' : p.defaultUnless ? ` (default ${d} without --${p.defaultUnless})` : ` (default ${d})`;
  return `${p.help}${list} [${describeAllowed(p)}${p.unit ? `; ${p.unit}` : ''}]${dflt}`;
}

/** Registers one option per flag of `face` (optionally only the parameters `filter` keeps). */
export function addParamOptions<T>(y: Argv<T>, face: Face, filter?: Filter): Argv<T> {
  let out = y;
  for (const [flag, ps] of flagsOn(face, filter)) {
    const p = ps[0];
    const type = ps.length > 1 || p.listOn?.includes(face) || p.type === 'enum' ? 'string'
      : p.type === 'boolean' ? 'boolean' : 'number';
    const alias = flag === flagOf(p) ? p.alias : undefined;
    out = out.option(flag, { type, describe: helpText(ps, face), ...(alias ? { alias } : {}) });
  }
  return out;
}

function argvValue(argv: Readonly<Record<string, unknown>>, flag: string): unknown {
  return argv[camel(flag)] ?? argv[flag];
}

/** "16x16" (or "16") → both values of an RxC flag, each checked against its declaration. */
export function parsePairFlag(flag: string, ps: readonly ParamDecl[], text: string, face: Face): Record<string, number> {
  const m = /^\s*(\d+)\s*(?:[x×*]\s*(\d+))?\s*$/i.exec(String(text));
  const group = FACE_GROUP[face];
  const example = `--${flag} ${defaultOf(ps[0], group)}x${defaultOf(ps[1], group)}`;
  if (!m) throw new HwsimError(`--${flag} ${text} is not RxC`, `write it as rows x columns, e.g. ${example} or --${flag} 32x8`);
  const vals = [Number(m[1]), Number(m[2] ?? m[1])];
  const out: Record<string, number> = {};
  ps.forEach((p, i) => {
    try {
      checkParam(p, vals[i], { face });
    } catch {
      throw new HwsimError(`--${flag} ${text}: ${p.name} must be ${describeAllowed(p)}`, `e.g. ${example}`);
    }
    out[p.name] = vals[i];
  });
  return out;
}

/**
 * The values given on `face`, checked, keyed by declaration name (absent flags are left out).
 * Sweep flags (listOn) give arrays of checked values.
 */
export function paramValuesFrom(argv: Readonly<Record<string, unknown>>, face: Face, filter?: Filter): Record<string, ParamValue | ParamValue[]> {
  const out: Record<string, ParamValue | ParamValue[]> = {};
  for (const [flag, ps] of flagsOn(face, filter)) {
    const v = argvValue(argv, flag);
    if (v === undefined) continue;
    if (ps.length > 1) {
      Object.assign(out, parsePairFlag(flag, ps, String(v), face));
      continue;
    }
    const p = ps[0];
    if (p.listOn?.includes(face)) {
      out[p.name] = String(v).split(',').map((s) => {
        const n = s.trim() === '' ? Number.NaN : Number(s);
        return checkParam(p, Number.isNaN(n) ? s.trim() : n, { face });
      });
    } else {
      out[p.name] = checkParam(p, v, { face });
    }
  }
  return out;
}

/** Values keyed as in the face's group (the chip's `decoders` for `streams`). */
export function groupValuesFrom(argv: Readonly<Record<string, unknown>>, face: Face, filter?: Filter): Record<string, ParamValue> {
  const group = FACE_GROUP[face];
  const byName = paramValuesFrom(argv, face, filter);
  const out: Record<string, ParamValue> = {};
  for (const p of paramsOn(face)) if (byName[p.name] !== undefined) out[keyOf(p, group)] = byName[p.name] as ParamValue;
  return out;
}

const notChip: Filter = (p) => !p.groups.includes('chip');
const codecOnly: Filter = (p) => p.groups.includes('codec');

/**
 * The codec flags of `encode` or `run`. On `run` the stream count is the chip's --decoders, which
 * chipOptions registers, so it is left out here.
 */
export function codecParamOptions<T>(y: Argv<T>, face: 'encode' | 'run'): Argv<T> {
  return addParamOptions(y, face, face === 'run' ? (p) => codecOnly(p) && notChip(p) : codecOnly);
}

/**
 * Checked codec parameters from the argv of `encode` or `run`, defaults filled, cross-field rules
 * applied. On `run` the stream count is the resolved chip's decoder count (it may come from
 * --config), so pass the chip config there.
 */
export function codecParamsFrom(argv: Readonly<Record<string, unknown>>, face: 'encode' | 'run', chip?: Pick<ChipConfig, 'decoders'>): CodecParams {
  const given = paramValuesFrom(argv, face, codecOnly) as Partial<CodecParams>;
  if (face === 'run' && chip) given.streams = chip.decoders;
  return validateCodecParams(given, face);
}

/** The codec flags given on the command line of `face` (for refusing them where they cannot apply). */
export function givenCodecFlags(argv: Readonly<Record<string, unknown>>, face: 'encode' | 'run'): string[] {
  return Object.keys(paramValuesFrom(argv, face, face === 'run' ? (p) => codecOnly(p) && notChip(p) : codecOnly))
    .map((name) => `--${flagOf(paramsOn(face).find((p) => p.name === name)!, face)}`);
}

/** The engine flags of rtl / cosim / synth: the tANS engine's, then the wm query unit's own. */
export function engineParamOptions<T>(y: Argv<T>, face: 'rtl' | 'cosim' | 'synth'): Argv<T> {
  return addParamOptions(addParamOptions(y, face, (p) => p.groups.includes('engine')), face, wmOnly);
}

const wmOnly: Filter = (p) => p.groups.includes('wm') && !p.groups.includes('engine');

/**
 * Refuses the flags of the other block (`hwsim rtl tans --lanes 4`): a flag that does nothing must
 * not pass silently.
 */
export function refuseOtherBlockFlags(argv: Readonly<Record<string, unknown>>, face: 'rtl' | 'cosim' | 'synth', block: 'tans' | 'wm'): void {
  const other: Filter = block === 'tans' ? wmOnly : (p) => p.groups.includes('engine') && !p.groups.includes('wm');
  const given = Object.keys(paramValuesFrom(argv, face, other));
  if (given.length === 0) return;
  const flags = given.map((name) => `--${flagOf(paramsOn(face).find((p) => p.name === name)!, face)}`);
  throw new HwsimError(`${flags.join(', ')} ${flags.length > 1 ? 'are flags' : 'is a flag'} of ${block === 'tans' ? 'the wm query unit' : 'the tANS engine'}, not of ${block}`,
    `leave ${flags.join(', ')} out, or run \`hwsim ${face} ${block === 'tans' ? 'wm' : 'tans'}\``);
}

/** Checked wm query unit parameters from the argv of rtl / cosim. */
export function wmEngineParamsFrom(argv: Readonly<Record<string, unknown>>, face: 'rtl' | 'cosim'): WmEngineParams {
  refuseOtherBlockFlags(argv, face, 'wm');
  return resolveWmEngineParams(paramValuesFrom(argv, face, (p) => p.groups.includes('wm')) as Partial<WmEngineParams>, face);
}

/** Every wm configuration of a synth sweep (`hwsim synth wm --lanes 1,2`), each checked first. */
export function wmSweepFrom(argv: Readonly<Record<string, unknown>>, face: 'synth'): WmEngineParams[] {
  refuseOtherBlockFlags(argv, face, 'wm');
  const given = paramValuesFrom(argv, face, (p) => p.groups.includes('wm'));
  let configs: Record<string, ParamValue>[] = [{}];
  for (const [name, v] of Object.entries(given)) {
    const vs = Array.isArray(v) ? v : [v];
    configs = configs.flatMap((c) => vs.map((x) => ({ ...c, [name]: x })));
  }
  return configs.map((c) => resolveWmEngineParams(c as Partial<WmEngineParams>, face));
}

/** Checked engine parameters from the argv of rtl / cosim. */
export function engineParamsFrom(argv: Readonly<Record<string, unknown>>, face: 'rtl' | 'cosim'): TansEngineParams {
  refuseOtherBlockFlags(argv, face, 'tans');
  return resolveEngineParams(paramValuesFrom(argv, face, (p) => p.groups.includes('engine')) as Partial<TansEngineParams>, face);
}

/**
 * Every configuration of a sweep (`hwsim synth --states 64,128 --streams 1,4`), each value checked
 * against the declaration before any configuration is built.
 */
export function engineSweepFrom(argv: Readonly<Record<string, unknown>>, face: 'synth'): TansEngineParams[] {
  refuseOtherBlockFlags(argv, face, 'tans');
  const given = paramValuesFrom(argv, face, (p) => p.groups.includes('engine'));
  let configs: Record<string, ParamValue>[] = [{}];
  for (const [name, v] of Object.entries(given)) {
    const vs = Array.isArray(v) ? v : [v];
    configs = configs.flatMap((c) => vs.map((x) => ({ ...c, [name]: x })));
  }
  return configs.map((c) => resolveEngineParams(c as Partial<TansEngineParams>, face));
}
