// {{banner}}
// Decode table of one lane: a write port for the layer load and a registered read port, so that
// it maps to block RAM. The lane addresses it with its NEXT state, so rdata_o is the entry of the
// current state. InitFile (optional) preloads a $readmemh image written by `hwsim rtl --rom-image`.
`default_nettype none

module tans_table_ram #(
  parameter integer Depth = {{states}},
  parameter integer Width = 14,
  parameter         InitFile = ""
) (
  input  wire                     clk_i,
  input  wire                     we_i,
  input  wire [$clog2(Depth)-1:0] waddr_i,
  input  wire [Width-1:0]         wdata_i,
  input  wire [$clog2(Depth)-1:0] raddr_i,
  output reg  [Width-1:0]         rdata_o
);
  reg [Width-1:0] mem_q [0:Depth-1];

  initial if (InitFile != "") $readmemh(InitFile, mem_q);

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    rdata_o <= mem_q[raddr_i];
  end
endmodule

`default_nettype wire
