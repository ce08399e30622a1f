// {{banner}}
// The query unit's random-access port (docs/hw/wm-query-unit.md, "Random-access port (RTL)"):
// a position in, the symbol at that position of the layer's sequence out, one access at a time,
// walking the wavelet matrix level by level with one rank per level and a rank cache. Or, for an
// element-wise layer, a row request (req_row_i): row r and element j in, the symbol at
// start(r) + j out, start(r) found by a select on the delimiter (rsp_start_o).
// Cycle model: wmAccessCycles, wmRowAccessCycles (src/chip/wm-access.ts); the cache's hit rule:
// CachedAccess (src/codecs/wm/rank-cache.ts); the select's cycles: wmRowSelectCycles, the walk to
// the delimiter's leaf at go: wmDelimiterWalkCycles (src/chip/wm-source.ts).
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
// Row request (r, j): refused (rsp_error_o, one cycle) when r >= rows or j >= the row length, as
// RowAccess.weight refuses. Row 0 starts at 0; row r >= 1 one past the (r-1)-th delimiter,
// select(delimiter, r - 1) + 1, walked up from the delimiter's leaf (its start at the last level
// of its code, found at go) with, per level l of its code, a select0 / select1 on level l:
//   - the level's first cycle issues the first directory read: with E = (bits >> 11) + 1 entries,
//     K = ceil(log2 E) probes of a binary search (lo += step when entry lo + step <= the last and
//     its count before <= the target; step = 2^(K-1) .. 1), one a cycle, each entry read the cycle
//     before; after the last probe (or in the first cycle when K = 0) the found block's entry is read;
//   - the entry's cycle picks the block's 512-bit sub-block and reads its line;
//   - the line's cycle finds the word (prefix popcount of the 16 words) and the bit in it, and is
//     the first cycle of the next level (or, after level 0, the access's accept cycle).
// So a level costs K + 2 cycles, the select S their sum, and a row request S + the access's cycles.
// Row 0, and the row of the last row request (its start kept until the next go), take no select.
// At go, the walk down to the delimiter's leaf takes 2 cycles per level of its code (a rank at
// each, as a miss), before req_ready_o rises.
//
// Memory (the layer's payload in the layout of docs/FORMAT.md §4 codec 3: per level its bitmap
// words, then its directory words): a line port returning the 16 words from any word address,
// and a directory port returning 2 words (one entry).
//
// Config port (while cfg_ready_o; the unit's map, of which the port uses):
//   0x000 sequence length n   0x002 levels   0x004 the only symbol of a zero-level layer
//   0x005 go (clears the cache)   0x007 row length (element-wise: weights per row)
//   0x008 rows (delimiters)   0x009 the delimiter's code {length[28:24], bits[23:0], LSB first}
//   0x100 + l  bits of level l   0x200 + l  zeros of level l
//   0x400 + v  node v: {level[24:20], child1[19:10], child0[9:0]}; a child is {leaf, none, index[7:0]}
// A go with a config the port cannot take (more levels than Levels, a payload larger than
// BufferWords, n other than level 0's length, a delimiter code longer than the levels) leaves the
// port idle with cfg_error_o high.
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
  // requests: a position of the sequence, or (req_row_i) element req_pos_i of row req_r_i
  input  wire                         req_valid_i,
  output wire                         req_ready_o,
  input  wire [31:0]                  req_pos_i,
  input  wire                         req_row_i,
  input  wire [31:0]                  req_r_i,
  // responses: the symbol, or rsp_error_o (position out of range, or an unused code)
  output wire                         rsp_valid_o,
  input  wire                         rsp_ready_i,
  output wire [SymbolBits-1:0]        rsp_symbol_o,
  output wire                         rsp_error_o,
  output wire [4:0]                   rsp_hits_o,    // ranks of this access the cache answered
  output wire [4:0]                   rsp_misses_o,  // ranks of this access the directory answered
  output wire [31:0]                  rsp_start_o,   // a row request: the row's start position
  output wire [9:0]                   rsp_select_o,  // a row request: the cycles its select took
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

  localparam [3:0] S_IDLE = 4'd0, S_READY = 4'd1, S_WALK = 4'd2, S_MISS = 4'd3, S_ONE = 4'd4,
                   S_DOWN = 4'd5, S_DRANK = 4'd6, S_PROBE = 4'd7, S_ENTRY = 4'd8, S_LINE = 4'd9;
  reg [3:0] state_q, state_d;
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
  reg [31:0]            rowlen_q, rows_q;
  reg [23:0]            dcode_q;
  reg [4:0]             dlen_q;
  wire cfg_write = cfg_valid_i && cfg_ready_o;
  wire go = cfg_write && cfg_addr_i == 12'h005;
  integer i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      n_q <= 32'd0; levels_q <= 5'd0; only_q <= {SymbolBits{1'b0}};
      len_q <= {Levels*PW{1'b0}}; zeros_q <= {Levels*PW{1'b0}}; nodetab_q <= {Nodes*25{1'b0}};
      rowlen_q <= 32'd0; rows_q <= 32'd0; dcode_q <= 24'd0; dlen_q <= 5'd0;
    end else if (cfg_write) begin
      case (cfg_addr_i)
        12'h000: n_q <= cfg_data_i;
        12'h002: levels_q <= cfg_data_i[4:0];
        12'h004: only_q <= cfg_data_i[SymbolBits-1:0];
        12'h007: rowlen_q <= cfg_data_i;
        12'h008: rows_q <= cfg_data_i;
        12'h009: begin dcode_q <= cfg_data_i[23:0]; dlen_q <= cfg_data_i[28:24]; end
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
  wire cfg_ok = {27'd0, levels_q} <= Levels && acc <= BufferWords && (levels_q == 5'd0 || n_q == {{(32-PW){1'b0}}, len_q[PW-1:0]})
                && dlen_q <= levels_q;

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

  // ---- the delimiter's leaf: at go, walk down its code from position 0, one rank per level (2 cycles) ----
  reg [4:0]    lv_q;                       // the level the walk down or the select is at
  reg [PW-1:0] dlo_q;                      // the delimiter's leaf start (at level len(code)), after the walk
  wire         dbit = dcode_q[lv_q];
  wire [PW-1:0] dlo_next = dbit ? zeros_q[lv_q*PW +: PW] + rank_dir[PW-1:0] : p_q - rank_dir[PW-1:0];
  wire         down_more = lv_q + 5'd1 < dlen_q;

  // ---- select on the delimiter, walked up from its leaf: per level a binary search, the entry, the line ----
  reg [PW-1:0] t_q;                        // the target: select_b(t) at level lv_q
  reg [PW-1:0] blk_q, step_q, rem_q, j_q, start_q;
  reg [1:0]    sub_q;
  reg [9:0]    selcyc_q;                   // cycles of this request's select so far
  wire         sbit = dcode_q[lv_q];      // the delimiter's code bit at this level: select1 (1) or select0 (0)
  wire [PW-1:0] lvlen = len_q[lv_q*PW +: PW];
  wire [PW-1:0] last_blk = lvlen >> 11;    // the level's last directory entry
  // the count of b-bits before block e of level lv_q, from its entry on dir_i
  wire [PW-1:0] probe_e = blk_q + step_q;
  wire [PW-1:0] before_probe = sbit ? dir_i[PW-1:0] : (probe_e << 11) - dir_i[PW-1:0];
  wire         probe_ok = probe_e <= last_blk && before_probe <= t_q;
  wire [PW-1:0] blk_found = probe_ok ? probe_e : blk_q;
  // the entry of the found block: the rest of the target, the sub-block (512-bit line) holding it
  wire [PW-1:0] before_blk = sbit ? dir_i[PW-1:0] : (blk_q << 11) - dir_i[PW-1:0];
  wire [PW-1:0] rem_blk = t_q - before_blk;
  wire [PW-1:0] ones1 = {{(PW-10){1'b0}}, dir_i[32 +: 10]};
  wire [PW-1:0] ones2 = {{(PW-11){1'b0}}, dir_i[42 +: 11]};
  wire [PW-1:0] ones3 = {{(PW-11){1'b0}}, dir_i[53 +: 11]};
  wire [PW-1:0] sb1 = sbit ? ones1 : {{(PW-10){1'b0}}, 10'd512} - ones1;
  wire [PW-1:0] sb2 = sbit ? ones2 : {{(PW-11){1'b0}}, 11'd1024} - ones2;
  wire [PW-1:0] sb3 = sbit ? ones3 : {{(PW-11){1'b0}}, 11'd1536} - ones3;
  wire [1:0]   sub_found = sb3 <= rem_blk ? 2'd3 : sb2 <= rem_blk ? 2'd2 : sb1 <= rem_blk ? 2'd1 : 2'd0;
  wire [PW-1:0] sub_before = sub_found == 2'd3 ? sb3 : sub_found == 2'd2 ? sb2 : sub_found == 2'd1 ? sb1 : {PW{1'b0}};
  // the line: the word holding the rem_q-th b-bit (prefix popcount), then the bit in that word
  reg [3:0]    sel_word;
  reg [4:0]    sel_bit;
  reg [PW-1:0] seen, seen_word;
  reg [31:0]   wsel;
  reg [5:0]    cnt;
  integer m;
  always @* begin
    // P(w) = the b-bits of words 0..w-1; the target is in the last word w with P(w) <= rem_q
    seen = {PW{1'b0}};
    seen_word = {PW{1'b0}};
    sel_word = 4'd0;
    for (m = 0; m < 15; m = m + 1) begin
      seen = seen + {{(PW-6){1'b0}}, popcount32(sbit ? line_i[m*32 +: 32] : ~line_i[m*32 +: 32])};
      if (seen <= rem_q) begin sel_word = m[3:0] + 4'd1; seen_word = seen; end
    end
    wsel = sbit ? line_i[sel_word*32 +: 32] : ~line_i[sel_word*32 +: 32];
    cnt = 6'd0;
    sel_bit = 5'd0;
    for (m = 0; m < 32; m = m + 1) begin
      if (wsel[m] && {{(PW-6){1'b0}}, cnt} == rem_q - seen_word) sel_bit = m[4:0];
      cnt = cnt + {5'd0, wsel[m]};
    end
  end
  wire [PW-1:0] p_found = (blk_q << 11) + {{(PW-2){1'b0}}, sub_q} * 512 + {{(PW-4){1'b0}}, sel_word} * 32 + {{(PW-5){1'b0}}, sel_bit};

  // ---- handshakes ----
  assign rsp_valid_o = (walking && !internal) || state_q == S_ONE;
  assign rsp_symbol_o = state_q == S_ONE ? one_sym_q : is_leaf ? ch[SymbolBits-1:0] : {SymbolBits{1'b0}};
  assign rsp_error_o = state_q == S_ONE ? one_err_q : is_none;
  assign rsp_hits_o = hits_q;
  assign rsp_misses_o = misses_q;
  assign rsp_start_o = {{(32-PW){1'b0}}, start_q};
  assign rsp_select_o = selcyc_q;
  wire rsp_fire = rsp_valid_o && rsp_ready_i;
  assign cfg_ready_o = state_q == S_IDLE || state_q == S_READY;
  assign cfg_error_o = cfg_error_q;
  assign req_ready_o = (state_q == S_READY && !cfg_valid_i) || rsp_fire;
  wire req_fire = req_valid_i && req_ready_o;
  wire refuse_pos = req_pos_i >= n_q;
  wire refuse = req_row_i ? req_r_i >= rows_q || req_pos_i >= rowlen_q : refuse_pos;
  wire start_walk = req_fire && !req_row_i && !refuse && levels_q != 5'd0;
  // the last row found (its start kept): row 0 and that row need no select
  reg [31:0]   r_q, lrow_q;
  reg [PW-1:0] lstart_q;
  reg          lrv_q;
  wire         row_known = req_r_i == 32'd0 || (lrv_q && req_r_i == lrow_q);
  wire [PW-1:0] known_start = req_r_i == 32'd0 ? {PW{1'b0}} : lstart_q;
  wire         row_ok = req_fire && req_row_i && !refuse && levels_q != 5'd0;
  // a level's first cycle: its target from the position below, its first directory read
  wire         row_sel = row_ok && !row_known;
  wire         line_sel = state_q == S_LINE;
  wire         up_more = line_sel && lv_q != 5'd0;
  wire [4:0]   ls_lv = row_sel ? dlen_q - 5'd1 : lv_q - 5'd1;
  wire [PW-1:0] ls_p = row_sel ? dlo_q + req_r_i[PW-1:0] - {{(PW-1){1'b0}}, 1'b1} : p_found;
  wire [PW-1:0] ls_t = dcode_q[ls_lv] ? ls_p - zeros_q[ls_lv*PW +: PW] : ls_p;
  wire [PW-1:0] ls_last = len_q[ls_lv*PW +: PW] >> 11;
  reg  [PW-1:0] ls_step;                   // 2^(K-1), K = bits of the last entry's index; 0 when K = 0
  integer b;
  always @* begin
    ls_step = {PW{1'b0}};
    for (b = 0; b < PW; b = b + 1) if (ls_last[b]) ls_step = {{(PW-1){1'b0}}, 1'b1} << b;
  end
  wire         level_start = row_sel || up_more;
  // the access after the select (or at once for row 0): position start + j
  wire         row_walk = (row_ok && row_known) || (line_sel && lv_q == 5'd0);
  wire [PW-1:0] row_start = line_sel ? p_found + {{(PW-1){1'b0}}, 1'b1} : known_start;
  wire [PW-1:0] row_pos = row_start + (line_sel ? j_q : req_pos_i[PW-1:0]);

  wire walk_go = start_walk || row_walk;
  wire [PW-1:0] walk_pos = start_walk ? req_pos_i[PW-1:0] : row_pos;
  wire down_go = go && cfg_ok && dlen_q != 5'd0;
  wire down_next = state_q == S_DRANK && down_more;

  // ---- reads: level 0 of a walk, the next level, the walk down, the select's entries and line ----
  wire [PW-1:0] q = walk_go ? walk_pos : p_next;
  wire [4:0]    ql = walk_go ? 5'd0 : lvl_next;
  wire [PW-1:0] dq = down_go ? {PW{1'b0}} : dlo_next;
  wire [4:0]    dql = down_go ? 5'd0 : lv_q + 5'd1;
  wire          probe_last = state_q == S_PROBE && step_q == {{(PW-1){1'b0}}, 1'b1};
  // the select's directory read: a level's first probe (or its only entry), the next probe, the found entry
  wire [PW-1:0] sel_entry = level_start ? ls_step : probe_last ? blk_found : blk_found + (step_q >> 1);
  wire [4:0]    sel_lv = level_start ? ls_lv : lv_q;
  wire          sel_dir = level_start || state_q == S_PROBE;
  wire          sel_line = state_q == S_ENTRY;
  wire [PW-1:0] sel_line_at = {blk_q[PW-7:0], 6'd0} + {{(PW-6){1'b0}}, sub_found, 4'd0};
  assign line_re_o = walk_go || descend || down_go || down_next || sel_line;
  assign dir_re_o = walk_go || descend || down_go || down_next || sel_dir;
  assign line_addr_o = sel_line ? bmbase[lv_q*AW +: AW] + sel_line_at[AW-1:0]
                     : (down_go || down_next) ? bmbase[dql*AW +: AW] + {dq[AW+4:9], 4'd0}
                     : bmbase[ql*AW +: AW] + {q[AW+4:9], 4'd0};
  assign dir_addr_o = sel_dir ? dirbase[sel_lv*AW +: AW] + {sel_entry[AW-2:0], 1'b0}
                    : (down_go || down_next) ? dirbase[dql*AW +: AW] + {4'd0, dq[AW+5:11], 1'b0}
                    : dirbase[ql*AW +: AW] + {4'd0, q[AW+5:11], 1'b0};

  always @* begin
    state_d = state_q;
    if (cfg_write) state_d = go && cfg_ok ? (dlen_q != 5'd0 ? S_DOWN : S_READY) : S_IDLE;
    else begin
      case (state_q)
        S_DOWN: state_d = S_DRANK;
        S_DRANK: state_d = down_more ? S_DOWN : S_READY;
        S_PROBE: state_d = probe_last ? S_ENTRY : S_PROBE;
        S_ENTRY: state_d = S_LINE;
        default: ;
      endcase
      if (rsp_fire) state_d = S_READY;
      if (descend) state_d = S_WALK;
      else if (miss) state_d = S_MISS;
      if (level_start) state_d = ls_step != {PW{1'b0}} ? S_PROBE : S_ENTRY;
      if (walk_go) state_d = S_WALK;
      else if (req_fire && !row_sel) state_d = S_ONE;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE; cfg_error_q <= 1'b0;
      p_q <= {PW{1'b0}}; node_q <= 8'd0; hits_q <= 5'd0; misses_q <= 5'd0;
      one_sym_q <= {SymbolBits{1'b0}}; one_err_q <= 1'b0;
      sval_q <= {Slots{1'b0}};
      lv_q <= 5'd0; dlo_q <= {PW{1'b0}}; t_q <= {PW{1'b0}}; blk_q <= {PW{1'b0}}; step_q <= {PW{1'b0}};
      rem_q <= {PW{1'b0}}; j_q <= {PW{1'b0}}; start_q <= {PW{1'b0}}; sub_q <= 2'd0;
      selcyc_q <= 10'd0; r_q <= 32'd0; lrow_q <= 32'd0; lstart_q <= {PW{1'b0}}; lrv_q <= 1'b0;
    end else begin
      state_q <= state_d;
      if (cfg_write) cfg_error_q <= go && !cfg_ok;
      if (go) begin sval_q <= {Slots{1'b0}}; lrv_q <= 1'b0; end
      // the walk down to the delimiter's leaf
      if (down_go) begin p_q <= {PW{1'b0}}; lv_q <= 5'd0; end
      if (state_q == S_DRANK) begin
        p_q <= dlo_next; dlo_q <= dlo_next;
        if (down_more) lv_q <= lv_q + 5'd1;
      end
      if (req_fire) begin
        p_q <= req_pos_i[PW-1:0]; node_q <= 8'd0; hits_q <= 5'd0; misses_q <= 5'd0;
        one_sym_q <= refuse ? {SymbolBits{1'b0}} : only_q; one_err_q <= refuse;
        j_q <= req_pos_i[PW-1:0]; r_q <= req_r_i; selcyc_q <= {9'd0, row_sel}; start_q <= row_ok ? known_start : {PW{1'b0}};
      end
      // the select
      if (level_start) begin lv_q <= ls_lv; t_q <= ls_t; blk_q <= {PW{1'b0}}; step_q <= ls_step; end
      if (state_q == S_PROBE) begin blk_q <= blk_found; step_q <= step_q >> 1; end
      if (state_q == S_PROBE || state_q == S_ENTRY || up_more) selcyc_q <= selcyc_q + 10'd1;
      if (state_q == S_ENTRY) begin rem_q <= rem_blk - sub_before; sub_q <= sub_found; end
      if (walk_go) begin p_q <= walk_pos; node_q <= 8'd0; end
      if (row_walk) begin
        start_q <= row_start; lrow_q <= line_sel ? r_q : req_r_i; lstart_q <= row_start; lrv_q <= 1'b1;
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
  wire unused = ^{slot8, rank_dir[31:PW], q[PW-1:AW+5], q[8:0], dq[8:0], bmw[31:AW], len[31:PW],
                  sel_entry[PW-1:AW-1], sel_line_at[PW-1:AW], dir_i[63:PW], dir_i[31:PW]};
endmodule

`default_nettype wire
