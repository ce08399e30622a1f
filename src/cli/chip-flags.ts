/** The chip's flags on a command (`hwsim run`, `hwsim config`): --config and one flag per chip parameter. */
import type { Argv } from 'yargs';
import { addParamOptions } from '../params/cli.js';

export function chipOptions<T>(y: Argv<T>): Argv<T> {
  return addParamOptions(
    y.option('config', { type: 'string', describe: 'JSON chip config (see `hwsim config --print --json`); flags override it' }),
    'run', (p) => p.groups.includes('chip'));
}
