/**
 * Every option of every command, read from yargs itself (declaredOptions), fed (a) twice, (b) a
 * wrong type and (c) an empty value ('' and the flag last): the CLI answers with exit 2, a
 * `hwsim: error:` line and a `fix:` line, or exit 0 where the input is fine (a switch given twice),
 * never an internal error (70) or a stack trace. No synthesis or Verilator tool runs: the calls
 * that would start one are replaced by a stub that says so, so a case that reaches them counts as
 * accepted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from './capture-output.js';
import { checkWrittenOptions, declaredOptions, main, type DeclaredOption } from '../src/cli/main.js';
import { HwsimError } from '../src/errors.js';

const TOOL = 'TEST: a tool would start here';
vi.mock('../src/cosim/verilator.js', async (importOriginal) => ({
  ...await importOriginal<typeof import('../src/cosim/verilator.js')>(),
  buildTansHarness: () => { throw new HwsimError(TOOL); },
}));
vi.mock('../src/rtl/synth-ice40.js', async (importOriginal) => ({
  ...await importOriginal<typeof import('../src/rtl/synth-ice40.js')>(),
  toolVersions: () => { throw new HwsimError(TOOL); },
  synthTans: () => { throw new HwsimError(TOOL); },
}));

const io = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), 'hwsim-cli-options-'));
const hwz = join(tmp, 'l5.hwz');
const chipJson = join(tmp, 'chip.json');

/** A small, fast invocation of each command: positionals and the options it needs. */
const BASE: Record<string, { positionals: string[]; options: Record<string, string | true> }> = {
  encode: { positionals: ['lenet-5'], options: { output: join(tmp, 'enc.hwz') } },
  decode: { positionals: [hwz], options: { output: join(tmp, 'dec.npy') } },
  inspect: { positionals: [hwz], options: {} },
  zoo: { positionals: [], options: {} },
  run: { positionals: ['lenet-5'], options: { layers: 'no', quiet: true, out: join(tmp, 'run-out') } },
  config: { positionals: [], options: {} },
  rtl: { positionals: ['tans'], options: { out: join(tmp, 'rtl') } },
  cosim: { positionals: ['tans'], options: {} },
  synth: { positionals: ['tans'], options: {} },
  sweep: { positionals: ['lenet-5'], options: { 'dram-bw': '4,8', out: join(tmp, 'sweep-out'), quiet: true, 'cache-dir': join(tmp, 'cache'), workers: '1' } },
  plot: { positionals: [join(tmp, 'sw', 'sweep.json')], options: { out: join(tmp, 'plot-out') } },
  eval: { positionals: ['lenet-300-100'], options: {} },
  deepsz: { positionals: ['lenet-300-100'], options: { bounds: '0.1', 'loss-budget': '50%' } },
};

/** A value each option accepts (the duplicate case gives it twice). */
const VALID: Record<string, string> = {
  states: '64', streams: '4', decoders: '8', bins: '15', 'bits-per-weight': '2', 'rd-lambda': '0', split: 'channel',
  effort: 'fast', seed: '1', output: join(tmp, 'out.hwz'), config: chipJson, mac: '16x16', dataflow: 'ws', 'dram-bw': '8',
  'dram-latency': '50', burst: '64', 'fifo-depth': '128', 'stream-fifo-depth': '4', 'count-bits': '24', 'clock-mhz': '500', 'sram-kb': '512',
  out: join(tmp, 'out-dir'), 'symbol-bits': '5', 'in-width': '32', 'rom-image': 'rom.hex', counts: '32,32', layers: '1',
  weights: 'lenet-5', 'max-weights': '1000', 'stall-rate': '0.2', symbols: '100', corrupt: '0', device: 'hx8k',
  package: 'ct256', markdown: join(tmp, 'synth.md'), freq: '100', seeds: '1', 'max-layers': '1000', 'max-inflate-bytes': '1000000', 'max-ifmap-elements': '100000000',
  'per-channel': 'false', 'keep-edges': 'true', grid: join(tmp, 'grid.yaml'), objectives: 'latency', workers: '1', shard: '1/1',
  'cache-dir': join(tmp, 'cache'), point: '0',
  dram: 'simple', 'dram-ctrl-latency': '20', 'tech-node': '45', 'dram-trace': join(tmp, 'dram.trace'),
  'input-shape': '1,3,224,224', topology: 'lenet-5',
  codec: 'tans', 'conv-codec': 'tans', 'error-bound': '0.005', sparsity: '0.9', 'sz-lanes': '16', 'loss-budget': '0.3%', bounds: '0.1', biases: join(tmp, 'none.safetensors'),
  'wm-fpr-threshold': '16', 'auto-objective': 'bytes', 'wm-tuple-zeros': '0.9', 'act-sparsity': '0',
  lanes: '2', 'load-words': '2', levels: '8', 'buffer-words': '1024', 'corrupt-as': 'bitmap',
  'rank-cache': 'node', access: 'random', matrix: 'both', accesses: '100',
};

/**
 * A value of the wrong type for the string options that are not free text; number options get a
 * word, choices a number, switches `--x=abc`. `null`: any text is a name (a path), no wrong type.
 */
const WRONG_STRING: Record<string, string | null> = {
  mac: 'abc', dataflow: '3', split: '3', effort: '3', states: 'abc', streams: 'abc', counts: 'abc', package: '3', seeds: 'abc',
  // hwsim sweep takes every chip and codec flag as a string (a comma list of values)
  decoders: 'abc', 'dram-bw': 'abc', 'dram-latency': 'abc', burst: 'abc', 'fifo-depth': 'abc', 'stream-fifo-depth': 'abc',
  'clock-mhz': 'abc', 'sram-kb': 'abc', bins: 'abc', 'bits-per-weight': 'abc', 'per-channel': 'abc', 'rd-lambda': 'abc',
  'keep-edges': 'abc', seed: 'abc', 'dram-ctrl-latency': 'abc', 'tech-node': 'abc', objectives: 'speed', shard: 'x', grid: null, 'cache-dir': null,
  output: null, out: null, config: null, weights: null, 'rom-image': null, markdown: null, dram: '3', 'dram-trace': null, 'input-shape': 'abc', topology: null,
  'loss-budget': 'abc', bounds: 'abc', biases: null, codec: '3', 'conv-codec': '3', 'wm-fpr-threshold': 'abc', 'error-bound': 'abc', sparsity: 'abc', 'sz-lanes': 'abc',
  'auto-objective': '3', 'wm-tuple-zeros': 'abc', 'act-sparsity': 'abc',
  lanes: 'abc', levels: 'abc', 'buffer-words': 'abc', 'corrupt-as': null,
  'rank-cache': '3', access: '3', matrix: '3',
};

/**
 * Cases that fail today in a command whose fix is pending: skipped here so the
 * suite stays green, each naming the file that owns the fix. Keys: `command --option kind`.
 */
const KNOWN: Record<string, string> = {
  // none today. While this test was written, `rtl --counts abc` without --rom-image (ignored, exit 0;
  // src/cli/cmd-rtl.ts) and `synth --package 3` (written into the nextpnr script unchecked;
  // src/cli/cmd-synth.ts) failed here; their owners have since refused both.
}

/** Number options whose values need not be integers; every other number option must refuse 2.5 and values that wrap. */
const NOT_INTEGER = new Set(['bits-per-weight', 'rd-lambda', 'dram-bw', 'clock-mhz', 'sram-kb', 'stall-rate', 'error-bound', 'sparsity', 'wm-fpr-threshold', 'freq', 'wm-tuple-zeros', 'act-sparsity']);
/** Options that only act beside another one: the integer cases give that one too. */
const NEEDS: Record<string, string[]> = { bins: ['--weights', 'lenet-5'], 'max-weights': ['--weights', 'lenet-5'] };

type Kind = 'twice' | 'wrong type' | "empty ''" | 'empty at end';
interface Case { command: string; option: DeclaredOption; kind: Kind; args: string[]; expect: 'refused' | 'either'; pattern?: RegExp }

function flagOf(o: DeclaredOption): string {
  return `--${o.name}`;
}

function baseArgs(command: string, without: string): string[] {
  const b = BASE[command];
  const out = [command, ...b.positionals];
  for (const [k, v] of Object.entries(b.options)) {
    if (k === without) continue;
    if (v === true) out.push(`--${k}`);
    else if (v === 'no') out.push(`--no-${k}`);
    else out.push(`--${k}`, v);
  }
  return out;
}

function casesOf(command: string, o: DeclaredOption): Case[] {
  const base = baseArgs(command, o.name);
  const f = flagOf(o);
  const cases: Case[] = [];
  if (o.type === 'boolean' || o.type === 'count') {
    cases.push({ command, option: o, kind: 'twice', args: [...base, f, f], expect: 'either' });
    cases.push({ command, option: o, kind: 'wrong type', args: [...base, `${f}=abc`], expect: 'refused', pattern: /takes no value/ });
    cases.push({ command, option: o, kind: "empty ''", args: [...base, f, ''], expect: 'either' });
    cases.push({ command, option: o, kind: 'empty at end', args: [...base, f], expect: 'either' });
    return cases;
  }
  const valid = o.choices ? o.choices[0] : VALID[o.name];
  if (valid === undefined) throw new Error(`no valid value known for ${command} ${f}: add it to VALID`);
  const scalar = o.type !== 'array';
  cases.push({
    command, option: o, kind: 'twice', args: [...base, f, valid, f, valid],
    expect: scalar ? 'refused' : 'either', ...(scalar ? { pattern: new RegExp(`${f} given twice`) } : {}),
  });
  const numeric = o.type === 'number' || o.element === 'number';
  const wrong = numeric ? 'abc' : o.choices ? '3' : WRONG_STRING[o.name];
  if (wrong === undefined) throw new Error(`no wrong value known for ${command} ${f}: add it to WRONG_STRING (null for a free name)`);
  if (wrong !== null) cases.push({ command, option: o, kind: 'wrong type', args: [...base, f, wrong], expect: 'refused' });
  cases.push({ command, option: o, kind: "empty ''", args: [...base, f, ''], expect: 'refused', pattern: /needs a value/ });
  cases.push({ command, option: o, kind: 'empty at end', args: [...base, f], expect: 'refused', pattern: /needs a value/ });
  return cases;
}

const commands = await declaredOptions();
const allCases = commands.flatMap((c) => c.options.map((o) => ({ c, o }))).flatMap(({ c, o }) => casesOf(c.command, o));

beforeAll(async () => {
  writeFileSync(chipJson, '{}\n');
  writeFileSync(join(tmp, 'grid.yaml'), 'model: lenet-5\naxes:\n  states: [32, 64]\n');
  const code = await main(['encode', 'lenet-5', '-o', hwz]);
  if (code !== 0) throw new Error(`cannot encode the test container: ${io.stderr}`);
  if (await main(['sweep', 'lenet-5', '--dram-bw', '4,8', '--out', join(tmp, 'sw'), '-q', '--no-cache']) !== 0) throw new Error(`cannot run the test sweep: ${io.stderr}`);
});

describe('the option enumeration', () => {
  it('reads every command and a plausible number of options from yargs', () => {
    expect(commands.map((c) => c.command).sort()).toEqual(Object.keys(BASE).sort());
    const total = commands.reduce((a, c) => a + c.options.length, 0);
    expect(total).toBeGreaterThanOrEqual(70);
    expect(commands.find((c) => c.command === 'run')!.options.length).toBeGreaterThanOrEqual(20);
    expect(allCases.length).toBeGreaterThanOrEqual(3 * total);
  });
});

describe('every option: twice, a wrong type, an empty value', () => {
  for (const k of allCases) {
    const name = `${k.command} ${flagOf(k.option)} ${k.kind}`;
    const owner = KNOWN[name];
    // a case that fails in a file owned by another engineer (see KNOWN) is skipped, naming the owner
    (owner ? it.skip : it)(`${name}: ${k.args.slice(1).map((a) => (a === '' ? "''" : a.replace(tmp, '$TMP'))).join(' ')}${owner ? ` [${owner}]` : ''}`, async () => {
      const code = await main(k.args);
      const err = io.stderr;
      expect(code, err).not.toBe(70);
      expect(err).not.toMatch(/internal error|\n\s+at /);
      const toolStarted = err.includes(TOOL);
      if (k.expect === 'refused') {
        expect(toolStarted, `accepted: ${err}`).toBe(false);
        expect(code, err + io.stdout).toBe(2);
      } else {
        expect([0, 2]).toContain(code);
      }
      if (code === 2 && !toolStarted) {
        expect(err).toMatch(/^hwsim: error: .+\n {2}fix: .+/);
        if (k.pattern) expect(err).toMatch(k.pattern);
      }
    });
  }
});

describe('integer options refuse fractions and values that wrap', () => {
  const cases = commands.flatMap(({ command, options }) => options
    .filter((o) => (o.type === 'number' || o.element === 'number') && !NOT_INTEGER.has(o.name))
    .flatMap((o) => ['2.5', '1e20', '1e300', '-1e300'].map((v) => ({
      command, o, v, args: [...baseArgs(command, o.name), ...(command === 'cosim' ? NEEDS[o.name] ?? [] : []), `--${o.name}`, v],
    }))));
  it('covers the integer options', () => expect(cases.length).toBeGreaterThanOrEqual(4 * 20));
  for (const k of cases) {
    it(`${k.command} --${k.o.name} ${k.v}`, async () => {
      const code = await main(k.args);
      expect(io.stderr).not.toContain(TOOL);
      expect(code, io.stderr + io.stdout).toBe(2);
      expect(io.stderr).toMatch(new RegExp(`^hwsim: error: .*--${k.o.name}.*\n {2}fix: `));
    });
  }
});

describe('checkWrittenOptions', () => {
  const opts: DeclaredOption[] = [
    { name: 'states', type: 'number', aliases: ['L'], demanded: false },
    { name: 'out', type: 'string', aliases: ['o'], demanded: false },
    { name: 'json', type: 'boolean', aliases: [], demanded: false },
    { name: 'corrupt', type: 'array', element: 'number', aliases: [], demanded: false },
  ];
  const refuse = (args: string[], re: RegExp) => expect(() => checkWrittenOptions(args, opts)).toThrow(re);
  it('refuses a scalar given twice, also through an alias or as --x=v', () => {
    refuse(['--states', '64', '-L', '64'], /--states given twice/);
    refuse(['--states=64', '--states', '128'], /--states given twice/);
    refuse(['-o', 'a', '--out', 'b'], /--out given twice/);
  });
  it('refuses empty values, a word for a number, a value for a switch', () => {
    refuse(['--states'], /--states needs a value/);
    refuse(['--states', '--json'], /--states needs a value/);
    refuse(['--out='], /--out needs a value/);
    refuse(['--states', ' '], /--states needs a value/);
    refuse(['--states', 'abc'], /--states "abc" is not a number/);
    refuse(['--corrupt', '1', 'x'], /--corrupt "x" is not a number/);
    refuse(['--json=abc'], /--json is a switch/);
  });
  it('accepts negative numbers as values, switches twice, arrays twice, and stops at --', () => {
    expect(() => checkWrittenOptions(['--states', '-1', '--json', '--json', '--no-json', '--corrupt', '1', '--corrupt', '2', '--', '--states'], opts)).not.toThrow();
  });
});
