// {{banner}}
// A down counter with a parallel load: q <= value_i while load_i, else q <= q - 1 when dec_i.
// The lanes' symbols-left and the streams' words-owed counters. Wider than 16 bits it counts in
// two parts, the high one enabled by the low 16 bits' borrow (a zero test of registers): two short
// carry chains instead of one of Width steps.
`default_nettype none

module tans_counter #(
  parameter integer Width = 16
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             load_i,
  input  wire             dec_i,
  input  wire [Width-1:0] value_i,
  output wire [Width-1:0] q_o
);
  localparam integer LoW = Width > 16 ? 16 : Width;
  tans_counter_chain #(.Width(LoW)) u_lo (
    .clk_i(clk_i), .rst_ni(rst_ni), .load_i(load_i), .dec_i(dec_i), .value_i(value_i[LoW-1:0]), .q_o(q_o[LoW-1:0])
  );
  generate
    if (Width > 16) begin : g_high
      wire lo_zero = q_o[15:0] == 16'd0;   // the low part's decrement borrows from the high part
      tans_counter_chain #(.Width(Width - 16)) u_hi (
        .clk_i(clk_i), .rst_ni(rst_ni), .load_i(load_i), .dec_i(dec_i && lo_zero), .value_i(value_i[Width-1:16]),
        .q_o(q_o[Width-1:16])
      );
    end
  endgenerate
endmodule

`default_nettype wire
