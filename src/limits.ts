/**
 * Ceilings on what an input may make hwsim allocate or run, checked from headers before anything
 * is allocated. An input beyond a limit is refused with the size it asks for and the limit; a user
 * who means it raises the limit (`--max-weights` etc. on run and encode; `setLimits` in the
 * library). The limits are declared once, with their defaults and help, in
 * src/params/declaration.ts (no group: they belong to no chip, codec or engine).
 */
import { HwsimError } from './errors.js';
import { PARAMS } from './params/declaration.js';
import type { ParamDecl } from './params/schema.js';

export interface Limits {
  /** weights in one model (all tensors of a file, all layers), and so in one decoded container */
  maxWeights: number;
  /** weight layers in one model */
  maxLayers: number;
  /** bytes inflated from the compressed parts of one input file (all .npz members; a container trailer) */
  maxInflateBytes: number;
  /** elements of one layer's ifmap (H × W × C × repeat) */
  maxIfmapElements: number;
}

const LIMIT_NAMES: readonly (keyof Limits)[] = ['maxWeights', 'maxLayers', 'maxInflateBytes', 'maxIfmapElements'];
export const isLimit = (p: ParamDecl): boolean => (LIMIT_NAMES as readonly string[]).includes(p.name);

function declaredDefault(name: keyof Limits): number {
  const p = PARAMS.find((x) => x.name === name);
  if (!p || typeof p.default !== 'number') throw new Error(`limit ${name} is not declared with a number default in src/params/declaration.ts`);
  return p.default;
}

/** The defaults, as declared in src/params/declaration.ts. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze(
  Object.fromEntries(LIMIT_NAMES.map((n) => [n, declaredDefault(n)])) as unknown as Limits);

let current: Limits = { ...DEFAULT_LIMITS };

export function limits(): Readonly<Limits> {
  return current;
}

/** Replaces some limits (the CLI's flags, a library caller); the rest keep their values. */
export function setLimits(patch: Partial<Limits>): void {
  current = { ...current, ...patch };
}

/** Throws when `asked` exceeds the limit `name`, naming what asked for it. */
export function checkLimit(name: keyof Limits, asked: number, what: string): void {
  const limit = current[name];
  if (!(asked <= limit)) {
    throw new HwsimError(`${what} asks for ${asked.toLocaleString('en-US')} (limit ${name} = ${limit.toLocaleString('en-US')})`,
      `if the input is meant to be this large, raise the limit ${name} (hwsim run/encode: --${kebab(name)}; the library: setLimits)`);
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The limits become the defaults with `given` applied (so nothing leaks from an earlier call in the same process). */
export function resetLimits(given: Partial<Limits> = {}): Readonly<Limits> {
  current = { ...DEFAULT_LIMITS, ...given };
  return current;
}
