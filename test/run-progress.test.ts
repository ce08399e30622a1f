/**
 * The progress of `hwsim run`: a rewritten line on a TTY, a plain line at most every 5 s otherwise,
 * with rate and ETA; silent under --quiet and for runs under 2 s; the estimate of a large run;
 * Ctrl-C while waiting. A fake stream and a fake clock, never real time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { duration, Progress, siNumber } from '../src/report/progress.js';
import { estimateRunCycles, LARGE_RUN_CYCLES, largeRunNotice } from '../src/run.js';
import type { ChipLayer } from '../src/chip/pipeline.js';
import type { ChipConfig } from '../src/chip/config.js';
import { interruptible, INTERRUPTED_EXIT } from '../src/cli/cmd-run.js';

function fakeStream(isTTY: boolean) {
  const s = { isTTY, columns: 100, text: '', write(x: string) { s.text += x; return true; } };
  return s;
}

function fakeClock() {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
}

describe('progress line', () => {
  it('on a TTY: rewrites one line after the delay, and clears it when done', () => {
    const s = fakeStream(true);
    const clock = fakeClock();
    const p = new Progress({ stream: s, now: clock.now });
    p.update('simulating layer 1/54');
    expect(s.text).toBe('');
    clock.t += 2500;
    p.update('simulating layer 3/54');
    expect(s.text).toMatch(/^\rsimulating layer 3\/54 \(3 s\) *$/);
    clock.t += 100;
    p.update('simulating layer 4/54'); // a TTY line is rewritten at every update
    expect(s.text.split('\r')).toHaveLength(3);
    p.done();
    expect(s.text.endsWith('\r')).toBe(true);
  });

  it('not a TTY: a plain line at most every 5 s, with rate and ETA', () => {
    const s = fakeStream(false);
    const clock = fakeClock();
    const p = new Progress({ stream: s, now: clock.now });
    const total = 10e6;
    p.update('simulating resnet50: layer 1/54', { done: 0, total, unit: 'cycles' });
    clock.t += 1000;
    p.update('simulating resnet50: layer 1/54', { done: 1e6, total, unit: 'cycles' });
    expect(s.text).toBe(''); // under 2 s: silent
    clock.t += 1000;
    p.update('simulating resnet50: layer 2/54', { done: 2e6, total, unit: 'cycles' });
    expect(s.text).toBe('hwsim: simulating resnet50: layer 2/54, 2.00 M of ~10.0 M cycles, 1.00 M cycles/s, ETA 8 s (2 s)\n');
    for (let i = 0; i < 4; i++) {
      clock.t += 1000;
      p.update('simulating resnet50: layer 3/54', { done: 3e6 + i, total, unit: 'cycles' });
    }
    expect(s.text.split('\n')).toHaveLength(2); // still one line: 4 s since the last
    clock.t += 1000;
    p.update('simulating resnet50: layer 9/54', { done: 7e6, total, unit: 'cycles' });
    const lines = s.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('hwsim: simulating resnet50: layer 9/54, 7.00 M of ~10.0 M cycles, 1.00 M cycles/s, ETA 3 s (7 s)');
    expect(s.text).not.toMatch(/\r/);
    // past the estimate: no ETA, and the line says so
    clock.t += 6000;
    p.update('simulating resnet50: layer 54/54', { done: 12e6, total, unit: 'cycles' });
    expect(s.text.trimEnd().split('\n')[2]).toMatch(/12\.0 M of ~10\.0 M cycles, 923 k cycles\/s, past the estimate \(13 s\)$/);
    // waiting on work that reports nothing: tick repeats the text, time moving on
    clock.t += 5000;
    p.tick();
    expect(s.text.trimEnd().split('\n')[3]).toBe('hwsim: simulating resnet50: layer 54/54 (18 s)');
    p.done();
    expect(s.text.endsWith('\n')).toBe(true);
  });

  it('is silent under --quiet (notes too) and for a run shorter than 2 s', () => {
    for (const tty of [true, false]) {
      const s = fakeStream(tty);
      const clock = fakeClock();
      const p = new Progress({ quiet: true, stream: s, now: clock.now });
      clock.t += 60_000;
      p.update('x', { done: 1, total: 2, unit: 'cycles' });
      p.note('a long run');
      p.done();
      expect(s.text).toBe('');
      const short = fakeStream(tty);
      const q = new Progress({ stream: short, now: clock.now });
      for (let i = 0; i < 19; i++) {
        clock.t += 100;
        q.update('x', { done: i, total: 100, unit: 'cycles' });
      }
      q.done();
      expect(short.text).toBe('');
    }
  });

  it('a note is a line of its own, clearing a TTY line first', () => {
    const s = fakeStream(true);
    const clock = fakeClock();
    const p = new Progress({ stream: s, now: clock.now });
    clock.t += 3000;
    p.update('simulating');
    p.note('resnet50 takes at least 18.7 G cycles');
    expect(s.text).toMatch(/\r {99}\rhwsim: resnet50 takes at least 18\.7 G cycles\n$/);
  });

  it('formats numbers and durations', () => {
    expect([siNumber(999), siNumber(65_536), siNumber(1.87e9), siNumber(3.58e12)]).toEqual(['999', '65.5 k', '1.87 G', '3.58 T']);
    expect([duration(4.2), duration(75), duration(7300), duration(Infinity)]).toEqual(['4 s', '1 min 15 s', '2 h 1 min', '?']);
  });
});

describe('the estimate of a large run', () => {
  const layer = (computeCycles: number, words: number, act: number) => ({
    mapping: { computeCycles }, words, prefix: new Uint8Array(16), actReadBytes: act, actWriteBytes: act,
  }) as unknown as ChipLayer;
  it('is per layer the larger of compute and DRAM cycles', () => {
    const cfg = { dramBytesPerCycle: 2 } as ChipConfig;
    // layer 1 compute-bound (1000 vs (400 + 16 + 20) / 2), layer 2 DRAM-bound ((4000 + 16 + 0) / 2 vs 10)
    expect(estimateRunCycles([layer(1000, 100, 10), layer(10, 1000, 0)], cfg)).toBe(1000 + 2008);
  });
  it('is said only above LARGE_RUN_CYCLES, for either simulation', () => {
    expect(largeRunNotice('r50', LARGE_RUN_CYCLES, LARGE_RUN_CYCLES)).toBeUndefined();
    expect(largeRunNotice('r50', 1e9, 3.58e9)).toMatch(/^r50 on this chip takes at least 1\.00 G cycles with tANS weights and 3\.58 G cycles with int8; simulating them takes roughly \d+ s/);
    expect(largeRunNotice('r50', 18.7e9, 35.8e9)).toMatch(/roughly 5 min \(Ctrl-C stops\)$/);
  });
});

describe('Ctrl-C while the run waits for the int8 worker', () => {
  afterEach(() => vi.restoreAllMocks());
  it('prints one line and exits 130; the listener is removed when the run ends', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((x: string | Uint8Array) => { err += String(x); return true; });
    const listeners = process.listenerCount('SIGINT');
    let finish!: (v: number) => void;
    const run = interruptible(new Promise<number>((r) => { finish = r; }), new Progress({ stream: fakeStream(false) }));
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(INTERRUPTED_EXIT);
    expect(err).toBe('hwsim: interrupted (Ctrl-C): the run was stopped, nothing was written\n');
    finish(1);
    await expect(run).resolves.toBe(1);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
