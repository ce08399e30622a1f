/** Reading a command's input file and writing the files it produces: a failure is a HwsimError naming the path and the cause. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HwsimError } from '../errors.js';

export function writeOutput(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new HwsimError(`cannot write ${path}: ${code}`,
      code === 'ENOENT' ? `create the directory ${dirname(path)} first, or give another path` : 'give a path in a writable directory');
  }
}

export function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new HwsimError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'check the path');
  }
}
