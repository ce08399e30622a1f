// {{banner}}
// LOAD: takes the layer's payload words in DRAM order (per level its bitmap, then its rank
// directory; docs/FORMAT.md, docs/WM.md), up to LoadWords a cycle, and tracks where each word
// belongs. Each bitmap word leaves on a write slot (its level, its index in the level, the word,
// and the level's ones before it) for the lanes' level banks; the directory words are only
// checked, never stored (the ranks the lanes need are the per-word ones). It checks what the
// reference decoder checks (levelVectors): the padding bits past a level's last bit are zero, the
// level's zeros equal the config's, and the stored directory equals the directory of the bitmap.
// The directory is checked without storing a second copy: the entries rebuilt from the bitmap as
// it streams in and the stored entries are folded into two CRC-32s, compared at the level's end
// (every error of up to 32 consecutive bits, and every 2-bit error, changes a CRC-32).
`default_nettype none

module wm_loader #(
  parameter integer Levels      = 8,
  parameter integer LoadWords   = 2,
  parameter integer BufferWords = 1024,
  parameter integer PosBits     = 16
) (
  input  wire                            clk_i,
  input  wire                            rst_ni,
  input  wire                            init_i,      // a layer starts: clear the state
  input  wire [4:0]                      levels_i,
  input  wire [Levels*PosBits-1:0]       length_i,    // bits of each level
  input  wire [Levels*PosBits-1:0]       zeros_i,     // zeros of each level
  input  wire                            take_i,      // a beat is taken this cycle
  input  wire [$clog2(LoadWords+1)-1:0]  count_i,     // words in the beat
  input  wire [LoadWords*32-1:0]         data_i,
  // per slot k of the beat: a bitmap word to store (level, index in the level, word, ones before it)
  output reg  [LoadWords-1:0]            wv_o,
  output reg  [LoadWords*5-1:0]          wlevel_o,
  output reg  [LoadWords*$clog2(BufferWords)-1:0] widx_o,
  output reg  [LoadWords*32-1:0]         wword_o,
  output reg  [LoadWords*PosBits-1:0]    wrank_o,
  output wire                            finished_o,  // every level is in once this cycle's beat is taken
  output wire [3:0]                      err_o        // {overflow, directory, zeros, padding}, sticky
);
  localparam integer AW = $clog2(BufferWords);
  localparam integer CW = $clog2(LoadWords + 1);
  localparam integer PW = PosBits;
  localparam integer BufLimitInt = BufferWords;
  localparam [AW:0] BufLimit = BufLimitInt[AW:0];

  function automatic [31:0] crc32_word(input [31:0] crc_in, input [31:0] d);
    integer i;
    reg [31:0] c;
    begin
      c = crc_in ^ d;
      for (i = 0; i < 32; i = i + 1) c = c[0] ? ((c >> 1) ^ 32'hEDB88320) : (c >> 1);
      crc32_word = c;
    end
  endfunction

{{popcount32}}

  // field l of a per-level vector (an explicit mux: no index arithmetic on a register)
  function automatic [PW-1:0] levelField(input [Levels*PW-1:0] vec, input [4:0] l);
    integer i;
    begin
      levelField = {PW{1'b0}};
      for (i = 0; i < Levels; i = i + 1) if (l == i[4:0]) levelField = vec[i*PW +: PW];
    end
  endfunction

  // directory word 1: ones in the block before sub-block s (1: bits 0..9, 2: 10..20, 3: 21..31)
  function automatic [31:0] relField(input [1:0] s, input [10:0] v);
    begin
      case (s)
        2'd1: relField = {22'd0, v[9:0]};
        2'd2: relField = {11'd0, v[10:0], 10'd0};
        default: relField = {v[10:0], 21'd0};
      endcase
    end
  endfunction

  reg [4:0]     lvl_q, lvl;
  reg           indir_q, indir;
  reg [PW-1:0]  idx_q, idx;
  reg [PW-1:0]  ones_q, ones;
  reg [31:0]    blkabs_q, blkabs;
  reg [11:0]    inblk_q, inblk;
  reg [31:0]    rel_q, rel;
  reg [31:0]    fpc_q, fpc, fpr_q, fpr;
  reg [AW:0]    addr_q, addr;
  reg [3:0]     err_q, err;

  reg           extra_q, extra;   // the level's extra directory entry is still to fold
  reg           dirword, fold;
  reg [31:0]    fa, fb;
  reg [31:0]    w;
  reg [5:0]     pc;
  reg [PW-1:0]  len, bmw, dirw;
  integer k, s;
  always @* begin
    lvl = lvl_q; indir = indir_q; idx = idx_q; ones = ones_q; blkabs = blkabs_q; inblk = inblk_q;
    rel = rel_q; fpc = fpc_q; fpr = fpr_q; addr = addr_q; err = err_q; extra = extra_q;
    dirword = 1'b0; fold = 1'b0; fa = 32'd0; fb = 32'd0;
    w = 32'd0; pc = 6'd0; len = {PW{1'b0}}; bmw = {PW{1'b0}}; dirw = {PW{1'b0}};
    wv_o = {LoadWords{1'b0}}; wlevel_o = {LoadWords*5{1'b0}}; widx_o = {LoadWords*AW{1'b0}};
    wword_o = {LoadWords*32{1'b0}}; wrank_o = {LoadWords*PW{1'b0}};
    for (k = 0; k < LoadWords; k = k + 1) begin
      // words past the last level are not taken (the producer sends exactly the payload)
      if (take_i && k[CW-1:0] < count_i && lvl < levels_i) begin
        w = data_i[k*32 +: 32];
        pc = popcount32(w);
        len = levelField(length_i, lvl);
        bmw = (len + 31) >> 5;
        dirw = ((len >> 11) + 1) << 1;
        if (addr >= BufLimit) err[3] = 1'b1;
        dirword = indir;
        fold = 1'b0; fa = 32'd0; fb = 32'd0;
        if (!indir) begin
          wv_o[k] = 1'b1;
          wlevel_o[k*5 +: 5] = lvl;
          widx_o[k*AW +: AW] = idx[AW-1:0];
          wword_o[k*32 +: 32] = w;
          wrank_o[k*PW +: PW] = ones;
          if (idx[5:0] == 6'd0) begin
            blkabs = {{(32-PW){1'b0}}, ones}; inblk = 12'd0; rel = 32'd0;
          end else if (idx[3:0] == 4'd0) begin
            rel = rel | relField(idx[5:4], inblk[10:0]);
          end
          if (idx == bmw - 1 && len[4:0] != 5'd0 && (w >> len[4:0]) != 32'd0) err[0] = 1'b1;
          ones = ones + {{(PW-6){1'b0}}, pc};
          inblk = inblk + {6'd0, pc};
          if (idx == bmw - 1) begin
            // the last block: sub-block boundaries past the end count the whole block
            for (s = 1; s < 4; s = s + 1) if ({30'd0, idx[5:4]} < s) rel = rel | relField(s[1:0], inblk[10:0]);
            fold = 1'b1; fa = blkabs; fb = rel;
            // a level of a whole number of blocks has one more entry, {ones, 0}: folded with the
            // first directory word (one fold per word keeps one CRC circuit per load slot)
            extra = len[10:0] == 11'd0;
            if (len - ones != levelField(zeros_i, lvl)) err[1] = 1'b1;
            indir = 1'b1; idx = {PW{1'b0}};
          end else begin
            if (idx[5:0] == 6'd63) begin
              fold = 1'b1; fa = blkabs; fb = rel;
            end
            idx = idx + 1;
          end
        end else if (extra) begin
          fold = 1'b1; fa = {{(32-PW){1'b0}}, ones}; fb = 32'd0; extra = 1'b0;
        end
        if (fold) fpc = crc32_word(crc32_word(fpc, fa), fb);
        if (dirword) begin
          fpr = crc32_word(fpr, w);
          if (idx == dirw - 1) begin
            if (fpr != fpc) err[2] = 1'b1;
            fpc = 32'd0; fpr = 32'd0; ones = {PW{1'b0}};
            lvl = lvl + 5'd1; indir = 1'b0; idx = {PW{1'b0}};
          end else begin
            idx = idx + 1;
          end
        end
        addr = addr + 1;
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lvl_q <= 5'd0; indir_q <= 1'b0; idx_q <= {PW{1'b0}}; ones_q <= {PW{1'b0}}; blkabs_q <= 32'd0;
      inblk_q <= 12'd0; rel_q <= 32'd0; fpc_q <= 32'd0; fpr_q <= 32'd0; addr_q <= {(AW+1){1'b0}};
      err_q <= 4'd0; extra_q <= 1'b0;
    end else if (init_i) begin
      lvl_q <= 5'd0; indir_q <= 1'b0; idx_q <= {PW{1'b0}}; ones_q <= {PW{1'b0}}; blkabs_q <= 32'd0;
      inblk_q <= 12'd0; rel_q <= 32'd0; fpc_q <= 32'd0; fpr_q <= 32'd0; addr_q <= {(AW+1){1'b0}};
      err_q <= 4'd0; extra_q <= 1'b0;
    end else begin
      lvl_q <= lvl; indir_q <= indir; idx_q <= idx; ones_q <= ones; blkabs_q <= blkabs; inblk_q <= inblk;
      rel_q <= rel; fpc_q <= fpc; fpr_q <= fpr; addr_q <= addr; err_q <= err; extra_q <= extra;
    end
  end

  assign finished_o = lvl >= levels_i;
  assign err_o = err;
endmodule

`default_nettype wire
