/** The progress line of `hwsim run`: stderr only when it is a TTY, never under --quiet, after 1 s. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/report/progress.js';

function fakeStream(isTTY: boolean) {
  const s = { isTTY, columns: 60, text: '', write(x: string) { s.text += x; return true; } };
  return s;
}

describe('progress line', () => {
  it('writes on a TTY after the delay and clears the line when done', () => {
    const s = fakeStream(true);
    const p = new Progress(false, 0, s as unknown as NodeJS.WriteStream);
    p.update('simulating layer 3/54');
    expect(s.text).toMatch(/^\rsimulating layer 3\/54 \(\d+\.\d s\)/);
    p.done();
    expect(s.text.endsWith('\r')).toBe(true);
  });
  it('is silent when stderr is not a TTY, under --quiet, or before the delay', () => {
    for (const [tty, quiet, delay] of [[false, false, 0], [true, true, 0], [true, false, 60_000]] as const) {
      const s = fakeStream(tty);
      const p = new Progress(quiet, delay, s as unknown as NodeJS.WriteStream);
      p.update('x');
      p.done();
      expect(s.text).toBe('');
    }
  });
});
