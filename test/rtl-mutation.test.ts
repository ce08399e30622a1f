import { describe, expect, it } from 'vitest';
import { runTansCosim } from '../src/cosim/tans-cosim.js';
import type { RtlMutation } from '../src/cosim/verilator.js';
import { runWmCosim } from '../src/cosim/wm-cosim.js';
import type { WmCorruption } from '../src/cosim/wm-vectors.js';

// Mutation test of the verification: each mutant is a classic engine bug written into the generated
// Verilog; the protocol-checked Verilator co-simulation (corrupted layers included) must FAIL on
// each, and `kill` names the check that catches it. The unmutated control must PASS.
const RUN = { params: { states: 64, symbolBits: 5, streams: 4 }, layers: 24, seed: 7, stallRate: 0.25, symbolsPerStream: 60,
  corruptLayers: Array.from({ length: 24 }, (_, l) => l).filter((l) => l % 6 !== 0) };

// Some bugs show only under a particular timing (a random reset landing while a lane's error is set,
// a layer's last symbol held at its end), which one seeded run may not produce: a mutant is run with
// these seeds in turn until one kills it, and the control passes with every one.
const SEEDS = [RUN.seed, 2, 3, 4];

const MUTANTS: Array<{ name: string; m: RtlMutation; kill: RegExp }> = [
  { name: 'in_ready_o &= in_valid_i',
    m: { file: 'tans_engine.v', from: 'assign in_ready_o = run_q && |offer;',
      to: 'assign in_ready_o = run_q && |offer && in_valid_i;' },
    kill: /protocol: .*in_ready_o depends on in_valid_i/ },
  { name: 'cfg_ready_o = 1 (a second load taken while a loaded layer waits)',
    m: { file: 'tans_engine.v', from: 'assign cfg_ready_o = !queued_q;', to: "assign cfg_ready_o = 1'b1;" },
    kill: /protocol: .*cfg_ready_o high while a loaded layer waits/ },
  { name: 'load word taken without cfg_valid_i',
    m: { file: 'tans_engine.v', from: 'wire             cfg_acc  = cfg_valid_i && cfg_ready_o;', to: 'wire             cfg_acc  = cfg_ready_o;' },
    kill: /./ },
  { name: 'data word taken without in_valid_i',
    m: { file: 'tans_engine.v', from: 'offer & {Streams{in_valid_i && run_q}};', to: 'offer & {Streams{run_q}};' },
    kill: /./ },
  { name: 'output dropped without out_ready_i',
    m: { file: 'tans_lane.v', from: 'wire ov_hold  = out_valid_q && !out_ready_i;', to: "wire ov_hold  = 1'b0;" },
    kill: /protocol: .*out_valid_o dropped|emitted \d+ symbols/ },
  { name: 'reset keeps the run flag',
    m: { file: 'tans_engine.v', from: "load_q   <= 1'b0;\n      run_q    <= 1'b0;\n      bank_q", to: "load_q   <= 1'b0;\n      run_q    <= run_q;\n      bank_q" },
    kill: /protocol: .*(reset did not clear|done_o high while idle after a reset)/ },
  { name: 'reset keeps a lane error',
    m: { file: 'tans_lane.v', from: "err_q        <= 1'b0;", to: 'err_q        <= err_q;' },
    kill: /protocol: .*reset did not clear/ },
  { name: 'no padding check at the end of a stream',
    m: { file: 'tans_lane.v', from: 'wire pad_bad   = padsel_q && pad_q;', to: "wire pad_bad   = 1'b0;" },
    kill: /RTL error_o=0, but the reference decoder rejects/ },
  { name: 'padding judged one bit early (the last bit read counted as padding)',
    m: { file: 'tans_lane.v', from: "wire pad = last_top_i[PosW] && last_top_i[PosW-1:0] >= pos;",
      to: "wire pad = last_top_i[PosW] && {1'b0, last_top_i[PosW-1:0]} + 6'd1 >= {1'b0, pos};" },
    kill: /RTL error_o=1, but the reference decoder accepts/ },
  { name: "padding judged from the last word any stream took (every stream's top register written on every accept)",
    m: { file: 'tans_engine.v', from: 'else if (mine) top_q <= top_w;', to: 'else if (accept) top_q <= top_w;' },
    kill: /RTL error_o=., but the reference decoder (rejects|accepts)/ },
  { name: "a word's top bit four low when it is in a byte's upper nibble",
    m: { file: 'tans_engine.v', from: "assign hi8[3*n +: 3] = nz4[2*n+1] ? {1'b1,", to: "assign hi8[3*n +: 3] = nz4[2*n+1] ? {1'b0," },
    kill: /RTL error_o=0, but the reference decoder rejects/ },
  { name: 'no final-state check',
    m: { file: 'tans_lane.v', from: "wire end_bad   = state_q != {LogL{1'b0}} || word_left", to: 'wire end_bad   = word_left' },
    kill: /RTL error_o=0, but the reference decoder rejects/ },
  { name: 'no whole-unused-word check',
    m: { file: 'tans_lane.v', from: '|| word_left || word_valid_i', to: '|| word_valid_i' },
    kill: /RTL error_o=0, but the reference decoder rejects/ },
  // background table reload (two banks) and the packed table entry
  { name: 'a background load writes the bank the lanes read',
    m: { file: 'tans_lane.v', from: 'assign waddr = {!bank_i, tbl_addr_i};', to: 'assign waddr = {bank_i, tbl_addr_i};' },
    kill: /expected symbol|emitted \d+ symbols|error_o=1/ },
  { name: 'the layer switch does not change banks',
    m: { file: 'tans_engine.v', from: 'if (Banks == 2) bank_q <= !bank_q;', to: '' },
    kill: /expected symbol|emitted \d+ symbols|error_o=1/ },
  { name: 'a loaded layer starts before the running one is done',
    m: { file: 'tans_engine.v', from: 'assign start       = (last_acc || queued_q) && free;', to: 'assign start       = last_acc || queued_q;' },
    kill: /./ },
  { name: 'a loaded layer waiting for done is dropped (never queued)',
    m: { file: 'tans_engine.v', from: 'else         queued_q <= (last_acc || queued_q) && !free;', to: "else         queued_q <= 1'b0;" },
    kill: /cfg_ready_o high while a loaded layer waits|background load and switch took|did not finish|RTL ran/ },
  { name: 'the layer switch one cycle late (at the end of the done cycle, as with a switch cycle)',
    m: { file: 'tans_engine.v', from: 'wire free = !run_q || idle_all;', to: 'wire free = !run_q || done;' },
    kill: /cfg_ready_o low during a background load|RTL emitted at run cycle|RTL ran|did not start/ },
  { name: 'the layer switch (and done) early: idle with a last symbol still held in an output register',
    m: { file: 'tans_engine.v', from: 'assign idle_all = !arm_q && &idle_q;', to: 'assign idle_all = !arm_q && &(fin & ~fifo_rvalid & ~pending);' },
    kill: /expected symbol|emitted \d+ symbols|RTL emitted at run cycle|RTL ran|error_o=|did not finish/ },
  { name: 'the idle flags not masked in the cycle after a switch (where they leave out its owed flags)',
    m: { file: 'tans_engine.v', from: 'assign idle_all = !arm_q && &idle_q;', to: 'assign idle_all = &idle_q;' },
    kill: /./ },
  { name: 'a switch in the first idle cycle raises no done_o',
    m: { file: 'tans_engine.v', from: 'done_q    <= run_q && idle_all && !(start && done_q) && !stop;', to: 'done_q    <= run_q && idle_all && !start && !stop;' },
    kill: /./ },
  { name: "error_o in the done cycle of a switch is the next layer's (the verdict not held)",
    m: { file: 'tans_engine.v', from: 'assign error_o = done_q ? verdict_q : |err && !arm_q;', to: 'assign error_o = |err && !arm_q;' },
    kill: /RTL error_o=0, but the reference decoder rejects/ },
  { name: 'the last word count is not taken straight from the port on a start',
    m: { file: 'tans_engine.v', from: 'assign wl_new   = word_we ? cfg_count : nwl_q;', to: 'assign wl_new   = nwl_q;' },
    kill: /./ },
  // the counters (tans_counter, as Verilator compiles it; the iCE40 cells are the netlist test's)
  { name: "a counter's high part counts down without the low part's borrow",
    m: { file: 'tans_counter.v', from: '.dec_i(dec_i && lo_zero)', to: '.dec_i(dec_i)' },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles|error_o=/ },
  { name: "a stream's words-owed counter never counts down",
    m: { file: 'tans_engine.v', from: '.dec_i(wdec_q), .value_i(wl_value)', to: ".dec_i(1'b0), .value_i(wl_value)" },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles|error_o=/ },
  // the one-hot distributor and the lane's enough-bits / crosses comparisons
  { name: 'the next turn ignores the owed flags of the streams in between (it skips streams still owed words)',
    m: { file: 'tans_engine.v', from: 'assign from[d] = turn_q[Back] && !(|(pending & Between));', to: 'assign from[d] = turn_q[Back];' },
    kill: /expected symbol|emitted \d+ symbols|did not finish/ },
  { name: 'enough bits off by one (nbBits < held bits, low half of the comparison)',
    m: { file: 'tans_lane.v', from: 'wire ge_lo = e_code[1:0] <= cnt[1:0];', to: 'wire ge_lo = e_code[1:0] < cnt[1:0];' },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles/ },
  { name: 'crossing into the other slot off by one (low half of the comparison)',
    m: { file: 'tans_lane.v', from: 'wire rm_lo = e_code[1:0] <= room[1:0];', to: 'wire rm_lo = e_code[1:0] < room[1:0];' },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles/ },
  { name: 'the read pointer adds the spare code (nbBits 0) as if it were nbBits',
    m: { file: 'tans_lane.v', from: 'wire           no_add  = fin_q || init_q || e_odd;', to: 'wire           no_add  = fin_q || init_q;' },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles|error_o=1/ },
  { name: 'the packed entry loses newState bit 0 (nbBits 0, odd newState)',
    m: { file: 'tans_lane.v', from: 'assign e_new_state = {entry[SymbolBits+NbW +: NsW], e_odd};', to: "assign e_new_state = {entry[SymbolBits+NbW +: NsW], 1'b0};" },
    kill: /expected symbol|emitted \d+ symbols|error_o=1/ },
  { name: "the load does not store the spare code's flag",
    m: { file: 'tans_lane.v', from: 'assign ram_wdata = {tbl_data_i[SymbolBits +: NbW] == OddCode, tbl_data_i[EntryW-1:0]};', to: "assign ram_wdata = {1'b0, tbl_data_i[EntryW-1:0]};" },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles|error_o=1/ },
  // the lane's late decisions (tans_lane_late): each picks between alternatives made early
  { name: 'the words held do not drop when a symbol step crosses into the other slot',
    m: { file: 'tans_lane_late.v', from: 'assign have_d_o    = ge_sel_i && cr_sel_i ? have_go_i : have_still_i;', to: 'assign have_d_o    = have_still_i;' },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles|error_o=1/ },
  { name: 'the symbols-left zero flag is not updated by a step',
    m: { file: 'tans_lane_late.v', from: 'assign zero_en_o   = rem_set_i || (sym_go_i && ge_sel_i);', to: 'assign zero_en_o   = rem_set_i;' },
    kill: /expected symbol|emitted \d+ symbols|did not finish|cycles|error_o=1/ },
  { name: 'a symbol step short of bits does not fail the lane (no underflow error)',
    m: { file: 'tans_lane_late.v', from: 'assign err_en_o    = err_pre_i || (uf_sym_i && !ge_sel_i);', to: 'assign err_en_o    = err_pre_i;' },
    kill: /RTL error_o=0, but the reference decoder rejects/ },
];

// The registered idle flags are a retiming of the idle condition; the RTL's simulation check (equal
// in every cycle, else $stop) must stop a harness built with a flag that is not.
const RETIMING_MUTANTS: Array<{ name: string; m: RtlMutation; run?: typeof RUN }> = [
  { name: "the idle flag without the owed flag (one bank: a load's word counts written in place)",
    m: { file: 'tans_engine.v', from: '!fifo_rvalid_next[k] && !pend_idle;', to: '!fifo_rvalid_next[k];' },
    run: { ...RUN, params: { states: 256, symbolBits: 5, streams: 4 } } },
  // two banks: a stream that ends with words still to come (the overrun corruption) is not drained
  // until the engine has taken and dropped them
  { name: 'two banks: the idle flag without the owed flag (an overrun stream\'s words not yet taken)',
    m: { file: 'tans_engine.v', from: '!fifo_rvalid_next[k] && !pend_idle;', to: '!fifo_rvalid_next[k];' } },
  { name: 'two banks: the idle flag without the FIFO\'s words (an overrun stream\'s words not yet dropped)',
    m: { file: 'tans_engine.v', from: '!fifo_rvalid_next[k] && !pend_idle;', to: '!pend_idle;' } },
  { name: 'a lane that underflows not seen idle next (its stream run dry)',
    m: { file: 'tans_lane.v', from: '(* keep *) wire idle_dry  = !fin_q && !word_valid_i && !words_pending_i;', to: "(* keep *) wire idle_dry  = 1'b0;" } },
  { name: "the lane's part of the idle flag from its current registers (a cycle late)",
    m: { file: 'tans_lane.v', from: '.idle_ge_i(idle_ge), .idle_short_i(idle_short),',
      to: '.idle_ge_i(fin_q && !out_valid_q), .idle_short_i(fin_q && !out_valid_q),' } },
  { name: 'a lane ending its stream not seen idle next (its end check taken for a step)',
    m: { file: 'tans_lane.v', from: '(* keep *) wire idle_done = fin_q || end_q;', to: '(* keep *) wire idle_done = fin_q;' } },
];

// The window reads one-hot copies of the read pointer; the RTL's simulation check (equal to the
// decoded pointer in every cycle) must stop a harness built with copies that are not.
const ONE_HOT_MUTANTS: Array<{ name: string; m: RtlMutation }> = [
  { name: 'the one-hot copies from the current pointer (a cycle late)',
    m: { file: 'tans_lane.v', from: "oh_lo_q <= 8'd1 << rp_next[2:0];", to: "oh_lo_q <= 8'd1 << rp_q[2:0];" } },
  { name: 'the byte copy not cleared when the lane finishes',
    m: { file: 'tans_lane.v', from: "oh_hi_q <= {{(HiWays-1){1'b0}}, 1'b1} << rp_next[RpW-1:3];", to: "if (!fin_q) oh_hi_q <= {{(HiWays-1){1'b0}}, 1'b1} << rp_next[RpW-1:3];" } },
];

// cnt and room take the position's part from registers (left_q, rest_q) written with the read
// pointer; the RTL's simulation check (equal to min(32 - pos, LogL) and min(31 - pos, LogL) in
// every cycle) must stop a harness built with registers that are not.
const POS_TABLE_MUTANTS: Array<{ name: string; m: RtlMutation }> = [
  { name: 'left_q from the current pointer (a cycle late)',
    m: { file: 'tans_lane.v', from: 'left_q  <= left_of(rp_next[PosW-1:0]);', to: 'left_q  <= left_of(rp_q[PosW-1:0]);' } },
  { name: "rest_q from the left table (min(32 - pos, Cap), one too many)",
    m: { file: 'tans_lane.v', from: 'rest_q  <= rest_of(rp_next[PosW-1:0]);', to: 'rest_q  <= left_of(rp_next[PosW-1:0]);' } },
];

// The lanes do not see the engine's run flag; the RTL's simulation check (no lane decoding while the
// engine is not running) must stop a harness built with an engine that stops with lanes running.
const RUN_FLAG_MUTANTS: Array<{ name: string; m: RtlMutation }> = [
  { name: 'a load stops the engine with two banks as well (the lanes still decoding)',
    m: { file: 'tans_engine.v', from: 'if (Banks == 1) run_q <= 1\'b0;', to: 'run_q <= 1\'b0;' } },
];

describe('mutation test: the protocol-checked co-simulation kills every mutant', () => {
  it('control: the unmutated engine passes the same runs, with resets, busy loads, load gaps and background loads exercised', async () => {
    for (const seed of SEEDS) {
      const r = await runTansCosim({ ...RUN, seed });
      // the mutants of the background load need layers that switched with a background load
      expect(r.perLayer.filter((l) => l.background).length).toBeGreaterThan(5);
      expect(r.firstMismatch).toBeUndefined();
      expect(r.pass).toBe(true);
      expect(r.protocol.checked).toBe(true);
      expect(r.protocol.resets).toBeGreaterThan(0);
      expect(r.protocol.busyLoads).toBeGreaterThan(0);
      expect(r.protocol.loadGaps).toBeGreaterThan(0);
      expect(r.perLayer.filter((l) => l.rtlError)).toHaveLength(RUN.corruptLayers.length);
    }
  });
  for (const { name, m, kill } of MUTANTS) {
    it(`mutant killed: ${name}`, async () => {
      let r: Awaited<ReturnType<typeof runTansCosim>> | undefined;
      let seed = SEEDS[0];
      for (seed of SEEDS) {
        r = await runTansCosim({ ...RUN, seed, mutation: m });
        if (!r.pass) break;
      }
      if (!r) throw new Error('no seed ran');
      expect(r.pass).toBe(false);
      console.log(`mutant "${name}" killed (seed ${seed}) by: ${r.firstMismatch}`);
      expect(r.firstMismatch).toMatch(kill);
    });
  }
});

describe('mutation test: the simulation check of the registered idle flags stops every mis-timed flag', () => {
  for (const { name, m, run } of RETIMING_MUTANTS) {
    it(`mutant stopped: ${name}`, async () => {
      await expect(runTansCosim({ ...(run ?? RUN), mutation: m })).rejects.toThrow(/registered idle flag [01]+ != idle condition [01]+/);
    });
  }
});

describe('mutation test: the simulation check of the one-hot read pointer stops every wrong copy', () => {
  for (const { name, m } of ONE_HOT_MUTANTS) {
    it(`mutant stopped: ${name}`, async () => {
      await expect(runTansCosim({ ...RUN, mutation: m })).rejects.toThrow(/one-hot read pointer [01]+\/[01]+ != rp_q/);
    });
  }
});

describe('mutation test: the simulation check of the lanes against the run flag stops an engine that stops early', () => {
  for (const { name, m } of RUN_FLAG_MUTANTS) {
    it(`mutant stopped: ${name}`, async () => {
      await expect(runTansCosim({ ...RUN, mutation: m })).rejects.toThrow(/lanes [01]+ still decoding while the engine is not running/);
    });
  }
});

describe('mutation test: the simulation check of the registered position tables stops every wrong register', () => {
  for (const { name, m } of POS_TABLE_MUTANTS) {
    it(`mutant stopped: ${name}`, async () => {
      await expect(runTansCosim({ ...RUN, mutation: m })).rejects.toThrow(/registered left\/rest \d+\/\d+ != min\(32 - pos, LogL\)/);
    });
  }
});

// The same for the wm query unit: each mutant is a bug of its kind written into the generated
// Verilog; the co-simulation (values against the reference, cycles against WmSource, stalls,
// corrupted layers) must FAIL on each, and `kill` names the check that catches it.
const WM_RUN = {
  params: { wmLanes: 3, wmLoadWords: 2, wmLevels: 12, wmBufferWords: 4096 }, seed: 9, stallRate: 0.25, layers: 10, weightsPerLayer: 700,
  // three directory flips: one or two of them hit an entry no rank reads, which only the
  // directory check catches (the others are caught by the cursor end check as well)
  corrupt: new Map<number, WmCorruption>([[1, 'directory'], [2, 'consistent'], [5, 'directory'], [6, 'consistent'], [7, 'padding'], [8, 'directory']]),
};
const WM_MUTANTS: Array<{ name: string; m: RtlMutation; kill: RegExp }> = [
  { name: 'off-by-one cursor (a bit-1 child starts one too far)',
    m: { file: 'wm_lane.v', from: 'cur_q[v*PW +: PW] <= rk_zeros + rk_rank;', to: "cur_q[v*PW +: PW] <= rk_zeros + rk_rank + 1'b1;" },
    kill: /the reference decodes|error_o/ },
  { name: 'wrong popcount mask (counts the bit at the position too)',
    m: { file: 'wm_lane.v', from: "wire [31:0]   rk_keep = 32'hffffffff >> ~rk_off;", to: "wire [31:0]   rk_keep = 32'hffffffff >> (~rk_off - 5'd1);" },
    kill: /the reference decodes|error_o/ },
  { name: 'out_ready_i ignored (the pipeline moves on regardless)',
    m: { file: 'wm_lane.v', from: 'wire adv = !(out_valid_o && !out_ready_i);', to: "wire adv = 1'b1;" },
    kill: /protocol violations|the reference decodes|delivered/ },
  { name: 'pipeline fill one cycle late',
    m: { file: 'wm_lane.v', from: "st_cnt_i >= {1'b0, ranks2} - 10'd1", to: "st_cnt_i >= {1'b0, ranks2}" },
    kill: /cycles LOAD\/START\/DECODE|left in cycle/ },
  { name: 'no directory check in LOAD',
    m: { file: 'wm_loader.v', from: "if (fpr != fpc) err[2] = 1'b1;", to: '' },
    kill: /the reference rejects it .*directory.* but the RTL finished without error_o/ },
  { name: 'no cursor end check',
    m: { file: 'wm_query_unit.v', from: "if (cursors[(ln*Nodes + v)*PW +: PW] != bound) cursor_bad = 1'b1;", to: '' },
    kill: /the reference rejects it .* but the RTL finished without error_o/ },
];

// element-wise layers: a delimiter takes its lane's cycle and delivers nothing; consistent flips
// (directory and zeros made to match) that move a delimiter are caught by the row check (code 6)
const WM_ELEMENT_RUN = {
  ...WM_RUN, form: 'element' as const,
  corrupt: new Map<number, WmCorruption>([0, 1, 2, 3, 5, 6, 7, 8].map((l) => [l, 'consistent'])),
};
const WM_ELEMENT_MUTANTS: Array<{ name: string; m: RtlMutation; kill: RegExp }> = [
  { name: 'a delimiter delivered as a weight',
    m: { file: 'wm_lane.v', from: 'assign out_valid_o = has_levels ? (last_v && !last_delim)', to: 'assign out_valid_o = has_levels ? (last_v)' },
    // the delivered delimiter waits for a ready: the layer's cycles are compared first
    kill: /cycles LOAD\/START\/DECODE|the reference decodes|delivered/ },
  { name: 'no row check (a delimiter out of its place passes)',
    m: { file: 'wm_lane.v', from: "if (misplaced) err_q <= 1'b1;", to: '' },
    kill: /the reference rejects it .*row.* but the RTL finished without error_o/ },
  { name: "a delimiter waits for its lane's ready like a weight",
    m: { file: 'wm_lane.v', from: 'wire adv = !(out_valid_o && !out_ready_i);', to: 'wire adv = !((out_valid_o || last_v) && !out_ready_i);' },
    kill: /cycles LOAD\/START\/DECODE|left in cycle/ },
];

describe('mutation test: the wm co-simulation kills every mutant', () => {
  it('control: element-wise layers pass unmutated, moved delimiters rejected by the row check', async () => {
    const r = await runWmCosim(WM_ELEMENT_RUN);
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.layers.every((l) => l.symbols > l.weights)).toBe(true);
    expect(r.layers.filter((l) => l.refRejects).map((l) => l.rtl.code)).toContain(6);
    expect(r.symbolsCompared).toBeGreaterThan(1000);
  }, 1_200_000);
  for (const { name, m, kill } of WM_ELEMENT_MUTANTS) {
    it(`element-wise mutant killed: ${name}`, async () => {
      const r = await runWmCosim({ ...WM_ELEMENT_RUN, mutation: m });
      expect(r.pass).toBe(false);
      console.log(`wm mutant "${name}" killed by: ${r.firstMismatch}`);
      expect(r.firstMismatch).toMatch(kill);
    }, 1_200_000);
  }
  it('control: the unmutated unit passes the same run, corrupted layers rejected by each check', async () => {
    const r = await runWmCosim(WM_RUN);
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    const codes = r.layers.filter((l) => l.refRejects).map((l) => l.rtl.code);
    expect(codes).toContain(5); // directory
    expect(codes).toContain(3); // padding
    expect(codes).toContain(7); // a consistent flip caught by the cursor end check
    expect(r.symbolsCompared).toBeGreaterThan(3000);
  }, 1_200_000);
  for (const { name, m, kill } of WM_MUTANTS) {
    it(`mutant killed: ${name}`, async () => {
      const r = await runWmCosim({ ...WM_RUN, mutation: m });
      expect(r.pass).toBe(false);
      console.log(`wm mutant "${name}" killed by: ${r.firstMismatch}`);
      expect(r.firstMismatch).toMatch(kill);
    }, 1_200_000);
  }
});
