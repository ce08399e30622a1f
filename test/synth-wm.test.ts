/**
 * `hwsim synth wm` without a full synthesis run (minutes): the generated unit's memories as Yosys
 * infers them (every payload bank one memory with one read and one write port, the shape a block
 * RAM has), and the markdown table's merge of runs per device and configuration.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveWmEngineParams } from '../src/params/groups.js';
import { wmBufferBits, wmSynthMarkdown, type WmSynthResult } from '../src/rtl/synth-wm.js';
import { writeGenerated } from '../src/rtl/tans-rtl.js';
import { generateWmRtl, WM_RTL_FILES, WM_TOP } from '../src/rtl/wm-rtl.js';

/** Yosys's memories of the elaborated unit: per memory its read and write ports, depth and width. */
function memoriesOf(dir: string): Array<{ rd: number; wr: number; size: number; width: number }> {
  const r = spawnSync('yosys', ['-q', '-p', `read_verilog -defer ${WM_RTL_FILES.join(' ')}; hierarchy -top ${WM_TOP}; proc; flatten; opt_clean; ` +
    'memory_collect; tee -q -o mem.txt dump t:$mem_v2 t:$mem'], { cwd: dir, encoding: 'utf8' });
  expect(r.error, 'yosys must be installed').toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  const text = readFileSync(join(dir, 'mem.txt'), 'utf8');
  return text.split(/\n\s*cell /).slice(1).map((cell) => {
    const param = (name: string) => Number(new RegExp(`parameter \\\\${name} (\\d+)`).exec(cell)?.[1] ?? NaN);
    return { rd: param('RD_PORTS'), wr: param('WR_PORTS'), size: param('SIZE'), width: param('WIDTH') };
  });
}

describe('hwsim synth wm', () => {
  it('every payload bank is one memory with one read port and one write port (inferable block RAM)', () => {
    const p = resolveWmEngineParams({ wmLanes: 2, wmLoadWords: 2, wmLevels: 3, symbolBits: 3, wmBufferWords: 64 });
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-wm-mem-'));
    writeGenerated(dir, generateWmRtl(p));
    const mems = memoriesOf(dir);
    // per lane, per level, per load word: one sub-bank of 64 / 2 words of a word and its rank
    expect(mems).toHaveLength(p.wmLanes * p.wmLevels * p.wmLoadWords);
    for (const m of mems) expect(m).toEqual({ rd: 1, wr: 1, size: 32, width: 32 + 6 + 6 });
    expect(wmBufferBits(p)).toBe(2 * 3 * 64 * 44);
    // the check can fail: a second reader of a bank makes Yosys's memory two-ported
    const ram = readFileSync(join(dir, 'wm_ram.v'), 'utf8');
    const twoReaders = ram.replace('output reg  [Width-1:0]         rdata_o\n);', 'output reg  [Width-1:0]         rdata_o\n);\n  reg [Width-1:0] extra_q;\n  always @(posedge clk_i) extra_q <= mem_q[waddr_i];\n  wire unused_extra = ^extra_q;')
      .replace('if (re_i) rdata_o <= mem_q[raddr_i];', 'if (re_i) rdata_o <= mem_q[raddr_i] ^ extra_q;');
    expect(twoReaders).not.toBe(ram);
    writeFileSync(join(dir, 'wm_ram.v'), twoReaders);
    expect(memoriesOf(dir).every((m) => m.rd === 1)).toBe(false);
  }, 300_000);

  it('--markdown: one table per device; a later run replaces its own rows and keeps the rest', () => {
    // figures here are placeholders of the right shape: the test is about the table's layout
    const result = (device: 'hx8k' | 'up5k', lanes: number, luts: number): WmSynthResult => {
      const config = resolveWmEngineParams({ wmLanes: lanes, wmLoadWords: 1, wmLevels: 4, symbolBits: 3, wmBufferWords: 64 });
      return {
        config, target: { device, package: device === 'hx8k' ? 'ct256' : 'sg48', freqMhz: 100 }, dir: '/tmp/x',
        luts, ffs: 1, carries: 1, brams: 1, logicCells: 2, logicCellsAvailable: 7680, ios: 0, fmaxMhz: 50, fmaxBySeed: [49, 50, 51], seeds: [1, 2, 3],
        criticalPath: 'a → b', fits: true, bufferBits: wmBufferBits(config), seconds: 1,
      };
    };
    const versions = { yosys: 'Yosys 0.23', nextpnr: 'nextpnr 0.4' };
    const first = wmSynthMarkdown([result('hx8k', 1, 100), result('hx8k', 2, 200)], versions, 'hwsim synth wm --lanes 1,2');
    const second = wmSynthMarkdown([result('up5k', 1, 300)], versions, 'hwsim synth wm --lanes 1 --device up5k', first);
    const third = wmSynthMarkdown([result('hx8k', 2, 250)], versions, 'hwsim synth wm --lanes 2', second);
    expect(third).toMatch(/## iCE40 HX8K \(ct256\)[\s\S]*\| 1 \| 1 \| 4 \| 3 \| 64 \| 11\.0 \| 100 \|[\s\S]*\| 2 \| 1 \| 4 \| 3 \| 64 \| 22\.0 \| 250 \|[\s\S]*## iCE40 UP5K/);
    expect(third).not.toMatch(/\| 200 \|/);
    expect(third).toMatch(/## iCE40 UP5K \(sg48\), through the pin-limited wrapper[\s\S]*\| 1 \| 1 \| 4 \| 3 \| 64 \| 11\.0 \| 300 \|/);
    expect(third).toMatch(/49, 50, 51 \(seeds 1, 2, 3\)/);
  });
});
