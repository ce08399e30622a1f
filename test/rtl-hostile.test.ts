/**
 * Issue 12, `hwsim rtl` / `hwsim synth`: nothing from input reaches a shell, outputs stay inside
 * --out and are written atomically, and a synthesis too large for the device is refused up front.
 * Every CLI case ends in `hwsim: error:` + a fix line + exit 2, tested through main().
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureOutput } from './capture-output.js';
import { main } from '../src/cli/main.js';
import { HwsimError } from '../src/errors.js';
import { packageRoot } from '../src/package-root.js';
import { resolveTansDecoderParams } from '../src/chip/tans-decoder.js';
import { estimateSynth, ICE40_CAPACITY } from '../src/rtl/synth-ice40.js';
import {
  configName, generateTansRtl, ICE40_PACKAGES, readTemplate, renderTemplate, shQuote, TANS_GENERATED_NAMES, writeGenerated,
} from '../src/rtl/tans-rtl.js';

const io = captureOutput();
const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `hwsim-hostile-${tag}-`));
const hasSh = spawnSync('sh', ['-c', 'exit 0']).status === 0;

/** Runs the CLI and checks the shape every refusal must have: one error line, a fix line, exit 2. */
async function refused(args: string[]): Promise<{ message: string; fix: string }> {
  io.clear();
  const code = await main(args);
  expect(io.stderr, args.join(' ')).toMatch(/^hwsim: error: /);
  expect(io.stderr, args.join(' ')).not.toMatch(/internal error|    at /);
  const m = /^hwsim: error: ([\s\S]*?)\n {2}fix: (.*)\n$/.exec(io.stderr);
  expect(m, `${args.join(' ')}: error + fix line, got ${io.stderr}`).not.toBeNull();
  expect(code, args.join(' ')).toBe(2);
  return { message: m![1], fix: m![2] };
}

/** Runs fn with stand-in yosys and nextpnr-ice40 first on PATH (scripts given as sh bodies). */
async function withStandInTools(yosys: string, nextpnr: string, fn: () => Promise<void>): Promise<void> {
  const bin = tmp('tools');
  writeFileSync(join(bin, 'yosys'), `#!/bin/sh\n${yosys}\n`, { mode: 0o755 });
  writeFileSync(join(bin, 'nextpnr-ice40'), `#!/bin/sh\n${nextpnr}\n`, { mode: 0o755 });
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    await fn();
  } finally {
    process.env.PATH = path;
  }
}

const HOSTILE = ["it's", 'a$(touch PWNED)b', '`touch PWNED`', 'x\ntouch PWNED\n', 'a; touch PWNED', '"$HOME"', '\\', "''", ' lead and trail ',
  "'; touch PWNED; '", '--', '-n', '*', '$0', '!'];

describe('shell quoting', () => {
  it.skipIf(!hasSh)('shQuote: sh -c "printf %s <quoted>" gives back every hostile string unchanged, and runs nothing', () => {
    const dir = tmp('quote');
    for (const s of HOSTILE) {
      const r = spawnSync('sh', ['-c', `printf %s ${shQuote(s)}`], { cwd: dir, encoding: 'utf8' });
      expect(r.status, s).toBe(0);
      expect(r.stdout, JSON.stringify(s)).toBe(s);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(!hasSh)('pnr_ice40.sh passes a hostile package that slipped past the check to nextpnr as one unchanged argument', () => {
    // the template rendered the way the generator renders shell scripts, with values no check would pass
    const dir = tmp('pnr');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['yosys', 'nextpnr-ice40']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > ${tool}.args\n`, { mode: 0o755 });
    }
    for (const bad of HOSTILE) {
      const script = renderTemplate(readTemplate('synth/pnr_ice40.sh'),
        { banner: 'test', device: shQuote(bad), package: shQuote(bad), freqMhz: shQuote(bad), synthTop: shQuote('tans_engine') }, 'synth/pnr_ice40.sh');
      writeFileSync(join(dir, 'pnr_ice40.sh'), script);
      const r = spawnSync('sh', ['pnr_ice40.sh'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      expect(r.status, `${JSON.stringify(bad)}: ${r.stderr}`).toBe(0);
      const args = readFileSync(join(dir, 'nextpnr-ice40.args'), 'utf8').split('\0').slice(0, -1);
      expect(args[0]).toBe(`--${bad}`);
      expect(args[args.indexOf('--package') + 1]).toBe(bad);
      expect(args[args.indexOf('--freq') + 1]).toBe(bad);
      expect(existsSync(join(dir, 'PWNED')), JSON.stringify(bad)).toBe(false);
    }
  });

  it('the generated pnr_ice40.sh single-quotes device, package and frequency', async () => {
    const files = await generateTansRtl({}, { target: { device: 'lp8k', package: 'cm121', freqMhz: 12 } });
    const sh = files.find((f) => f.name === 'pnr_ice40.sh')!.text;
    expect(sh).toContain("device='lp8k'\npackage='cm121'\nfreq_mhz='12'\n");
    expect(sh).toContain('nextpnr-ice40 "--$device" --package "$package"');
    // no value outside quotes: every {{…}} of the template is a comment's banner or a quoted assignment
    expect(readTemplate('synth/pnr_ice40.sh').match(/\{\{\w+\}\}/g)).toEqual(['{{banner}}', '{{device}}', '{{package}}', '{{freqMhz}}', '{{synthTop}}']);
  });
});

describe('hwsim synth: device and package names', () => {
  it('refuses the injection string before anything is written or run', async () => {
    const dir = join(packageRoot(), 'build', 'synth', `${configName(resolveTansDecoderParams({}))}-hx8k`);
    const before = existsSync(join(dir, 'pnr_ice40.sh')) ? statSync(join(dir, 'pnr_ice40.sh')).mtimeMs : undefined;
    const { message, fix } = await refused(['synth', 'tans', '--package', 'ct256$(touch PWNED)']);
    expect(message).toBe('package "ct256$(touch PWNED)" is not a package of the iCE40 hx8k');
    expect(fix).toBe('give --package one of ct256, cm225, cb132, bg121 (or leave it out for ct256)');
    expect(io.stdout).toBe(''); // no tool was asked for its version
    expect(existsSync(join(dir, 'pnr_ice40.sh')) ? statSync(join(dir, 'pnr_ice40.sh')).mtimeMs : undefined).toBe(before);
    expect(existsSync('PWNED')).toBe(false);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });

  it('refuses a real package of another device, and the library refuses what the CLI refuses', async () => {
    const { message, fix } = await refused(['synth', 'tans', '--device', 'up5k', '--package', 'ct256']);
    expect(message).toBe('package "ct256" is not a package of the iCE40 up5k');
    expect(fix).toContain('sg48, uwg30');
    await expect(generateTansRtl({}, { target: { device: 'hx8k', package: 'ct256;id', freqMhz: 12 } })).rejects.toThrow(HwsimError);
    await expect(generateTansRtl({}, { target: { device: 'hx8k --run x.py' as 'hx8k', package: 'ct256', freqMhz: 12 } }))
      .rejects.toThrow('iCE40 device "hx8k --run x.py" is not one hwsim knows');
    await expect(generateTansRtl({}, { target: { device: 'hx8k', package: 'ct256', freqMhz: NaN } })).rejects.toThrow(HwsimError);
  });

  it('the package table lists only packages nextpnr-ice40 accepts for the device', () => {
    const probe = spawnSync('nextpnr-ice40', ['--version'], { encoding: 'utf8' });
    if (probe.error) return; // nextpnr absent: the table was checked where it is installed
    // without a design, nextpnr only loads the device database for the package: 0 or "Unsupported package"
    const accepts = (device: string, p: string) => spawnSync('nextpnr-ice40', [`--${device}`, '--package', p], { encoding: 'utf8' }).status === 0;
    for (const [device, packages] of Object.entries(ICE40_PACKAGES)) {
      for (const p of packages) expect(accepts(device, p), `${device} ${p}`).toBe(true);
    }
    expect(accepts('hx8k', 'tq144')).toBe(false); // sold, but not in nextpnr 0.4's hx8k database
    expect(accepts('up5k', 'ct256')).toBe(false);
  });
});

describe('hwsim synth: size estimate', () => {
  it('estimates the measured table of docs/hw/synthesis.md within 2% of its logic cells and exactly its BRAMs', () => {
    const doc = readFileSync(join(packageRoot(), 'docs/hw/synthesis.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) \| (\d+) \| \d+ \| \d+ \| \d+ \| (\d+) \| (\d+) \/ 7680 \|/gm)];
    expect(rows.length).toBe(9);
    for (const [, L, S, brams, lcs] of rows) {
      const e = estimateSynth(resolveTansDecoderParams({ states: Number(L), streams: Number(S), symbolBits: 5 }), 'hx8k');
      expect(Math.abs(e.logicCells - Number(lcs)) / Number(lcs), `L=${L} S=${S}`).toBeLessThan(0.02);
      expect(e.brams, `L=${L} S=${S}`).toBe(Number(brams));
      expect(e.fits).toBe(true);
    }
  });

  it('estimates the 4-word FIFO table, other FIFO depths and narrower counters of docs/hw/synthesis.md within 2% of their logic cells', () => {
    const doc = readFileSync(join(packageRoot(), 'docs/hw/synthesis.md'), 'utf8');
    const near = (p: Parameters<typeof resolveTansDecoderParams>[0], lcs: number, what: string) => {
      const e = estimateSynth(resolveTansDecoderParams({ symbolBits: 5, ...p }), 'hx8k');
      expect(Math.abs(e.logicCells - lcs) / lcs, what).toBeLessThan(0.02);
      return e;
    };
    // the 4-word FIFO table: | L | S | LUTs | per lane | FFs | BRAMs | LCs / 7680 | ...
    const fourWords = [...doc.matchAll(/^\| (\d+) \| (\d+) \| \d+ \| (?:–|\d+\.\d) \| \d+ \| \d+ \| (\d+) \/ 7680 \|/gm)];
    expect(fourWords.length).toBe(9);
    for (const [, L, S, lcs] of fourWords) near({ states: Number(L), streams: Number(S), streamFifoDepth: 4 }, Number(lcs), `4-word FIFOs L=${L} S=${S}`);
    // the FIFO depth table (L = 64): | depth | LCs at S = 1 | LCs at S = 8 ... |
    const depths = [...doc.matchAll(/^\| (\d+)(?: \(the [^)]*\))? \| (\d+) \| (\d+)(?: \([^|]*\))? \| [\d.]+ \|$/gm)];
    expect(depths.map((m) => Number(m[1]))).toEqual([2, 4, 8]);
    for (const [, d, s1, s8] of depths) {
      near({ states: 64, streams: 1, streamFifoDepth: Number(d) }, Number(s1), `depth ${d} S=1`);
      const e = near({ states: 64, streams: 8, streamFifoDepth: Number(d) }, Number(s8), `depth ${d} S=8`);
      expect(e.fits, `depth ${d} S=8`).toBe(Number(s8) <= 7680);
    }
    // the counter width table (2-word FIFOs): | L | bits | LCs at S = 1 | LCs at S = 8 | per lane |
    const widths = [...doc.matchAll(/^\| (\d+) \| (\d+)(?: \(the [^)]*\))? \| (\d+) \| (\d+) \| [\d.]+ \|$/gm)];
    expect(widths.map((m) => `${m[1]}:${m[2]}`)).toEqual(['64:32', '64:22', '256:32', '256:22']);
    for (const [, L, bits, s1, s8] of widths) {
      for (const [S, lcs] of [[1, s1], [8, s8]] as const) {
        near({ states: Number(L), streams: S, streamFifoDepth: 2, countBits: Number(bits) }, Number(lcs), `L=${L} ${bits}-bit S=${S}`);
      }
    }
  });

  it('on the up5k, passes what nextpnr placed (L = 64, S = 7 with 2-word FIFOs: 4587 logic cells) and refuses what it could not (S = 6 with 4-word FIFOs: 4649)', () => {
    const at = (streams: number, streamFifoDepth = 2) => estimateSynth(resolveTansDecoderParams({ states: 64, streams, symbolBits: 5, streamFifoDepth }), 'up5k');
    expect(at(7).fits).toBe(true);
    expect(at(8).fits).toBe(false);
    expect(at(8).maxStreams).toBe(7);
    expect(at(5, 4).fits).toBe(true);
    expect(at(6, 4).fits).toBe(false);
    expect(at(6, 4).maxStreams).toBe(5);
    expect(at(8).line).toMatch(/device 5280, of which nextpnr places about 4500/);
  });

  it('refuses --states 4096 --streams 64 before running anything, with the estimate and a fix', async () => {
    // stand-in tools that would fail at once: a missing refusal shows up as a failed synthesis, not a long run
    let message = '', fix = '';
    await withStandInTools('exit 0', 'exit 1', async () => {
      ({ message, fix } = await refused(['synth', 'tans', '--states', '4096', '--streams', '64']));
    });
    expect(message).toMatch(/^L=4096 S=64: about \d+ logic cells \(device 7680\) and \d+ block RAMs \(device 32\): larger than the hx8k, nextpnr will fail/);
    expect(fix).toMatch(/^use --streams 1 or fewer at --states 4096, or --force to run it anyway$/);
    expect(io.stdout).toBe('');
  });

  it('names a bigger device when one fits', async () => {
    let message = '', fix = '';
    await withStandInTools('exit 0', 'exit 1', async () => {
      ({ message, fix } = await refused(['synth', 'tans', '--device', 'hx1k', '--package', 'tq144', '--states', '64', '--streams', '2']));
    });
    expect(message).toMatch(/^L=64 S=2: about \d+ logic cells \(device 1280\)/);
    expect(fix).toBe('use --streams 1 or fewer at --states 64, a bigger device (--device hx8k), or --force to run it anyway');
  });

  it.skipIf(!hasSh)('--force passes the estimate, and each run is announced on stderr before it starts', async () => {
    // stand-in tools: the synthesis "fails" at once, which is enough to show the run was attempted
    await withStandInTools('echo "Yosys stand-in"', 'echo "nextpnr stand-in"; echo "ERROR: Unable to place cell" >&2; exit 1', async () => {
      io.clear();
      expect(await main(['synth', 'tans', '--device', 'hx1k', '--states', '64', '--streams', '2', '--force'])).toBe(2);
      const lines = io.stderr.split('\n');
      expect(lines[0]).toMatch(/^synthesizing L=64 S=2: about \d+ logic cells \(device 1280\) .*: larger than the hx1k, nextpnr will fail$/);
      expect(lines[1]).toBe('hwsim: error: synthesis of tans_L64_B5_S2 for the hx1k failed (logs in ' +
        `${join(packageRoot(), 'build', 'synth', 'tans_L64_B5_S2-hx1k')}):`);
      expect(io.stderr).toMatch(/\n {2}fix: the design does not fit this device/);
    });
  });

  it.skipIf(!hasSh)('announces each configuration on stderr before running it (stand-in tools)', async () => {
    await withStandInTools('exit 0', 'exit 1', async () => {
      io.clear();
      const code = await main(['synth', 'tans', '--states', '64', '--streams', '1']);
      expect(code).toBe(2);
      // the line comes first, then the failure
      expect(io.stderr).toMatch(/^synthesizing L=64 S=1: about \d+ logic cells \(device 7680\) and 1 block RAMs \(device 32\)\nhwsim: error: /);
    });
  });

  it('refuses a --markdown path in a missing directory before synthesizing', async () => {
    const { message, fix } = await refused(['synth', 'tans', '--markdown', join(tmp('md'), 'no', 'such.md')]);
    expect(message).toMatch(/the directory .*no does not exist/);
    expect(fix).toBe('create it first, or give another path');
  });
});

describe('hwsim rtl: outputs', () => {
  it('--out naming an existing file', async () => {
    const f = join(tmp('outfile'), 'existing.txt');
    writeFileSync(f, 'keep me');
    const { message, fix } = await refused(['rtl', 'tans', '--out', f]);
    expect(message).toBe(`cannot write to ${f}: ${f} is an existing file, not a directory`);
    expect(fix).toBe('give --out a directory (it is created if missing)');
    expect(readFileSync(f, 'utf8')).toBe('keep me');
    await refused(['rtl', 'tans', '--out', join(f, 'sub')]); // below a file
  });

  it('--out in a place that cannot be written (and no hang on /proc)', async () => {
    if (existsSync('/proc/self')) {
      const { message, fix } = await refused(['rtl', 'tans', '--out', '/proc/hwsim-rtl-test/x']);
      expect(message).toMatch(/^cannot create the directory \/proc\/hwsim-rtl-test: E[A-Z]+$/);
      expect(fix).toBe('give --out a directory in a place you can write to');
    }
    if (process.getuid?.() !== 0) { // root writes anywhere: a read-only folder only stops others
      const ro = tmp('ro');
      chmodSync(ro, 0o555);
      const { message } = await refused(['rtl', 'tans', '--out', join(ro, 'rtl')]);
      expect(message).toMatch(/EACCES/);
      chmodSync(ro, 0o755);
    }
  });

  it('--rom-image: only a plain file name, never one the generator writes', async () => {
    for (const name of ['.', '..', '../x.mem', 'a/b.mem', '/tmp/x.mem', '.hidden', 'a\\b', 'x\n', '-']) {
      const out = join(tmp('rom'), 'o');
      const { message, fix } = await refused(['rtl', 'tans', '--out', out, `--rom-image=${name}`]);
      expect(message).toBe(`--rom-image ${JSON.stringify(name)} is not a plain file name`);
      expect(fix).toMatch(/^name a file such as table.mem/);
      expect(existsSync(out), name).toBe(false);
    }
    for (const name of ['tans_engine.v', 'pnr_ice40.sh', 'TANS_ENGINE.V']) {
      const out = join(tmp('rom'), 'o');
      const { message, fix } = await refused(['rtl', 'tans', '--out', out, '--rom-image', name]);
      expect(message).toBe(`--rom-image ${name} is a file the generator writes itself: the image would overwrite it`);
      expect(fix).toContain('name another file such as table.mem');
      expect(existsSync(out), name).toBe(false);
    }
  });

  it('--counts: refused without --rom-image, and errors say how to fix them', async () => {
    const out = join(tmp('counts'), 'o');
    let r = await refused(['rtl', 'tans', '--states', '64', '--out', out, '--counts', '16,32,16']);
    expect(r.message).toBe('--counts has no effect without --rom-image');
    expect(r.fix).toBe('add --rom-image table.mem to write the table of these counts, or drop --counts');
    const fix = 'give comma-separated non-negative integers summing to --states (64), at most 32 of them (--symbol-bits 5), e.g. --counts 16,32,16';
    for (const [counts, message] of [
      ['16,x,16', '--counts 16,x,16: "x" is not a non-negative integer'],
      ['16,-1,49', '--counts 16,-1,49: "-1" is not a non-negative integer'],
      ['16,1.5,16', '--counts 16,1.5,16: "1.5" is not a non-negative integer'],
      ['16,,16', '--counts 16,,16: "" is not a non-negative integer'],
      ['16,32', '--counts sum to 48, not to --states 64'],
      ['0,0', '--counts sum to 0, not to --states 64'],
    ]) {
      r = await refused(['rtl', 'tans', '--states', '64', '--out', out, '--rom-image', 't.mem', '--counts', counts]);
      expect(r.message).toBe(message);
      expect(r.fix).toBe(fix);
    }
    r = await refused(['rtl', 'tans', '--states', '64', '--out', out, '--rom-image', 't.mem', '--counts', Array(33).fill('2').join(',')]);
    expect(r.message).toBe('--counts has 33 symbols, 5-bit symbols allow 32');
    expect(existsSync(out)).toBe(false);
  });

  it('writes every file inside --out, through temporary files that are gone afterwards', async () => {
    const out = join(tmp('ok'), 'a', 'b');
    io.clear();
    expect(await main(['rtl', 'tans', '--states', '64', '--out', out, '--rom-image', 'table.mem', '--counts', '16,32,16'])).toBe(0);
    expect(io.stderr).toBe('');
    expect(readdirSync(out).sort()).toEqual([...TANS_GENERATED_NAMES, 'table.mem'].sort());
    expect(statSync(join(out, 'pnr_ice40.sh')).mode & 0o111).not.toBe(0);
    // again over the same folder: replaced in place, still no leftovers
    expect(await main(['rtl', 'tans', '--states', '64', '--out', out])).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...TANS_GENERATED_NAMES, 'table.mem'].sort());
  });
});

describe('writeGenerated', () => {
  it('refuses names that would leave the directory', () => {
    const dir = tmp('names');
    for (const name of ['../x.v', 'a/b.v', '/etc/x', '.', '..', '']) {
      expect(() => writeGenerated(join(dir, 'o'), [{ name, text: 'x' }]), name).toThrow(HwsimError);
    }
    expect(() => writeGenerated(join(dir, 'o'), [{ name: 'a.v', text: '1' }, { name: 'A.v', text: '2' }])).toThrow('two generated files are named A.v');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failure while writing leaves the folder as it was: no file replaced, no temporary file left, no link followed', async () => {
    const dir = tmp('atomic');
    const files = await generateTansRtl({});
    writeGenerated(dir, files);
    const before = Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
    // a link planted under the third file's temporary name, pointing outside: must not be written through
    const outside = join(tmp('outside'), 'victim.txt');
    writeFileSync(outside, 'victim');
    const planted = `.${files[2].name}.tmp-${process.pid}`;
    symlinkSync(outside, join(dir, planted));
    const changed = files.map((f) => ({ name: f.name, text: `${f.text}// changed\n` }));
    expect(() => writeGenerated(dir, changed)).toThrow(/cannot write .*: EEXIST/);
    expect(readFileSync(outside, 'utf8')).toBe('victim');
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(before), planted].sort());
    for (const [n, text] of Object.entries(before)) expect(readFileSync(join(dir, n), 'utf8'), n).toBe(text);
  });
});

describe('device table', () => {
  it('every device has packages and a capacity', () => {
    for (const d of Object.keys(ICE40_PACKAGES) as (keyof typeof ICE40_PACKAGES)[]) {
      expect(ICE40_PACKAGES[d].length).toBeGreaterThan(0);
      expect(ICE40_CAPACITY[d].logicCells).toBeGreaterThan(0);
    }
  });
});
