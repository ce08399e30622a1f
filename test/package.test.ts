/**
 * The installable package: `npm pack` of a copy of this tree (prepack builds dist/ there), installed
 * offline into an empty folder, and the installed `hwsim` run from it: nothing may need src/, the
 * checkout, or an install script.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';

// HWSIM_PACKAGE_SOURCE: pack another tree (e.g. a clean export) instead of this checkout
const source = process.env.HWSIM_PACKAGE_SOURCE ?? packageRoot();
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', '.cache', 'hwsim-out', 'out']);
const MIN = 60_000;

function run(cmd: string, args: string[], cwd: string, timeout = 10 * MIN): SpawnSyncReturns<string> {
  // npm_* variables of an outer `npm test` would redirect the inner npm (prefix, cache, scripts)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env, maxBuffer: 64 << 20 });
}

const out = (r: SpawnSyncReturns<string>) => `${r.stdout}\n${r.stderr}`;

/**
 * An app depending on the tarball, with a lockfile that pins hwsim's run-time dependencies as this
 * checkout's lockfile does: `npm ci` leaves their tarballs (not their registry metadata) in the npm
 * cache, so the pinned install needs no network.
 */
function writeAppWithLock(app: string, tgz: string): void {
  const lock = JSON.parse(readFileSync(join(source, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: Record<string, string>; license: string };
  const spec = `file:${relative(app, tgz)}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { hwsim: spec } },
    'node_modules/hwsim': {
      version: pkg.version, resolved: spec, integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
      license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin,
    },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev) packages[k] = v;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { hwsim: spec } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
}

describe('npm pack → npm install → npx hwsim', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hwsim-pkg-'));
  const app = join(tmp, 'app');
  let tarball = '';
  let files: string[] = [];

  beforeAll(() => {
    const tree = join(tmp, 'tree');
    mkdirSync(tree);
    for (const e of readdirSync(source)) if (!SKIP.has(e)) cpSync(join(source, e), join(tree, e), { recursive: true });
    symlinkSync(join(packageRoot(), 'node_modules'), join(tree, 'node_modules'), 'dir');
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], tree);
    expect(pack.status, `npm pack failed:\n${out(pack)}`).toBe(0);
    const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(tmp, basename(info[0].filename));
    files = info[0].files.map((f) => f.path);

    mkdirSync(app);
    writeAppWithLock(app, tarball);
    const install = run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
    expect(install.status, `npm install failed:\n${out(install)}`).toBe(0);
  }, 15 * MIN);

  it('the tarball holds the compiled CLI and the run-time files, no TypeScript sources, no install scripts', () => {
    expect(existsSync(tarball)).toBe(true);
    for (const f of ['bin/hwsim.js', 'dist/src/cli/main.js', 'dist/src/params/declaration.js', 'rtl-templates/tans/tans_engine.v',
      'rtl-templates/cosim/tans_harness.cpp', 'docs/CHIP.md', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/hwsim/package.json'), 'utf8')) as { scripts?: Record<string, string>; dependencies?: Record<string, string> };
    for (const s of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[s], s).toBeUndefined();
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['protobufjs', 'yaml', 'yargs']); // protobufjs: the ONNX loader; yaml: sweep files
    // ts-morph is build-time only: the installed tree must not have it
    expect(existsSync(join(app, 'node_modules/ts-morph'))).toBe(false);
  });

  it('runs a network on the chip', () => {
    const r = run('npx', ['hwsim', 'run', 'lenet-5', '--no-layers', '-q'], app);
    expect(r.status, out(r)).toBe(0);
    expect(r.stdout).toMatch(/lenet-5/);
    expect(r.stdout).toMatch(/simulated [\d,]+ \+ [\d,]+ \(int8\) cycles/);
  });

  it("is a library: import { loadModel, encode, writeImage, runContainer } from 'hwsim' runs a model, typed", () => {
    const script = join(app, 'use-api.mjs');
    writeFileSync(script, [
      "import { loadModel, encode, writeImage, inspect, runContainer, resolveChipConfig } from 'hwsim';",
      "const bytes = writeImage(encode(loadModel('lenet-5'), { states: 64, streams: 4 }));",
      "const figures = inspect(bytes, 'l5.hwz');",
      "const report = await runContainer(bytes, 'l5.hwz', { chip: resolveChipConfig({ decoders: 4 }) });",
      "console.log(JSON.stringify({ bytes: bytes.length, layers: figures.layers.length, fileBytes: figures.fileBytes, cycles: report.tans.cycles, image: report.imageBytes }));",
    ].join('\n'));
    const r = run(process.execPath, [script], app);
    expect(r.status, out(r)).toBe(0);
    const j = JSON.parse(r.stdout) as { bytes: number; layers: number; fileBytes: number; cycles: number; image: number };
    expect(j.layers).toBe(4);
    expect(j.fileBytes).toBe(j.bytes);
    expect(j.image).toBe(j.bytes);
    expect(j.cycles).toBeGreaterThan(0);
    expect(files).toContain('dist/src/index.d.ts');
  });

  it('writes the engine RTL from the installed templates, and refuses a bad parameter with exit 2', () => {
    const dir = join(tmp, 'rtl');
    const r = run('npx', ['hwsim', 'rtl', 'tans', '--out', dir], app);
    expect(r.status, out(r)).toBe(0);
    expect(r.stdout).toMatch(/wrote 13 files/);
    for (const f of ['tans_engine.v', 'tans_lane.v', 'tans_counter.v', 'tans_counter_chain.v', 'tans_engine.f', 'tans_engine.core', 'synth_ice40.ys']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'tans_engine.v'), 'utf8')).toMatch(/parameter integer States\s+= 64,[\s\S]*begin : g_bad_States/);
    const bad = run('npx', ['hwsim', 'rtl', 'tans', '--streams', '100', '--out', dir], app);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/hwsim: error: --streams 100 is not allowed: an integer 1\.\.64/);
  });

  it('co-simulates the installed RTL under Verilator', (ctx) => {
    if (spawnSync('verilator', ['--version']).error) {
      process.stdout.write('package test: verilator is not installed, the cosim step is skipped\n');
      ctx.skip();
    }
    const r = run('npx', ['hwsim', 'cosim', 'tans', '--layers', '1', '--symbols', '50'], app);
    expect(r.status, out(r)).toBe(0);
    expect(r.stdout).toMatch(/^PASS cosim tans_L64_B5_S4/);
    expect(r.stdout).toMatch(/mismatches 0/);
    expect(r.stdout).toMatch(/layer cycle counts equal 1\/1/);
  }, 15 * MIN);
});
