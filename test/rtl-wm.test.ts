/**
 * The wm query unit's RTL generator: templates bind exactly the declared parameters, generated/
 * is fresh, the Verilog is lint-clean in Verilator and compiles in Icarus across the parameter
 * range, and every tool stops on a bad parameter override, naming it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
import { paramsOf } from '../src/params/lookup.js';
import { wmEngineMarkdownTable } from '../src/params/markdown.js';
import { badParameterModule } from '../src/params/verilog.js';
import { resolveWmEngineParams } from '../src/params/groups.js';
import { writeGenerated } from '../src/rtl/tans-rtl.js';
import { DEFAULT_WM_RTL_CONFIGS, generateWmRtl, WM_ACCESS_FILE, WM_ACCESS_TOP, WM_RTL_FILES, WM_TOP, wmConfigName } from '../src/rtl/wm-rtl.js';
import { main } from '../src/cli/main.js';
import { captureOutput } from './capture-output.js';

const root = packageRoot();
const io = captureOutput();

describe('wm query unit RTL generator', () => {
  it('the top and the random-access port declare exactly the wm parameters of the declaration, under their Verilog names', () => {
    const declaredIn = (file: string) => {
      const text = readFileSync(join(root, 'rtl-templates/wm', file), 'utf8');
      return [...text.matchAll(/parameter\s+integer\s+(\w+)\s*=\s*\{\{(\w+)\}\}/g)].map((m) => String([m[1], m[2]]));
    };
    const wm = paramsOf('wm').map((p) => String([p.verilog, p.name]));
    // the rank cache is the port's alone
    expect(declaredIn('wm_query_unit.v').sort()).toEqual(wm.filter((x) => !x.endsWith(',wmRankCache')).sort());
    expect(declaredIn(WM_ACCESS_FILE).sort()).toEqual(wm.filter((x) => /,(symbolBits|wmLevels|wmBufferWords|wmRankCache)$/.test(x)).sort());
  });

  it('generated/ matches a fresh generation of the default configuration', () => {
    for (const c of DEFAULT_WM_RTL_CONFIGS) {
      const files = generateWmRtl(c);
      const dir = join(root, 'generated', wmConfigName(resolveWmEngineParams(c)));
      expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.name).sort());
      for (const f of files) expect(readFileSync(join(dir, f.name), 'utf8'), f.name).toBe(f.text);
    }
  });

  it('is clean under verilator --lint-only -Wall and compiles with Icarus, across the parameter range', () => {
    for (const params of [{}, { wmLanes: 1, wmLoadWords: 1, wmLevels: 2, symbolBits: 1, wmBufferWords: 64 },
      { wmLanes: 5, wmLoadWords: 16, wmLevels: 24, symbolBits: 8, wmBufferWords: 1 << 14 }]) {
      const dir = mkdtempSync(join(tmpdir(), 'hwsim-wm-rtl-'));
      writeGenerated(dir, generateWmRtl(params));
      for (const top of [WM_TOP, 'wm_query_unit_pins']) {
        const files = top === WM_TOP ? [...WM_RTL_FILES] : [...WM_RTL_FILES, 'wm_query_unit_pins.v'];
        const lint = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', top, ...files], { cwd: dir, encoding: 'utf8' });
        expect(lint.error, 'verilator must be installed').toBeUndefined();
        expect(`${lint.stdout}${lint.stderr}`, JSON.stringify(params)).toBe('');
        expect(lint.status).toBe(0);
      }
      const iv = spawnSync('iverilog', ['-g2005', '-s', WM_TOP, '-o', 'a.vvp', ...WM_RTL_FILES], { cwd: dir, encoding: 'utf8' });
      expect(iv.error, 'iverilog must be installed').toBeUndefined();
      expect(iv.status, iv.stderr).toBe(0);
      // the random-access port, each rank cache option
      for (const cache of [0, 1, 2]) {
        const lint = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', WM_ACCESS_TOP, `-GRankCache=${cache}`, WM_ACCESS_FILE], { cwd: dir, encoding: 'utf8' });
        expect(`${lint.stdout}${lint.stderr}`, `${JSON.stringify(params)} RankCache=${cache}`).toBe('');
        expect(lint.status).toBe(0);
        const ivp = spawnSync('iverilog', ['-g2005', '-s', WM_ACCESS_TOP, '-P', `${WM_ACCESS_TOP}.RankCache=${cache}`, '-o', 'p.vvp', WM_ACCESS_FILE], { cwd: dir, encoding: 'utf8' });
        expect(ivp.status, ivp.stderr).toBe(0);
      }
    }
  }, 600_000);

  it('the random-access port stops every tool on a bad RankCache, naming it, and takes --rank-cache as its index', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-wm-port-'));
    writeGenerated(dir, generateWmRtl({ wmRankCache: 'level' }));
    expect(readFileSync(join(dir, WM_ACCESS_FILE), 'utf8')).toContain('parameter integer RankCache   = 1');
    const message = 'RankCache must be 0..2 (0 none, 1 level, 2 node)';
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
      expect(r.error, `${cmd} must be installed`).toBeUndefined();
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    for (const [value, ok] of [[3, false], [2, true]] as const) {
      const results = {
        verilator: run('verilator', ['--lint-only', '-Wall', '--top-module', WM_ACCESS_TOP, `-GRankCache=${value}`, WM_ACCESS_FILE]),
        icarus: run('iverilog', ['-g2005', '-s', WM_ACCESS_TOP, '-P', `${WM_ACCESS_TOP}.RankCache=${value}`, '-o', 'x.vvp', WM_ACCESS_FILE]),
        yosys: run('yosys', ['-q', '-p', `read_verilog -defer ${WM_ACCESS_FILE}; chparam -set RankCache ${value} ${WM_ACCESS_TOP}; hierarchy -top ${WM_ACCESS_TOP}`]),
      };
      for (const [tool, r] of Object.entries(results)) {
        if (ok) { expect(r.status, `${tool}: ${r.out}`).toBe(0); continue; }
        expect(r.status, tool).not.toBe(0);
        expect(r.out, tool).toContain(tool === 'icarus' ? badParameterModule(WM_ACCESS_TOP, message) : `${WM_ACCESS_TOP}: ${message}`);
      }
    }
    expect(() => generateWmRtl({ wmRankCache: 'lru' as 'node' })).toThrow(/--rank-cache "lru" is not allowed: one of none, level, node/);
  }, 600_000);

  it('refuses out-of-range parameters before writing anything, naming the flag and the range', () => {
    expect(() => generateWmRtl({ wmLanes: 17 })).toThrow('--lanes 17 is not allowed: an integer 1..16');
    expect(() => generateWmRtl({ wmLoadWords: 3 })).toThrow('--load-words 3 is not allowed: a power of two in 1..16');
    expect(() => generateWmRtl({ wmBufferWords: 1000 })).toThrow(/--buffer-words 1000 is not allowed/);
  });

  it('Verilator, Icarus and Yosys each stop on a bad parameter override, naming it, and accept a good one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-wm-chk-'));
    writeGenerated(dir, generateWmRtl({ wmBufferWords: 256 }));
    const tools = (param: string, value: number) => {
      const run = (cmd: string, args: string[]) => {
        const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
        expect(r.error, `${cmd} must be installed`).toBeUndefined();
        return { status: r.status, out: `${r.stdout}${r.stderr}` };
      };
      return {
        verilator: run('verilator', ['--lint-only', '-Wall', '--top-module', WM_TOP, `-G${param}=${value}`, ...WM_RTL_FILES]),
        icarus: run('iverilog', ['-g2005', '-s', WM_TOP, '-P', `${WM_TOP}.${param}=${value}`, '-o', 'x.vvp', ...WM_RTL_FILES]),
        yosys: run('yosys', ['-q', '-p', `${WM_RTL_FILES.map((f) => `read_verilog -defer ${f}`).join('; ')}; chparam -set ${param} ${value} ${WM_TOP}; hierarchy -top ${WM_TOP}`]),
      };
    };
    for (const [param, bad, good, message] of [
      ['Lanes', 17, 3, 'wm_query_unit: Lanes must be an integer 1..16'],
      ['LoadWords', 3, 4, 'wm_query_unit: LoadWords must be a power of two in 1..16'],
      ['Levels', 25, 4, 'wm_query_unit: Levels must be an integer 2..24'],
    ] as const) {
      for (const [tool, r] of Object.entries(tools(param, bad))) {
        expect(r.status, `${tool} ${param}=${bad}: ${r.out}`).not.toBe(0);
        expect(r.out, tool).toContain(tool === 'icarus' ? badParameterModule(WM_TOP, message.slice(`${WM_TOP}: `.length)) : message);
      }
      for (const [tool, r] of Object.entries(tools(param, good))) expect(r.status, `${tool} ${param}=${good}: ${r.out}`).toBe(0);
    }
  }, 900_000);

  it('docs/hw/wm-query-unit.md carries the parameter table generated from the declaration', () => {
    const doc = readFileSync(join(root, 'docs/hw/wm-query-unit.md'), 'utf8');
    const m = /<!-- params:wm -->\n([\s\S]*?)\n<!-- \/params -->/.exec(doc);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(wmEngineMarkdownTable());
  });

  it('hwsim rtl wm writes the files; a flag of the other block is refused in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-wm-cli-'));
    expect(await main(['rtl', 'wm', '--lanes', '3', '--out', dir])).toBe(0);
    expect(io.stdout).toMatch(/wrote 10 files to .*top: wm_query_unit.*random-access port: wm_access_port, rank cache node/s);
    expect(readFileSync(join(dir, 'wm_query_unit.v'), 'utf8')).toContain('parameter integer Lanes       = 3,');
    io.clear();
    expect(await main(['rtl', 'tans', '--lanes', '3', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/--lanes is a flag of the wm query unit, not of tans/);
    io.clear();
    expect(await main(['rtl', 'wm', '--states', '64', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/--states is a flag of the tANS engine, not of wm/);
  });
});
