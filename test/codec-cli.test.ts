/**
 * `hwsim encode`, `inspect` and `decode` end to end through the CLI entry (in process): the files
 * they write are read back from disk (as Node Buffers, as a user's run does) and compared with
 * the encoder's own symbols and dequantized values.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureOutput } from './capture-output.js';
import { main } from '../src/cli/main.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { dequantize, quantizeWith } from '../src/codecs/quant/index.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { loadZooModel } from '../src/models/zoo.js';

const io = captureOutput();

describe('hwsim encode → inspect → decode (lenet-5)', () => {
  for (const flags of [[], ['--bins', '15', '--per-channel'], ['--bins', '31', '--rd-lambda', '1e-5']]) {
    it(`decodes what it encoded, bit for bit ${flags.join(' ') || '(default budget)'}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hwsim-codec-'));
      const hwz = join(dir, 'l5.hwz');
      expect(await main(['encode', 'lenet-5', '--states', '64', ...flags, '-o', hwz, '--quiet'])).toBe(0);
      expect(io.stdout).toMatch(/verified by decoding/);

      io.clear();
      expect(await main(['inspect', hwz, '--json'])).toBe(0);
      const inspected = JSON.parse(io.stdout) as { layers: Array<{ name: string; codec: string }> };
      expect(inspected.layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'tans', 'raw']);

      const out = join(dir, 'l5.safetensors');
      expect(await main(['decode', hwz, '-o', out])).toBe(0);
      expect(io.stderr).toBe('');
      // the golden model: the same encode in process
      const model = loadZooModel('lenet-5', 1);
      const opts = { states: 64, streams: 8, ...(flags.length ? { bins: Number(flags[1]) } : {}),
        perChannel: flags.includes('--per-channel'), rdLambda: flags.includes('--rd-lambda') ? 1e-5 : undefined };
      const golden = encodeModel(model, opts);
      const bytes = readFileSync(out);
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))))) as Record<string, { dtype: string }>;
      golden.layers.forEach((g, i) => {
        // the quantizer with the encoder's parameters gives the symbols, independently of any codec
        const symbols = quantizeWith(model.layers[i].weights, g.quant).symbols;
        const name = golden.specs[i].name;
        expect(header[`${name}.q`].dtype).toBe('I8');
        const levels = readTensor(bytes, header, `${name}.q`, Int8Array);
        const m = (g.quant.bins - 1) / 2;
        expect(Array.from(levels)).toEqual(Array.from(symbols, (s) => s - m));
        const values = readTensor(bytes, header, name, Float32Array);
        expect(values).toEqual(dequantize(symbols, g.quant));
      });
      // and the file loads back as a weights file: each layer's int8 levels and float values, model shapes
      const back = loadWeightsFile(out).layers.filter((l) => !l.spec.name.endsWith('.q'));
      expect(back.map((l) => l.spec.weightShape)).toEqual(model.layers.map((l) => l.spec.weightShape));
    });
  }
});

function readTensor<T extends Int8Array | Float32Array>(
  bytes: Buffer, header: Record<string, unknown>, name: string, Kind: { new(b: ArrayBuffer): T },
): T {
  const { data_offsets: [a, b] } = header[name] as { data_offsets: [number, number] };
  const start = 8 + Number(bytes.readBigUInt64LE(0));
  return new Kind(bytes.buffer.slice(bytes.byteOffset + start + a, bytes.byteOffset + start + b) as ArrayBuffer);
}

// ---- hostile input: names are data, nothing is clobbered, arguments are checked ----

import { existsSync, linkSync, readdirSync, writeFileSync } from 'node:fs';
import { assembleContainer, splitContainer, tansLayerWith, withDims } from '../bench/fuzz-container.js';
import { writeContainer } from '../src/codecs/container.js';
import { outputNames } from '../src/cli/cmd-decode.js';
import { tempPathFor, writeOutput } from '../src/io/output.js';
import { rawCodec } from '../src/codecs/raw/index.js';
import { HwsimError } from '../src/errors.js';

/** A container whose layers have the given names; layer i's levels are all i − 3 (raw, 15 bins) but one tANS layer. */
function namedContainer(names: string[]): Uint8Array {
  const layers = names.map((_, i) => (i === 1
    ? tansLayerWith(Uint8Array.from({ length: 24 }, (_, j) => j % 3), { shape: [4, 6], quant: { bins: 3, step: 0.25 } },
      { states: 32, streams: 2, split: 'channel', kind: 'tuned' })
    : rawCodec.encode(new Uint8Array(24).fill(i + 4), { shape: [4, 6], quant: { bins: 15, step: 0.5 } }, { states: 64, streams: 1, split: 'channel', effort: 'fast' })));
  return writeContainer({
    model: { name: 'names', source: 'test', synthetic: true, description: 'names' }, options: {},
    specs: names.map((name) => ({ name, kind: 'fc', weightShape: [4, 6], ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: 6, filters: 4, stride: 1 })),
    layers,
  });
}
const HOSTILE_NAMES = ['a/b', 'a_b', 'w', 'w.q', 'w', '__metadata__', '__proto__', 'W'];
const levelsOf = (i: number) => (i === 1 ? Array.from({ length: 24 }, (_, j) => (j % 3) - 1) : new Array(24).fill(i + 4 - 7));

function npyData(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.subarray(10 + b.readUInt16LE(8)));
}

describe('hwsim decode: layer names are data', () => {
  it('makes colliding and reserved names unique with ~2, ~3 (documented rule)', () => {
    const names = outputNames(HOSTILE_NAMES, (s) => s, ['__metadata__']).map((n) => n.base);
    expect(names).toEqual(['a/b', 'a_b', 'w', 'w.q~2', 'w~2', '__metadata__~2', '__proto__', 'W']);
    const files = outputNames(HOSTILE_NAMES, (s) => s.replace(/[^\w.-]/g, '_'), [], (s) => s.toLowerCase()).map((n) => n.base);
    expect(files).toEqual(['a_b', 'a_b~2', 'w', 'w.q~2', 'w~2', '__metadata__', '__proto__', 'W~3']);
  });

  it('writes every layer to .safetensors, __metadata__ and __proto__ included, and says which names it changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-names-'));
    const hwz = join(dir, 'n.hwz');
    writeFileSync(hwz, namedContainer(HOSTILE_NAMES));
    const out = join(dir, 'n.safetensors');
    expect(await main(['decode', hwz, '-o', out])).toBe(0);
    expect(io.stdout).toMatch(/decoded 8 layers.*\n3 layer names made unique: 'w\.q' → 'w\.q~2', 'w' → 'w~2', '__metadata__' → '__metadata__~2'\n/);
    const bytes = readFileSync(out);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))));
    const header = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(header)).toHaveLength(1 + 16);
    expect(header.__metadata__).toEqual({ source: 'hwsim decode', model: 'names' });
    const bases = ['a/b', 'a_b', 'w', 'w.q~2', 'w~2', '__metadata__~2', '__proto__', 'W'];
    bases.forEach((b, i) => {
      expect(Array.from(readTensor(bytes, header, `${b}.q`, Int8Array)), b).toEqual(levelsOf(i));
    });
    expect(Object.getOwnPropertyNames(header)).toContain('__proto__');
  });

  it('writes every layer to .npy files, two per layer, none overwriting another (case-insensitive disks too)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-names-'));
    const hwz = join(dir, 'n.hwz');
    writeFileSync(hwz, namedContainer(HOSTILE_NAMES));
    expect(await main(['decode', hwz, '-o', join(dir, 'o.npy')])).toBe(0);
    expect(io.stdout).toMatch(/wrote 16 files/);
    const bases = ['a_b', 'a_b~2', 'w', 'w.q~2', 'w~2', '__metadata__', '__proto__', 'W~3'];
    expect(readdirSync(dir).filter((f) => f.startsWith('o.')).sort()).toEqual(bases.flatMap((b) => [`o.${b}.q.npy`, `o.${b}.npy`]).sort());
    bases.forEach((b, i) => expect(Array.from(new Int8Array(npyData(join(dir, `o.${b}.q.npy`)).buffer)), b).toEqual(levelsOf(i)));
  });
});

describe('no clobbering', () => {
  it('a failed write (disk full) leaves the previous file intact and no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-clobber-'));
    const path = join(dir, 'good.hwz');
    writeFileSync(path, 'the previous good file');
    const diskFull = (p: string, data: string | Uint8Array) => {
      writeFileSync(p, data.slice(0, 3)); // a part lands, then the disk is full
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    expect(() => writeOutput(path, new Uint8Array(100), { writeFile: diskFull })).toThrow(HwsimError);
    expect(() => writeOutput(path, new Uint8Array(100), { writeFile: diskFull })).toThrow(
      `cannot write ${path}: ENOSPC (disk full); the previous file is unchanged`);
    expect(readFileSync(path, 'utf8')).toBe('the previous good file');
    expect(existsSync(tempPathFor(path))).toBe(false);
    expect(readdirSync(dir)).toEqual(['good.hwz']);
    writeOutput(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['good.hwz']);
  });

  it('refuses an output that is the input: encode self.npy -o self.npy, decode x -o x, and through a hard link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-self-'));
    const npy = join(dir, 'self.npy');
    const { npyBytes } = await import('../src/io/npy-write.js');
    const original = npyBytes(new Float32Array(64).map((_, i) => Math.sin(i)), [8, 8]);
    writeFileSync(npy, original);
    expect(await main(['encode', npy, '--states', '32', '--bins', '7', '-o', npy])).toBe(2);
    expect(io.stderr).toBe(`hwsim: error: the output ${npy} is the input file ${npy}: writing it would destroy the input\n  fix: give -o another path\n`);
    expect(new Uint8Array(readFileSync(npy))).toEqual(original);

    const st = join(dir, 'x.safetensors');
    writeFileSync(st, 'not really a container');
    io.clear();
    expect(await main(['decode', st, '-o', st])).toBe(2);
    expect(io.stderr).toMatch(/^hwsim: error: the output .*x\.safetensors is the input file/);
    expect(readFileSync(st, 'utf8')).toBe('not really a container');

    const hwz = join(dir, 'm.hwz');
    writeFileSync(hwz, namedContainer(['a', 'b']));
    const link = join(dir, 'link.safetensors');
    linkSync(hwz, link);
    io.clear();
    expect(await main(['decode', hwz, '-o', link])).toBe(2);
    expect(io.stderr).toMatch(/is the input file/);
  });
});

describe('arguments and crafted files end in hwsim: error', () => {
  it('decode -o a -o b and inspect --json=abc', async () => {
    expect(await main(['decode', 'x.hwz', '-o', 'a.npy', '-o', 'b.npy'])).toBe(2);
    expect(io.stderr).toMatch(/^hwsim: error: .*(given twice|given 2 times)/);
    io.clear();
    expect(await main(['inspect', 'x.hwz', '--json=abc'])).toBe(2);
    expect(io.stderr).toMatch(/^hwsim: error: .*--json/);
  });

  it('a 110-byte container declaring 2^31 constant weights: decode and inspect refuse it with the size and the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-bomb-'));
    const small = writeContainer({
      model: { name: 'bomb', source: 'test', synthetic: true, description: '' }, options: {},
      specs: [{ name: 'w', kind: 'fc', weightShape: [4, 8], ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: 8, filters: 4, stride: 1 }],
      layers: [tansLayerWith(new Uint8Array(32).fill(1), { shape: [4, 8], quant: { bins: 3, step: 0.5 } }, { states: 32, streams: 1, split: 'channel', kind: 'fse' })],
    });
    const parts = splitContainer(small);
    parts.records[0].header = withDims(parts.records[0].header, [1 << 16, 1 << 15]);
    const hwz = join(dir, 'bomb.hwz');
    writeFileSync(hwz, assembleContainer(parts));
    for (const args of [['decode', hwz, '-o', join(dir, 'o.safetensors')], ['inspect', hwz]]) {
      io.clear();
      expect(await main(args)).toBe(2);
      expect(io.stderr).toMatch(/^hwsim: error: .*bomb\.hwz: layer #0 'w': a layer of shape 65536×32768 asks for 2,147,483,648 \(limit maxWeights = /);
    }
    expect(readdirSync(dir)).toEqual(['bomb.hwz']);
  });
});
