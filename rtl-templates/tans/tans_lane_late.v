// {{banner}}
// The lane's late decisions: each output is one LUT of the late terms (ge_sel: the step has its
// bits; cr_sel: it crosses into the other slot) and early inputs made from registers. A module kept
// apart in synthesis: flattened, the mapper, which takes every input as arriving at once, chains
// these (the read pointer's enable from the step, the step from the symbol step) to save LUTs.
`default_nettype none

(* keep_hierarchy *)
module tans_lane_late (
  input  wire       ge_sel_i,
  input  wire       cr_sel_i,
  input  wire       sym_go_i,
  input  wire       init_step_i,
  input  wire       fin_q_i,
  input  wire       rem_set_i,
  input  wire       err_pre_i,      // err_q is written regardless of the step (an early error, start_i)
  input  wire       uf_sym_i,
  input  wire       fin_pre_i,
  input  wire       uf_pre_i,
  input  wire       ov_hold_i,      // the output register keeps its weight
  input  wire       idle_ge_i,      // the lane idles next if the step has its bits, and if not
  input  wire       idle_short_i,
  input  wire       drained_i,      // and its stream is drained next (FIFO empty, no word owed)
  input  wire [1:0] have_still_i,
  input  wire [1:0] have_go_i,
  output wire       sym_step_o,
  output wire       step_o,
  output wire       rp_en_o,
  output wire       zero_en_o,
  output wire       err_en_o,
  output wire       dec_d_o,
  output wire       fin_d_o,
  output wire       ov_d_o,
  output wire       idle_next_o,
  output wire [1:0] have_d_o
);
  assign sym_step_o  = sym_go_i && ge_sel_i;
  assign step_o      = init_step_i || (sym_go_i && ge_sel_i);
  // the read pointer's enable: a finished lane clears it, a step moves it
  assign rp_en_o     = fin_q_i || init_step_i || (sym_go_i && ge_sel_i);
  assign zero_en_o   = rem_set_i || (sym_go_i && ge_sel_i);
  assign err_en_o    = err_pre_i || (uf_sym_i && !ge_sel_i);
  // the counter decrements a cycle after the step, unless a new count is loaded
  assign dec_d_o     = !rem_set_i && sym_go_i && ge_sel_i;
  assign fin_d_o     = fin_pre_i || (uf_pre_i && !ge_sel_i);
  assign ov_d_o      = ov_hold_i || (sym_go_i && ge_sel_i);
  assign idle_next_o = drained_i && (ge_sel_i ? idle_ge_i : idle_short_i);
  assign have_d_o    = ge_sel_i && cr_sel_i ? have_go_i : have_still_i;
endmodule

`default_nettype wire
