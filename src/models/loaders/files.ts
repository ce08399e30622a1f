/**
 * Reading the files a model consists of, safely: only regular files (a device such as /dev/zero
 * would be read forever, a FIFO blocks forever), and the files a model file references (tfjs
 * shards) only inside the model's folder, after symlinks.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { HwsimError } from '../../errors.js';

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses `path` when it exists and is not a regular file (after symlinks), before anything looks
 * at its name or opens it. A path that cannot be inspected is left to the reader to report.
 */
export function requireRegularFile(path: string, name: string, fix: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (!st.isFile()) throw new HwsimError(`${name} is ${kindOf(st)}, not a regular file: hwsim reads only regular files`, fix);
}

/**
 * The bytes of the regular file `path`. The file is opened without blocking (a FIFO would block
 * the open itself) and checked on the open descriptor, so it cannot be swapped between the check
 * and the read. `name` is how errors call it, `fix` what to do when it cannot be read, `unreadable`
 * the message for an error code (ENOENT, EACCES, ...).
 */
export function readRegularFile(
  path: string, name: string, fix: string, unreadable = (code: string) => `cannot read ${name}: ${code}`,
): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new HwsimError(unreadable((err as NodeJS.ErrnoException).code ?? String(err)), fix);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new HwsimError(`${name} is ${kindOf(st)}, not a regular file: hwsim reads only regular files`, fix);
    }
    return new Uint8Array(readFileSync(fd));
  } catch (err) {
    if (err instanceof HwsimError) throw err;
    throw new HwsimError(unreadable((err as NodeJS.ErrnoException).code ?? String(err)), fix);
  } finally {
    closeSync(fd);
  }
}

/**
 * The path of `ref`, a file named inside the model file `modelPath`, after checking that it lies
 * inside the model's folder once symlinks are resolved (the folder's too). Refused by name when not.
 * A file that does not exist is returned as is (reading it then fails with ENOENT).
 */
export function confinedPath(modelPath: string, ref: string, what: string): string {
  const folder = dirname(resolve(modelPath));
  const outside = (): never => {
    throw new HwsimError(`${modelPath} names ${ref}, which is outside the model's folder (${folder})`,
      `a model's ${what} must lie in its folder (or below it): copy the file there and name it relative to the model file`);
  };
  if (isAbsolute(ref)) outside();
  const file = resolve(folder, ref);
  let realFolder: string, realFile: string;
  try {
    realFolder = realpathSync(folder);
  } catch {
    return file;
  }
  try {
    realFile = realpathSync(file);
  } catch {
    // missing (or a dangling link): judge the name itself; reading it fails with ENOENT
    realFile = resolve(realFolder, ref);
  }
  const rel = relative(realFolder, realFile);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) outside();
  return file;
}
