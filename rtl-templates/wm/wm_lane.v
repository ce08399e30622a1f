// {{banner}}
// One lane of the query unit: it owns a contiguous slice of the layer's weights and holds one
// cursor per internal node of the code tree (docs/hw/wm-query-unit.md).
// START: for node v = 0, 1, ... (parents before children) one rank in 2 cycles: cycle 2v presents
// the directory entry's address (port Levels) and the 512-bsel line's (port 0), cycle 2v+1 adds the
// entry's counts and the masked popcount of the line and sets the children's cursors
// (rank0 = c - rank1 for bsel 0, zeros + rank1 for bsel 1). The first weight enters the level
// pipeline in the last rank cycle, so that it comes out Levels - 1 cycles after the ranks.
// DECODE: stage l reads the word of level l holding its node's cursor (port l) and advances the
// cursor; the next cycle the bsel picks the child, which stage l + 1 reads at once. A weight whose
// code ends early rides the remaining stages as a symbol. The whole pipeline holds while the
// output is valid and not ready.
`default_nettype none

module wm_lane #(
  parameter integer Levels      = 8,
  parameter integer SymbolBits  = 5,
  parameter integer BufferWords = 1024,
  parameter integer PosBits     = 16   // $clog2(BufferWords) + 6: a position up to BufferWords * 32
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         init_i,       // a layer starts (config written): set the slice
  input  wire [PosBits-1:0]           first_i,      // first weight of the slice
  input  wire [PosBits-1:0]           count_i,      // weights in the slice
  input  wire [4:0]                   levels_i,
  input  wire [7:0]                   nodes_i,
  input  wire [SymbolBits-1:0]        only_i,       // the symbol of a zero-level layer
  input  wire [(2**SymbolBits-1)*25-1:0] nodetab_i, // per node {level[4:0], child1[9:0], child0[9:0]}
  input  wire [Levels*PosBits-1:0]    zeros_i,
  input  wire [Levels*$clog2(BufferWords)-1:0] bmbase_i,
  input  wire [Levels*$clog2(BufferWords)-1:0] dirbase_i,
  input  wire                         in_start_i,   // unit in START
  input  wire [9:0]                   st_cnt_i,     // cycle of START, from 0
  input  wire                         in_decode_i,  // unit in DECODE
  // buffer ports: 0..Levels-1 the stages (port 0 also the rank line), Levels the directory
  output reg  [Levels:0]              re_o,
  output reg  [(Levels+1)*$clog2(BufferWords)-1:0] raddr_o,
  input  wire [(Levels+1)*512-1:0]    rline_i,
  // weights out
  output wire                         out_valid_o,
  input  wire                         out_ready_i,
  output wire [SymbolBits-1:0]        out_symbol_o,
  output wire                         last_o,       // the slice's last weight leaves this cycle, or has left
  output wire                         err_o,        // a weight took an unused code (sticky)
  output wire [(2**SymbolBits-1)*PosBits-1:0] cursor_o,
  output wire [(2**SymbolBits-1)*PosBits-1:0] start_o
);
  localparam integer Nodes = 2**SymbolBits - 1;
  localparam integer AW = $clog2(BufferWords);
  localparam integer PW = PosBits;
  localparam integer NB = SymbolBits;          // node index bits (Nodes = 2^NB - 1)
  localparam integer LB = $clog2(Levels);      // stage index bits

  function automatic [5:0] popcount32(input [31:0] w);
    integer i;
    begin
      popcount32 = 6'd0;
      for (i = 0; i < 32; i = i + 1) popcount32 = popcount32 + {5'd0, w[i]};
    end
  endfunction

  reg [PW-1:0] cur_q [0:Nodes-1];
  reg [PW-1:0] start_q [0:Nodes-1];
  reg [PW-1:0] issued_q, delivered_q;
  reg          err_q;

  // pipeline stage registers: valid, done (symbol known), symbol, node, bsel offset in the word read
  reg [Levels-1:0]     sv_q, sd_q;
  reg [SymbolBits-1:0] ss_q [0:Levels-1];
  reg [7:0]            sn_q [0:Levels-1];
  reg [4:0]            so_q [0:Levels-1];

  // node table fields (the table is an argument: Icarus's @* does not see what a function reads)
  function automatic [4:0] levelOf(input [(2**SymbolBits-1)*25-1:0] tab, input [7:0] v);
    levelOf = tab[v*25 + 20 +: 5];
  endfunction
  function automatic [9:0] childOf(input [(2**SymbolBits-1)*25-1:0] tab, input [7:0] v, input b);
    childOf = b ? tab[v*25 + 10 +: 10] : tab[v*25 +: 10];
  endfunction

  // ---- resolve: stage l's word read last cycle picks the child ----
  reg [Levels-1:0]     rv, rd, rerr;
  reg [SymbolBits-1:0] rs [0:Levels-1];
  reg [7:0]            rn [0:Levels-1];
  reg [9:0]            ch;
  reg                  bsel;
  integer l;
  always @* begin
    ch = 10'd0; bsel = 1'b0;
    for (l = 0; l < Levels; l = l + 1) begin
      rv[l] = sv_q[l]; rd[l] = sd_q[l]; rs[l] = ss_q[l]; rn[l] = sn_q[l]; rerr[l] = 1'b0;
      if (sv_q[l] && !sd_q[l]) begin
        bsel = rline_i[l*512 + {27'd0, so_q[l]}];
        ch = childOf(nodetab_i, sn_q[l], bsel);
        if (ch[9]) begin
          rd[l] = 1'b1; rs[l] = ch[SymbolBits-1:0];
        end else begin
          rn[l] = ch[7:0];
          rerr[l] = ch[8];
        end
      end
    end
  end

  wire has_levels = levels_i != 5'd0;
  wire [4:0] last_level = levels_i - 5'd1;
  wire [LB-1:0] last = last_level[LB-1:0];   // levels_i <= Levels (checked at go)
  wire unused_last = ^last_level;
  assign out_valid_o = has_levels ? rv[last] : (in_decode_i && delivered_q != count_i);
  assign out_symbol_o = has_levels ? rs[last] : only_i;
  wire adv = !(out_valid_o && !out_ready_i);
  wire [8:0] ranks2 = {nodes_i, 1'b0};
  wire issue_en = has_levels && ((in_start_i && st_cnt_i >= {1'b0, ranks2} - 10'd1) || in_decode_i);

  // ---- issue: each stage takes its node (stage 0: the root, for the next weight) ----
  reg [Levels-1:0] iv, id, inode_ok;
  reg [SymbolBits-1:0] is [0:Levels-1];
  reg [7:0]        in_ [0:Levels-1];
  reg [PW-1:0]     ic [0:Levels-1];
  // START rank of node rv_node
  reg [7:0]        rk_v;
  reg [4:0]        rk_l;
  reg [PW-1:0]     rk_c;
  reg [31:0]       rk_r;
  reg [31:0]       rk_w;
  reg [3:0]        rk_word;
  integer p, k;
  always @* begin
    re_o = {(Levels+1){1'b0}};
    raddr_o = {(Levels+1)*AW{1'b0}};
    for (p = 0; p < Levels; p = p + 1) begin
      iv[p] = 1'b0; id[p] = 1'b0; is[p] = {SymbolBits{1'b0}}; in_[p] = 8'd0; ic[p] = {PW{1'b0}}; inode_ok[p] = 1'b0;
      if (p == 0) begin
        iv[p] = issue_en && issued_q != count_i;
      end else if (p < levels_i) begin
        iv[p] = rv[p-1]; id[p] = rd[p-1]; is[p] = rs[p-1]; in_[p] = rn[p-1];
      end
      inode_ok[p] = iv[p] && !id[p];
      ic[p] = cur_q[in_[p][NB-1:0]];
      if (adv && inode_ok[p]) begin
        re_o[p] = 1'b1;
        raddr_o[p*AW +: AW] = bmbase_i[p*AW +: AW] + ic[p][AW+4:5];
      end
    end
    // START: node v = st_cnt / 2; even cycles present the directory entry and the line
    rk_v = st_cnt_i[8:1];
    rk_l = levelOf(nodetab_i, rk_v);
    rk_c = cur_q[rk_v[NB-1:0]];
    rk_r = 32'd0; rk_w = 32'd0;
    rk_word = rk_c[8:5];
    if (in_start_i && st_cnt_i < {1'b0, ranks2} && !st_cnt_i[0]) begin
      re_o[0] = 1'b1;
      raddr_o[0 +: AW] = bmbase_i[rk_l*AW +: AW] + {rk_c[AW+4:9], 4'd0};
      re_o[Levels] = 1'b1;
      raddr_o[Levels*AW +: AW] = dirbase_i[rk_l*AW +: AW] + {4'd0, rk_c[AW+5:11], 1'b0};
    end
    // odd cycles: rank1(c) = absolute count + the sub-block's relative count + the line masked at c
    rk_r = rline_i[Levels*512 +: 32];
    case (rk_c[10:9])
      2'd1: rk_r = rk_r + {22'd0, rline_i[Levels*512 + 32 +: 10]};
      2'd2: rk_r = rk_r + {21'd0, rline_i[Levels*512 + 42 +: 11]};
      2'd3: rk_r = rk_r + {21'd0, rline_i[Levels*512 + 53 +: 11]};
      default: ;
    endcase
    for (k = 0; k < 16; k = k + 1) begin
      rk_w = rline_i[k*32 +: 32];
      if (k[3:0] < rk_word) rk_r = rk_r + {26'd0, popcount32(rk_w)};
      else if (k[3:0] == rk_word) rk_r = rk_r + {26'd0, popcount32(rk_w & ((32'd1 << rk_c[4:0]) - 32'd1))};
    end
  end
  wire rk_write = in_start_i && st_cnt_i < {1'b0, ranks2} && st_cnt_i[0];
  wire [9:0] rk_ch0 = childOf(nodetab_i, rk_v, 1'b0);
  wire [9:0] rk_ch1 = childOf(nodetab_i, rk_v, 1'b1);
  wire [PW-1:0] rk_rank = rk_r[PW-1:0];
  wire unused_rk = ^{rk_ch0[7:0], rk_ch1[7:0], rk_r};

  integer q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      issued_q <= {PW{1'b0}}; delivered_q <= {PW{1'b0}}; err_q <= 1'b0;
      sv_q <= {Levels{1'b0}}; sd_q <= {Levels{1'b0}};
      for (q = 0; q < Levels; q = q + 1) begin
        ss_q[q] <= {SymbolBits{1'b0}}; sn_q[q] <= 8'd0; so_q[q] <= 5'd0;
      end
      // the cursors need no reset: START sets every one the layer uses before it is read
    end else if (init_i) begin
      issued_q <= {PW{1'b0}}; delivered_q <= {PW{1'b0}}; err_q <= 1'b0;
      sv_q <= {Levels{1'b0}}; sd_q <= {Levels{1'b0}};
      cur_q[0] <= first_i; start_q[0] <= first_i;
    end else begin
      if (rk_write) begin
        if (!rk_ch0[9] && !rk_ch0[8]) begin
          cur_q[rk_ch0[NB-1:0]] <= rk_c - rk_rank; start_q[rk_ch0[NB-1:0]] <= rk_c - rk_rank;
        end
        if (!rk_ch1[9] && !rk_ch1[8]) begin
          cur_q[rk_ch1[NB-1:0]] <= zeros_i[rk_l*PW +: PW] + rk_rank; start_q[rk_ch1[NB-1:0]] <= zeros_i[rk_l*PW +: PW] + rk_rank;
        end
      end
      if (adv) begin
        for (q = 0; q < Levels; q = q + 1) begin
          sv_q[q] <= iv[q]; sd_q[q] <= id[q]; ss_q[q] <= is[q]; sn_q[q] <= in_[q]; so_q[q] <= ic[q][4:0];
          if (inode_ok[q]) cur_q[in_[q][NB-1:0]] <= ic[q] + 1'b1;
        end
        if (issue_en && issued_q != count_i) issued_q <= issued_q + 1'b1;
      end
      if (out_valid_o && out_ready_i) delivered_q <= delivered_q + 1'b1;
      for (q = 0; q < Levels; q = q + 1) begin
        if (q < levels_i && rerr[q]) err_q <= 1'b1;
      end
      if (has_levels && rv[last] && !rd[last]) err_q <= 1'b1;
    end
  end

  assign last_o = delivered_q == count_i || (out_valid_o && out_ready_i && delivered_q + 1'b1 == count_i);
  assign err_o = err_q;
  genvar gv;
  generate
    for (gv = 0; gv < Nodes; gv = gv + 1) begin : g_vec
      assign cursor_o[gv*PW +: PW] = cur_q[gv];
      assign start_o[gv*PW +: PW] = start_q[gv];
    end
  endgenerate
endmodule

`default_nettype wire
