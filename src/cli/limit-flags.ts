/** The input limits on a command that reads models (`--max-weights`, ...), from the declaration. */
import type { Argv } from 'yargs';
import { isLimit, resetLimits, type Limits } from '../limits.js';
import { addParamOptions, paramValuesFrom } from '../params/cli.js';

export function limitOptions<T>(y: Argv<T>, face: 'run' | 'encode'): Argv<T> {
  return addParamOptions(y, face, isLimit);
}

/** What a command calls before it reads any input: the default limits with the flags given applied. */
export function applyLimitFlags(argv: Readonly<Record<string, unknown>>, face: 'run' | 'encode'): void {
  resetLimits(paramValuesFrom(argv, face, isLimit) as Partial<Limits>);
}
