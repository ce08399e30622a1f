// {{banner}}
// One tANS decoder lane: a two-word bit ring, the state register, the lane's copy of the decode
// table and an output register. One step per cycle when the ring holds enough bits and the
// output register is free:  emit symbol[s];  s <= newState[s] | next nbBits[s] bits.
// Built for timing: the table RAM is read at the candidate next state with its read enable = step
// (so its output is always the entry of state_q); newState | bits needs no adder (the low nbBits
// bits of newState are 0); "enough bits" and "crosses into the other slot" compare the entry's
// code with counts from registers (the position's parts kept as registers, left_q / rest_q); a flag
// of the spare code, stored beside packed entries where the RAM word has room, picks the read
// pointer's case; the two window words are a ring written in turn (no shifting), read at the
// pointer through one-hot copies of it; what the RAM-dependent comparisons decide is one LUT after
// them (tans_lane_late), the registered idle flag's next value included; the symbols-left counter
// (tans_counter, CountBits wide) has a registered zero flag.
// With two table banks (States <= 128) the RAM is read in bank bank_i and loaded in the other, and
// the symbol count of the next layer waits in a shadow register until start_i.
`default_nettype none

module tans_lane #(
  parameter integer States     = {{states}},
  parameter integer SymbolBits = {{symbolBits}},
  parameter integer InWidth    = {{inWidth}},
  parameter integer CountBits  = {{countBits}},
  parameter         TableInit  = ""
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  start_i,          // layer switch: arm the lane for the loaded layer
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire                  bank_i,           // table bank the lanes read (two banks); loads write the other
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire                  rem_we_i,         // load port: this lane's symbol count
  input  wire [CountBits-1:0]  rem_i,
  input  wire                  tbl_we_i,         // load port: one decode-table entry
  input  wire [$clog2(States)-1:0] tbl_addr_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [31:0]           tbl_data_i,       // the packed entry in its low EntryW bits
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire                  words_pending_i,  // the distributor still owes this lane words
  input  wire                  word_valid_i,     // head of the lane's FIFO
  output wire                  word_ready_o,
  input  wire [InWidth-1:0]    word_i,
  output wire                  out_valid_o,
  input  wire                  out_ready_i,
  output wire [SymbolBits-1:0] out_symbol_o,
  output wire                  fin_o,            // finished (all symbols, or stopped on an error)
  output wire                  err_o,
  input  wire                  drained_next_i,   // next cycle: the lane's FIFO empty, its stream owed no word
  input  wire [$clog2(InWidth):0] last_top_i,   // the last word the stream took: {non-zero, index of its top bit}
  output wire                  idle_next_o       // next cycle: finished, output register empty, drained
);
  localparam integer LogL   = $clog2(States);
  localparam integer NbW    = $clog2(LogL + 1);
  localparam integer Packed = ((1 << NbW) > LogL + 1) ? 1 : 0;   // as in tans_engine
  localparam integer NsW    = LogL - Packed;
  localparam integer EntryW = NsW + NbW + SymbolBits;
  localparam [NbW-1:0] OddCode = {NbW{1'b1}};
  // Packed entries get a flag of the spare code beside them where the RAM's 16-bit word has room
  // (written at the load): the pointer's next value then picks its case from one RAM bit, not from
  // a decode of the code's bits after the RAM.
  localparam integer FlagW  = (Packed == 1 && EntryW < 16) ? 1 : 0;
  localparam integer Banks  = (States <= 128) ? 2 : 1;
  localparam integer AddrW  = LogL + Banks - 1;
  localparam integer PosW = $clog2(InWidth);
  localparam integer RpW  = PosW + 1;            // read pointer over the two-word ring
  localparam [NbW-1:0]  NeedInit = LogL[NbW-1:0];
  localparam [CountBits-1:0]  One   = 1;
  localparam [CountBits-1:0]  Two   = 2;
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic [NbW-1:0] pv2code(input integer v);   // a small count as an NbW-bit code
    pv2code = v[NbW-1:0];
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

{{paramChecks}}

  reg [LogL-1:0]       state_q;
  reg [InWidth-1:0]    slot_q [0:1];             // ring: word k of the stream goes to slot k mod 2
  reg                  wsel_q;                   // slot the next word goes to
  reg [1:0]            have_q;                   // words in the ring not fully read
  reg [RpW-1:0]        rp_q;                     // read pointer: bit rp_q[PosW-1:0] of slot rp_q[PosW]
  reg                  init_q, fin_q, err_q;
  reg                  end_q;                    // end check in its second cycle (registered verdict)
  reg                  endbad_q;                 // state, word-count or FIFO verdict of the first cycle
  reg                  pad_q;                    // non-zero bits from pos on in the current slot (last cycle's)
  reg                  padsel_q;                 // last cycle: have = 1
  wire [CountBits-1:0] rem_q;                    // symbols left, before this cycle's lagging decrement
  reg                  dec_q;                    // a symbol step happened last cycle: rem_q - 1 pending
  reg                  zero_q;                   // no symbol left (rem_q - dec_q == 0)
  reg                  out_valid_q;
  reg [SymbolBits-1:0] out_symbol_q;

  wire [LogL-1:0]   cand;                        // the next state if this cycle steps
  wire              step;
  wire [EntryW-1:0] entry;
  wire              e_odd;                       // the entry's code is the spare code
  wire [AddrW-1:0] waddr, raddr;
  generate
    if (Banks == 2) begin : g_banks
      assign waddr = {!bank_i, tbl_addr_i};
      assign raddr = {bank_i, cand};
    end else begin : g_bank
      assign waddr = tbl_addr_i;
      assign raddr = cand;
    end
  endgenerate
  wire [EntryW+FlagW-1:0] ram_wdata, ram_rdata;
  generate
    if (FlagW == 1) begin : g_flag
      assign ram_wdata = {tbl_data_i[SymbolBits +: NbW] == OddCode, tbl_data_i[EntryW-1:0]};
      assign e_odd     = ram_rdata[EntryW];
    end else begin : g_noflag
      assign ram_wdata = tbl_data_i[EntryW-1:0];
      assign e_odd     = Packed == 1 && ram_rdata[SymbolBits +: NbW] == OddCode;
    end
  endgenerate
  assign entry = ram_rdata[EntryW-1:0];
  tans_table_ram #(
    .Depth   (Banks * States),
    .Width   (EntryW + FlagW),
    .InitFile(TableInit)
  ) u_table (
    .clk_i  (clk_i),
    .we_i   (tbl_we_i),
    .waddr_i(waddr),
    .wdata_i(ram_wdata),
    .re_i   (step),
    .raddr_i(raddr),
    .rdata_o(ram_rdata)
  );
  wire [SymbolBits-1:0] e_symbol = entry[SymbolBits-1:0];
  wire [NbW-1:0]        e_code   = entry[SymbolBits +: NbW];
  wire [NbW-1:0]        e_nbbits;
  wire [LogL-1:0]       e_new_state;
  generate
    if (Packed == 1) begin : g_unpack
      // the spare code: nbBits 0 with newState odd; any other code is nbBits, newState even
      assign e_nbbits    = e_odd ? {NbW{1'b0}} : e_code;
      assign e_new_state = {entry[SymbolBits+NbW +: NsW], e_odd};
    end else begin : g_plain
      assign e_nbbits    = e_code;
      assign e_new_state = entry[SymbolBits+NbW +: LogL];
    end
  endgenerate

  // Bits held (registers only): avail = 32*have - pos, written without a subtractor or comparators
  // (which Yosys would put on carry chains): have = 0 holds no bit (pos is then 0), have = 2 holds
  // more than 32, have = 1 holds 32 - pos (below: cnt, init_ge).
  wire [PosW-1:0]    pos   = rp_q[PosW-1:0];
  // The RAM output arrives late in the cycle; Yosys's ABC maps for depth as if every input arrived
  // at once and would merge early logic in after it. So the RAM-dependent comparisons are kept as
  // nets of their own (ge_sel and cr_sel two LUT levels after the RAM), and what they decide is one
  // LUT more, in a module synthesis keeps apart (tans_lane_late, below).
  //
  // "Enough bits" (ge_sel) and "the step crosses into the other slot" (cr_sel, pos + nbBits >= 32:
  // the held-words count then needs no adder after the RAM) compare the entry's code with counts
  // from registers: cnt = min(bits held, log2 L), enough when nbBits <= cnt; room = min(31 - pos,
  // log2 L), crossing when nbBits > room. Spare codes (nbBits 0) read enough and not crossing. Each
  // comparison is the low two bits and the high bits compared apart (one LUT each), then combined.
  // The position's part of cnt and room, left = min(32 - pos, Cap) and rest = min(31 - pos, Cap), are
  // registers (left_q, rest_q) written with the read pointer, their D the tables of the next
  // position: the tables leave the pointer -> cnt -> comparison path, cnt is one LUT of registers.
  localparam [NbW-1:0] Cap = LogL[NbW-1:0];
  function automatic [NbW-1:0] left_of(input [PosW-1:0] p);   // min(32 - p, Cap)
    integer v;
    begin
      left_of = Cap;
      for (v = 0; v < InWidth; v = v + 1)
        if (p == v[PosW-1:0] && InWidth - v <= LogL) left_of = pv2code(InWidth - v);
    end
  endfunction
  function automatic [NbW-1:0] rest_of(input [PosW-1:0] p);   // min(31 - p, Cap)
    integer v;
    begin
      rest_of = Cap;
      for (v = 0; v < InWidth; v = v + 1)
        if (p == v[PosW-1:0] && InWidth - 1 - v <= LogL) rest_of = pv2code(InWidth - 1 - v);
    end
  endfunction
  reg  [NbW-1:0] left_q, rest_q;
  (* keep *) wire [NbW-1:0] cnt  = have_q[1] ? Cap : have_q[0] ? left_q : {NbW{1'b0}};
  (* keep *) wire [NbW-1:0] room = rest_q;
  // The initial state's tests, from the same registers: it has its LogL bits when have = 2 or
  // LogL <= 32 - pos (left_q == Cap), and it crosses into the other slot unless LogL <= 31 - pos
  // (rest_q == Cap). Cap is never a smaller value's code (min(.., Cap) < Cap fits in NbW bits).
  wire init_ge    = have_q[1] || (have_q[0] && left_q == Cap);
  wire init_fits  = rest_q == Cap;
  (* keep *) wire spare = e_odd;                           // constant 0 where no code is spare (L = 128)
  (* keep *) wire ge_lo = e_code[1:0] <= cnt[1:0];
  (* keep *) wire ge_hl = e_code[NbW-1:2] < cnt[NbW-1:2];
  (* keep *) wire ge_he = e_code[NbW-1:2] == cnt[NbW-1:2];
  (* keep *) wire rm_lo = e_code[1:0] <= room[1:0];
  (* keep *) wire rm_hl = e_code[NbW-1:2] < room[NbW-1:2];
  (* keep *) wire rm_he = e_code[NbW-1:2] == room[NbW-1:2];
  (* keep *) wire ge_sel = spare || ge_hl || (ge_he && ge_lo);
  (* keep *) wire cr_sel = !spare && !(rm_hl || (rm_he && rm_lo));

  // (a lane runs only while the engine does: the engine arms it after it starts running, and stops
  // only with every lane finished, which it checks in simulation)
  wire active    = !fin_q;
  wire out_free  = !out_valid_q || out_ready_i;
  wire sym_go    = active && !init_q && !zero_q && out_free;   // a symbol step if the bits are there
  wire init_step = active && init_q && init_ge;
  // No more bits will ever come: the FIFO is empty and the distributor owes nothing. Early terms:
  // an initial state short of bits (registers only), a symbol step waiting for bits.
  wire starved   = active && !word_valid_i && !words_pending_i;
  wire uf_init   = starved && init_q && !init_ge;
  wire uf_sym    = starved && !init_q && !zero_q;
  // End of stream, in two cycles: the first (all symbols out) takes the verdict into registers, the
  // second finishes the lane with it (the padding test runs over a register stage).
  wire final_chk = active && !init_q && zero_q && !end_q;
  wire end_done  = active && end_q;

  // Window (registers only): bits rp_q .. rp_q + LogL - 1 of the ring {slot 1, slot 0} (modulo its
  // width), selected by one-hot copies of the read pointer in two AND-OR stages: the byte (oh_hi_q,
  // rp_q's bits above the low 3) picks 7 + LogL bits from there on, the bit in the byte (oh_lo_q)
  // the window among them. Two LUT levels a stage, against six for a slot select and a 5-stage
  // shifter driven by the binary pointer.
  localparam integer RingW  = 2 * InWidth;
  localparam integer HiWays = RingW / 8;
  localparam integer CoarseW = 7 + LogL;
  wire [RingW-1:0] ring = {slot_q[1], slot_q[0]};
  reg  [HiWays-1:0] oh_hi_q;                     // one-hot rp_q[RpW-1:3]
  reg  [7:0]        oh_lo_q;                     // one-hot rp_q[2:0]
  // (written as ANDs and ORs of whole vectors: one operation per byte for the simulator, the same
  // AND-OR network per bit for synthesis)
  wire [RingW+CoarseW-9:0] ring2 = {ring[CoarseW-9:0], ring};   // the ring and its start again, up to the last byte's window
  reg  [CoarseW-1:0] coarse_w;
  reg  [LogL-1:0]    window_w;
  integer wh, wl;
  always @* begin
    coarse_w = {CoarseW{1'b0}};
    for (wh = 0; wh < HiWays; wh = wh + 1) coarse_w = coarse_w | ({CoarseW{oh_hi_q[wh]}} & ring2[8 * wh +: CoarseW]);
  end
  (* keep *) wire [CoarseW-1:0] coarse = coarse_w;
  always @* begin
    window_w = {LogL{1'b0}};
    for (wl = 0; wl < 8; wl = wl + 1) window_w = window_w | ({LogL{oh_lo_q[wl]}} & coarse[wl +: LogL]);
  end
  (* keep *) wire [LogL-1:0] window = window_w;
  // nbBits as a mask: bit i set when i < nbBits. The initial state is the window itself: all of it
  // (mask all ones) and no newState, so that cand is one LUT after the window and the mask.
  wire [LogL-1:0] mask = ~({LogL{1'b1}} << e_nbbits) | {LogL{init_q}};
  assign cand = (e_new_state & {LogL{!init_q}}) | (window & mask);

  // The stream's exact end (docs/FORMAT.md §2): the last read ends inside the last word (fewer than
  // a word of bits left, no word left to come), every bit after it is 0, and the state is 0.
  // With have_q = 1 the unread bits are bits pos.. of the current slot; have_q = 2 leaves a word or more.
  // When the stream otherwise ends cleanly (its FIFO empty, no word owed, have_q = 1), the current
  // slot holds the last word the stream took, whose top bit the engine kept (last_top_i): a bit
  // from pos on is set exactly when that word is non-zero and its top bit's index is pos or more.
  // Taken into a register every cycle; the end check's second cycle uses it. (Any other end fails
  // on its own terms, whatever pad says.)
  wire pad = last_top_i[PosW] && last_top_i[PosW-1:0] >= pos;
  wire word_left = have_q[1] || (have_q[0] && pos == {PosW{1'b0}});   // 32 bits or more unread
  wire end_bad   = state_q != {LogL{1'b0}} || word_left || word_valid_i || words_pending_i;
  wire pad_bad   = padsel_q && pad_q;
  // What finishes the lane, or fails it, this cycle, but for an underflow of a symbol step
  // (uf_sym && !ge_sel, the late term).
  wire fin_early = uf_init || end_done;
  wire err_early = uf_init || (end_done && (endbad_q || pad_bad));

  // the pointer after a step (modulo the ring), added whether or not the step happens: step only
  // selects. The adder takes the entry's code straight from the RAM (no decode or mux in front of
  // it); what adds no code (a finished lane's return to position 0, the initial step's LogL, both
  // from registers; the spare code's 0) is one mux after it, picked by registers and the spare
  // code's flag. Kept nets: the mapper, which takes every input as arriving at once, would fold
  // the cases into the adder's sum in two LUT levels.
  (* keep *) wire [RpW-1:0] rp_code = rp_q + {{(RpW-NbW){1'b0}}, e_code};
  (* keep *) wire [RpW-1:0] rp_alt  = fin_q ? {RpW{1'b0}} : init_q ? rp_q + {{(RpW-NbW){1'b0}}, NeedInit} : rp_q;
  (* keep *) wire           no_add  = fin_q || init_q || e_odd;
  wire [RpW-1:0] rp_next = no_add ? rp_alt : rp_code;
  // A finished lane drains its FIFO (words of a corrupted stream) and discards them.
  wire         pop  = word_valid_i && (fin_q || have_q != 2'd2);
  wire         load = pop && !fin_q;
  assign word_ready_o = pop;

  always @(posedge clk_i) begin
    if (load) slot_q[wsel_q] <= word_i;
  end

  // the symbol count arrives in the load (one bank) or waits in a shadow register for start_i (two)
  wire        rem_set;
  wire [CountBits-1:0] rem_new;
  wire        zero_new;
  generate
    if (Banks == 2) begin : g_shadow
      reg [CountBits-1:0] nrem_q;
      reg        nzero_q;
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          nrem_q  <= {CountBits{1'b0}};
          nzero_q <= 1'b1;
        end else if (rem_we_i) begin
          nrem_q  <= rem_i;
          nzero_q <= rem_i == {CountBits{1'b0}};
        end
      end
      // a finished lane keeps copying the shadow: at start_i (every lane is finished then) its
      // count is in place, and start_i fans out to fewer flip-flops
      assign rem_set  = fin_q;
      assign rem_new  = nrem_q;
      assign zero_new = nzero_q;
    end else begin : g_direct
      assign rem_set  = rem_we_i;
      assign rem_new  = rem_i;
      assign zero_new = rem_i == {CountBits{1'b0}};
    end
  endgenerate

  // Everything the late terms (ge_sel, cr_sel: two LUT levels after the RAM) decide, as one LUT
  // after them (tans_lane_late): for each register, the early alternatives are made here from
  // registers, and the late terms only pick among them.
  wire ov_hold  = out_valid_q && !out_ready_i;
  wire fin_pre  = !start_i && (fin_q || fin_early);             // fin_q's next value without an underflow
  wire uf_pre   = !start_i && uf_sym;
  // Idle next cycle (finished, output register empty), flat from registers: the engine ANDs it over
  // every lane for the layer switch, so it is kept out of the chains above (fin_pre, uf_pre). A
  // lane idles next if it is finished or ends its stream now (end_q: no symbol step then), or
  // underflows (starved, short of the initial state's bits, or, unless the step has them, of the
  // next symbol's); never with a weight held in its output register, nor when it is armed.
  (* keep *) wire idle_keep = !start_i && !ov_hold;
  (* keep *) wire idle_done = fin_q || end_q;
  (* keep *) wire idle_dry  = !fin_q && !word_valid_i && !words_pending_i;
  (* keep *) wire idle_init = init_q && !init_ge;
  wire idle_ge    = idle_keep && (idle_done || (idle_dry && idle_init));
  wire idle_short = idle_keep && (idle_done || (idle_dry && (init_q ? !init_ge : !zero_q)));
  // the words held next: without a crossing, with one (a finished lane empties the ring)
  wire [1:0] have_keep  = fin_q ? 2'd0 : have_q + {1'b0, load};
  wire [1:0] have_cross = fin_q ? 2'd0 : have_q - 2'd1 + {1'b0, load};
  wire       init_cross = init_step && !init_fits;
  wire [1:0] have_still = init_cross ? have_cross : have_keep;  // unless a symbol step crosses
  wire [1:0] have_go    = sym_go ? have_cross : have_still;     // if the step has its bits and crosses
  wire       sym_step, rp_en, zero_en, err_en, dec_d, fin_d, ov_d;
  wire [1:0] have_d;
  tans_lane_late u_late (
    .ge_sel_i(ge_sel), .cr_sel_i(cr_sel),
    .sym_go_i(sym_go), .init_step_i(init_step), .fin_q_i(fin_q), .rem_set_i(rem_set),
    .err_pre_i(start_i || err_early), .uf_sym_i(uf_sym), .fin_pre_i(fin_pre), .uf_pre_i(uf_pre),
    .ov_hold_i(ov_hold), .idle_ge_i(idle_ge), .idle_short_i(idle_short), .drained_i(drained_next_i),
    .have_still_i(have_still), .have_go_i(have_go),
    .sym_step_o(sym_step), .step_o(step), .rp_en_o(rp_en), .zero_en_o(zero_en), .err_en_o(err_en),
    .dec_d_o(dec_d), .fin_d_o(fin_d), .ov_d_o(ov_d), .idle_next_o(idle_next_o), .have_d_o(have_d)
  );

  // The symbols-left counter decrements a cycle late, from a register (no step logic on its enables).
  tans_counter #(.Width(CountBits)) u_rem (
    .clk_i(clk_i), .rst_ni(rst_ni), .load_i(rem_set), .dec_i(dec_q), .value_i(rem_new), .q_o(rem_q)
  );

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= {LogL{1'b0}};
      wsel_q       <= 1'b0;
      have_q       <= 2'd0;
      rp_q         <= {RpW{1'b0}};
      oh_hi_q      <= {{(HiWays-1){1'b0}}, 1'b1};
      oh_lo_q      <= 8'd1;
      left_q       <= left_of({PosW{1'b0}});
      rest_q       <= rest_of({PosW{1'b0}});
      init_q       <= 1'b0;
      end_q        <= 1'b0;
      endbad_q     <= 1'b0;
      pad_q        <= 1'b0;
      padsel_q     <= 1'b0;
      fin_q        <= 1'b1;
      err_q        <= 1'b0;
      dec_q        <= 1'b0;
      zero_q       <= 1'b1;
      out_valid_q  <= 1'b0;
      out_symbol_q <= {SymbolBits{1'b0}};
    end else begin
      if (step) state_q <= cand;
      if (init_step) init_q <= 1'b0;
      // the symbols-left counter's lagging decrement; the zero flag is exact every cycle
      dec_q <= dec_d;
      if (zero_en) zero_q <= rem_set ? zero_new : dec_q ? rem_q == Two : rem_q == One;
      if (sym_step) out_symbol_q <= e_symbol;
      out_valid_q <= ov_d;
      pad_q     <= pad;
      padsel_q  <= have_q == 2'd1;
      if (final_chk) begin
        end_q    <= 1'b1;
        endbad_q <= end_bad;
      end
      fin_q <= fin_d;
      if (err_en) err_q <= !start_i;      // set by an error, cleared by start_i
      // A finished lane holds an empty ring at position 0, ready for the next layer (every lane is
      // finished when start_i comes): start_i itself only sets init, fin and err.
      if (rp_en) begin
        rp_q    <= rp_next;
        oh_hi_q <= {{(HiWays-1){1'b0}}, 1'b1} << rp_next[RpW-1:3];
        oh_lo_q <= 8'd1 << rp_next[2:0];
        left_q  <= left_of(rp_next[PosW-1:0]);
        rest_q  <= rest_of(rp_next[PosW-1:0]);
      end
      have_q <= have_d;
      if (fin_q) begin
        end_q  <= 1'b0;
        wsel_q <= 1'b0;
      end else if (load) begin
        wsel_q <= !wsel_q;
      end
      if (start_i) init_q <= 1'b1;
    end
  end

`ifndef SYNTHESIS
  // Simulation check: the one-hot copies equal the decoded read pointer in every cycle (in reset
  // too: both are then position 0); a difference ends the simulation with an error.
  always @(posedge clk_i) begin
    if (oh_hi_q != ({{(HiWays-1){1'b0}}, 1'b1} << rp_q[RpW-1:3]) || oh_lo_q != (8'd1 << rp_q[2:0])) begin
      $fatal(1, "tans_lane: one-hot read pointer %b/%b != rp_q %d", oh_hi_q, oh_lo_q, rp_q);
    end
  end
  // The same for the registered position tables: left_q / rest_q equal min(32 - pos, LogL) and
  // min(31 - pos, LogL), here by arithmetic (an independent reference, and cheaper to simulate
  // every cycle than the tables' loops).
  wire [31:0] pos32    = {{(32-PosW){1'b0}}, pos};
  wire [31:0] left_ref = (InWidth - pos32 > LogL) ? LogL : InWidth - pos32;
  wire [31:0] rest_ref = (InWidth - 1 - pos32 > LogL) ? LogL : InWidth - 1 - pos32;
  always @(posedge clk_i) begin
    if (left_q != left_ref[NbW-1:0] || rest_q != rest_ref[NbW-1:0]) begin
      $fatal(1, "tans_lane: registered left/rest %0d/%0d != min(32 - pos, LogL) / min(31 - pos, LogL) at rp_q %0d (%0d/%0d)",
             left_q, rest_q, rp_q, left_ref, rest_ref);
    end
  end
`endif

  assign out_valid_o  = out_valid_q;
  assign out_symbol_o = out_symbol_q;
  assign fin_o        = fin_q;
  assign err_o        = err_q;
endmodule

`default_nettype wire
