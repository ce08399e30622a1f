/** Runs a bench's main() when its file is the one node was started with; bad input → "error: … fix: …", exit 2. */
import { HwsimError } from '../src/errors.js';

export function runIfEntry(moduleUrl: string, main: (argv: string[]) => void): void {
  if (!process.argv[1] || !moduleUrl.endsWith(process.argv[1].replace(/.*\/dist\//, '/dist/'))) return;
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof HwsimError)) throw e;
    process.stderr.write(`error: ${e.message}\n  fix: ${e.fix ?? ''}\n`);
    process.exitCode = 2;
  }
}
