// {{banner}}
// A thin pin-limited wrapper for synthesis on small packages (the UP5K's 39 IOs in sg48): the
// engine's 32-bit load and word ports are fed a byte at a time (4 strobes assemble a word, which
// is then offered until taken), and its per-stream outputs are folded into one registered byte
// (XOR of every symbol and weight transferred), so that no engine logic is optimized away.
// 26 pins. The figures are the engine's plus about 100 LUTs of wrapper; it is not an interface
// a system would use.
`default_nettype none

module tans_engine_pins #(
  parameter integer States          = {{states}},
  parameter integer SymbolBits      = {{symbolBits}},
  parameter integer Streams         = {{streams}},
  parameter integer InWidth         = {{inWidth}},
  parameter integer StreamFifoDepth = {{streamFifoDepth}},
  parameter integer CountBits       = {{countBits}}
) (
  input  wire       clk_i,
  input  wire       rst_ni,
  input  wire [7:0] byte_i,
  input  wire       cfg_strobe_i,    // byte_i is the next byte (LSB first) of a load word
  input  wire       in_strobe_i,     // byte_i is the next byte (LSB first) of a stream word
  output wire       cfg_busy_o,      // a load word is waiting to be taken
  output wire       in_busy_o,       // a stream word is waiting to be taken
  input  wire       out_ready_i,     // every stream's out_ready
  output wire       out_any_o,       // some stream transferred a symbol last cycle
  output wire [7:0] out_fold_o,      // XOR of every transferred symbol and weight so far
  output wire       done_o,
  output wire       error_o
);
  reg [31:0] cfg_sr_q, in_sr_q;
  reg [1:0]  cfg_n_q, in_n_q;
  reg        cfg_valid_q, in_valid_q;
  reg [7:0]  fold_q;
  reg        any_q;
  wire       cfg_ready, in_ready;
  wire [Streams-1:0]            out_valid;
  wire [Streams*SymbolBits-1:0] out_symbol;
  wire [Streams*8-1:0]          out_weight;

  tans_engine #(
    .States(States), .SymbolBits(SymbolBits), .Streams(Streams), .InWidth(InWidth), .StreamFifoDepth(StreamFifoDepth),
    .CountBits(CountBits)
  ) u_engine (
    .clk_i(clk_i), .rst_ni(rst_ni),
    .cfg_valid_i(cfg_valid_q), .cfg_ready_o(cfg_ready), .cfg_data_i(cfg_sr_q),
    .in_valid_i(in_valid_q), .in_ready_o(in_ready), .in_data_i(in_sr_q),
    .out_valid_o(out_valid), .out_ready_i({Streams{out_ready_i}}),
    .out_symbol_o(out_symbol), .out_weight_o(out_weight),
    .done_o(done_o), .error_o(error_o)
  );

  reg [7:0] fold_d;
  integer k;
  always @* begin
    fold_d = fold_q;
    for (k = 0; k < Streams; k = k + 1) begin
      if (out_valid[k] && out_ready_i) begin
        fold_d = fold_d ^ out_weight[k*8 +: 8];
        fold_d[SymbolBits-1:0] = fold_d[SymbolBits-1:0] ^ out_symbol[k*SymbolBits +: SymbolBits];
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cfg_sr_q <= 32'd0; in_sr_q <= 32'd0; cfg_n_q <= 2'd0; in_n_q <= 2'd0;
      cfg_valid_q <= 1'b0; in_valid_q <= 1'b0; fold_q <= 8'd0; any_q <= 1'b0;
    end else begin
      if (cfg_valid_q && cfg_ready) cfg_valid_q <= 1'b0;
      else if (cfg_strobe_i && !cfg_valid_q) begin
        cfg_sr_q <= {byte_i, cfg_sr_q[31:8]};
        cfg_n_q  <= cfg_n_q + 1'b1;
        if (cfg_n_q == 2'd3) cfg_valid_q <= 1'b1;
      end
      if (in_valid_q && in_ready) in_valid_q <= 1'b0;
      else if (in_strobe_i && !in_valid_q) begin
        in_sr_q <= {byte_i, in_sr_q[31:8]};
        in_n_q  <= in_n_q + 1'b1;
        if (in_n_q == 2'd3) in_valid_q <= 1'b1;
      end
      fold_q <= fold_d;
      any_q  <= |(out_valid & {Streams{out_ready_i}});
    end
  end

  assign cfg_busy_o = cfg_valid_q;
  assign in_busy_o  = in_valid_q;
  assign out_any_o  = any_q;
  assign out_fold_o = fold_q;
endmodule

`default_nettype wire
