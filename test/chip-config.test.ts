/** Chip configuration: defaults, JSON file, flags, and the errors bad values produce. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChipConfig, DEFAULT_CHIP, loadChipConfigFile, parseMacFlag, resolveChipConfig } from '../src/chip/config.js';
import { HwsimError } from '../src/errors.js';

function err(f: () => unknown): HwsimError {
  try { f(); } catch (e) { if (e instanceof HwsimError) return e; throw e; }
  throw new Error('no error thrown');
}

describe('chip config', () => {
  it('defaults are the documented edge chip', () => {
    expect(resolveChipConfig({})).toEqual(DEFAULT_CHIP);
    expect(DEFAULT_CHIP).toMatchObject({ macRows: 16, macCols: 16, decoders: 8, dramBytesPerCycle: 8, clockMhz: 500, dataflow: 'ws' });
  });
  it('flags override the file, the file overrides defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-cfg-'));
    const p = join(dir, 'chip.json');
    writeFileSync(p, JSON.stringify({ decoders: 4, dramBytesPerCycle: 2.5, macRows: 32 }));
    expect(loadChipConfigFile(p)).toMatchObject({ decoders: 4, dramBytesPerCycle: 2.5, macRows: 32, macCols: 16 });
    expect(resolveChipConfig({ config: p, decoders: 2, mac: '8x4' })).toMatchObject({ decoders: 2, dramBytesPerCycle: 2.5, macRows: 8, macCols: 4 });
  });
  it('--mac parses RxC', () => {
    expect(parseMacFlag('16x16')).toEqual({ macRows: 16, macCols: 16 });
    expect(parseMacFlag('32X8')).toEqual({ macRows: 32, macCols: 8 });
    expect(err(() => parseMacFlag('0x16')).message).toMatch(/1\.\.1024/);
    expect(err(() => parseMacFlag('16by16')).fix).toMatch(/--mac 16x16/);
  });
  it('impossible values name the field and what is allowed', () => {
    const e1 = err(() => applyChipConfig(DEFAULT_CHIP, { dramBytesPerCycle: 0 }, 'chip.json'));
    expect(e1.message).toMatch(/chip\.json: field "dramBytesPerCycle" is 0, allowed is a number > 0/);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { fifoDepth: 0 }, 'c.json')).message).toMatch(/"fifoDepth" is 0/);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { macCols: 0 }, 'c.json')).message).toMatch(/"macCols" is 0, allowed is an integer 1\.\.1024/);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { dataflow: 'rs' }, 'flags')).message).toBe('--dataflow "rs" is not allowed: one of ws, os, is');
    expect(err(() => resolveChipConfig({ decoders: 2.5 })).message).toBe('--decoders 2.5 is not allowed: an integer 1..64');
    expect(err(() => resolveChipConfig({ fifoDepth: 0 })).message).toMatch(/--fifo-depth 0 is not allowed/);
    expect(err(() => resolveChipConfig({ dramBw: 0 })).message).toMatch(/--dram-bw 0 is not allowed: a number > 0/);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { clockMhz: '500' }, 'x.json')).message).toMatch(/"clockMhz" is "500"/);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { macrows: 4 }, 'x.json')).message).toMatch(/unknown field "macrows"/);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { burstBytes: 6 }, 'flags')).message).toMatch(/multiple of 4/);
  });
  it('a FIFO smaller than one burst is refused with a depth that works', () => {
    const e = err(() => resolveChipConfig({ fifoDepth: 8 }));
    expect(e.message).toMatch(/smaller than one 64-byte burst \(16 words\)/);
    expect(e.fix).toMatch(/--fifo-depth 16/);
  });
  it('unreadable or malformed files are errors, not stack traces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-cfg-'));
    expect(err(() => loadChipConfigFile(join(dir, 'missing.json'))).message).toMatch(/cannot read chip config .*ENOENT/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"decoders": 4,');
    expect(err(() => loadChipConfigFile(bad)).message).toMatch(/not valid JSON/);
    writeFileSync(bad, '[1, 2]');
    expect(err(() => loadChipConfigFile(bad)).message).toMatch(/must be a JSON object/);
  });
  it('NaN flags are errors', () => {
    expect(err(() => resolveChipConfig({ dramBw: Number.NaN })).message).toMatch(/--dram-bw is not a number/);
  });
});
