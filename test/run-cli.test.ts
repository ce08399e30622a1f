/** `hwsim run` end to end through the CLI entry (in process), on LeNet-5 and a SCALE-Sim CSV. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { captureOutput } from './capture-output.js';
import { STALL_CAUSES } from '../src/chip/pipeline.js';
import { mapLayer } from '../src/chip/mac-array.js';
import type { RunReport } from '../src/report/run-figures.js';
import { main } from '../src/cli/main.js';
import { readContainer } from '../src/codecs/container.js';
import { tansCodec } from '../src/codecs/tans/index.js';
import { loadZooModel, zooNames } from '../src/models/zoo.js';

const io = captureOutput();

describe('hwsim run lenet-5', () => {
  it('writes a consistent JSON report and CSV', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hwsim-run-'));
    const code = await main(['run', 'lenet-5', '--states', '64', '--json', '--csv', '--out', out, '--quiet']);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(out, 'lenet-5-L64.json'), 'utf8')) as RunReport & { synthetic: boolean };
    expect(r.model.name).toBe('lenet-5');
    expect(r.synthetic).toBe(r.model.synthetic);
    if (r.model.synthetic) expect(io.stdout).toMatch(/SYNTHETIC/);
    expect(r.chip).toMatchObject({ macRows: 16, macCols: 16, decoders: 8 });
    // totals = sums of the layers
    for (const run of ['tans', 'int8'] as const) {
      const sum = (f: (l: RunReport['layers'][number]) => number) => r.layers.reduce((a, l) => a + f(l), 0);
      expect(r[run].cycles).toBe(sum((l) => l[run].cycles));
      expect(r[run].computeCycles).toBe(sum((l) => l[run].computeCycles));
      expect(r[run].weightBytes).toBe(sum((l) => l[run].weightBytes));
      expect(r[run].actBytes).toBe(sum((l) => l[run].actBytes));
      for (const c of STALL_CAUSES) expect(r[run].stalls[c]).toBe(sum((l) => l[run].stalls[c]));
      for (const l of r.layers) {
        // every cycle of a layer is compute or a stall with a cause
        expect(l[run].cycles).toBe(l[run].computeCycles + STALL_CAUSES.reduce((a, c) => a + l[run].stalls[c], 0));
        expect(['compute', 'dram', 'decoder']).toContain(l[run].bound);
      }
      // layers follow each other without gaps
      r.layers.forEach((l, i) => { if (i > 0) expect(l[run].start).toBe(r.layers[i - 1][run].end); });
    }
    // compute cycles are SCALE-Sim's, identical in both runs
    const model = loadZooModel('lenet-5', 1);
    r.layers.forEach((l, i) => {
      const m = mapLayer(model.layers[i].spec, l.params, 'ws', 16, 16);
      expect(l.tans.computeCycles).toBe(m.computeCycles);
      expect(l.int8.computeCycles).toBe(m.computeCycles);
    });
    // bytes from DRAM = the container's bytes: payload and record prefix of each layer, read from
    // the file `hwsim encode` writes with the same options
    const hwz = join(out, 'l5.hwz');
    expect(await main(['encode', 'lenet-5', '--states', '64', '--streams', '8', '-o', hwz, '--quiet'])).toBe(0);
    const image = readContainer(readFileSync(hwz), hwz);
    image.records.forEach((rec, i) => {
      const l = r.layers[i];
      expect(l.codec).toBe(image.layers[i].codec);
      expect(l.tans.weightBytes).toBe(Math.ceil(rec.payload.length / 4) * 4);
      expect(l.tans.headerBytes).toBe(rec.prefix.length);
      expect(l.int8.weightBytes).toBe(Math.ceil(l.params / 4) * 4);
    });
    expect(r.imageBytes).toBe(readFileSync(hwz).length);
    expect(r.speedup).toBeCloseTo(r.int8.cycles / r.tans.cycles, 12);
    expect(r.tans.weightBytes).toBeLessThan(r.int8.weightBytes);
    expect(r.tans.latencyMs).toBeCloseTo(r.tans.cycles / 500e3, 12);
    // CSV: header, one row per layer, a total row
    const csv = readFileSync(join(out, 'lenet-5-L64.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + r.layers.length + 1);
    expect(csv[0]).toMatch(/^model,synthetic,layer,/);
    expect(csv[csv.length - 1]).toMatch(new RegExp(`^lenet-5,${r.model.synthetic},total,`));
    expect(io.stdout).toMatch(/latency .* cycles/);
    expect(io.stdout).toMatch(/wrote .*lenet-5-L64\.json/);
  });

  it('hwsim run file.hwz reports what hwsim run <model> reports with the same options', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hwsim-run-'));
    const hwz = join(out, 'm.hwz');
    expect(await main(['encode', 'mobilenetv2', '--states', '128', '--streams', '4', '--bins', '15', '-o', hwz, '--quiet'])).toBe(0);
    expect(await main(['run', 'mobilenetv2', '--states', '128', '--decoders', '4', '--bins', '15', '--dram-bw', '2', '--json', '--out', out, '--quiet'])).toBe(0);
    expect(await main(['run', hwz, '--dram-bw', '2', '--json', '--out', out, '--quiet'])).toBe(0);
    expect(io.stderr).toBe('');
    const fromModel = JSON.parse(readFileSync(join(out, 'mobilenetv2-L128.json'), 'utf8')) as RunReport;
    const fromFile = JSON.parse(readFileSync(join(out, 'm-L128.json'), 'utf8')) as RunReport;
    expect(fromFile.chip.decoders).toBe(4); // from the file's streams
    expect(fromFile.tans).toEqual(fromModel.tans);
    expect(fromFile.int8).toEqual(fromModel.int8);
    expect(fromFile.layers).toEqual(fromModel.layers);
    expect(fromFile.tans.stalls.decoder + fromFile.tans.stalls.dram).toBeGreaterThan(0); // a chip where the weights matter
  });

  it('hwsim run refuses a corrupted or old .hwz before simulating, naming the layer and the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-run-'));
    const hwz = join(dir, 'l5.hwz');
    expect(await main(['encode', 'lenet-5', '--states', '64', '-o', hwz, '--quiet'])).toBe(0);
    const bytes = readFileSync(hwz);
    const image = readContainer(bytes, hwz);
    const bad = Uint8Array.from(bytes);
    bad[image.records[2].payload.byteOffset - bytes.byteOffset + 3] ^= 0x10;
    writeFileSync(join(dir, 'bad.hwz'), bad);
    io.clear();
    expect(await main(['run', join(dir, 'bad.hwz'), '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/bad\.hwz: layer #2 '[^']+': CRC-32 mismatch/);
    expect(io.stdout).toBe('');
    const old = new Uint8Array(64);
    old.set(new TextEncoder().encode('HWZ1'));
    writeFileSync(join(dir, 'old.hwz'), old);
    io.clear();
    expect(await main(['run', join(dir, 'old.hwz'), '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/format version 1; this hwsim reads version 2/);
    io.clear();
    expect(await main(['run', hwz, '--decoders', '4', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/has 8 streams, the chip 4 tANS decoders/);
  });

  it('a SCALE-Sim topology CSV runs with synthetic weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-run-'));
    const p = join(dir, 'tiny.csv');
    writeFileSync(p, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n' +
      'conv1, 18, 18, 3, 3, 3, 16, 1,\nconv2_DP, 18, 18, 3, 3, 16, 16, 1,\nconv3, 16, 16, 1, 1, 16, 32, 1,\nfc, 1, 1, 1, 1, 32, 10, 1,\n');
    const code = await main(['run', p, '--states', '32', '--bins', '7', '--no-layers', '--quiet']);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/tiny: SYNTHETIC weights/);
  });

  it('bad input is an error with a fix, not a stack trace', async () => {
    expect(await main(['run', 'resnet-51', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/hwsim: error: .*resnet-51/);
    expect(io.stderr).toContain(zooNames()[0]);
    io.clear();
    expect(await main(['run', 'lenet-5', '--states', '48', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/--states 48 is not allowed: a power of two/);
    io.clear();
    expect(await main(['run', 'lenet-5', '--mac', '0x16', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/--mac 0x16/);
    io.clear();
    expect(await main(['run', 'lenet-5', '--dram-bw', '0', '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/--dram-bw 0 is not allowed/);
    io.clear();
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-run-'));
    const p = join(dir, 'bad.csv');
    writeFileSync(p, 'header\nconv1, 18, x, 3, 3, 3, 16, 1,\n');
    const outDir = join(dir, 'out'); // a refused run writes no report, even when asked to
    expect(await main(['run', p, '--json', '--csv', '--out', outDir, '--quiet'])).toBe(2);
    expect(io.stderr).toMatch(/bad\.csv: line 2, column 3 \(IFMAP Width\)/);
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });
});

describe('hwsim config', () => {
  it('prints the effective config, as JSON ready for --config', async () => {
    expect(await main(['config', '--print', '--json', '--decoders', '4'])).toBe(0);
    const cfg = JSON.parse(io.stdout);
    expect(cfg).toMatchObject({ macRows: 16, decoders: 4, dataflow: 'ws' });
    io.clear();
    expect(await main(['config', '--print', '--mac', '32x8'])).toBe(0);
    expect(io.stdout).toMatch(/macRows\s+32/);
    expect(io.stdout).toMatch(/macCols\s+8/);
    io.clear();
    expect(await main(['config', '--fifo-depth', '0'])).toBe(2);
    expect(io.stderr).toMatch(/--fifo-depth 0 is not allowed/);
  });
});

describe('hwsim run keeps encoded images in a cache, and runs them as fresh ones', () => {
  const json = (dir: string) => {
    const r = JSON.parse(readFileSync(join(dir, 'lenet-5-L64.json'), 'utf8')) as RunReport & { wallSeconds?: number };
    delete r.wallSeconds;
    return r;
  };
  it('the second run reads the image the first one kept; a damaged copy is encoded again; --no-cache keeps nothing', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hwsim-run-cache-'));
    const cache = join(tmp, 'cache');
    const run = async (out: string, ...extra: string[]) => {
      expect(await main(['run', 'lenet-5', '--states', '64', '--json', '--out', join(tmp, out), '--quiet', '--no-layers', ...extra])).toBe(0);
      return json(join(tmp, out));
    };
    const first = await run('a', '--cache-dir', cache);
    const kept = readdirSync(cache).filter((f) => f.endsWith('.hwz'));
    expect(kept).toHaveLength(1);
    const file = join(cache, kept[0]);
    const bytes = readFileSync(file);
    // the cached image is the container the run simulated: a valid .hwz of the same model
    expect(readContainer(new Uint8Array(bytes), file).model.name).toBe('lenet-5');
    // beside it, the verdict of the decode that verified it: a warm run decodes nothing
    const verdictFile = file.replace(/\.hwz$/, '.verdict');
    const verdict = readFileSync(verdictFile);
    const decodes = vi.spyOn(tansCodec, 'decodeHistogram');
    expect(await run('b', '--cache-dir', cache)).toEqual(first);
    expect(decodes).not.toHaveBeenCalled();
    // a damaged verdict is refused: the image is decoded again, the same report, the verdict rewritten
    const badVerdict = Buffer.from(verdict);
    badVerdict[badVerdict.length >> 1] ^= 0x01;
    writeFileSync(verdictFile, badVerdict);
    expect(await run('b2', '--cache-dir', cache)).toEqual(first);
    expect(decodes).toHaveBeenCalled();
    expect(readFileSync(verdictFile).equals(verdict)).toBe(true);
    decodes.mockRestore();
    // one flipped byte in the middle of the file: its CRC fails, the run encodes afresh and repairs it
    const damaged = Buffer.from(bytes);
    damaged[damaged.length >> 1] ^= 0x40;
    writeFileSync(file, damaged);
    expect(await run('c', '--cache-dir', cache)).toEqual(first);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const none = join(tmp, 'none');
    expect(await run('d', '--cache-dir', none, '--no-cache')).toEqual(first);
    expect(existsSync(none)).toBe(false);
    // a cache that cannot be written: the run still reports, and says the image was not kept
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, 'x');
    expect(await main(['run', 'lenet-5', '--states', '64', '--json', '--out', join(tmp, 'e'), '--no-layers', '--cache-dir', join(blocker, 'sub')])).toBe(0);
    expect(io.stderr).toMatch(/not kept in the cache/);
    expect(json(join(tmp, 'e'))).toEqual(first);
  });

  it('--sim exact and --sim fast print the same report', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hwsim-run-sim-'));
    for (const sim of ['fast', 'exact']) {
      expect(await main(['run', 'lenet-5', '--states', '64', '--decoders', '4', '--dram-bw', '2', '--json', '--out', join(tmp, sim), '--quiet', '--no-layers', '--sim', sim])).toBe(0);
    }
    const fast = json(join(tmp, 'fast')) as RunReport & { simulatedCycles: number };
    const exact = json(join(tmp, 'exact')) as RunReport & { simulatedCycles: number };
    // the loop iterations differ (a diagnostic of how the cycles were had), nothing else
    expect(fast.simulatedCycles).toBeLessThan(exact.simulatedCycles);
    expect({ ...fast, simulatedCycles: 0 }).toEqual({ ...exact, simulatedCycles: 0 });
  });
});
