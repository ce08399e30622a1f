import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ice40CellModels } from '../src/cosim/netlist.js';
import { generateTansRtl } from '../src/rtl/tans-rtl.js';

// The engine's down counter (rtl-templates/tans/tans_counter.v) in its two forms: as inferred
// Verilog (what Verilator, Icarus and other FPGA flows compile) and hand-mapped to iCE40 cells
// (HWSIM_ICE40, what the synthesis script builds). Both must count as the testbench's own model
// of the counter on random loads and decrements, in one carry chain (up to 16 bits) and in two.

/** An Icarus testbench: random load / decrement / value each cycle, the counter against `model`. */
function testbench(width: number): string {
  return `\`timescale 1ns/1ps
module tb;
  reg clk = 0, rst_n = 0, load = 0, dec = 0;
  reg [${width - 1}:0] val = 0, model = 0;
  wire [${width - 1}:0] q;
  integer i, errors = 0, loads = 0, decs = 0, seed = 11;
  tans_counter #(.Width(${width})) dut (.clk_i(clk), .rst_ni(rst_n), .load_i(load), .dec_i(dec), .value_i(val), .q_o(q));
  always #5 clk = ~clk;
  initial begin
    #12 rst_n = 1;
    for (i = 0; i < 3000; i = i + 1) begin
      @(negedge clk);
      if (q !== model) begin
        if (errors < 3) $display("cycle %0d: counter %0d, expected %0d", i, q, model);
        errors = errors + 1;
      end
      // few loads, so that long decrement runs cross many borrows; small values reach zero and wrap
      load = ($random(seed) & 15) == 0;
      dec = $random(seed);
      val = ($random(seed) & 1) ? $random(seed) : ($random(seed) & 7);
      @(posedge clk); #1;
      if (load) begin model = val; loads = loads + 1; end
      else if (dec) begin model = model - 1; decs = decs + 1; end
    end
    $display("checked %0d cycles, %0d loads, %0d decrements, %0d errors", i, loads, decs, errors);
    $finish;
  end
endmodule
`;
}

/** The counter's two files as the generator writes them: the two-part counter, then its carry chain. */
async function counterSource(): Promise<{ counter: string; chain: string }> {
  const files = await generateTansRtl({});
  const text = (name: string) => {
    const file = files.find((f) => f.name === name);
    if (!file) throw new Error(`the generator no longer writes ${name}`);
    return file.text;
  };
  return { counter: text('tans_counter.v'), chain: text('tans_counter_chain.v') };
}

/** Runs the testbench on the counter (hand-mapped when iCE40), returns vvp's output. */
function simulate(source: { counter: string; chain: string }, width: number, ice40: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'hwsim-counter-'));
  writeFileSync(join(dir, 'tb.v'), testbench(width));
  writeFileSync(join(dir, 'tans_counter.v'), source.counter);
  writeFileSync(join(dir, 'tans_counter_chain.v'), source.chain);
  const args = ['-g2012', '-s', 'tb', '-o', 'tb.vvp', 'tb.v', 'tans_counter_chain.v', 'tans_counter.v'];
  if (ice40) args.push('-DHWSIM_ICE40', '-DNO_ICE40_DEFAULT_ASSIGNMENTS', ice40CellModels());
  const c = spawnSync('iverilog', args, { cwd: dir, encoding: 'utf8' });
  expect(c.error, 'iverilog must be installed').toBeUndefined();
  expect(c.status, c.stderr).toBe(0);
  const r = spawnSync('vvp', ['-n', 'tb.vvp'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** SB_LUT4 and SB_CARRY cells of a lone counter of `width` bits, synthesized as the script does. */
function cells(source: { counter: string; chain: string }, width: number, ice40: boolean): { luts: number; carries: number } {
  const dir = mkdtempSync(join(tmpdir(), 'hwsim-counter-synth-'));
  writeFileSync(join(dir, 'tans_counter.v'), source.counter);
  writeFileSync(join(dir, 'tans_counter_chain.v'), source.chain);
  const define = ice40 ? '-DHWSIM_ICE40 ' : '';
  const script = `read_verilog -defer ${define}tans_counter_chain.v; read_verilog -defer ${define}tans_counter.v; chparam -set Width ${width} tans_counter; synth_ice40 -top tans_counter; tee -o stat.txt stat`;
  const r = spawnSync('yosys', ['-q', '-p', script], { cwd: dir, encoding: 'utf8' });
  expect(r.error, 'yosys must be installed').toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  const stat = readFileSync(join(dir, 'stat.txt'), 'utf8');
  const count = (cell: string) => Number(stat.match(new RegExp(`${cell}\\s+(\\d+)`))?.[1] ?? 0);
  return { luts: count('SB_LUT4'), carries: count('SB_CARRY') };
}

describe('tans_counter: the engine counters, inferred and hand-mapped to iCE40 cells', () => {
  for (const width of [5, 16, 17, 32]) {
    it(`counts as its model at ${width} bits in both forms`, async () => {
      const source = await counterSource();
      for (const ice40 of [false, true]) {
        const out = simulate(source, width, ice40);
        expect(out, `${ice40 ? 'iCE40 cells' : 'inferred'}: ${out}`).toMatch(/checked 3000 cycles, \d+ loads, \d+ decrements, 0 errors/);
        const [, loads, decs] = out.match(/(\d+) loads, (\d+) decrements/)!.map(Number);
        expect(loads).toBeGreaterThan(100);
        expect(decs).toBeGreaterThan(1000);
      }
    });
  }

  it('a wrong LUT in the hand-mapped form fails the same check (the iCE40 form is what is simulated)', async () => {
    const source = await counterSource();
    const init = source.chain.match(/LUT_INIT\(16'h([0-9A-F]{4})\)/);
    expect(init).not.toBeNull();
    // the sum bit of a counting cell with its carry in set made wrong (LUT index I3 I2 I1 I0 = 1 1 0 0)
    const wrong = { ...source, chain: source.chain.replace(init![0], `LUT_INIT(16'h${(parseInt(init![1], 16) ^ (1 << 12)).toString(16).toUpperCase().padStart(4, '0')})`) };
    expect(simulate(wrong, 16, false)).toMatch(/ 0 errors/);
    expect(simulate(wrong, 16, true)).not.toMatch(/ 0 errors/);
  });

  it('hand-mapped, a bit costs one LUT with its carry; inferred, about two (32 bits)', async () => {
    const source = await counterSource();
    const mapped = cells(source, 32, true);
    const inferred = cells(source, 32, false);
    // 32 cells, plus the low part's zero test, the mode from load_i and the parts' enables
    expect(mapped.luts).toBeLessThanOrEqual(42);
    expect(mapped.carries).toBeGreaterThanOrEqual(30);
    expect(inferred.luts).toBeGreaterThanOrEqual(mapped.luts + 24);
  });
});
