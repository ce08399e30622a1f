// {{banner}}
// One bank of the payload buffer: 32-bit words, one write port (LOAD) and Ports registered read
// ports, each with a read enable (the BRAM's RE: rdata holds while it is low). A synthesis tool
// maps each read port to its own copy of the memory (block RAM has one read port), which is what
// "a read port per lane and level" costs. Writes (LOAD) and reads (START, DECODE) never overlap.
`default_nettype none

module wm_bank #(
  parameter integer Depth = 64,
  parameter integer Ports = 1
) (
  input  wire                           clk_i,
  input  wire                           we_i,
  input  wire [$clog2(Depth)-1:0]       waddr_i,
  input  wire [31:0]                    wdata_i,
  input  wire [Ports-1:0]               re_i,
  input  wire [Ports*$clog2(Depth)-1:0] raddr_i,
  output reg  [Ports*32-1:0]            rdata_o
);
  localparam integer AW = $clog2(Depth);
  (* no_rw_check *)
  reg [31:0] mem_q [0:Depth-1];

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end

  genvar p;
  generate
    for (p = 0; p < Ports; p = p + 1) begin : g_port
      always @(posedge clk_i) begin
        if (re_i[p]) rdata_o[p*32 +: 32] <= mem_q[raddr_i[p*AW +: AW]];
      end
    end
  endgenerate
endmodule

`default_nettype wire
