// {{banner}}
// The tANS decoder: Streams independent lanes sharing one layer table (each lane holds a copy, so
// that every lane reads its own entry every cycle). Per-lane signals are packed flat, lane k at
// [k*W +: W].
`default_nettype none

module tans_decoder #(
  parameter integer States     = {{states}},
  parameter integer SymbolBits = {{symbolBits}},
  parameter integer Streams    = {{streams}},
  parameter integer InWidth    = {{inWidth}},
  parameter integer CountBits  = {{countBits}},
  parameter         TableInit  = ""
) (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  input  wire                          start_i,
  input  wire                          bank_i,
  input  wire [Streams-1:0]            rem_we_i,
  input  wire [CountBits-1:0]          rem_i,
  input  wire                          tbl_we_i,
  input  wire [$clog2(States)-1:0]     tbl_addr_i,
  input  wire [31:0]                   tbl_data_i,
  input  wire [Streams-1:0]            words_pending_i,
  input  wire [Streams-1:0]            word_valid_i,
  output wire [Streams-1:0]            word_ready_o,
  input  wire [Streams*InWidth-1:0]    word_i,
  output wire [Streams-1:0]            out_valid_o,
  input  wire [Streams-1:0]            out_ready_i,
  output wire [Streams*SymbolBits-1:0] out_symbol_o,
  output wire [Streams-1:0]            fin_o,
  output wire [Streams-1:0]            err_o,
  input  wire [Streams-1:0]            drained_next_i,
  input  wire [Streams*($clog2(InWidth)+1)-1:0] last_top_i,  // per stream: its last word's top bit {non-zero, index}
  output wire [Streams-1:0]            idle_next_o
);
{{paramChecks}}

  localparam integer TopW = $clog2(InWidth) + 1;

  genvar k;
  generate
    for (k = 0; k < Streams; k = k + 1) begin : g_lane
      tans_lane #(
        .States    (States),
        .SymbolBits(SymbolBits),
        .InWidth   (InWidth),
        .CountBits (CountBits),
        .TableInit (TableInit)
      ) u_lane (
        .clk_i          (clk_i),
        .rst_ni         (rst_ni),
        .start_i        (start_i),
        .bank_i         (bank_i),
        .rem_we_i       (rem_we_i[k]),
        .rem_i          (rem_i),
        .tbl_we_i       (tbl_we_i),
        .tbl_addr_i     (tbl_addr_i),
        .tbl_data_i     (tbl_data_i),
        .words_pending_i(words_pending_i[k]),
        .word_valid_i   (word_valid_i[k]),
        .word_ready_o   (word_ready_o[k]),
        .word_i         (word_i[k*InWidth +: InWidth]),
        .out_valid_o    (out_valid_o[k]),
        .out_ready_i    (out_ready_i[k]),
        .out_symbol_o   (out_symbol_o[k*SymbolBits +: SymbolBits]),
        .fin_o          (fin_o[k]),
        .err_o          (err_o[k]),
        .drained_next_i (drained_next_i[k]),
        .last_top_i     (last_top_i[k*TopW +: TopW]),
        .idle_next_o    (idle_next_o[k])
      );
    end
  endgenerate
endmodule

`default_nettype wire
