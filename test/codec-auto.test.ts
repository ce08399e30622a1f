/**
 * `--codec auto`: per coded layer whichever of tans, wm and raw the objective picks. Checked
 * against the candidates encoded independently here: with `bytes` the chosen record is the
 * smallest; with `cycles` the chosen layer runs in the fewest chip cycles (each candidate run
 * alone on the chip model). The CLI says which layers took which codec, and a sweep over the codec
 * axis includes auto.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { layerCyclesOn } from '../src/chip/layer-cycles.js';
import type { CodedLayer } from '../src/codecs/codec.js';
import { encodeModel, isEdge, recordBytes } from '../src/codecs/model-codec.js';
import { rawCodec } from '../src/codecs/raw/index.js';
import { tansCodec } from '../src/codecs/tans/index.js';
import { wmFormFor } from '../src/codecs/wm/choose.js';
import { wmCodec } from '../src/codecs/wm/index.js';
import { quantizeWith } from '../src/codecs/quant/index.js';
import { CODEC_DEFAULTS } from '../src/params/groups.js';
import { loadZooModel } from '../src/models/zoo.js';
import { captureOutput } from './capture-output.js';
import { hwsimError } from './hwsim-error.js';

const io = captureOutput();
const model = loadZooModel('lenet-5', 1);
const specs = model.layers.map((l) => l.spec);

/** the three candidates of layer i, encoded here with the quantizer the auto image used */
function candidates(i: number, chosen: CodedLayer): CodedLayer[] {
  const q = quantizeWith(model.layers[i].weights, chosen.quant);
  const base = { shape: [...chosen.shape], quant: chosen.quant };
  const opts = { states: CODEC_DEFAULTS.states, streams: CODEC_DEFAULTS.streams, split: CODEC_DEFAULTS.split, effort: CODEC_DEFAULTS.effort };
  return [
    tansCodec.encode(q.symbols, base, opts),
    wmCodec.encode(q.symbols, base, { ...opts, ...wmFormFor(model.layers[i].spec, q.symbols, q.params.bins, { wmFprThreshold: 16, wmTupleZeros: 0.9 }) }),
    rawCodec.encode(q.symbols, base, opts),
  ];
}

describe('--codec auto', () => {
  it('bytes: every coded layer takes its smallest record of tans, wm and raw', () => {
    const image = encodeModel(model, { codec: 'auto', bins: 15 });
    let coded = 0;
    image.layers.forEach((layer, i) => {
      if (isEdge(i, image.layers.length, true)) { expect(layer.codec).toBe('raw'); return; }
      coded++;
      const sizes = candidates(i, layer).map(recordBytes);
      expect(recordBytes(layer)).toBe(Math.min(...sizes));
    });
    expect(coded).toBe(2);
    // the choice differs between layers of this model: the objective decides, not a fixed codec
    const wmOnly = encodeModel(model, { codec: 'wm', bins: 15 });
    const total = (img: typeof image) => img.layers.reduce((a, l) => a + recordBytes(l), 0);
    expect(total(image)).toBeLessThanOrEqual(total(wmOnly));
  });

  for (const dramBytesPerCycle of [8, 0.5]) {
    it(`cycles: every coded layer takes the record the chip runs fastest (--dram-bw ${dramBytesPerCycle})`, () => {
      const cfg: ChipConfig = { ...DEFAULT_CHIP, dramBytesPerCycle };
      const cycles = layerCyclesOn(cfg);
      const image = encodeModel(model, { codec: 'auto', autoObjective: 'cycles', bins: 15 }, undefined, cycles);
      const chosen: string[] = [];
      image.layers.forEach((layer, i) => {
        if (isEdge(i, image.layers.length, true)) return;
        const each = candidates(i, layer).map((c) => cycles(i, specs, c));
        expect(cycles(i, specs, layer)).toBe(Math.min(...each));
        chosen.push(layer.codec);
      });
      // a bandwidth-starved chip wants the smallest records, a fast one the raw bypass (no table build)
      if (dramBytesPerCycle === 8) expect(chosen).toEqual(['raw', 'raw']);
      else expect(chosen).not.toContain('raw');
    });
  }

  it('cycles without a chip is refused with the fix', () => {
    const e = hwsimError(() => encodeModel(model, { codec: 'auto', autoObjective: 'cycles', bins: 15 }));
    expect(e.message).toMatch(/--auto-objective cycles needs a chip/);
    expect(e.fix).toMatch(/--auto-objective bytes/);
  });

  it('hwsim encode, inspect and run say which layers took which codec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-auto-'));
    const hwz = join(dir, 'a.hwz');
    expect(await main(['encode', 'lenet-5', '--codec', 'auto', '--bins', '15', '-o', hwz, '--quiet'])).toBe(0);
    const line = /auto \(bytes\): .*layers: conv1 raw, conv2 (\w+), ip1 (\w+), ip2 raw/.exec(io.stdout);
    expect(line).not.toBeNull();
    io.clear();
    expect(await main(['inspect', hwz, '--json'])).toBe(0);
    const codecs = (JSON.parse(io.stdout) as { layers: Array<{ codec: string }> }).layers.map((l) => l.codec);
    expect(codecs).toEqual(['raw', line![1], line![2], 'raw']);
    io.clear();
    const out = join(dir, 'run');
    expect(await main(['run', 'lenet-5', '--codec', 'auto', '--auto-objective', 'cycles', '--dram-bw', '0.5', '--bins', '15', '--out', out, '--json', '--quiet'])).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8')) as { layers: Array<{ codec: string }> };
    expect(rep.layers[1].codec).not.toBe('raw');
    io.clear();
    expect(await main(['run', 'lenet-5', '--codec', 'auto', '--bins', '15', '--quiet'])).toBe(0);
    expect(io.stdout).toMatch(/auto \(bytes\): .* layers: conv1 raw, conv2 \w+, ip1 \w+, ip2 raw/);
  });

  it('a sweep takes auto as a codec value; the cycles objective is refused there with the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-auto-sweep-'));
    expect(await main(['sweep', 'lenet-5', '--codec', 'tans,auto', '--dram-bw', '1,4', '--bins', '15', '--out', join(dir, 's'), '--no-cache', '-q'])).toBe(0);
    const csv = readFileSync(join(dir, 's', readdirSync(join(dir, 's')).find((f) => f.endsWith('.csv'))!), 'utf8');
    expect(csv.split('\n').filter((l) => /,auto,/.test(l)).length).toBe(2);
    io.clear();
    expect(await main(['sweep', 'lenet-5', '--codec', 'tans,auto', '--auto-objective', 'cycles', '--dram-bw', '1,4', '--out', join(dir, 't'), '--no-cache', '-q'])).toBe(2);
    expect(io.stderr).toMatch(/--auto-objective cycles chooses each layer's codec for one chip/);
  });
});
