// {{banner}}
// One lane of the query unit: it owns a contiguous slice of the layer's symbols, holds one
// cursor per internal node of the code tree (docs/hw/wm-query-unit.md) and its own copy of the
// payload's bitmaps, one bank per level (wm_level_bank: word i with the level's ones before it),
// written by LOAD. Every bank has one reader: the lane's stage of that level, or in START the rank.
// START: for node v = 0, 1, ... (parents before children) one rank in 2 cycles: cycle 2v reads
// the word of the node's level holding the bit before its cursor c (and the ones before that word),
// cycle 2v+1 adds the masked popcount of the word and sets the children's cursors
// (rank0 = c - rank1 for bit 0, zeros + rank1 for bit 1). The first weight enters the level
// pipeline in the last rank cycle, so that it comes out Levels - 1 cycles after the ranks.
// DECODE: stage l reads the word of level l holding its node's cursor and advances the cursor;
// the next cycle the bit picks the child, which stage l + 1 reads at once. A symbol whose code
// ends early rides the remaining stages. The whole pipeline holds while the output is valid and
// not ready. Element-wise layers: a delimiter leaving the pipeline takes its cycle and goes
// nowhere (out_valid_o stays low); a delimiter must close each row of rowlen_i weights, exactly
// (the place of each symbol in its row is counted from phase_i), as the reference decoder checks. Every register-indexed read is an explicit mux (no part-select
// at a register offset), so that synthesis sees muxes, not shifters.
`default_nettype none

module wm_lane #(
  parameter integer Levels      = 8,
  parameter integer SymbolBits  = 5,
  parameter integer BufferWords = 1024,
  parameter integer LoadWords   = 2,
  parameter integer PosBits     = 16   // $clog2(BufferWords) + 6: a position up to BufferWords * 32
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         init_i,       // a layer starts (config written): set the slice
  input  wire [PosBits-1:0]           first_i,      // first symbol of the slice
  input  wire [PosBits-1:0]           count_i,      // symbols in the slice (weights and delimiters)
  input  wire [4:0]                   levels_i,
  input  wire [7:0]                   nodes_i,
  input  wire [SymbolBits-1:0]        only_i,       // the symbol of a zero-level layer
  input  wire                         delim_en_i,   // element-wise: the layer's rows end in delimiters
  input  wire [SymbolBits-1:0]        delim_i,      // the delimiter's symbol
  input  wire [PosBits-1:0]           rowlen_i,     // element-wise: weights per row (a delimiter after each row)
  input  wire [PosBits-1:0]           phase_i,      // element-wise: the slice's first symbol's place in its row (0..rowlen)
  input  wire [(2**SymbolBits-1)*25-1:0] nodetab_i, // per node {level[4:0], child1[9:0], child0[9:0]}
  input  wire [Levels*PosBits-1:0]    zeros_i,
  // LOAD: the bitmap words of the beat (from wm_loader), written into every lane's banks
  input  wire [LoadWords-1:0]         wv_i,
  input  wire [LoadWords*5-1:0]       wlevel_i,
  input  wire [LoadWords*$clog2(BufferWords)-1:0] widx_i,
  input  wire [LoadWords*32-1:0]      wword_i,
  input  wire [LoadWords*PosBits-1:0] wrank_i,
  input  wire                         in_start_i,   // unit in START
  input  wire [9:0]                   st_cnt_i,     // cycle of START, from 0
  input  wire                         in_decode_i,  // unit in DECODE
  // weights out
  output wire                         out_valid_o,
  input  wire                         out_ready_i,
  output wire [SymbolBits-1:0]        out_symbol_o,
  output wire                         last_o,       // the slice's last symbol leaves this cycle, or has left
  output wire                         err_o,        // a symbol took an unused code, or a delimiter is out of its place (sticky)
  output wire [(2**SymbolBits-1)*PosBits-1:0] cursor_o,
  output wire [(2**SymbolBits-1)*PosBits-1:0] start_o
);
  localparam integer Nodes = 2**SymbolBits - 1;
  localparam integer AW = $clog2(BufferWords);
  localparam integer PW = PosBits;
  localparam integer NB = SymbolBits;          // node index bits (Nodes = 2^NB - 1)

{{popcount32}}

  // cursor of node v (an explicit mux over the nodes)
  function automatic [PW-1:0] cursorOf(input [Nodes*PW-1:0] cur, input [NB-1:0] v);
    integer i;
    begin
      cursorOf = {PW{1'b0}};
      for (i = 0; i < Nodes; i = i + 1) if (v == i[NB-1:0]) cursorOf = cur[i*PW +: PW];
    end
  endfunction
  // node v of the table: {level[24:20], child1[19:10], child0[9:0]} (the table is an argument:
  // Icarus's @* does not see what a function reads); the stages need only the children
  function automatic [19:0] childrenOf(input [Nodes*25-1:0] tab, input [7:0] v);
    integer i;
    begin
      childrenOf = 20'd0;
      for (i = 0; i < Nodes; i = i + 1) if (v == i[7:0]) childrenOf = tab[i*25 +: 20];
    end
  endfunction
  function automatic [24:0] nodeOf(input [Nodes*25-1:0] tab, input [7:0] v);
    integer i;
    begin
      nodeOf = 25'd0;
      for (i = 0; i < Nodes; i = i + 1) if (v == i[7:0]) nodeOf = tab[i*25 +: 25];
    end
  endfunction
  function automatic [PW-1:0] levelField(input [Levels*PW-1:0] vec, input [4:0] l);
    integer i;
    begin
      levelField = {PW{1'b0}};
      for (i = 0; i < Levels; i = i + 1) if (l == i[4:0]) levelField = vec[i*PW +: PW];
    end
  endfunction

  reg [Nodes*PW-1:0] cur_q, start_q;
  reg [PW-1:0] issued_q, retired_q, rowpos_q;
  reg          err_q;

  // pipeline stage registers: valid, done (symbol known), symbol, node, bit offset in the word read
  reg [Levels-1:0]          sv_q, sd_q;
  reg [Levels*SymbolBits-1:0] ss_q;
  reg [Levels*8-1:0]        sn_q;
  reg [Levels*5-1:0]        so_q;

  // the level banks: word and rank read last cycle
  wire [Levels*32-1:0] bword;
  wire [Levels*PW-1:0] brank;
  reg  [Levels-1:0]    bre;
  reg  [Levels*AW-1:0] bidx;
  genvar gl;
  generate
    for (gl = 0; gl < Levels; gl = gl + 1) begin : g_level
      wm_level_bank #(.Level(gl), .Depth(BufferWords), .LoadWords(LoadWords), .PosBits(PW)) u_bank (
        .clk_i, .wv_i, .wlevel_i, .widx_i, .wword_i, .wrank_i,
        .re_i(bre[gl]), .ridx_i(bidx[gl*AW +: AW]), .rword_o(bword[gl*32 +: 32]), .rrank_o(brank[gl*PW +: PW])
      );
    end
  endgenerate

  // ---- resolve: stage l's word read last cycle picks the child ----
  reg [Levels-1:0]            rv, rd, rerr;
  reg [Levels*SymbolBits-1:0] rs;
  reg [Levels*8-1:0]          rn;
  reg [19:0]                  nd;
  reg [9:0]                   ch;
  reg [31:0]                  wd;
  reg                         bsel;
  integer l;
  always @* begin
    nd = 20'd0; ch = 10'd0; wd = 32'd0; bsel = 1'b0;
    rv = sv_q; rd = sd_q; rs = ss_q; rn = sn_q; rerr = {Levels{1'b0}};
    for (l = 0; l < Levels; l = l + 1) begin
      if (sv_q[l] && !sd_q[l]) begin
        wd = bword[l*32 +: 32];
        bsel = wd[so_q[l*5 +: 5]];
        nd = childrenOf(nodetab_i, sn_q[l*8 +: 8]);
        ch = bsel ? nd[19:10] : nd[9:0];
        if (ch[9]) begin
          rd[l] = 1'b1; rs[l*SymbolBits +: SymbolBits] = ch[SymbolBits-1:0];
        end else begin
          rn[l*8 +: 8] = ch[7:0];
          rerr[l] = ch[8];
        end
      end
    end
  end

  // the last stage of this layer (levels_i - 1; levels_i <= Levels, checked at go)
  reg                  last_v, last_d;
  reg [SymbolBits-1:0] last_s;
  integer t;
  always @* begin
    last_v = 1'b0; last_d = 1'b0; last_s = {SymbolBits{1'b0}};
    for (t = 0; t < Levels; t = t + 1) begin
      if (levels_i == t[4:0] + 5'd1) begin
        last_v = rv[t]; last_d = rd[t]; last_s = rs[t*SymbolBits +: SymbolBits];
      end
    end
  end

  wire has_levels = levels_i != 5'd0;
  wire last_delim = delim_en_i && last_s == delim_i;
  assign out_valid_o = has_levels ? (last_v && !last_delim) : (in_decode_i && retired_q != count_i);
  assign out_symbol_o = has_levels ? last_s : only_i;
  wire adv = !(out_valid_o && !out_ready_i);
  // a symbol leaves the lane: a weight taken, or a delimiter (which needs no ready)
  wire retire = has_levels ? (last_v && adv) : (out_valid_o && out_ready_i);
  wire row_end = rowpos_q == rowlen_i;          // this symbol must be the row's delimiter
  wire misplaced = delim_en_i && has_levels && last_v && last_d && (last_delim != row_end);
  wire [8:0] ranks2 = {nodes_i, 1'b0};
  wire issue_en = has_levels && ((in_start_i && st_cnt_i >= {1'b0, ranks2} - 10'd1) || in_decode_i);

  // ---- issue: each stage takes its node (stage 0: the root, for the next weight) ----
  reg [Levels-1:0]            iv, id, inode_ok;
  reg [Levels*SymbolBits-1:0] is;
  reg [Levels*8-1:0]          in_;
  reg [Levels*PW-1:0]         ic;
  reg [PW-1:0]                c;
  integer p;
  always @* begin
    iv = {Levels{1'b0}}; id = {Levels{1'b0}}; is = {Levels*SymbolBits{1'b0}}; in_ = {Levels*8{1'b0}};
    ic = {Levels*PW{1'b0}}; inode_ok = {Levels{1'b0}}; c = {PW{1'b0}};
    for (p = 0; p < Levels; p = p + 1) begin
      if (p == 0) begin
        iv[p] = issue_en && issued_q != count_i;
      end else if (p < levels_i) begin
        iv[p] = rv[p-1]; id[p] = rd[p-1];
        is[p*SymbolBits +: SymbolBits] = rs[(p-1)*SymbolBits +: SymbolBits];
        in_[p*8 +: 8] = rn[(p-1)*8 +: 8];
      end
      inode_ok[p] = iv[p] && !id[p];
      c = cursorOf(cur_q, in_[p*8 +: NB]);
      ic[p*PW +: PW] = c;
    end
  end

  // ---- START: the rank of node rk_v = st_cnt / 2 at its cursor rk_c ----
  wire [7:0]    rk_v = st_cnt_i[8:1];
  wire [24:0]   rk_node = nodeOf(nodetab_i, rk_v);
  wire [4:0]    rk_l = rk_node[24:20];
  wire [PW-1:0] rk_c = cursorOf(cur_q, rk_v[NB-1:0]);
  wire [PW-1:0] rk_cm1 = rk_c - 1'b1;          // the last bit the rank counts
  wire          rk_read = in_start_i && st_cnt_i < {1'b0, ranks2} && !st_cnt_i[0];
  wire          rk_write = in_start_i && st_cnt_i < {1'b0, ranks2} && st_cnt_i[0];
  // the bank of level rk_l answered the read of the even cycle: its word and the ones before it
  reg  [31:0]   rk_word;
  reg  [PW-1:0] rk_base;
  integer b;
  always @* begin
    rk_word = 32'd0; rk_base = {PW{1'b0}};
    for (b = 0; b < Levels; b = b + 1) begin
      if (rk_l == b[4:0]) begin
        rk_word = bword[b*32 +: 32]; rk_base = brank[b*PW +: PW];
      end
    end
  end
  // rank1(c) = ones before word (c-1)/32 + the ones of that word up to bit (c-1) mod 32; 0 at c = 0
  wire [4:0]    rk_off = rk_cm1[4:0];
  wire [31:0]   rk_keep = 32'hffffffff >> ~rk_off;
  wire [5:0]    rk_pop = popcount32(rk_word & rk_keep);
  wire [PW-1:0] rk_rank = (rk_c == {PW{1'b0}}) ? {PW{1'b0}} : rk_base + {{(PW-6){1'b0}}, rk_pop};
  wire [9:0]    rk_ch0 = rk_node[9:0];
  wire [9:0]    rk_ch1 = rk_node[19:10];
  wire [PW-1:0] rk_zeros = levelField(zeros_i, rk_l);
  wire unused_rk = ^{rk_ch0[7:0], rk_ch1[7:0], rk_v, rk_cm1[PW-1]};

  // ---- bank reads: stage l reads level l (DECODE, and the first weight in START); the rank's
  // even cycles, when the pipeline is still empty, read the node's level ----
  integer r;
  always @* begin
    bre = {Levels{1'b0}};
    bidx = {Levels*AW{1'b0}};
    for (r = 0; r < Levels; r = r + 1) begin
      if (rk_read && rk_l == r[4:0]) begin
        bre[r] = 1'b1;
        bidx[r*AW +: AW] = rk_cm1[AW+4:5];
      end else if (adv && inode_ok[r]) begin
        bre[r] = 1'b1;
        bidx[r*AW +: AW] = ic[r*PW + 5 +: AW];
      end
    end
  end

  // ---- cursors: set by init (the root) and the ranks, advanced by the stages ----
  integer v, q;
  always @(posedge clk_i) begin
    // the cursors need no reset: START sets every one the layer uses before it is read
    if (init_i) begin
      cur_q[0 +: PW] <= first_i; start_q[0 +: PW] <= first_i;
    end else begin
      for (v = 0; v < Nodes; v = v + 1) begin
        if (rk_write && !rk_ch0[9] && !rk_ch0[8] && rk_ch0[NB-1:0] == v[NB-1:0]) begin
          cur_q[v*PW +: PW] <= rk_c - rk_rank; start_q[v*PW +: PW] <= rk_c - rk_rank;
        end
        if (rk_write && !rk_ch1[9] && !rk_ch1[8] && rk_ch1[NB-1:0] == v[NB-1:0]) begin
          cur_q[v*PW +: PW] <= rk_zeros + rk_rank; start_q[v*PW +: PW] <= rk_zeros + rk_rank;
        end
        if (adv) begin
          for (q = 0; q < Levels; q = q + 1) begin
            if (inode_ok[q] && in_[q*8 +: NB] == v[NB-1:0]) cur_q[v*PW +: PW] <= ic[q*PW +: PW] + 1'b1;
          end
        end
      end
    end
  end

  integer e;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      issued_q <= {PW{1'b0}}; retired_q <= {PW{1'b0}}; rowpos_q <= {PW{1'b0}}; err_q <= 1'b0;
      sv_q <= {Levels{1'b0}}; sd_q <= {Levels{1'b0}};
      ss_q <= {Levels*SymbolBits{1'b0}}; sn_q <= {Levels*8{1'b0}}; so_q <= {Levels*5{1'b0}};
    end else if (init_i) begin
      issued_q <= {PW{1'b0}}; retired_q <= {PW{1'b0}}; rowpos_q <= phase_i; err_q <= 1'b0;
      sv_q <= {Levels{1'b0}}; sd_q <= {Levels{1'b0}};
    end else begin
      if (adv) begin
        sv_q <= iv; sd_q <= id; ss_q <= is; sn_q <= in_;
        for (e = 0; e < Levels; e = e + 1) so_q[e*5 +: 5] <= ic[e*PW +: 5];
        if (issue_en && issued_q != count_i) issued_q <= issued_q + 1'b1;
      end
      if (retire) begin
        retired_q <= retired_q + 1'b1;
        rowpos_q <= row_end ? {PW{1'b0}} : rowpos_q + 1'b1;
      end
      if (misplaced) err_q <= 1'b1;
      for (e = 0; e < Levels; e = e + 1) begin
        if (e < levels_i && rerr[e]) err_q <= 1'b1;
      end
      if (has_levels && last_v && !last_d) err_q <= 1'b1;
    end
  end

  assign last_o = retired_q == count_i || (retire && retired_q + 1'b1 == count_i);
  assign err_o = err_q;
  assign cursor_o = cur_q;
  assign start_o = start_q;
endmodule

`default_nettype wire
