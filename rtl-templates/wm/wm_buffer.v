// {{banner}}
// The payload buffer: the layer's payload words (level bitmaps and rank directories, at their
// payload addresses) in 16 word-interleaved banks (word a in bank a mod 16), so that LOAD writes up
// to LoadWords consecutive words a cycle and every read port returns the 16 consecutive words
// from its address in one cycle (a 512-bit line for the rank popcount; a decode stage uses word 0,
// a directory read words 0 and 1). Read data comes one cycle after the address (registered).
`default_nettype none

module wm_buffer #(
  parameter integer BufferWords = 1024,
  parameter integer LoadWords   = 2,
  parameter integer Ports       = 1
) (
  input  wire                                clk_i,
  // write: wcount_i consecutive words from waddr_i (wcount_i <= LoadWords)
  input  wire [$clog2(BufferWords)-1:0]      waddr_i,
  input  wire [$clog2(LoadWords+1)-1:0]      wcount_i,
  input  wire [LoadWords*32-1:0]             wdata_i,
  // read ports: 16 words from raddr (word k = payload word raddr + k, wrapping)
  input  wire [Ports-1:0]                    re_i,
  input  wire [Ports*$clog2(BufferWords)-1:0] raddr_i,
  output wire [Ports*512-1:0]                rline_o
);
  localparam integer AW = $clog2(BufferWords);
  localparam integer BW = AW - 4;           // address bits inside a bank
  localparam integer CW = $clog2(LoadWords + 1);

  // per bank: which input word (if any) lands in it, at which row
  reg [15:0]        bwe;
  reg [16*BW-1:0]   bwaddr;
  reg [16*32-1:0]   bwdata;
  reg [Ports*16*BW-1:0] braddr;
  reg [AW-1:0]      a;
  reg [3:0]         off;
  integer k, b, p;
  always @* begin
    bwe = 16'd0;
    bwaddr = {16*BW{1'b0}};
    bwdata = {16*32{1'b0}};
    for (k = 0; k < LoadWords; k = k + 1) begin
      a = waddr_i + k[AW-1:0];
      if (k[CW-1:0] < wcount_i) begin
        bwe[a[3:0]] = 1'b1;
        bwaddr[a[3:0]*BW +: BW] = a[AW-1:4];
        bwdata[a[3:0]*32 +: 32] = wdata_i[k*32 +: 32];
      end
    end
    // read port p, bank b: the word raddr + k with (raddr + k) mod 16 = b, k = (b - raddr) mod 16
    for (p = 0; p < Ports; p = p + 1) begin
      for (b = 0; b < 16; b = b + 1) begin
        off = b[3:0] - raddr_i[p*AW +: 4];
        a = raddr_i[p*AW +: AW] + {{(AW-4){1'b0}}, off};
        braddr[(p*16+b)*BW +: BW] = a[AW-1:4];
      end
    end
  end

  wire [16*Ports*32-1:0] bdata;   // bank b, port p at ((b*Ports)+p)*32
  reg  [Ports*4-1:0]     rot_q;   // the low address bits of each port's last read
  genvar gb, gp;
  generate
    for (gb = 0; gb < 16; gb = gb + 1) begin : g_bank
      wire [Ports*BW-1:0] ra;
      for (gp = 0; gp < Ports; gp = gp + 1) begin : g_ra
        assign ra[gp*BW +: BW] = braddr[(gp*16+gb)*BW +: BW];
      end
      wm_bank #(.Depth(BufferWords / 16), .Ports(Ports)) u_bank (
        .clk_i, .we_i(bwe[gb]), .waddr_i(bwaddr[gb*BW +: BW]), .wdata_i(bwdata[gb*32 +: 32]),
        .re_i, .raddr_i(ra), .rdata_o(bdata[gb*Ports*32 +: Ports*32])
      );
    end
    for (gp = 0; gp < Ports; gp = gp + 1) begin : g_rot
      always @(posedge clk_i) if (re_i[gp]) rot_q[gp*4 +: 4] <= raddr_i[gp*AW +: 4];
      // word k of the line is bank (rot + k) mod 16
      for (gb = 0; gb < 16; gb = gb + 1) begin : g_word
        localparam [3:0] K = gb;
        wire [3:0] bank = rot_q[gp*4 +: 4] + K;
        assign rline_o[gp*512 + gb*32 +: 32] = bdata[(bank*Ports + gp)*32 +: 32];
      end
    end
  endgenerate
endmodule

`default_nettype wire
