// {{banner}}
// Decode table of one lane: a write port for the layer load and a registered read port with a read
// enable, so that it maps to block RAM (the enable is the BRAM's RE: rdata_o holds while it is
// low). The lane reads the candidate next state and enables the read only when it steps, so rdata_o
// is always the entry of the current state. A load writes only the bank the lanes do not read (or,
// with one bank, only while no lane decodes), so no read-during-write bypass logic is wanted
// (no_rw_check). InitFile (optional) preloads a $readmemh image written by `hwsim rtl --rom-image`.
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
  input  wire                     re_i,
  input  wire [$clog2(Depth)-1:0] raddr_i,
  output reg  [Width-1:0]         rdata_o
);
  (* no_rw_check *)
  reg [Width-1:0] mem_q [0:Depth-1];

  initial if (InitFile != "") $readmemh(InitFile, mem_q);

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= mem_q[raddr_i];
  end
endmodule

`default_nettype wire
