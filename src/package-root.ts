/**
 * The directory holding hwsim's own package.json: the checkout, or node_modules/hwsim when installed.
 * Run-time files (rtl-templates/) are found from here; src/ need not exist (an installed package has dist/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HwsimError } from './errors.js';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hwsim') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new HwsimError('cannot find the hwsim package (no package.json named "hwsim" above the running code)', 'reinstall hwsim');
    dir = up;
  }
}
