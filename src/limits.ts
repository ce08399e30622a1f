/**
 * Ceilings on what an input may make hwsim allocate or run, checked from headers before anything
 * is allocated. An input beyond a limit is refused with the size it asks for and the limit; a user
 * who means it raises the limit.
 */
import { HwsimError } from './errors.js';

export interface Limits {
  /** weights in one model (all layers), and so in one decoded container */
  maxWeights: number;
  /** weight layers in one model */
  maxLayers: number;
  /** bytes inflated from one compressed entry (.npz member, container trailer) */
  maxInflateBytes: number;
  /** elements of one layer's ifmap (H × W × C × repeat) */
  maxIfmapElements: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxWeights: 1 << 30,        // 4 GiB of float32: far beyond any edge network (ResNet-50: 25.5 M)
  maxLayers: 100_000,
  maxInflateBytes: 4 * 2 ** 30,
  maxIfmapElements: 1 << 30,
});

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
  if (asked > limit) {
    throw new HwsimError(`${what} asks for ${asked.toLocaleString('en-US')} (limit ${name} = ${limit.toLocaleString('en-US')})`,
      `if the input is meant to be this large, raise the limit ${name}`);
  }
}
