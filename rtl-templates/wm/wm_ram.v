// {{banner}}
// A simple dual-port memory: one write port, one registered read port with a read enable (rdata
// holds while it is low): the shape of an iCE40 SB_RAM40_4K, so that a synthesis tool infers
// block RAM. Each memory of the query unit has exactly one reader.
`default_nettype none

module wm_ram #(
  parameter integer Depth = 64,
  parameter integer Width = 32
) (
  input  wire                     clk_i,
  input  wire                     we_i,
  input  wire [$clog2(Depth)-1:0] waddr_i,
  input  wire [Width-1:0]         wdata_i,
  input  wire                     re_i,
  input  wire [$clog2(Depth)-1:0] raddr_i,
  output reg  [Width-1:0]         rdata_o
);
  (* no_rw_check *)
  reg [Width-1:0] mem_q [0:Depth-1];

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end

  always @(posedge clk_i) begin
    if (re_i) rdata_o <= mem_q[raddr_i];
  end
endmodule

`default_nettype wire
