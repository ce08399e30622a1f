import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
import { paramsOf } from '../src/params/lookup.js';
import { engineMarkdownTable } from '../src/params/markdown.js';
import { synthTans } from '../src/rtl/synth-ice40.js';
import { DEFAULT_RTL_CONFIGS, generateTansRtl, readTemplate, romImage, TANS_RTL_FILES, writeGenerated } from '../src/rtl/tans-rtl.js';
import { resolveTansDecoderParams, TansEngineModel, tableEntryBits, tableEntryPacked, tableEntryWord, tableRamBits } from '../src/chip/tans-decoder.js';
import { buildDecodeTable, spreadTuned } from '../src/codecs/tans/table.js';
import { HwsimError } from '../src/errors.js';
import { badParameterModule } from '../src/params/verilog.js';

const root = packageRoot();
const schema = paramsOf('engine').map((p) => ({ name: p.name, verilogName: p.verilog! }));

describe('RTL generator', () => {
  it('templates declare exactly the engine parameters of the declaration (drift check)', () => {
    const top = readTemplate('tans/tans_engine.v');
    const declared = [...top.matchAll(/parameter\s+integer\s+(\w+)\s*=\s*\{\{(\w+)\}\}/g)].map((m) => [m[1], m[2]]);
    expect(declared).toEqual(schema.map((f) => [f.verilogName, f.name]));
    // every placeholder of every template is a schema field or a generator value
    const known = new Set([...schema.map((f) => f.name), 'banner', 'config', 'device', 'package', 'freqMhz', 'fileList',
      'readFiles', 'chparams', 'coreFiles', 'coreParamList', 'coreParams', 'top', 'paramChecks', 'depthCheck', 'synthTop']);
    for (const sub of ['tans', 'synth', 'cosim']) {
      for (const f of readdirSync(join(root, 'rtl-templates', sub))) {
        for (const m of readTemplate(`${sub}/${f}`).matchAll(/\{\{(\w+)\}\}/g)) expect(known, `${sub}/${f}`).toContain(m[1]);
      }
    }
    // sub-module parameters bound to placeholders must be schema fields under their Verilog name
    for (const f of TANS_RTL_FILES) {
      for (const m of readTemplate(`tans/${f}`).matchAll(/parameter\s+integer\s+(\w+)\s*=\s*\{\{(\w+)\}\}/g)) {
        const field = schema.find((s) => s.name === m[2]);
        expect(field, `${f}: {{${m[2]}}}`).toBeDefined();
        if (m[1] !== 'Width' && m[1] !== 'Depth') expect(m[1]).toBe(field!.verilogName);
      }
    }
  });

  it('generated/ matches a fresh generation of the default configurations', async () => {
    for (const c of DEFAULT_RTL_CONFIGS) {
      const files = await generateTansRtl(c.params);
      const committed = readdirSync(join(root, 'generated', c.dir)).filter((f) => f !== 'table.mem').sort();
      expect(committed).toEqual(files.map((f) => f.name).sort());
      for (const f of files) expect(readFileSync(join(root, 'generated', c.dir, f.name), 'utf8'), f.name).toBe(f.text);
    }
  });

  it('is clean under verilator --lint-only -Wall and compiles with Icarus, across the parameter range', async () => {
    for (const params of [{}, { states: 4096, symbolBits: 8, streams: 64, streamFifoDepth: 3 }, { states: 32, symbolBits: 1, streams: 1, streamFifoDepth: 2 }]) {
      const dir = mkdtempSync(join(tmpdir(), 'hwsim-rtl-'));
      writeGenerated(dir, await generateTansRtl(params));
      const lint = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'tans_engine', ...TANS_RTL_FILES], { cwd: dir, encoding: 'utf8' });
      expect(lint.error, 'verilator must be installed').toBeUndefined();
      expect(`${lint.stdout}${lint.stderr}`).toBe('');
      expect(lint.status).toBe(0);
      const iv = spawnSync('iverilog', ['-g2012', '-s', 'tans_engine', '-o', 'a.vvp', ...TANS_RTL_FILES], { cwd: dir, encoding: 'utf8' });
      expect(iv.error, 'iverilog must be installed').toBeUndefined();
      expect(iv.status, iv.stderr).toBe(0);
    }
  });

  it('writes a $readmemh image in the RAM packing', () => {
    const p = resolveTansDecoderParams({ states: 32, symbolBits: 2 });
    const counts = Int32Array.from([4, 24, 4]); // a dominant symbol: nbBits 0 entries, some with odd newState
    const t = buildDecodeTable(counts, spreadTuned(counts));
    const lines = romImage(p, t).trim().split('\n').slice(1);
    expect(lines).toHaveLength(32);
    // nbBits 0..5 in 3 bits leaves code 7 spare: newState's bit 0 is not stored (docs/hw/tans-decoder.md,
    // "Table entry"); the 9-bit entry leaves the RAM word room for the spare code's flag, bit 9
    const nbW = 3;
    expect(tableRamBits(p)).toBe(10);
    let flagged = 0;
    lines.forEach((l, s) => {
      const v = parseInt(l, 16);
      const code = (v >> 2) & 7;
      expect(v & 3).toBe(t.symbol[s]);
      expect(code === 7 ? 0 : code).toBe(t.nbBits[s]);
      expect((((v & 0x1ff) >> (nbW + 2)) << 1) | (code === 7 ? 1 : 0)).toBe(t.newState[s]);
      expect(v >> 9).toBe(code === 7 ? 1 : 0);
      flagged += v >> 9;
    });
    expect(flagged).toBeGreaterThan(0);
    expect(lines.every((l) => parseInt(l, 16) < 1 << 10)).toBe(true); // 1 + 4 + 3 + 2 bits
  });

  it('stores the spare-code flag only where the packed entry leaves a 16-bit RAM word a bit free', () => {
    const ram = (states: number, symbolBits: number) => {
      const p = resolveTansDecoderParams({ states, symbolBits });
      return [tableEntryBits(p), tableRamBits(p)];
    };
    expect(ram(64, 5)).toEqual([13, 14]);
    expect(ram(128, 5)).toEqual([15, 15]); // not packed: no spare code
    expect(ram(256, 5)).toEqual([16, 16]); // packed, but the word is full: the lane decodes the code
    expect(ram(64, 8)).toEqual([16, 16]);
  });

  it('the packed entry is exact: every entry of real tables (nbBits 0 with odd newState included) unpacks to itself', () => {
    for (const states of [32, 64, 128, 256, 512, 4096]) {
      const p = resolveTansDecoderParams({ states, symbolBits: 5 });
      const logL = Math.log2(states);
      const nbW = Math.ceil(Math.log2(logL + 1));
      const packed = tableEntryPacked(p);
      expect(packed).toBe(states !== 128); // log2 L + 1 = 8 nbBits values fill 3 bits at L = 128 only
      // one dominant symbol (count > L/2: nbBits 0 entries, odd and even newState), a rare one (nbBits = log2 L)
      const counts = Int32Array.from([states - 3 - Math.floor(states / 4), Math.floor(states / 4), 2, 1]);
      const t = buildDecodeTable(counts, spreadTuned(counts));
      let oddZero = 0;
      for (let s = 0; s < states; s++) {
        const v = tableEntryWord(p, t.newState[s], t.nbBits[s], t.symbol[s]);
        expect(v).toBeLessThan(2 ** tableEntryBits(p));
        const code = Math.floor(v / 32) % (1 << nbW);
        const hi = Math.floor(v / 32 / (1 << nbW));
        const odd = packed && code === (1 << nbW) - 1;
        expect(odd ? 0 : code).toBe(t.nbBits[s]);
        expect(packed ? hi * 2 + (odd ? 1 : 0) : hi).toBe(t.newState[s]);
        if (t.nbBits[s] === 0 && t.newState[s] % 2 === 1) oddZero++;
      }
      expect(oddZero).toBeGreaterThan(0); // the spare code was needed
    }
    expect(tableEntryBits(resolveTansDecoderParams({ states: 256, symbolBits: 5 }))).toBe(16); // one 256 x 16 BRAM
  });

  it('docs/hw/tans-decoder.md carries the parameter table generated from the declaration', () => {
    const doc = readFileSync(join(root, 'docs/hw/tans-decoder.md'), 'utf8');
    const m = /<!-- params:engine -->\n([\s\S]*?)\n<!-- \/params -->/.exec(doc);
    expect(m, 'params markers in docs/hw/tans-decoder.md').not.toBeNull();
    expect(m![1]).toBe(engineMarkdownTable());
  });

  it('every module checks the declared range of each engine parameter it binds, in a form every tool elaborates', async () => {
    const files = await generateTansRtl({});
    const text = (name: string) => files.find((f) => f.name === name)!.text;
    expect(text('tans_engine.v')).toContain('if (States < 32 || States > 4096 || (States & (States - 1)) != 0) begin : g_bad_States');
    expect(text('tans_engine.v')).toContain('tans_engine_bad_parameter__Streams_must_be_an_integer_1_to_64 u_bad_parameter();');
    expect(text('tans_engine.v')).toContain('$fatal(1, "tans_engine: Streams must be an integer 1..64");');
    expect(text('tans_engine.v')).toContain('$error("tans_engine: Streams must be an integer 1..64");');
    expect(text('tans_lane.v')).toContain('$error("tans_lane: SymbolBits must be an integer 1..8");');
    expect(text('tans_lane.v')).not.toContain('Streams must');
    // no parameter check hidden from synthesis (a simulation-only block, such as the retiming check,
    // holds none of a parameter check's parts)
    for (const f of TANS_RTL_FILES) {
      expect(text(f), f).not.toMatch(/initial if[^;]*\$fatal/);
      for (const block of text(f).match(/`ifndef SYNTHESIS[\s\S]*?`endif/g) ?? []) expect(block, f).not.toMatch(/bad_parameter|must be|\$error/);
    }
  });

  it('refuses out-of-range parameters before writing anything, naming the flag and the range', async () => {
    await expect(generateTansRtl({ streams: 100 })).rejects.toThrow('--streams 100 is not allowed: an integer 1..64');
    await expect(generateTansRtl({ states: 100 })).rejects.toThrow(HwsimError);
  });

  it('Verilator, Icarus and Yosys each stop on a bad parameter override, naming it, and accept a good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-rtl-chk-'));
    writeGenerated(dir, await generateTansRtl({}));
    const tools = (param: string, value: number) => {
      const run = (cmd: string, args: string[]) => {
        const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
        expect(r.error, `${cmd} must be installed`).toBeUndefined();
        return { status: r.status, out: `${r.stdout}${r.stderr}` };
      };
      return {
        verilator: run('verilator', ['--lint-only', '-Wall', '--top-module', 'tans_engine', `-G${param}=${value}`, ...TANS_RTL_FILES]),
        icarus: run('iverilog', ['-g2012', '-s', 'tans_engine', '-P', `tans_engine.${param}=${value}`, '-o', 'x.vvp', ...TANS_RTL_FILES]),
        yosys: run('yosys', ['-q', '-p', `${TANS_RTL_FILES.map((f) => `read_verilog -defer ${f}`).join('; ')}; chparam -set ${param} ${value} tans_engine; hierarchy -top tans_engine`]),
      };
    };
    for (const [param, bad, good, message] of [
      ['Streams', 65, 8, 'tans_engine: Streams must be an integer 1..64'],
      ['States', 100, 128, 'tans_engine: States must be a power of two in 32..4096'],
      ['StreamFifoDepth', 1, 2, 'tans_engine: StreamFifoDepth must be an integer 2..64'],
      ['CountBits', 16, 17, 'tans_engine: CountBits must be an integer 17..32'],
    ] as const) {
      for (const [tool, r] of Object.entries(tools(param, bad))) {
        expect(r.status, `${tool} ${param}=${bad}: ${r.out}`).not.toBe(0);
        // Icarus names the missing module that spells the message
        expect(r.out, tool).toContain(tool === 'icarus' ? badParameterModule('tans_engine', message.slice('tans_engine: '.length)) : message);
      }
      for (const [tool, r] of Object.entries(tools(param, good))) expect(r.status, `${tool} ${param}=${good}: ${r.out}`).toBe(0);
    }
  });
});

describe('counter width (CountBits)', () => {
  // A load whose one stream's symbol count is `count` (the table all zeros, no words), then a few
  // cycles, in Icarus: the engine's simulation check must stop on a count wider than its counters.
  const loadCount = async (countBits: number, count: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'hwsim-rtl-count-'));
    writeGenerated(dir, await generateTansRtl({ states: 64, streams: 1, countBits }));
    const tb = `module tb;
  reg clk = 0, rst_n = 0, cfg_valid = 0;
  reg [31:0] cfg_data = 0;
  wire cfg_ready, in_ready, done, error;
  wire [0:0] out_valid; wire [4:0] out_symbol; wire [7:0] out_weight;
  tans_engine u (.clk_i(clk), .rst_ni(rst_n), .cfg_valid_i(cfg_valid), .cfg_ready_o(cfg_ready), .cfg_data_i(cfg_data),
    .in_valid_i(1'b0), .in_ready_o(in_ready), .in_data_i(32'd0), .out_valid_o(out_valid), .out_ready_i(1'b1),
    .out_symbol_o(out_symbol), .out_weight_o(out_weight), .done_o(done), .error_o(error));
  always #5 clk = !clk;
  integer i;
  initial begin
    #12 rst_n = 1;
    @(negedge clk) cfg_valid = 1; cfg_data = 3;             // bins
    for (i = 0; i < 64; i = i + 1) @(negedge clk) cfg_data = 0;  // table entries
    @(negedge clk) cfg_data = ${count};                      // stream 0: symbols
    @(negedge clk) cfg_data = 0;                             // stream 0: words
    @(negedge clk) cfg_valid = 0;
    repeat (8) @(negedge clk);
    $display("load taken");
    $finish;
  end
endmodule
`;
    writeFileSync(join(dir, 'tb.v'), tb);
    const c = spawnSync('iverilog', ['-g2012', '-s', 'tb', '-o', 'tb.vvp', 'tb.v', ...TANS_RTL_FILES], { cwd: dir, encoding: 'utf8' });
    expect(c.error, 'iverilog must be installed').toBeUndefined();
    expect(c.status, c.stderr).toBe(0);
    const r = spawnSync('vvp', ['-n', 'tb.vvp'], { cwd: dir, encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  };

  it('simulation stops on a descriptor count wider than the counters, and takes the widest that fits', async () => {
    const over = await loadCount(17, 2 ** 17);
    expect(over).toContain('descriptor count 131072 does not fit the 17-bit counters');
    expect(over).not.toContain('load taken');
    const fits = await loadCount(17, 2 ** 17 - 1);
    expect(fits).not.toContain('does not fit');
    expect(fits).toContain('load taken');
  });

  it('the cycle model refuses a layer whose counts do not fit, naming the width that would', () => {
    const p = resolveTansDecoderParams({ states: 64, streams: 1, countBits: 17 });
    const counts = Int32Array.from([8, 48, 8]);
    const table = buildDecodeTable(counts, spreadTuned(counts));
    const layer = (symbols: number) => ({ table, bins: 3, symbolCounts: [symbols], wordCounts: [1] });
    const m = new TansEngineModel(p);
    expect(() => m.loadLayer(layer(2 ** 17))).toThrow(/has 131,072 symbols .* 17-bit counters hold at most 131,071/);
    expect(() => m.loadLayer(layer(2 ** 17))).toThrow(HwsimError);
    expect(() => new TansEngineModel(p).loadLayer(layer(2 ** 17 - 1))).not.toThrow();
  });
});

describe('synthesis (Yosys synth_ice40 + nextpnr-ice40, real tools)', () => {
  it('places and routes L=64, S=1 on the HX8K and reports figures parsed from the tools', async () => {
    const r = await synthTans({ states: 64, symbolBits: 5, streams: 1 }, undefined, [1]);
    expect(r.target.device).toBe('hx8k');
    expect(r.logicCellsAvailable).toBe(7680);
    // docs/hw/synthesis.md: about 650 LUTs, 320 FFs, 1 BRAM, 95-98 MHz with Yosys 0.23 / nextpnr 0.4
    expect(r.luts).toBeGreaterThan(400);
    expect(r.luts).toBeLessThan(1500);
    expect(r.ffs).toBeGreaterThan(200);
    expect(r.brams).toBeGreaterThanOrEqual(1);
    expect(r.logicCells).toBeGreaterThanOrEqual(r.luts);
    expect(r.fmaxMhz).toBeGreaterThan(20);
    expect(r.fmaxMhz).toBeLessThan(500);
    expect(r.tableBytes).toBe(112); // 64 words × (1 + 5 + 3 + 5) bits / 8 (newState's bit 0 not stored, the spare code's flag stored)
    expect(r.target.freqMhz).toBe(100); // placed and routed for the timing goal
    expect(r.fmaxBySeed).toEqual([r.fmaxMhz]);
    expect(r.criticalPath).toMatch(/^\S+ → \S+.*: \d+ LUTs, \d+ carry steps, [\d.]+ ns logic \+ [\d.]+ ns routing$/);
  });
});
