// {{banner}}
// One level's bank of a lane's payload buffer: word i of the level's bitmap together with the
// level's rank before it (the ones in words 0..i-1), written in LOAD, read by the lane's stage of
// this level in DECODE (the word) and by the lane's ranks in START (word and rank). LoadWords
// sub-banks, word i in sub-bank i mod LoadWords, so that LOAD writes up to LoadWords consecutive
// words of a level a cycle; each sub-bank is one wm_ram (one read port). Read data comes one
// cycle after the index (registered), and holds while re_i is low.
`default_nettype none

module wm_level_bank #(
  parameter integer Level       = 0,
  parameter integer Depth       = 1024,   // words of the level's bitmap it holds
  parameter integer LoadWords   = 2,
  parameter integer PosBits     = 16
) (
  input  wire                             clk_i,
  // LOAD: per slot k of the beat, a bitmap word of level wlevel_i[k] at index widx_i[k]
  input  wire [LoadWords-1:0]             wv_i,
  input  wire [LoadWords*5-1:0]           wlevel_i,
  input  wire [LoadWords*$clog2(Depth)-1:0] widx_i,
  input  wire [LoadWords*32-1:0]          wword_i,
  input  wire [LoadWords*PosBits-1:0]     wrank_i,
  // read: word ridx_i
  input  wire                             re_i,
  input  wire [$clog2(Depth)-1:0]         ridx_i,
  output wire [31:0]                      rword_o,
  output wire [PosBits-1:0]               rrank_o
);
  localparam integer AW = $clog2(Depth);
  localparam integer SW = $clog2(LoadWords);     // sub-bank select bits
  localparam integer RW = AW - SW;               // row bits inside a sub-bank
  localparam integer DW = 32 + PosBits;
  localparam integer LevelInt = Level;
  localparam [4:0] ThisLevel = LevelInt[4:0];
  localparam integer LowMaskInt = LoadWords - 1;
  localparam [AW-1:0] LowMask = LowMaskInt[AW-1:0];

  wire [LoadWords*DW-1:0] rdata;
  genvar j;
  generate
    for (j = 0; j < LoadWords; j = j + 1) begin : g_sub
      // at most one slot of a beat writes this sub-bank (consecutive words of a level)
      localparam [AW-1:0] Sub = j;
      reg          we;
      reg [RW-1:0] waddr;
      reg [DW-1:0] wdata;
      integer k;
      always @* begin
        // the address and data of slot j when no other slot writes here (only we matters then)
        we = 1'b0;
        waddr = widx_i[j*AW + SW +: RW];
        wdata = {wrank_i[j*PosBits +: PosBits], wword_i[j*32 +: 32]};
        for (k = 0; k < LoadWords; k = k + 1) begin
          if (wv_i[k] && wlevel_i[k*5 +: 5] == ThisLevel && (widx_i[k*AW +: AW] & LowMask) == Sub) begin
            we = 1'b1;
            waddr = widx_i[k*AW + SW +: RW];
            wdata = {wrank_i[k*PosBits +: PosBits], wword_i[k*32 +: 32]};
          end
        end
      end
      wm_ram #(.Depth(Depth / LoadWords), .Width(DW)) u_ram (
        .clk_i, .we_i(we), .waddr_i(waddr), .wdata_i(wdata),
        .re_i, .raddr_i(ridx_i[AW-1:SW]), .rdata_o(rdata[j*DW +: DW])
      );
    end
  endgenerate

  // the sub-bank of the last read
  reg [DW-1:0] sel;
  generate
    if (SW == 0) begin : g_one
      always @* sel = rdata;
    end else begin : g_many
      reg [SW-1:0] sub_q;
      always @(posedge clk_i) if (re_i) sub_q <= ridx_i[SW-1:0];
      integer s;
      always @* begin
        sel = rdata[0 +: DW];
        for (s = 1; s < LoadWords; s = s + 1) if (sub_q == s[SW-1:0]) sel = rdata[s*DW +: DW];
      end
    end
  endgenerate
  assign rword_o = sel[31:0];
  assign rrank_o = sel[DW-1:32];
endmodule

`default_nettype wire
