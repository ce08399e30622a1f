// {{banner}}
// One tANS decoder lane: a two-word bit window, the state register, the lane's copy of the decode
// table and an output register. One step per cycle when the window holds enough bits and the
// output register is free:  emit symbol[s];  s <= newState[s] + next nbBits[s] bits.
// The table RAM is read with state_d, so its registered output is always the entry of state_q.
`default_nettype none

module tans_lane #(
  parameter integer States     = {{states}},
  parameter integer SymbolBits = {{symbolBits}},
  parameter integer InWidth    = {{inWidth}},
  parameter         TableInit  = ""
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  run_i,            // engine is decoding a layer
  input  wire                  start_i,          // last load cycle: arm the lane for the new layer
  input  wire                  rem_we_i,         // load port: this lane's symbol count
  input  wire [31:0]           rem_i,
  input  wire                  tbl_we_i,         // load port: one decode-table entry
  input  wire [$clog2(States)-1:0] tbl_addr_i,
  input  wire [$clog2(States)+$clog2($clog2(States)+1)+SymbolBits-1:0] tbl_data_i,
  input  wire                  words_pending_i,  // the distributor still owes this lane words
  input  wire                  word_valid_i,     // head of the lane's FIFO
  output wire                  word_ready_o,
  input  wire [InWidth-1:0]    word_i,
  output wire                  out_valid_o,
  input  wire                  out_ready_i,
  output wire [SymbolBits-1:0] out_symbol_o,
  output wire                  fin_o,            // finished (all symbols, or stopped on an error)
  output wire                  err_o
);
  localparam integer LogL   = $clog2(States);
  localparam integer NbW    = $clog2(LogL + 1);
  localparam integer EntryW = LogL + NbW + SymbolBits;
  localparam integer PosW = $clog2(InWidth);
  localparam integer AvW  = PosW + 2;            // avail in 0..2*InWidth
  localparam [AvW-1:0]  Word  = InWidth[AvW-1:0];
  localparam [NbW-1:0]  NeedInit = LogL[NbW-1:0];

{{paramChecks}}

  reg [LogL-1:0]       state_q, state_d;
  reg [InWidth-1:0]    cur_q, cur_d, nxt_q, nxt_d;
  reg [1:0]            have_q, have_d;
  reg [PosW-1:0]       pos_q, pos_d;
  reg                  init_q, init_d, fin_q, fin_d, err_q, err_d;
  reg [31:0]           rem_q, rem_d;
  reg                  out_valid_q, out_valid_d;
  reg [SymbolBits-1:0] out_symbol_q, out_symbol_d;

  wire [EntryW-1:0] entry;
  tans_table_ram #(
    .Depth   (States),
    .Width   (EntryW),
    .InitFile(TableInit)
  ) u_table (
    .clk_i  (clk_i),
    .we_i   (tbl_we_i),
    .waddr_i(tbl_addr_i),
    .wdata_i(tbl_data_i),
    .raddr_i(state_d),
    .rdata_o(entry)
  );
  wire [SymbolBits-1:0] e_symbol    = entry[SymbolBits-1:0];
  wire [NbW-1:0]        e_nbbits    = entry[SymbolBits +: NbW];
  wire [LogL-1:0]       e_new_state = entry[SymbolBits+NbW +: LogL];

  // Bits needed by this cycle's step and bits held in the window.
  wire [NbW-1:0] need  = init_q ? NeedInit : e_nbbits;
  wire [AvW-1:0] avail = {have_q, {PosW{1'b0}}} - {{(AvW-PosW){1'b0}}, pos_q};
  wire can_bits = avail >= {{(AvW-NbW){1'b0}}, need};
  wire active   = run_i && !fin_q;
  wire rem_zero = rem_q == 32'd0;

  wire sym_step   = active && !init_q && !rem_zero && can_bits && (!out_valid_q || out_ready_i);
  wire init_step  = active && init_q && can_bits;
  wire step       = sym_step || init_step;
  // No more bits will ever come: the FIFO is empty and the distributor owes nothing.
  wire underflow  = active && (init_q || !rem_zero) && !can_bits && !word_valid_i && !words_pending_i;
  wire final_chk  = active && !init_q && rem_zero;
  // The stream's exact end (docs/FORMAT.md §2): the last read ends inside the last word (fewer than
  // a word of bits left, no word left to come), every bit after it is 0, and the state is 0.
  // With have_q = 1 the unread bits are cur_q[31:pos_q]; have_q = 2 already leaves a word or more.
  wire [InWidth-1:0] pad_mask = {InWidth{1'b1}} << pos_q;
  wire pad_bad    = have_q == 2'd1 && |(cur_q & pad_mask);
  wire bad_end    = final_chk && (state_q != {LogL{1'b0}} || avail >= Word || pad_bad || word_valid_i || words_pending_i);

  // Window: the next LogL bits from bit pos_q of {nxt, cur}, masked to `need` bits.
  wire [2*InWidth-1:0] dbl  = {nxt_q, cur_q};
  wire [LogL-1:0]      mask = ~({LogL{1'b1}} << need);
  reg  [LogL-1:0]      window;
  integer b;
  always @* begin
    for (b = 0; b < LogL; b = b + 1) window[b] = dbl[{{(32-PosW){1'b0}}, pos_q} + b];
  end
  wire [LogL-1:0]      bits = window & mask;

  wire [PosW:0] pos_sum = {1'b0, pos_q} + (step ? {{(PosW+1-NbW){1'b0}}, need} : {(PosW+1){1'b0}});
  wire          crossed = pos_sum[PosW];
  wire [1:0]    have1   = have_q - {1'b0, crossed};
  // A finished lane drains its FIFO (words of a corrupted stream) and discards them.
  wire          pop     = word_valid_i && (fin_q || have_q != 2'd2);
  wire          load    = pop && !fin_q;
  assign word_ready_o = pop;

  always @* begin
    state_d      = state_q;
    cur_d        = crossed ? nxt_q : cur_q;
    nxt_d        = nxt_q;
    have_d       = have1 + {1'b0, load};
    pos_d        = pos_sum[PosW-1:0];
    init_d       = init_q;
    fin_d        = fin_q;
    err_d        = err_q;
    rem_d        = rem_q;
    out_valid_d  = out_valid_q;
    out_symbol_d = out_symbol_q;
    if (load) begin
      if (have1 == 2'd0) cur_d = word_i;
      else               nxt_d = word_i;
    end
    if (init_step) begin
      state_d = bits;
      init_d  = 1'b0;
    end
    if (sym_step) begin
      state_d      = e_new_state + bits;
      rem_d        = rem_q - 32'd1;
      out_valid_d  = 1'b1;
      out_symbol_d = e_symbol;
    end else if (out_ready_i) begin
      out_valid_d = 1'b0;
    end
    if (underflow || final_chk) fin_d = 1'b1;
    if (underflow || bad_end) err_d = 1'b1;
    if (rem_we_i) rem_d = rem_i;
    if (start_i) begin
      init_d = 1'b1;
      fin_d  = 1'b0;
      err_d  = 1'b0;
      have_d = 2'd0;
      pos_d  = {PosW{1'b0}};
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= {LogL{1'b0}};
      cur_q        <= {InWidth{1'b0}};
      nxt_q        <= {InWidth{1'b0}};
      have_q       <= 2'd0;
      pos_q        <= {PosW{1'b0}};
      init_q       <= 1'b0;
      fin_q        <= 1'b1;
      err_q        <= 1'b0;
      rem_q        <= 32'd0;
      out_valid_q  <= 1'b0;
      out_symbol_q <= {SymbolBits{1'b0}};
    end else begin
      state_q      <= state_d;
      cur_q        <= cur_d;
      nxt_q        <= nxt_d;
      have_q       <= have_d;
      pos_q        <= pos_d;
      init_q       <= init_d;
      fin_q        <= fin_d;
      err_q        <= err_d;
      rem_q        <= rem_d;
      out_valid_q  <= out_valid_d;
      out_symbol_q <= out_symbol_d;
    end
  end

  assign out_valid_o  = out_valid_q;
  assign out_symbol_o = out_symbol_q;
  assign fin_o        = fin_q;
  assign err_o        = err_q;
endmodule

`default_nettype wire
