/**
 * Reading a command's input file and writing the files it produces: a failure is a HwsimError
 * naming the path and the cause. An output is written to a temporary file beside it and renamed
 * into place only once it is complete, so that a failed write (a full disk, a killed process)
 * leaves the previous file as it was; an output that is one of the command's inputs is refused.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { HwsimError } from '../errors.js';

export interface WriteOptions {
  /** the command's input files: the output may not be any of them */
  inputs?: readonly string[];
  /** writes the temporary file (tests inject a failing one to simulate a full disk) */
  writeFile?: (path: string, data: string | Uint8Array) => void;
}

/** The temporary file an output is written to before it is renamed into place. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

export function writeOutput(path: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  if (opts.inputs) refuseInputAsOutput(path, opts.inputs);
  const tmp = tempPathFor(path);
  try {
    (opts.writeFile ?? writeFileSync)(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* it was never created, or is gone already */ }
    const code = errnoOf(err);
    throw new HwsimError(`cannot write ${path}: ${code}${code === 'ENOSPC' ? ' (disk full)' : ''}; ${existsAsFile(path) ? 'the previous file is unchanged' : 'nothing was written'}`,
      code === 'ENOENT' ? `create the directory ${dirname(path)} first, or give another path`
        : code === 'EISDIR' ? `${path} is a directory: give a file name` : 'give a path in a writable directory with free space');
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (Node 20's mkdirSync(…, { recursive })
 * loops forever on a path such as /proc/x, where mkdir answers ENOENT under an existing parent).
 * `what` names the option the directory came from, for the error (`--out`).
 */
export function ensureDirectory(dir: string, what = 'the output directory'): void {
  const missing: string[] = [];
  let p = resolve(dir);
  while (!existsSync(p)) {
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  if (existsSync(p) && !statSync(p).isDirectory()) {
    throw new HwsimError(`cannot write to ${dir}: ${p} is an existing file, not a directory`, `give ${what} a directory (it is created if missing)`);
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw new HwsimError(`cannot create the directory ${d}: ${code}`, `give ${what} a directory in a place you can write to`);
    }
  }
}

function existsAsFile(path: string): boolean {
  try { return statSync(path).isFile(); } catch { return false; }
}

/** The identity of a file when it exists: device and inode (the same file under any name or link). */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** Where a path leads once its folder's symlinks are resolved (the path itself need not exist). */
function canonical(path: string): string {
  const abs = resolve(path);
  try { return realpathSync(abs); } catch { /* not there yet */ }
  try { return join(realpathSync(dirname(abs)), basename(abs)); } catch { return abs; }
}

/**
 * Refuses an output path that is one of the inputs (`encode self.npy -o self.npy`): the same
 * device and inode when the output exists, else the same canonical path.
 */
export function refuseInputAsOutput(output: string, inputs: readonly string[]): void {
  const outId = identity(output);
  const outPath = canonical(output);
  for (const input of inputs) {
    const inId = identity(input);
    if (inId === undefined) continue; // not a file (a zoo name): nothing to clobber
    if ((outId !== undefined && outId === inId) || canonical(input) === outPath) {
      throw new HwsimError(`the output ${output} is the input file ${input}: writing it would destroy the input`,
        'give -o another path');
    }
  }
}

export function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new HwsimError(`cannot read ${path}: ${errnoOf(err)}`, 'check the path');
  }
}

/**
 * A command's string argument given once: yargs turns a repeated option into an array and a
 * bare `--flag` into a boolean (main.ts refuses those first; this keeps each command safe alone).
 */
export function oneString(value: unknown, flag: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value)) throw new HwsimError(`${flag} given ${value.length} times (${value.join(', ')})`, `give ${flag} once`);
  throw new HwsimError(`${flag} needs a path, got ${JSON.stringify(value)}`, `give ${flag} <path>`);
}

/** A command's switch: true or false, nothing else. */
export function oneSwitch(value: unknown, flag: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new HwsimError(`${flag} is a switch, got ${JSON.stringify(value)}`, `write ${flag} alone`);
}
