/** The parameter declaration: one range per quantity on every face, its rules, and the drift of generated text. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { generateArtifacts } from '../scripts/gen-params.js';
import { applyChipConfig, DEFAULT_CHIP, formatChipConfig, resolveChipConfig } from '../src/chip/config.js';
import { main } from '../src/cli/main.js';
import { HwsimError } from '../src/errors.js';
import { packageRoot } from '../src/package-root.js';
import {
  codecParamOptions, codecParamsFrom, engineParamOptions, engineParamsFrom, engineSweepFrom,
} from '../src/params/cli.js';
import { PARAMS } from '../src/params/declaration.js';
import type { CodecParams } from '../src/params/generated-types.js';
import { CODEC_DEFAULTS, ENGINE_DEFAULTS, resolveEngineParams, validateCodecParams } from '../src/params/groups.js';
import { defaultOf, isAllowed } from '../src/params/schema.js';
import { captureOutput } from './capture-output.js';

const root = packageRoot();

function err(f: () => unknown): HwsimError {
  try { f(); } catch (e) { if (e instanceof HwsimError) return e; throw e; }
  throw new Error('no error thrown');
}

describe('generated artifacts', () => {
  it('every committed artifact equals a fresh generation from the declaration (run `npm run gen` if not)', async () => {
    const artifacts = await generateArtifacts(root);
    expect(artifacts.map((a) => a.path)).toEqual(expect.arrayContaining(
      ['src/params/generated-types.ts', 'docs/CHIP.md', 'docs/hw/tans-decoder.md', 'docs/ARCHITECTURE.md', 'generated/tans_L64_B5_S4/tans_engine.v']));
    for (const a of artifacts) expect(readFileSync(join(root, a.path), 'utf8'), `${a.path} drifted: run npm run gen`).toBe(a.text);
  });

  it('a stale docs table is rewritten between its markers, the rest of the file kept', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hwsim-gen-'));
    cpSync(join(root, 'docs'), join(tmp, 'docs'), { recursive: true });
    const real = readFileSync(join(root, 'docs/CHIP.md'), 'utf8');
    const stale = real.replace(/\| sramKb \| 512 \|/, '| sramKb | 256 |');
    expect(stale).not.toBe(real);
    writeFileSync(join(tmp, 'docs/CHIP.md'), stale);
    const chip = (await generateArtifacts(tmp)).find((a) => a.path === 'docs/CHIP.md')!;
    expect(chip.text).toBe(real);
    writeFileSync(join(tmp, 'docs/CHIP.md'), 'no markers here\n');
    await expect(generateArtifacts(tmp)).rejects.toThrow(/docs\/CHIP\.md has no <!-- params:chip -->/);
  });

  it('the generated interfaces carry every field of each group', () => {
    const types = readFileSync(join(root, 'src/params/generated-types.ts'), 'utf8');
    expect(types).toMatch(/export interface ChipConfig \{[\s\S]*?\n  dataflow: 'ws' \| 'os' \| 'is';[\s\S]*?\n  decoders: number;/);
    expect(types).toMatch(/export interface CodecParams \{[\s\S]*?\n  bins\?: number;[\s\S]*?\n  split: 'channel' \| 'interleaved';/);
    expect(types).toMatch(/export interface TansEngineParams \{[\s\S]*?\n  symbolBits: number;/);
  });
});

describe('the declaration', () => {
  it('has unique names, allowed defaults, and Verilog parameters that are integers (or enums) of the engine', () => {
    expect(new Set(PARAMS.map((p) => p.name)).size).toBe(PARAMS.length);
    for (const p of PARAMS) {
      for (const g of p.groups) {
        const d = defaultOf(p, g);
        if (d !== undefined) expect(isAllowed(p, d), `${p.name} default ${String(d)} in ${g}`).toBe(true);
      }
      if (p.verilog) {
        expect(['int', 'enum']).toContain(p.type); // an enum is its choice's index in Verilog
        expect(p.groups.some((g) => g === 'engine' || g === 'wm')).toBe(true);
      }
    }
  });

  it('keeps the defaults of the three systems it replaces', () => {
    expect(DEFAULT_CHIP).toEqual({ macRows: 16, macCols: 16, dataflow: 'ws', decoders: 8, dramBytesPerCycle: 8, dramLatency: 50,
      dram: 'simple', dramCtrlLatency: 20, techNode: 45,
      burstBytes: 64, fifoDepth: 128, streamFifoDepth: 2, clockMhz: 500, sramKb: 512, szLanes: 16, actSparsity: 0 });
    expect(ENGINE_DEFAULTS).toEqual({ states: 64, symbolBits: 5, streams: 4, inWidth: 32, streamFifoDepth: 2, countBits: 32 });
    expect(CODEC_DEFAULTS).toEqual({ states: 64, streams: 8, perChannel: false, split: 'channel', keepEdges: true, effort: 'fast', seed: 1,
      codec: 'tans', autoObjective: 'bytes', wmFprThreshold: 16, wmTupleZeros: 0.9, convCodec: 'tans', errorBound: 0.005, sparsity: 0.9 });
  });
});

describe('one range per quantity on every face', () => {
  const io = captureOutput();
  const rangeError = '100 is not allowed: an integer 1..64';

  it('the stream count: encode, run (--decoders), config file, rtl and synth refuse 100 alike', async () => {
    expect(err(() => codecParamsFrom({ streams: 100 }, 'encode')).message).toBe(`--streams ${rangeError}`);
    expect(err(() => resolveChipConfig({ decoders: 100 })).message).toBe(`--decoders ${rangeError}`);
    expect(err(() => applyChipConfig(DEFAULT_CHIP, { decoders: 100 }, 'chip.json')).message)
      .toBe('chip.json: field "decoders" is 100, allowed is an integer 1..64');
    expect(err(() => engineParamsFrom({ streams: 100 }, 'rtl')).message).toBe(`--streams ${rangeError}`);
    expect(err(() => engineSweepFrom({ streams: '4,100' }, 'synth')).message).toBe(`--streams ${rangeError}`);
    expect(err(() => validateCodecParams({ streams: 100 })).message).toBe(`--streams ${rangeError}`);
    expect(await main(['rtl', 'tans', '--streams', '100', '--out', mkdtempSync(join(tmpdir(), 'hwsim-rtl-'))])).toBe(2);
    expect(io.stderr).toContain(`hwsim: error: --streams ${rangeError}`);
    expect(io.stderr).toMatch(/fix: give --streams an integer 1\.\.64, or leave it out for the default 4/);
    expect(await main(['config', '--decoders', '100'])).toBe(2);
    expect(io.stderr).toContain(`hwsim: error: --decoders ${rangeError}`);
  });

  it('states: the codec and the engine share 32..4096, power of two', () => {
    const e = err(() => codecParamsFrom({ states: 48 }, 'encode'));
    expect(e.message).toBe('--states 48 is not allowed: a power of two in 32..4096');
    expect(e.fix).toBe('give --states one of 32, 64, 128, 256, 512, 1024, 2048, 4096, or leave it out for the default 64');
    expect(err(() => resolveEngineParams({ states: 48 })).message).toBe(e.message);
    expect(err(() => engineSweepFrom({ states: '64,abc' }, 'synth')).message).toBe('--states "abc" is not allowed: a power of two in 32..4096');
  });

  it('streamFifoDepth: the chip and the engine share 2..64', () => {
    expect(err(() => resolveChipConfig({ streamFifoDepth: 1 })).message).toBe('--stream-fifo-depth 1 is not allowed: an integer 2..64 (words)');
    expect(err(() => resolveEngineParams({ streamFifoDepth: 1 })).message).toBe('--stream-fifo-depth 1 is not allowed: an integer 2..64 (words)');
  });

  it('a synth sweep is every combination, each value checked', () => {
    const configs = engineSweepFrom({ states: '64,128', streams: '1,4', symbolBits: 6 }, 'synth');
    expect(configs.map((c) => [c.states, c.streams, c.symbolBits])).toEqual([[64, 1, 6], [64, 4, 6], [128, 1, 6], [128, 4, 6]]);
  });
});

describe('codec parameters', () => {
  it('fill defaults; the bit budget applies only without --bins', () => {
    const c: CodecParams = validateCodecParams({});
    expect(c).toEqual({ ...CODEC_DEFAULTS, bitsPerWeight: 2 });
    expect(validateCodecParams({ bins: 15 }).bitsPerWeight).toBeUndefined();
    expect(codecParamsFrom({ 'bits-per-weight': 3, 'keep-edges': false }, 'encode')).toMatchObject({ bitsPerWeight: 3, keepEdges: false });
  });

  it('enforce the cross-field rules with the flags in the message', () => {
    expect(err(() => validateCodecParams({ bins: 16 })).message).toBe('--bins 16 is not allowed: an odd integer in 3..255, at most --states');
    expect(err(() => validateCodecParams({ bins: 63, states: 32 })).message).toMatch(/--bins 63 gives more symbols than the 32 states/);
    expect(err(() => validateCodecParams({ bins: 63, states: 32 })).fix).toMatch(/--states 64/);
    expect(err(() => validateCodecParams({ bins: 15, bitsPerWeight: 2 })).message).toBe('--bins and --bits-per-weight both given');
    expect(err(() => validateCodecParams({ perChannel: true })).message).toBe('--per-channel needs --bins');
    expect(err(() => validateCodecParams({ rdLambda: 1e-6 })).message).toBe('--rd-lambda needs --bins');
    expect(err(() => validateCodecParams({ rdLambda: -1, bins: 15 })).message).toMatch(/--rd-lambda -1 is not allowed: a number >= 0/);
    expect(err(() => validateCodecParams({ split: 'rows' as 'channel' })).message).toBe('--split "rows" is not allowed: one of channel, interleaved');
    expect(err(() => validateCodecParams({ stats: 64 } as Partial<CodecParams>)).message).toMatch(/unknown field "stats"/);
  });

  it('on run, the stream count is the resolved chip\'s decoder count', () => {
    expect(codecParamsFrom({ states: 128 }, 'run', { decoders: 3 })).toMatchObject({ states: 128, streams: 3 });
  });

  it('yargs options come from the declaration (help, aliases, --no- booleans), values round-trip', () => {
    const parse = (face: 'encode' | 'run', args: string[]) =>
      codecParamOptions(yargs(args).strict().fail((m) => { throw new Error(m); }), face).parseSync() as Record<string, unknown>;
    const argv = parse('encode', ['-L', '256', '-S', '4', '--bins', '31', '--per-channel', '--no-keep-edges', '--effort', 'best']);
    expect(codecParamsFrom(argv, 'encode')).toEqual({ states: 256, streams: 4, bins: 31, perChannel: true, split: 'channel', keepEdges: false, effort: 'best', seed: 1,
      codec: 'tans', autoObjective: 'bytes', wmFprThreshold: 16, wmTupleZeros: 0.9, convCodec: 'tans', errorBound: 0.005, sparsity: 0.9 });
    // run takes the stream count from --decoders (chipOptions), so --streams is not one of its flags
    expect(() => parse('run', ['--streams', '4'])).toThrow(/Unknown argument: streams/);
  });

  it('the help of each face names the range and the default', async () => {
    const y = engineParamOptions(yargs([]), 'rtl');
    const help = await y.getHelp();
    expect(help).toMatch(/--states[\s\S]*power of two in 32\.\.4096[\s\S]*\(default 64\)/);
    expect(help).toMatch(/--streams[\s\S]*an integer 1\.\.64[\s\S]*\(default 4\)/);
  });
});

describe('chip config listing', () => {
  it('lists every chip field with its flag, and marks values that differ from the default', () => {
    const text = formatChipConfig({ ...DEFAULT_CHIP, decoders: 4 });
    expect(text.split('\n')).toHaveLength(16);
    expect(text).toMatch(/^decoders\s+4\s+--decoders\s+.*\(default 8\)$/m);
    expect(text).toMatch(/^dramBytesPerCycle\s+8 B\/cycle\s+--dram-bw /m);
  });
});
