/** Finding declarations: by name, by group, by face, and a group's defaults. */
import { HwsimError } from '../errors.js';
import { PARAMS } from './declaration.js';
import { defaultOf, keyOf, type Face, type Group, type ParamDecl, type ParamValue } from './schema.js';

export function param(name: string): ParamDecl {
  const p = PARAMS.find((x) => x.name === name);
  if (!p) throw new HwsimError(`no parameter "${name}" is declared`, 'see src/params/declaration.ts');
  return p;
}

/** A group's parameters, in declaration order. */
export function paramsOf(group: Group): ParamDecl[] {
  return PARAMS.filter((p) => p.groups.includes(group));
}

/** The parameters a face takes, in declaration order. */
export function paramsOn(face: Face): ParamDecl[] {
  return PARAMS.filter((p) => p.faces.includes(face));
}

/** The group's object of defaults, keyed as in the group (optional parameters left out). */
export function groupDefaults(group: Group): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of paramsOf(group)) {
    const d = defaultOf(p, group);
    if (d !== undefined && p.defaultUnless === undefined) out[keyOf(p, group)] = d;
  }
  return out;
}

/** The declaration behind a key of a group's object (`decoders` in the chip is `streams`). */
export function paramByKey(group: Group, key: string): ParamDecl | undefined {
  return paramsOf(group).find((p) => keyOf(p, group) === key);
}
