import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeTansNetlist, TANS_NETLIST } from '../src/cosim/netlist.js';
import { runTansCosim } from '../src/cosim/tans-cosim.js';
import { resolveTansDecoderParams } from '../src/chip/tans-decoder.js';

// Gate-level co-simulation: the netlist Yosys makes of the engine for the iCE40 (the one `hwsim
// synth` places and routes), with Yosys's cell models, under the RTL's protocol-checked harness,
// against the reference decoder's symbols and verdicts and the cycle model's cycles.
const RUN = {
  params: { states: 64, symbolBits: 5, streams: 2 }, layers: 8, seed: 5, stallRate: 0.25, symbolsPerStream: 80,
  corruptLayers: [1, 4, 6], netlist: true,
};
/** the mutants on one stream: a smaller netlist, a quicker build */
const MUTANT_RUN = { ...RUN, params: { ...RUN.params, streams: 1 } };

/** The LUT instance that drives `net` in a Yosys netlist: its INIT and name lines, as they are written. */
function lutDriving(netlist: string, net: string): { text: string; init: number } {
  const cell = netlist.split('SB_LUT4 #(').find((c) => c.includes(`.O(${net})`));
  const m = cell?.match(/\.LUT_INIT\(16'h([0-9a-f]+)\)\n\s*\) \S+ \(/);
  if (!m) throw new Error(`no SB_LUT4 drives ${net}`);
  return { text: m[0], init: parseInt(m[1], 16) };
}

describe('gate-level co-simulation of the synthesized engine (hwsim cosim tans --netlist)', () => {
  it('the iCE40 netlist decodes and times every layer as the reference and the cycle model, corrupted layers and resets included', async () => {
    const r = await runTansCosim(RUN);
    expect(r.level).toBe('netlist');
    // what ran is the netlist of iCE40 cells, not the RTL
    const simulated = readFileSync(join(r.build.dir, 'rtl', TANS_NETLIST), 'utf8');
    expect(simulated).toMatch(/SB_LUT4 #\(/);
    expect(simulated).toMatch(/SB_RAM40_4K/);
    // (the lane is flattened into the engine; its late decisions, kept apart for the mapper, are cells too)
    expect(simulated).not.toMatch(/module tans_lane\b/);
    expect(simulated).not.toMatch(/\balways\b|\bassign\s+\w+\s*=\s*[^;]*[?&|+]/);
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.cycleCountsCompared).toBe(RUN.layers);
    expect(r.perLayer.flatMap((l, i) => (l.rtlError ? [i] : []))).toEqual(RUN.corruptLayers);
    expect(r.missedCorruptions + r.falseErrors).toBe(0);
    expect(r.protocol.resets).toBeGreaterThan(0);
    expect(r.protocol.busyLoads).toBeGreaterThan(0);
  });

  it('a netlist with one LUT changed fails (cfg_ready_o stuck high: a load taken while a loaded layer waits)', async () => {
    const netlist = (await synthesizeTansNetlist(resolveTansDecoderParams(MUTANT_RUN.params))).text;
    const lut = lutDriving(netlist, 'cfg_ready_o');
    const stuck = lut.text.replace(/16'h[0-9a-f]+/, "16'hffff");
    expect(stuck).not.toBe(lut.text);
    const r = await runTansCosim({ ...MUTANT_RUN, mutation: { file: TANS_NETLIST, from: lut.text, to: stuck } });
    expect(r.pass).toBe(false);
    expect(r.firstMismatch).toMatch(/cfg_ready_o high while a loaded layer waits/);
  });

  // the counters are iCE40 cells written by hand in the synthesized form only (tans_counter_chain.v,
  // HWSIM_ICE40): a wrong sum bit there is invisible to the RTL co-simulation, not to this one
  it('a netlist whose hand-mapped counter cells count wrongly fails', async () => {
    const r = await runTansCosim({ ...MUTANT_RUN, mutation: { file: 'tans_counter_chain.v', from: "LUT_INIT(16'hCA3A)", to: "LUT_INIT(16'hDA3A)" } });
    expect(r.level).toBe('netlist');
    expect(r.pass).toBe(false);
    expect(r.firstMismatch).toBeDefined();
  });

  // Yosys can retime the engine (synth_ice40 -retime: +7 MHz at L = 64, S = 1), but the retimed
  // netlist does not keep the reset behaviour: done_o rises out of reset with no layer run.
  it('a netlist retimed by Yosys (synth_ice40 -retime) fails: done_o high after a reset', async () => {
    const r = await runTansCosim({
      ...MUTANT_RUN, mutation: { file: 'synth_ice40.ys', from: 'synth_ice40 -top tans_engine ', to: 'synth_ice40 -top tans_engine -retime ' },
    });
    expect(r.pass).toBe(false);
    expect(r.firstMismatch).toMatch(/done_o high while idle after a reset/);
  });
});
