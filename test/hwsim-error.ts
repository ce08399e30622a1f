import { HwsimError } from '../src/errors.js';

/** The HwsimError `f` throws (any other error is rethrown; no error at all fails the test). */
export function hwsimError(f: () => unknown): HwsimError {
  try {
    f();
  } catch (e) {
    if (e instanceof HwsimError) return e;
    throw e;
  }
  throw new Error('expected a HwsimError');
}
