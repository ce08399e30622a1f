// {{banner}}
// The wavelet-matrix query unit (docs/hw/wm-query-unit.md): a layer's config through the config
// port, its payload words through the load port (LOAD), one rank per internal node of the code
// tree and the level pipeline's fill (START), then each lane delivers one weight a cycle of its
// slice of the layer (DECODE). Cycle model: WmSource (src/chip/wm-source.ts). Block-wise layers
// stream their weights; element-wise layers stream their rows with a delimiter after each, and a
// delimiter takes its lane's cycle without leaving the unit.
//
// Config port (writes while cfg_ready_o; an address not listed is ignored):
//   0x000 symbols n (block-wise: the weights; element-wise: weights and delimiters)
//   0x001 slice (symbols per lane, ceil(n / Lanes))   0x002 levels   0x003 internal nodes
//   0x004 the only symbol of a zero-level layer   0x005 go: start the layer
//   0x006 delimiter: {element-wise[8], symbol[7:0]} (0: a block-wise layer, no delimiter)
//   0x007 element-wise: weights per row   0x300 + k  element-wise: lane k's first symbol's place in
//              its row, (k * slice) mod (weights per row + 1)
//   0x100 + l  bits of level l     0x200 + l  zeros of level l
//   0x400 + v  node v: {level[24:20], child1[19:10], child0[9:0]}; a child is {leaf, none, index[7:0]}:
//              leaf = 1: index is a symbol; none = 1: an unused code; else index is a node
// error_code_o: 1 config, 2 payload larger than the buffer, 3 padding bits, 4 zeros, 5 directory,
//              6 a symbol took an unused code or (element-wise) a delimiter is out of its place,
//              7 the cursors did not end at their node's end.
`default_nettype none

module wm_query_unit #(
  parameter integer Lanes       = {{wmLanes}},
  parameter integer LoadWords   = {{wmLoadWords}},
  parameter integer Levels      = {{wmLevels}},
  parameter integer SymbolBits  = {{symbolBits}},
  parameter integer BufferWords = {{wmBufferWords}}
) (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  // config port
  input  wire                          cfg_valid_i,
  output wire                          cfg_ready_o,
  input  wire [11:0]                   cfg_addr_i,
  input  wire [31:0]                   cfg_data_i,
  // payload words from DRAM, in address order: in_count_i (1..LoadWords) words a beat
  input  wire                          in_valid_i,
  output wire                          in_ready_o,
  input  wire [$clog2(LoadWords+1)-1:0] in_count_i,
  input  wire [LoadWords*32-1:0]       in_data_i,
  // per lane: weights (symbols) out
  output wire [Lanes-1:0]              out_valid_o,
  input  wire [Lanes-1:0]              out_ready_i,
  output wire [Lanes*SymbolBits-1:0]   out_symbol_o,
  output wire [1:0]                    phase_o,      // 0 idle, 1 LOAD, 2 START, 3 DECODE
  output wire                          done_o,       // the layer finished and passed every check
  output wire                          error_o,      // the layer was refused (sticky until the next go)
  output wire [2:0]                    error_code_o
);
  localparam integer Nodes = 2**SymbolBits - 1;
  localparam integer AW = $clog2(BufferWords);
  localparam integer PW = AW + 6;

{{paramChecks}}

  localparam [2:0] S_IDLE = 3'd0, S_LOAD = 3'd1, S_START = 3'd2, S_DECODE = 3'd3, S_CHECK = 3'd4;
  reg [2:0] state_q;
  reg       done_q, error_q;
  reg [2:0] code_q;
  reg [9:0] st_cnt_q;

  // ---- config registers ----
  reg [PW-1:0]          n_q, slice_q;
  reg [4:0]             levels_q;
  reg [7:0]             nodes_q;
  reg [SymbolBits-1:0]  only_q;
  reg                   delim_en_q;
  reg [PW-1:0]          rowlen_q;
  reg [Lanes*PW-1:0]    phase_q;
  reg [SymbolBits-1:0]  delim_q;
  reg [Levels*PW-1:0]   len_q, zeros_q;
  reg [Nodes*25-1:0]    nodetab_q;

  wire cfg_write = cfg_valid_i && cfg_ready_o;
  wire go = cfg_write && cfg_addr_i == 12'h005;
  integer i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      n_q <= {PW{1'b0}}; slice_q <= {PW{1'b0}}; levels_q <= 5'd0; nodes_q <= 8'd0; only_q <= {SymbolBits{1'b0}};
      delim_en_q <= 1'b0; delim_q <= {SymbolBits{1'b0}}; rowlen_q <= {PW{1'b0}}; phase_q <= {Lanes*PW{1'b0}};
      len_q <= {Levels*PW{1'b0}}; zeros_q <= {Levels*PW{1'b0}}; nodetab_q <= {Nodes*25{1'b0}};
    end else if (cfg_write) begin
      case (cfg_addr_i)
        12'h000: n_q <= cfg_data_i[PW-1:0];
        12'h001: slice_q <= cfg_data_i[PW-1:0];
        12'h002: levels_q <= cfg_data_i[4:0];
        12'h003: nodes_q <= cfg_data_i[7:0];
        12'h004: only_q <= cfg_data_i[SymbolBits-1:0];
        12'h007: rowlen_q <= cfg_data_i[PW-1:0];
        12'h006: begin
          delim_en_q <= cfg_data_i[8]; delim_q <= cfg_data_i[SymbolBits-1:0];
        end
        default: ;
      endcase
      for (i = 0; i < Levels; i = i + 1) begin
        if (cfg_addr_i == 12'h100 + i[11:0]) len_q[i*PW +: PW] <= cfg_data_i[PW-1:0];
        if (cfg_addr_i == 12'h200 + i[11:0]) zeros_q[i*PW +: PW] <= cfg_data_i[PW-1:0];
      end
      for (i = 0; i < Lanes; i = i + 1) begin
        if (cfg_addr_i == 12'h300 + i[11:0]) phase_q[i*PW +: PW] <= cfg_data_i[PW-1:0];
      end
      for (i = 0; i < Nodes; i = i + 1) begin
        if (cfg_addr_i == 12'h400 + i[11:0]) nodetab_q[i*25 +: 25] <= cfg_data_i[24:0];
      end
    end
  end

  // the config is refused when it does not fit the unit's parameters
  localparam integer MaxWeightsInt = BufferWords * 32;
  localparam [PW-1:0] MaxWeights = MaxWeightsInt[PW-1:0];
  localparam [PW+5:0] LanesW = Lanes[PW+5:0];
  localparam [4:0] LevelsW = Levels[4:0];
  wire [PW+5:0] covered = {6'd0, slice_q} * LanesW;
  wire unused_cfg = ^cfg_data_i[31:25];
  // more internal nodes than cursors (2^SymbolBits - 1 of them)
  wire nodes_over;
  generate
    if (SymbolBits < 8) begin : g_nodes_over
      assign nodes_over = nodes_q[7:SymbolBits] != {(8-SymbolBits){1'b0}};
    end else begin : g_nodes_fit
      assign nodes_over = 1'b0;
    end
  endgenerate
  wire cfg_bad = levels_q > LevelsW || nodes_over || (levels_q == 5'd0) != (nodes_q == 8'd0) ||
                 n_q == {PW{1'b0}} || n_q > MaxWeights || slice_q == {PW{1'b0}} || covered < {6'd0, n_q};

  // ---- LOAD: the bitmap words go to every lane's level banks ----
  wire          load_finished;
  wire [3:0]    load_err;
  wire          take = in_valid_i && in_ready_o;
  wire [LoadWords-1:0]      wv;
  wire [LoadWords*5-1:0]    wlevel;
  wire [LoadWords*AW-1:0]   widx;
  wire [LoadWords*32-1:0]   wword;
  wire [LoadWords*PW-1:0]   wrank;
  assign in_ready_o = state_q == S_LOAD;
  wm_loader #(.Levels(Levels), .LoadWords(LoadWords), .BufferWords(BufferWords), .PosBits(PW)) u_loader (
    .clk_i, .rst_ni, .init_i(go), .levels_i(levels_q), .length_i(len_q), .zeros_i(zeros_q),
    .take_i(take), .count_i(in_count_i), .data_i(in_data_i),
    .wv_o(wv), .wlevel_o(wlevel), .widx_o(widx), .wword_o(wword), .wrank_o(wrank),
    .finished_o(load_finished), .err_o(load_err)
  );

  // ---- lanes ----

  wire [Lanes-1:0] lane_valid, lane_last, lane_err;
  wire [Lanes*Nodes*PW-1:0] cursors, starts;
  wire [9:0] start_len = {1'b0, nodes_q, 1'b0} + {5'd0, levels_q} - ((levels_q != 5'd0) ? 10'd1 : 10'd0);
  genvar k;
  generate
    for (k = 0; k < Lanes; k = k + 1) begin : g_lane
      // lane k: weights [min(n, k * slice), min(n, (k + 1) * slice))
      localparam [PW+5:0] K = k;
      wire [PW+5:0] lo = {6'd0, slice_q} * K;
      wire [PW+5:0] hi = {6'd0, slice_q} * (K + 1'b1);
      wire [PW-1:0] first = (lo >= {6'd0, n_q}) ? n_q : lo[PW-1:0];
      wire [PW-1:0] upto  = (hi > {6'd0, n_q}) ? n_q : hi[PW-1:0];
      wire [SymbolBits-1:0] sym;
      wm_lane #(.Levels(Levels), .SymbolBits(SymbolBits), .BufferWords(BufferWords), .LoadWords(LoadWords), .PosBits(PW)) u_lane (
        .clk_i, .rst_ni, .init_i(go), .first_i(first), .count_i(upto - first),
        .levels_i(levels_q), .nodes_i(nodes_q), .only_i(only_q), .delim_en_i(delim_en_q), .delim_i(delim_q),
        .rowlen_i(rowlen_q), .phase_i(phase_q[k*PW +: PW]),
        .nodetab_i(nodetab_q), .zeros_i(zeros_q),
        .wv_i(wv), .wlevel_i(wlevel), .widx_i(widx), .wword_i(wword), .wrank_i(wrank),
        .in_start_i(state_q == S_START), .st_cnt_i(st_cnt_q), .in_decode_i(state_q == S_DECODE),
        .out_valid_o(lane_valid[k]), .out_ready_i(out_ready_i[k] && state_q == S_DECODE), .out_symbol_o(sym),
        .last_o(lane_last[k]), .err_o(lane_err[k]),
        .cursor_o(cursors[k*Nodes*PW +: Nodes*PW]), .start_o(starts[k*Nodes*PW +: Nodes*PW])
      );
      assign out_valid_o[k] = lane_valid[k] && state_q == S_DECODE;
      assign out_symbol_o[k*SymbolBits +: SymbolBits] = sym;
    end
  endgenerate

  // ---- the end check: every cursor ended where the next lane's began (the last lane: at its
  // node's end, the next node of its level's start or the level's length), as the reference
  // decoder checks that every node's bits were read exactly once ----
  function automatic [PW-1:0] levelField(input [Levels*PW-1:0] vec, input [4:0] l);
    integer j;
    begin
      levelField = {PW{1'b0}};
      for (j = 0; j < Levels; j = j + 1) if (l == j[4:0]) levelField = vec[j*PW +: PW];
    end
  endfunction
  reg cursor_bad;
  reg [PW-1:0] bound;
  reg [4:0] lv;
  integer ln, v;
  always @* begin
    cursor_bad = 1'b0;
    bound = {PW{1'b0}};
    lv = 5'd0;
    for (ln = 0; ln < Lanes; ln = ln + 1) begin
      for (v = 0; v < Nodes; v = v + 1) begin
        if (v < {24'd0, nodes_q}) begin
          lv = nodetab_q[v*25 + 20 +: 5];
          if (ln + 1 < Lanes) bound = starts[((ln + 1)*Nodes + v)*PW +: PW];
          else if (v + 1 < {24'd0, nodes_q} && v + 1 < Nodes && nodetab_q[((v + 1) % Nodes)*25 + 20 +: 5] == lv)
            bound = starts[(v + 1)*PW +: PW];
          else bound = levelField(len_q, lv);
          if (cursors[(ln*Nodes + v)*PW +: PW] != bound) cursor_bad = 1'b1;
        end
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE; done_q <= 1'b0; error_q <= 1'b0; code_q <= 3'd0; st_cnt_q <= 10'd0;
    end else begin
      case (state_q)
        S_IDLE: if (go) begin
          done_q <= 1'b0; error_q <= 1'b0; code_q <= 3'd0;
          if (cfg_bad) begin
            error_q <= 1'b1; code_q <= 3'd1;
          end else begin
            state_q <= S_LOAD;
          end
        end
        S_LOAD: begin
          if (load_err != 4'd0) begin
            error_q <= 1'b1; state_q <= S_IDLE;
            code_q <= load_err[3] ? 3'd2 : load_err[0] ? 3'd3 : load_err[1] ? 3'd4 : 3'd5;
          end else if (load_finished) begin
            st_cnt_q <= 10'd0;
            state_q <= (start_len != 10'd0) ? S_START : S_DECODE;
          end
        end
        S_START: begin
          st_cnt_q <= st_cnt_q + 10'd1;
          if (st_cnt_q + 10'd1 == start_len) state_q <= S_DECODE;
        end
        S_DECODE: begin
          if (lane_err != {Lanes{1'b0}}) begin
            error_q <= 1'b1; code_q <= 3'd6; state_q <= S_IDLE;
          end else if (&lane_last) begin
            state_q <= S_CHECK;
          end
        end
        default: begin // S_CHECK
          state_q <= S_IDLE;
          if (cursor_bad) begin
            error_q <= 1'b1; code_q <= 3'd7;
          end else begin
            done_q <= 1'b1;
          end
        end
      endcase
    end
  end

  assign cfg_ready_o = state_q == S_IDLE;
  assign phase_o = (state_q == S_LOAD) ? 2'd1 : (state_q == S_START) ? 2'd2 : (state_q == S_DECODE) ? 2'd3 : 2'd0;
  assign done_o = done_q;
  assign error_o = error_q;
  assign error_code_o = code_q;
endmodule

`default_nettype wire
