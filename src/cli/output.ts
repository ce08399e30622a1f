/** Writing the files a command produces: a failure is a HwsimError naming the path and the cause. */
import { writeFileSync } from 'node:fs';
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
