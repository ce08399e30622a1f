// {{banner}}
// Weight decompression engine: a layer's interleaved word stream from DRAM is dealt round-robin to
// Streams lane FIFOs (skipping streams whose words are exhausted, docs/FORMAT.md), each lane decodes
// one symbol per cycle, and symbols leave as symbols and as int8 weights (symbol - (bins-1)/2).
// Per layer the load port takes, one word per cycle: bins, the States table entries
// ({newState[31:16], nbBits[15:8], symbol[7:0]}), then per stream its symbol and word counts.
// Cycle semantics: docs/hw/tans-decoder.md; cycle model: TansEngineModel (src/chip/tans-decoder.ts).
`default_nettype none

module tans_engine #(
  parameter integer States          = {{states}},
  parameter integer SymbolBits      = {{symbolBits}},
  parameter integer Streams         = {{streams}},
  parameter integer InWidth         = {{inWidth}},
  parameter integer StreamFifoDepth = {{streamFifoDepth}},
  parameter         TableInit       = ""
) (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  // layer load port
  input  wire                          cfg_valid_i,
  output wire                          cfg_ready_o,
  input  wire [31:0]                   cfg_data_i,
  // compressed words from DRAM, in address order
  input  wire                          in_valid_i,
  output wire                          in_ready_o,
  input  wire [InWidth-1:0]            in_data_i,
  // per stream: decoded symbol and its dequantized weight
  output wire [Streams-1:0]            out_valid_o,
  input  wire [Streams-1:0]            out_ready_i,
  output wire [Streams*SymbolBits-1:0] out_symbol_o,
  output wire [Streams*8-1:0]          out_weight_o,
  output wire                          done_o,     // layer finished: all symbols out, all words taken
  output wire                          error_o     // a stream of this layer was corrupt (sticky)
);
  localparam integer LogL      = $clog2(States);
  localparam integer NbW       = $clog2(LogL + 1);
  localparam integer EntryW    = LogL + NbW + SymbolBits;
  localparam integer LoadWords = 1 + States + 2 * Streams;
  localparam integer IdxW      = $clog2(LoadWords);
  localparam integer TurnW     = (Streams > 1) ? $clog2(Streams) : 1;
  localparam [IdxW-1:0] LastIdx = LoadWords[IdxW-1:0] - 1'b1;
  localparam [IdxW-1:0] TblEnd  = States[IdxW-1:0];

{{paramChecks}}

  // ---------------------------------------------------------------- load port
  reg              load_q, run_q;
  reg [IdxW-1:0]   idx_q;
  reg [7:0]        half_q;
  wire             done;
  assign cfg_ready_o = load_q || !run_q || done;
  wire             cfg_acc = cfg_valid_i && cfg_ready_o;
  wire [IdxW-1:0]  widx    = load_q ? idx_q : {IdxW{1'b0}};
  wire             start   = cfg_acc && widx == LastIdx;
  wire             tbl_we  = cfg_acc && widx != {IdxW{1'b0}} && widx <= TblEnd;
  wire [LogL-1:0]  tbl_off = widx[LogL-1:0] - 1'b1;
  wire [IdxW-1:0]  dsc_off = widx - TblEnd - 1'b1;   // 2k: symbol count, 2k+1: word count of stream k
  wire             dsc_we  = cfg_acc && widx > TblEnd;
  wire [EntryW-1:0] tbl_data = {cfg_data_i[16 +: LogL], cfg_data_i[8 +: NbW], cfg_data_i[0 +: SymbolBits]};

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      load_q <= 1'b0;
      run_q  <= 1'b0;
      idx_q  <= {IdxW{1'b0}};
      half_q <= 8'd0;
    end else if (cfg_acc) begin
      if (widx == {IdxW{1'b0}}) half_q <= cfg_data_i[8:1] - {7'd0, ~cfg_data_i[0]};  // (bins-1)>>1
      load_q <= !start;
      run_q  <= start;
      idx_q  <= start ? {IdxW{1'b0}} : widx + 1'b1;
    end
  end

  // ---------------------------------------------------------------- distributor
  reg  [TurnW-1:0]      turn_q;
  reg  [TurnW-1:0]      turn_d;
  wire [Streams-1:0]    pending, pend_after, rem_we;
  wire [Streams-1:0]    fifo_wready, fifo_rvalid, lane_ready;
  wire [Streams*InWidth-1:0] fifo_rdata;

  assign in_ready_o = run_q && pending[turn_q] && fifo_wready[turn_q];
  wire accept = in_valid_i && in_ready_o;

  genvar k;
  generate
    for (k = 0; k < Streams; k = k + 1) begin : g_stream
      localparam integer SymOffI = 2 * k;
      localparam [IdxW-1:0] SymOff  = SymOffI[IdxW-1:0];
      localparam [IdxW-1:0] WordOff = SymOff + 1'b1;
      localparam [TurnW-1:0] Me     = k;
      reg [31:0] wl_q;                 // words this stream is still owed by DRAM
      wire       mine = accept && turn_q == Me;
      assign pending[k]    = wl_q != 32'd0;
      assign pend_after[k] = pending[k] && !(mine && wl_q == 32'd1);
      assign rem_we[k]     = dsc_we && dsc_off == SymOff;
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni)                              wl_q <= 32'd0;
        else if (dsc_we && dsc_off == WordOff)    wl_q <= cfg_data_i;
        else if (mine)                            wl_q <= wl_q - 32'd1;
      end

      tans_fifo #(
        .Width(InWidth),
        .Depth(StreamFifoDepth)
      ) u_fifo (
        .clk_i   (clk_i),
        .rst_ni  (rst_ni),
        .wvalid_i(mine),
        .wready_o(fifo_wready[k]),
        .wdata_i (in_data_i),
        .rvalid_o(fifo_rvalid[k]),
        .rready_i(lane_ready[k]),
        .rdata_o (fifo_rdata[k*InWidth +: InWidth])
      );
    end
  endgenerate

  // The turn moves on after an accepted word, or when its stream is owed nothing, to the next
  // stream (cyclically) still owed words; it stays put when there is none.
  integer i, j;
  reg found;
  always @* begin
    turn_d = turn_q;
    found  = 1'b0;
    for (i = 1; i <= Streams; i = i + 1) begin
      j = {{(32-TurnW){1'b0}}, turn_q} + i;
      if (j >= Streams) j = j - Streams;
      if (!found && pend_after[j]) begin
        found  = 1'b1;
        turn_d = j[TurnW-1:0];
      end
    end
    if (start) turn_d = {TurnW{1'b0}};
    else if (!(run_q && (accept || !pending[turn_q]))) turn_d = turn_q;
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) turn_q <= {TurnW{1'b0}};
    else         turn_q <= turn_d;
  end

  // ---------------------------------------------------------------- lanes
  wire [Streams-1:0]            fin, err;
  wire [Streams*SymbolBits-1:0] symbols;
  tans_decoder #(
    .States    (States),
    .SymbolBits(SymbolBits),
    .Streams   (Streams),
    .InWidth   (InWidth),
    .TableInit (TableInit)
  ) u_decoder (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .run_i          (run_q),
    .start_i        (start),
    .rem_we_i       (rem_we),
    .rem_i          (cfg_data_i),
    .tbl_we_i       (tbl_we),
    .tbl_addr_i     (tbl_off),
    .tbl_data_i     (tbl_data),
    .words_pending_i(pending),
    .word_valid_i   (fifo_rvalid),
    .word_ready_o   (lane_ready),
    .word_i         (fifo_rdata),
    .out_valid_o    (out_valid_o),
    .out_ready_i    (out_ready_i),
    .out_symbol_o   (symbols),
    .fin_o          (fin),
    .err_o          (err)
  );
  assign out_symbol_o = symbols;

  // dequantizer: int8 weight = symbol - (bins-1)/2
  generate
    for (k = 0; k < Streams; k = k + 1) begin : g_dequant
      if (SymbolBits == 8) begin : g_full
        assign out_weight_o[k*8 +: 8] = symbols[k*8 +: 8] - half_q;
      end else begin : g_ext
        assign out_weight_o[k*8 +: 8] = {{(8-SymbolBits){1'b0}}, symbols[k*SymbolBits +: SymbolBits]} - half_q;
      end
    end
  endgenerate

  // The layer is done when every lane has finished and nothing is left in flight.
  assign done    = run_q && &(fin & ~fifo_rvalid & ~pending & ~out_valid_o);
  assign done_o  = done;
  assign error_o = |err;
endmodule

`default_nettype wire
