// {{banner}}
// Pin-limited wrapper for synthesis on small packages (the UP5K's sg48 has 39 IOs): config and
// payload words are shifted in a byte at a time, the lanes' symbols leave XOR-folded onto one
// symbol's pins. 24 pins. Not for use in a system: it only keeps every port of the unit live so
// that place and route sees the whole unit.
`default_nettype none

module wm_query_unit_pins #(
  parameter integer Lanes       = {{wmLanes}},
  parameter integer LoadWords   = {{wmLoadWords}},
  parameter integer Levels      = {{wmLevels}},
  parameter integer SymbolBits  = {{symbolBits}},
  parameter integer BufferWords = {{wmBufferWords}}
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire [7:0]            din_i,
  input  wire [1:0]            sel_i,     // 0: shift a data byte, 1: shift an address byte, 2: config write, 3: payload beat
  input  wire                  strobe_i,
  input  wire                  out_ready_i,
  output wire [SymbolBits-1:0] symbol_o,
  output wire                  valid_o,
  output wire [1:0]            phase_o,
  output wire                  done_o,
  output wire                  error_o
);
  reg [LoadWords*32-1:0] data_q;
  reg [11:0]             addr_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      data_q <= {LoadWords*32{1'b0}};
      addr_q <= 12'd0;
    end else if (strobe_i && sel_i == 2'd0) begin
      data_q <= {data_q[LoadWords*32-9:0], din_i};
    end else if (strobe_i && sel_i == 2'd1) begin
      addr_q <= {addr_q[3:0], din_i};
    end
  end

  wire [Lanes-1:0]            valid;
  wire [Lanes*SymbolBits-1:0] symbols;
  wire                        cfg_ready, in_ready;
  wire [2:0]                  code;
  wm_query_unit #(.Lanes(Lanes), .LoadWords(LoadWords), .Levels(Levels), .SymbolBits(SymbolBits), .BufferWords(BufferWords)) u_unit (
    .clk_i, .rst_ni,
    .cfg_valid_i(strobe_i && sel_i == 2'd2), .cfg_ready_o(cfg_ready), .cfg_addr_i(addr_q), .cfg_data_i(data_q[31:0]),
    .in_valid_i(strobe_i && sel_i == 2'd3), .in_ready_o(in_ready), .in_count_i(din_i[$clog2(LoadWords+1)-1:0]), .in_data_i(data_q),
    .out_valid_o(valid), .out_ready_i({Lanes{out_ready_i}}), .out_symbol_o(symbols),
    .phase_o, .done_o, .error_o, .error_code_o(code)
  );

  reg [SymbolBits-1:0] fold;
  integer k;
  always @* begin
    fold = {SymbolBits{1'b0}};
    for (k = 0; k < Lanes; k = k + 1) fold = fold ^ symbols[k*SymbolBits +: SymbolBits];
  end
  assign symbol_o = fold;
  assign valid_o = |valid;
  wire unused = cfg_ready ^ in_ready ^ (^code);
endmodule

`default_nettype wire
