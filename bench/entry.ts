/** Runs a bench's main() when its file is the one node was started with; bad input → "error: … fix: …", exit 2. */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { HwsimError } from '../src/errors.js';

/**
 * With `--help` or `-h` in argv: prints the bench's usage, the comment that opens its file, and
 * returns true (the bench then does nothing else).
 */
export function printedHelp(moduleUrl: string, argv: readonly string[]): boolean {
  if (!argv.includes('--help') && !argv.includes('-h')) return false;
  const text = readFileSync(fileURLToPath(moduleUrl), 'utf8');
  const doc = /^\/\*\*([\s\S]*?)\*\//.exec(text);
  const lines = doc ? doc[1].split('\n').map((l) => l.replace(/^ ?\* ?/, '')) : ['(this bench has no usage text)'];
  process.stdout.write(`${lines.join('\n').trim()}\n`);
  return true;
}

export function runIfEntry(moduleUrl: string, main: (argv: string[]) => void): void {
  if (!process.argv[1] || !moduleUrl.endsWith(process.argv[1].replace(/.*\/dist\//, '/dist/'))) return;
  if (printedHelp(moduleUrl, process.argv.slice(2))) return;
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof HwsimError)) throw e;
    process.stderr.write(`error: ${e.message}\n  fix: ${e.fix ?? ''}\n`);
    process.exitCode = 2;
  }
}

/** `--name N` from a bench's argv: a non-negative integer, or `dflt` when the flag is absent. */
export function intFlag(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 0) throw new HwsimError(`--${name} ${i >= 0 ? argv[i + 1] ?? '(no value)' : v} is not a non-negative integer`, `give --${name} a whole number, e.g. --${name} ${dflt}`);
  return v;
}

/** `--name value` from a bench's argv, or `dflt` when the flag is absent. */
export function flag(argv: readonly string[], name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

/** The middle of the sorted timings (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** The machine's load averages (1, 5, 15 min), as a bench prints them beside its timings. */
export function loadAverage(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}
