/**
 * The detailed DRAM (src/chip/dram-timing.ts): command timings worked out by hand from the
 * LPDDR4-3200 preset's datasheet parameters (row hit, empty bank, row conflict, read→write and
 * write→read turnaround, tFAW, refresh); its bad inputs; and the chip on it: the run really uses the
 * device, counts its accesses as the burst arithmetic says, and the trace it exports replays to the
 * same row-buffer figures. The comparison with DRAMsim3 is a bench (bench/dram-vs-dramsim3.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureOutput } from './capture-output.js';
import { loadChipConfigFile, resolveChipConfig } from '../src/chip/config.js';
import { DRAM_PRESETS, DramDevice, replayTrace, resolveDramTiming, type TraceRequest } from '../src/chip/dram-timing.js';
import { HwsimError } from '../src/errors.js';
import { main } from '../src/cli/main.js';
import { loadModel } from '../src/models/load.js';
import { runModel } from '../src/run.js';
import { readContainer } from '../src/codecs/container.js';
import { compare, findDramsim3 } from '../bench/dram-vs-dramsim3.js';

const P = DRAM_PRESETS['lpddr4-3200-x16'];
const ROW = 2048 * 8; // bytes from one row of a bank to the next row of the same bank

describe('DRAM device timing (LPDDR4-3200 x16, tCK)', () => {
  it('empty bank, row hit, row conflict, read→write and write→read turnaround', () => {
    const d = new DramDevice(P);
    // ACT at 0, RD at tRCD 29, data to 29 + RL 28 + burst 8
    expect(d.access(0, false, 0, 0)).toEqual({ cas: 29, dataEnd: 65, outcome: 'empty' });
    // same row: RD tCCD 8 after the last
    expect(d.access(32, false, 0, 0)).toEqual({ cas: 37, dataEnd: 73, outcome: 'hit' });
    // another row of bank 0: PRE when tRAS (68) allows (the RD's tRTP, 37 + 12, is earlier), ACT tRP 29 later, RD tRCD later
    expect(d.access(ROW, false, 0, 0)).toEqual({ cas: 126, dataEnd: 162, outcome: 'conflict' });
    // WR after RD: RL + burst − WL + tRTRS = 28 + 8 − 14 + 1 = 23 later; data WL 14 + burst 8 after it
    expect(d.access(ROW + 32, true, 0, 0)).toEqual({ cas: 149, dataEnd: 171, outcome: 'hit' });
    // RD after WR: WL + burst + tWTR = 14 + 8 + 16 = 38 later
    expect(d.access(ROW + 64, false, 0, 0)).toEqual({ cas: 187, dataEnd: 223, outcome: 'hit' });
    expect(d.stats.turnarounds).toBe(2);
    expect(d.stats.activates).toBe(2);
    expect(d.stats.byKind.weights).toEqual({ accesses: 5, hits: 3, empty: 1, conflicts: 1 });
  });

  it('four activates per tFAW window, tRRD between two', () => {
    const p = resolveDramTiming('lpddr4-3200-x16', { tFAW: 100 }, 'test');
    const d = new DramDevice(p);
    const cas = [0, 1, 2, 3, 4].map((b) => d.access(b * 2048, false, 0, 0).cas);
    // ACTs at 0, 16, 32, 48 (tRRD 16), the fifth at 0 + tFAW = 100; RD tRCD after each
    expect(cas).toEqual([29, 45, 61, 77, 129]);
  });

  it('all-bank refresh every tREFI closes the rows and holds the banks for tRFC', () => {
    const d = new DramDevice(P);
    d.access(0, false, 0, 0);
    // due at tREFI 6246: precharge (tRP 29), then tRFC 448: ACT at 6723
    const t = d.access(32, false, 6246, 0);
    expect(t).toEqual({ cas: 6723 + 29, dataEnd: 6723 + 29 + 36, outcome: 'empty' });
    expect(d.stats.refreshes).toBe(1);
  });

  it('refuses impossible or unknown timing, naming the field', () => {
    const bad = (mode: string, o: Record<string, unknown>, re: RegExp) => {
      expect(() => resolveDramTiming(mode, o, 'chip.json')).toThrow(HwsimError);
      expect(() => resolveDramTiming(mode, o, 'chip.json')).toThrow(re);
    };
    bad('lpddr4-3200-x16', { tRAS: 20 }, /dramTiming\.tRAS \(20\) is shorter than tRCD \(29\)/);
    bad('lpddr4-3200-x16', { tRCD: null }, /dramTiming\.tRCD is null/);
    bad('lpddr4-3200-x16', { tRP: -3 }, /dramTiming\.tRP is -3/);
    bad('lpddr4-3200-x16', { banks: 6 }, /dramTiming\.banks is 6: it must be a power of two/);
    bad('lpddr4-3200-x16', { tREFI: 100 }, /dramTiming\.tREFI \(100\) is not longer than tRFC/);
    bad('lpddr4-3200-x16', { tRCDX: 1 }, /dramTiming\.tRCDX is not a DRAM timing parameter/);
    bad('lpddr9', {}, /unknown DRAM preset 'lpddr9'/);
  });

  it('takes dramTiming from the chip config JSON, and refuses it without a preset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-dram-'));
    const f = (o: unknown, n: string) => { const p = join(dir, n); writeFileSync(p, JSON.stringify(o)); return p; };
    expect(loadChipConfigFile(f({ dram: 'ddr4-2400-x16', dramTiming: { tRCD: 17 } }, 'a.json')).dramTiming).toEqual({ tRCD: 17 });
    expect(() => loadChipConfigFile(f({ dram: 'lpddr4-3200-x16', dramTiming: { tRAS: 10 } }, 'b.json'))).toThrow(/b\.json: dramTiming\.tRAS \(10\) is shorter than tRCD/);
    expect(() => loadChipConfigFile(f({ dramTiming: { tRAS: 80 } }, 'c.json'))).toThrow(/"dramTiming" is given but the DRAM model is simple/);
    expect(() => loadChipConfigFile(f({ dram: 'hbm9' }, 'd.json'))).toThrow(HwsimError);
  });
});

describe('the chip on a detailed DRAM', () => {
  it('simple stays the default; a preset runs the device, which sees every burst the burst arithmetic says', async () => {
    const model = loadModel('lenet-5');
    const simple = await runModel(model, { states: 64, streams: 8 }, { chip: resolveChipConfig({}) });
    expect(simple.report.chip.dram).toBe('simple');
    expect(simple.report.dramModel).toEqual({ mode: 'simple', device: null, tans: null, int8: null });

    const trace: TraceRequest[] = [];
    const chip = resolveChipConfig({ dram: 'lpddr4-3200-x16' });
    const { report, image } = await runModel(model, { states: 64, streams: 8 }, {
      chip, dramTrace: (addr, write, cycle) => trace.push({ addr, write, cycle }),
    });
    const dev = report.dramModel.tans!;
    expect(report.dramModel.device).toBe('LPDDR4-3200 x16');
    // weights and headers: each layer's prefix, then its payload words, in 64-byte bursts from
    // burst-aligned addresses; a burst is ceil(bytes / 32) column accesses
    const file = readContainer(image, 'l5.hwz');
    const columns = (bytes: number) => Math.floor(bytes / 64) * 2 + Math.ceil((bytes % 64) / 32);
    const want = file.records.reduce((a, r) => a + columns(r.prefix.length) + columns(Math.ceil(r.payload.length / 4) * 4), 0);
    expect(dev.hitRateByKind.weights).not.toBeNull();
    const { accesses } = dev;
    const actCols = trace.filter((r) => r.addr >= 1 << 20).length;
    expect(accesses - actCols).toBe(want);
    // the exported trace replays, open loop, to the same row-buffer figures
    expect(trace.length).toBe(accesses);
    const replay = replayTrace(DRAM_PRESETS['lpddr4-3200-x16'], trace);
    const hits = Object.values(replay.stats.byKind).reduce((a, s) => a + s.hits, 0);
    expect(hits / accesses).toBeCloseTo(dev.hitRate!, 12);
    expect(replay.stats.activates).toBe(dev.activates);
    expect(replay.stats.refreshes).toBe(dev.refreshes);
    // trace cycles are the device's: issue order, never backwards
    for (let i = 1; i < trace.length; i++) expect(trace[i].cycle).toBeGreaterThanOrEqual(trace[i - 1].cycle);
    expect(report.tans.cycles).not.toBe(simple.report.tans.cycles);
  });
});

describe('hwsim run --dram / --dram-trace', () => {
  const io = captureOutput();
  it('writes a DRAMsim3 trace, prints row-buffer hit rates, and refuses a trace without a device', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-trace-'));
    const file = join(dir, 'l5.trace');
    expect(await main(['run', 'lenet-5', '--dram', 'lpddr4-3200-x16', '--dram-trace', file, '--quiet', '--no-layers'])).toBe(0);
    expect(io.stdout).toMatch(/DRAM device {2}LPDDR4-3200 x16: row-buffer hits \d+\.\d%/);
    expect(io.stdout).toMatch(/energy {7}\d+\.\d{3} mJ per inference, DRAM \d+\.\d% of it/);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.every((l) => /^0x[0-9a-f]+ (READ|WRITE) \d+$/.test(l))).toBe(true);
    expect(io.stdout).toContain(`wrote ${lines.length.toLocaleString('en-US')} DRAM requests to ${file}`);
    io.clear();
    expect(await main(['run', 'lenet-5', '--dram-trace', file, '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/--dram-trace needs a detailed DRAM/);
    io.clear();
    expect(await main(['run', 'lenet-5', '--dram', 'lpddr9', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/--dram "lpddr9" is not allowed/);
  });
});

describe('against DRAMsim3 (only where it is built under .cache/dramsim3; CI skips this)', () => {
  const bin = findDramsim3();
  it.skipIf(!bin)('the documented patterns agree on row hits within 1%, activates within 2% (or 4), and on mean read latency within 20%', () => {
    for (const r of compare(bin!, 1000)) {
      expect(Math.abs(r.model.readRowHits - r.dramsim3.readRowHits)).toBeLessThanOrEqual(Math.max(2, 0.01 * r.dramsim3.readRowHits));
      expect(Math.abs(r.model.activates - r.dramsim3.activates)).toBeLessThanOrEqual(Math.max(4, 0.02 * r.dramsim3.activates));
      expect(Math.abs(r.latencyDiffPct)).toBeLessThan(20);
    }
  });
});
