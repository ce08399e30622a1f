// {{banner}}
// The query unit's random-access port (docs/hw/wm-query-unit.md, "Random-access port (RTL)"):
// a position in, the symbol at that position of the layer's sequence out, one access at a time,
// walking the wavelet matrix level by level with one rank per level and a rank cache.
// Cycle model: wmAccessCycles (src/chip/wm-access.ts); the cache's hit rule: CachedAccess
// (src/codecs/wm/rank-cache.ts).
//
// Cycles: an access accepted in cycle a answers (rsp_valid_o) in cycle a + C, C = len(code) + one
// per rank that misses the cache; a zero-level layer, and a refused position, answer in a + 1.
// Cycles the response waits for rsp_ready_i, and cycles without a request, belong to no access.
// The response's transfer cycle can accept the next request, so back to back accesses take
// exactly the sum of their C (req_ready_o depends on rsp_ready_i in that cycle).
//
// Per level: the level's bitmap line holding the position and its directory entry are read in
// the cycle before (registered reads: the data is on line_i / dir_i the next cycle and stays until
// the next read). In the level's cycle the bit picks the child; the rank at the position is a
// **hit** when the cache slot of this level (RankCache 1) or node (RankCache 2) holds a position q
// with q <= p <= q + 32: then the rank is the slot's plus the popcount of the position's word below
// it, and the next level's reads go out in this same cycle. A **miss** takes one more cycle, in
// which the directory entry and the masked popcount of the 512-bit line give the rank. Either way
// the slot then holds p. The leaf level needs no rank.
//
// Memory (the layer's payload in the layout of docs/FORMAT.md §4 codec 3: per level its bitmap
// words, then its directory words): a line port returning the 16 words from any word address,
// and a directory port returning 2 words (one entry).
//
// Config port (while cfg_ready_o; the unit's map, of which the port uses):
//   0x000 sequence length n   0x002 levels   0x004 the only symbol of a zero-level layer
//   0x005 go (clears the cache)   0x100 + l  bits of level l   0x200 + l  zeros of level l
//   0x400 + v  node v: {level[24:20], child1[19:10], child0[9:0]}; a child is {leaf, none, index[7:0]}
// A go with a config the port cannot take (more levels than Levels, a payload larger than
// BufferWords, n other than level 0's length) leaves the port idle with cfg_error_o high.
`default_nettype none

module wm_access_port #(
  parameter integer Levels      = {{wmLevels}},
  parameter integer SymbolBits  = {{symbolBits}},
  parameter integer BufferWords = {{wmBufferWords}},
  parameter integer RankCache   = {{wmRankCache}}     // 0 none, 1 one slot per level, 2 one per node
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  // config port
  input  wire                         cfg_valid_i,
  output wire                         cfg_ready_o,
  input  wire [11:0]                  cfg_addr_i,
  input  wire [31:0]                  cfg_data_i,
  output wire                         cfg_error_o,
  // requests: a position of the sequence
  input  wire                         req_valid_i,
  output wire                         req_ready_o,
  input  wire [31:0]                  req_pos_i,
  // responses: the symbol, or rsp_error_o (position out of range, or an unused code)
  output wire                         rsp_valid_o,
  input  wire                         rsp_ready_i,
  output wire [SymbolBits-1:0]        rsp_symbol_o,
  output wire                         rsp_error_o,
  output wire [4:0]                   rsp_hits_o,    // ranks of this access the cache answered
  output wire [4:0]                   rsp_misses_o,  // ranks of this access the directory answered
  // memory: bitmap lines and directory entries
  output wire                         line_re_o,
  output wire [$clog2(BufferWords)-1:0] line_addr_o,
  input  wire [511:0]                 line_i,
  output wire                         dir_re_o,
  output wire [$clog2(BufferWords)-1:0] dir_addr_o,
  input  wire [63:0]                  dir_i
);
  localparam integer Nodes = 2**SymbolBits - 1;
  localparam integer AW = $clog2(BufferWords);
  localparam integer PW = AW + 6;
  localparam integer NB = SymbolBits;          // node index bits (Nodes = 2^NB - 1)
  localparam integer Slots = RankCache == 2 ? Nodes : RankCache == 1 ? Levels : 1;
  localparam integer SW = Slots > 1 ? $clog2(Slots) : 1;   // slot index bits

{{paramChecks}}

  localparam [2:0] S_IDLE = 3'd0, S_READY = 3'd1, S_WALK = 3'd2, S_MISS = 3'd3, S_ONE = 3'd4;
  reg [2:0] state_q, state_d;
  reg       cfg_error_q;

  function automatic [5:0] popcount32(input [31:0] w);
    integer i;
    begin
      popcount32 = 6'd0;
      for (i = 0; i < 32; i = i + 1) popcount32 = popcount32 + {5'd0, w[i]};
    end
  endfunction

  // ---- config ----
  reg [31:0]            n_q;
  reg [4:0]             levels_q;
  reg [SymbolBits-1:0]  only_q;
  reg [Levels*PW-1:0]   len_q, zeros_q;
  reg [Nodes*25-1:0]    nodetab_q;
  wire cfg_write = cfg_valid_i && cfg_ready_o;
  wire go = cfg_write && cfg_addr_i == 12'h005;
  integer i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      n_q <= 32'd0; levels_q <= 5'd0; only_q <= {SymbolBits{1'b0}};
      len_q <= {Levels*PW{1'b0}}; zeros_q <= {Levels*PW{1'b0}}; nodetab_q <= {Nodes*25{1'b0}};
    end else if (cfg_write) begin
      case (cfg_addr_i)
        12'h000: n_q <= cfg_data_i;
        12'h002: levels_q <= cfg_data_i[4:0];
        12'h004: only_q <= cfg_data_i[SymbolBits-1:0];
        default: ;
      endcase
      for (i = 0; i < Levels; i = i + 1) begin
        if (cfg_addr_i == 12'h100 + i[11:0]) len_q[i*PW +: PW] <= cfg_data_i[PW-1:0];
        if (cfg_addr_i == 12'h200 + i[11:0]) zeros_q[i*PW +: PW] <= cfg_data_i[PW-1:0];
      end
      for (i = 0; i < Nodes; i = i + 1) begin
        if (cfg_addr_i == 12'h400 + i[11:0]) nodetab_q[i*25 +: 25] <= cfg_data_i[24:0];
      end
    end
  end

  // ---- level bases: level l's bitmap starts after the bitmaps and directories of levels < l ----
  reg [Levels*AW-1:0] bmbase, dirbase;
  reg [31:0] acc, len, bmw, dirw;
  integer l;
  always @* begin
    acc = 32'd0;
    bmbase = {Levels*AW{1'b0}};
    dirbase = {Levels*AW{1'b0}};
    for (l = 0; l < Levels; l = l + 1) begin
      len = {{(32-PW){1'b0}}, len_q[l*PW +: PW]};
      bmw = (len + 32'd31) >> 5;                  // bitmap words
      dirw = ((len >> 11) + 32'd1) << 1;          // one 2-word entry per 2048-bit block, and one more
      bmbase[l*AW +: AW] = acc[AW-1:0];
      dirbase[l*AW +: AW] = acc[AW-1:0] + bmw[AW-1:0];
      if (l < {27'd0, levels_q}) acc = acc + bmw + dirw;
    end
  end
  wire cfg_ok = {27'd0, levels_q} <= Levels && acc <= BufferWords && (levels_q == 5'd0 || n_q == {{(32-PW){1'b0}}, len_q[PW-1:0]});

  // ---- one level of the walk: position p_q at node node_q, its level's line and entry on line_i / dir_i ----
  reg [PW-1:0] p_q;
  reg [7:0]    node_q;
  reg [4:0]    hits_q, misses_q;
  reg [SymbolBits-1:0] one_sym_q;
  reg          one_err_q;

  wire [4:0]  lvl = nodetab_q[node_q[NB-1:0]*25 + 20 +: 5];
  wire [3:0]  widx = p_q[8:5];
  wire [31:0] word = line_i[widx*32 +: 32];
  wire        bsel = word[p_q[4:0]];
  wire [9:0]  ch = bsel ? nodetab_q[node_q[NB-1:0]*25 + 10 +: 10] : nodetab_q[node_q[NB-1:0]*25 +: 10];
  wire        is_leaf = ch[9];
  wire        is_none = !ch[9] && ch[8];
  wire        internal = !ch[9] && !ch[8];
  wire [5:0]  pc_masked = popcount32(word & ((32'd1 << p_q[4:0]) - 32'd1));
  wire [5:0]  pc_word = popcount32(word);

  // the cache: per slot a position, the rank at the start of its word, the ones of its word
  reg [PW-1:0] spos_q [0:Slots-1];
  reg [PW-1:0] sbase_q [0:Slots-1];
  reg [5:0]    sones_q [0:Slots-1];
  reg [Slots-1:0] sval_q;
  wire [7:0]   slot8 = RankCache == 2 ? node_q : {3'd0, lvl};
  wire [SW-1:0] slot = slot8[SW-1:0];
  wire [PW-1:0] spos = spos_q[slot];
  wire [PW-1:0] sdist = p_q - spos;
  wire        hit = RankCache != 0 && sval_q[slot] && p_q >= spos && sdist <= {{(PW-6){1'b0}}, 6'd32};
  wire [PW-1:0] rank_hit = sbase_q[slot] + (p_q[PW-1:5] == spos[PW-1:5] ? {PW{1'b0}} : {{(PW-6){1'b0}}, sones_q[slot]})
                           + {{(PW-6){1'b0}}, pc_masked};

  // a miss: the entry's absolute count, the sub-block's relative count, the line below the position
  reg [31:0] rank_dir;
  integer k;
  always @* begin
    rank_dir = dir_i[31:0];
    case (p_q[10:9])
      2'd1: rank_dir = rank_dir + {22'd0, dir_i[32 +: 10]};
      2'd2: rank_dir = rank_dir + {21'd0, dir_i[42 +: 11]};
      2'd3: rank_dir = rank_dir + {21'd0, dir_i[53 +: 11]};
      default: ;
    endcase
    for (k = 0; k < 16; k = k + 1) begin
      if (k[3:0] < widx) rank_dir = rank_dir + {26'd0, popcount32(line_i[k*32 +: 32])};
    end
    rank_dir = rank_dir + {26'd0, pc_masked};
  end

  wire walking = state_q == S_WALK;
  wire miss = walking && internal && !hit;
  // descend: a hit in the level's cycle, or a miss in the cycle after
  wire descend = (walking && internal && hit) || state_q == S_MISS;
  wire [PW-1:0] rank = walking && hit ? rank_hit : rank_dir[PW-1:0];
  wire [PW-1:0] p_next = bsel ? zeros_q[lvl*PW +: PW] + rank : p_q - rank;
  wire [4:0]  lvl_next = lvl + 5'd1;

  // ---- handshakes ----
  assign rsp_valid_o = (walking && !internal) || state_q == S_ONE;
  assign rsp_symbol_o = state_q == S_ONE ? one_sym_q : is_leaf ? ch[SymbolBits-1:0] : {SymbolBits{1'b0}};
  assign rsp_error_o = state_q == S_ONE ? one_err_q : is_none;
  assign rsp_hits_o = hits_q;
  assign rsp_misses_o = misses_q;
  wire rsp_fire = rsp_valid_o && rsp_ready_i;
  assign cfg_ready_o = state_q == S_IDLE || state_q == S_READY;
  assign cfg_error_o = cfg_error_q;
  assign req_ready_o = (state_q == S_READY && !cfg_valid_i) || rsp_fire;
  wire req_fire = req_valid_i && req_ready_o;
  wire refuse = req_pos_i >= n_q;
  wire start_walk = req_fire && !refuse && levels_q != 5'd0;

  // ---- reads: level 0 at the request's position, or the next level at p_next ----
  wire [PW-1:0] q = start_walk ? req_pos_i[PW-1:0] : p_next;
  wire [4:0]    ql = start_walk ? 5'd0 : lvl_next;
  assign line_re_o = start_walk || descend;
  assign dir_re_o = start_walk || descend;
  assign line_addr_o = bmbase[ql*AW +: AW] + {q[AW+4:9], 4'd0};
  assign dir_addr_o = dirbase[ql*AW +: AW] + {4'd0, q[AW+5:11], 1'b0};

  always @* begin
    state_d = state_q;
    if (cfg_write) state_d = go && cfg_ok ? S_READY : S_IDLE;
    else begin
      if (rsp_fire) state_d = S_READY;
      if (descend) state_d = S_WALK;
      else if (miss) state_d = S_MISS;
      if (req_fire) state_d = start_walk ? S_WALK : S_ONE;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE; cfg_error_q <= 1'b0;
      p_q <= {PW{1'b0}}; node_q <= 8'd0; hits_q <= 5'd0; misses_q <= 5'd0;
      one_sym_q <= {SymbolBits{1'b0}}; one_err_q <= 1'b0;
      sval_q <= {Slots{1'b0}};
    end else begin
      state_q <= state_d;
      if (cfg_write) cfg_error_q <= go && !cfg_ok;
      if (go) sval_q <= {Slots{1'b0}};
      if (req_fire) begin
        p_q <= req_pos_i[PW-1:0]; node_q <= 8'd0; hits_q <= 5'd0; misses_q <= 5'd0;
        one_sym_q <= refuse ? {SymbolBits{1'b0}} : only_q; one_err_q <= refuse;
      end
      if (miss) misses_q <= misses_q + 5'd1;
      if (descend) begin
        p_q <= p_next; node_q <= ch[7:0];
        if (walking) hits_q <= hits_q + 5'd1;
        if (RankCache != 0) begin
          spos_q[slot] <= p_q; sbase_q[slot] <= rank - {{(PW-6){1'b0}}, pc_masked}; sones_q[slot] <= pc_word;
          sval_q[slot] <= 1'b1;
        end
      end
    end
  end

  // parameters and fields the port does not use in every configuration
  wire unused = ^{slot8, rank_dir[31:PW], q[PW-1:AW+5], q[8:0], bmw[31:AW], len[31:PW]};
endmodule

`default_nettype wire
