/**
 * The one error type hwsim raises for bad input. The CLI prints `message` (what is wrong) and
 * `fix` (what to do about it) without a stack trace; anything else that escapes is a bug.
 */
export class HwsimError extends Error {
  constructor(message: string, readonly fix?: string) {
    super(message);
    this.name = 'HwsimError';
  }
}

/** Throws a HwsimError when `cond` is false. */
export function check(cond: unknown, message: string, fix?: string): asserts cond {
  if (!cond) throw new HwsimError(message, fix);
}
