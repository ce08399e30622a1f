/**
 * Field-level validation against the declaration. An error names where the value came from (a flag
 * of a command, or a field of a config file), the value, the allowed range, and what to give instead.
 */
import { HwsimError } from '../errors.js';
import { paramByKey, paramsOf } from './lookup.js';
import {
  defaultOf, describeAllowed, FACE_GROUP, flagOf, isAllowed, keyOf, suggestValues, type Face, type Group, type ParamDecl, type ParamValue,
} from './schema.js';

/** Where values come from: flags of a face, or a named config file (fields of a group). */
export type Origin = { readonly face: Face } | { readonly file: string; readonly group: Group };

export function describeValue(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v);
}

function unitText(p: ParamDecl): string {
  return p.unit ? ` (${p.unit})` : '';
}

function defaultText(p: ParamDecl, group: Group): string {
  const d = defaultOf(p, group);
  return d === undefined || p.defaultUnless !== undefined ? '' : `, or leave it out for the default ${describeValue(d)}`;
}

/** The error for a value `p` does not allow. */
export function paramError(p: ParamDecl, v: unknown, origin: Origin): HwsimError {
  const allowed = describeAllowed(p);
  if ('face' in origin) {
    const flag = flagOf(p, origin.face);
    const group = FACE_GROUP[origin.face];
    if (typeof v === 'number' && Number.isNaN(v)) return new HwsimError(`--${flag} is not a number`, `give ${allowed}`);
    // yargs turns a flag written twice into an array (the CLI refuses that earlier, by name; this is for other callers)
    if (Array.isArray(v)) return new HwsimError(`--${flag} given ${v.length} times (${v.map(describeValue).join(', ')})`, `give --${flag} once`);
    if (v === '') return new HwsimError(`--${flag} needs a value`, `give ${allowed}${defaultText(p, group)}`);
    return new HwsimError(`--${flag} ${describeValue(v)} is not allowed: ${allowed}${unitText(p)}`,
      `give --${flag} ${suggestValues(p) ? `one of ${suggestValues(p)}` : allowed}${defaultText(p, group)}`);
  }
  const key = keyOf(p, origin.group);
  return new HwsimError(`${origin.file}: field "${key}" is ${describeValue(v)}, allowed is ${allowed}${unitText(p)}`,
    `set "${key}" to ${allowed}${defaultText(p, origin.group)}`);
}

export function checkParam(p: ParamDecl, v: unknown, origin: Origin): ParamValue {
  if (!isAllowed(p, v)) throw paramError(p, v, origin);
  return v as ParamValue;
}

/**
 * `base` with every defined field of `patch` checked and applied; keys are the group's keys. An
 * unknown key is an error (a misspelt field would otherwise be ignored without a word).
 */
export function applyFields<T extends object>(group: Group, base: T, patch: Readonly<Record<string, unknown>>, origin: Origin): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const p = paramByKey(group, k);
    if (!p) {
      const where = 'file' in origin ? origin.file : 'flags';
      throw new HwsimError(`${where}: unknown field "${k}"`,
        `the ${group} fields are: ${paramsOf(group).map((x) => keyOf(x, group)).join(', ')}`);
    }
    out[k] = checkParam(p, v, origin);
  }
  return out as T;
}
