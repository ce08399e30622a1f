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
      expect(await main(['encode', 'lenet-5', '--states', '64', ...flags, '-o', hwz])).toBe(0);
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
