// {{banner}}
// One carry chain of tans_counter: a down counter with a parallel load, q <= value_i while load_i,
// else q <= q - 1 when dec_i. Inferred, Yosys maps the load's mux to a LUT of its own in front of
// the decrement's carry logic: two LUTs a bit. With HWSIM_ICE40 defined (the iCE40 synthesis
// script defines it) each bit is one logic cell instead: its LUT is the mux and the sum bit, its
// carry the borrow, and the mode (counting = !load_i) is the carry's second operand, all ones while
// counting: q + 1...1 = q - 1. test/rtl-counter.test.ts checks the two forms against each other.
`default_nettype none

module tans_counter_chain #(
  parameter integer Width = 16
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             load_i,
  input  wire             dec_i,
  input  wire [Width-1:0] value_i,
  output wire [Width-1:0] q_o
);
  reg  [Width-1:0] q;
`ifdef HWSIM_ICE40
  wire [Width-1:0] d;
  wire           count = !load_i;
  wire [Width:0] carry;
  assign carry[0] = 1'b0;
  genvar b;
  generate
    for (b = 0; b < Width; b = b + 1) begin : g_bit
      // O = I2 ? ~(I1 ^ I3) : I0, with I0 the load value, I1 the bit, I2 counting, I3 the carry in
      SB_LUT4 #(.LUT_INIT(16'hCA3A)) u_lut (.O(d[b]), .I0(value_i[b]), .I1(q[b]), .I2(count), .I3(carry[b]));
      // while counting: carry out = q | carry in (the sum of q, 1 and the carry in is at least 2)
      SB_CARRY u_carry (.CO(carry[b + 1]), .I0(q[b]), .I1(count), .CI(carry[b]));
    end
  endgenerate
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) q <= {Width{1'b0}};
    else if (load_i || dec_i) q <= d;
  end
`else
  // (the decrement inside the clocked block: a simulator computes it at the edge only)
  localparam [Width-1:0] One = 1;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) q <= {Width{1'b0}};
    else if (load_i) q <= value_i;
    else if (dec_i) q <= q - One;
  end
`endif
  assign q_o = q;
endmodule

`default_nettype wire
