// {{banner}}
// Weight decompression engine: a layer's interleaved word stream from DRAM is dealt round-robin to
// Streams lane FIFOs (skipping streams whose words are exhausted, docs/FORMAT.md), each lane decodes
// one symbol per cycle, and symbols leave as symbols and as int8 weights (symbol - (bins-1)/2).
// Per layer the load port takes, one word per cycle: bins, the States table entries
// ({newState[31:16], nbBits[15:8], symbol[7:0]}), then per stream its symbol and word counts.
// Where a lane's table fits twice in one iCE40 block RAM (States <= 128: 2 x States entries of at
// most 16 bits in a 256 x 16 SB_RAM40_4K), each lane's RAM holds two banks and the load port takes
// the next layer in the background, into the bank the lanes do not read and into shadow
// descriptor registers, while the current layer decodes; the layer switch then costs no cycle: the
// loaded layer's run cycle 0 is the cycle done_o rises for the previous one.
// Cycle semantics: docs/hw/tans-decoder.md; cycle model: TansEngineModel (src/chip/tans-decoder.ts).
`default_nettype none

module tans_engine #(
  parameter integer States          = {{states}},
  parameter integer SymbolBits      = {{symbolBits}},
  parameter integer Streams         = {{streams}},
  parameter integer InWidth         = {{inWidth}},
  parameter integer StreamFifoDepth = {{streamFifoDepth}},
  parameter integer CountBits       = {{countBits}},
  parameter         TableInit       = ""
) (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  // layer load port
  input  wire                          cfg_valid_i,
  output wire                          cfg_ready_o,
  input  wire [31:0]                   cfg_data_i,
  // compressed words from DRAM, in address order
  input  wire                          in_valid_i,
  output wire                          in_ready_o,
  input  wire [InWidth-1:0]            in_data_i,
  // per stream: decoded symbol and its dequantized weight
  output wire [Streams-1:0]            out_valid_o,
  input  wire [Streams-1:0]            out_ready_i,
  output wire [Streams*SymbolBits-1:0] out_symbol_o,
  output wire [Streams*8-1:0]          out_weight_o,
  output wire                          done_o,     // layer finished: all symbols out, all words taken
  output wire                          error_o     // a stream of this layer was corrupt (sticky)
);
  localparam integer LogL      = $clog2(States);
  localparam integer NbW       = $clog2(LogL + 1);
  // Packed entry (docs/hw/tans-decoder.md, "Table entry"): when nbBits has a spare code, newState's
  // bit 0 is not stored: it is 0 whenever nbBits >= 1, and for nbBits = 0 the code says it.
  localparam integer Packed    = ((1 << NbW) > LogL + 1) ? 1 : 0;
  localparam integer NsW       = LogL - Packed;
  localparam integer EntryW    = NsW + NbW + SymbolBits;
  localparam [NbW-1:0] OddCode = {NbW{1'b1}};
  localparam integer Banks     = (States <= 128) ? 2 : 1;
  localparam integer TurnW     = (Streams > 1) ? $clog2(Streams) : 1;   // the load's descriptor stream counter
  localparam integer TopW      = $clog2(InWidth) + 1;                   // a word's top bit: {non-zero, index}
  localparam [CountBits-1:0] One = 1;
  localparam [CountBits-1:0] Two = 2;

{{paramChecks}}

  // ---------------------------------------------------------------- load port
  // The load's position is kept pre-decoded in registers (phase flags, a table address counter,
  // a descriptor stream counter and a symbol/word toggle), so that every write enable is an AND of
  // cfg_acc with registers: no index arithmetic or comparison after cfg_valid_i.
  // A load may run while a layer decodes (two banks) or only when the engine is free (one bank);
  // `start` arms the lanes with the loaded layer: at the last load word when the engine is free,
  // else (two banks: the load is queued) as soon as it is. Free is: not running, or done_o (one
  // bank); not running, or every lane idle (two banks: the edge at which done_q rises switches, so
  // the done cycle is the next layer's run cycle 0).
  reg              load_q, run_q, bank_q;
  reg              tphase_q, dphase_q, last_q, dword_q;
  reg [LogL-1:0]   taddr_q;
  reg [TurnW-1:0]  dk_q;
  reg [7:0]        half_q, nhalf_q;
  wire             done;
  wire             idle_all;                // every lane finished, nothing in flight (below)
  wire             start;
  wire             cfg_acc  = cfg_valid_i && cfg_ready_o;
  // Inside a load cfg_ready_o is high: the table and descriptor enables need only cfg_valid_i.
  wire             last_acc = cfg_valid_i && last_q;
  wire             tbl_we   = cfg_valid_i && tphase_q;
  wire [LogL-1:0]  tbl_off  = taddr_q;
  wire             dsc_we   = cfg_valid_i && dphase_q;
  // a descriptor's symbol or word count, in the counters' width (a wider count is the loader's
  // error: hwsim refuses such a layer, and simulation stops on one, below)
  wire [CountBits-1:0] cfg_count = cfg_data_i[CountBits-1:0];
  generate
    if (Banks == 2) begin : g_bg_load
      reg queued_q;                         // a whole layer is loaded and waits for the lanes
      wire free = !run_q || idle_all;
      assign cfg_ready_o = !queued_q;
      assign start       = (last_acc || queued_q) && free;
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) queued_q <= 1'b0;
        else         queued_q <= (last_acc || queued_q) && !free;
      end
    end else begin : g_fg_load
      wire free = !run_q || done;
      assign cfg_ready_o = load_q || free;
      assign start       = last_acc;
    end
  endgenerate
  // the entry as the lane's RAM stores it: {newState (without bit 0 when packed), nbBits code, symbol}
  wire [LogL-1:0]       ld_ns  = cfg_data_i[16 +: LogL];
  wire [NbW-1:0]        ld_nb  = cfg_data_i[8 +: NbW];
  wire [NbW-1:0]        ld_code;
  generate
    if (Packed == 1) begin : g_pack
      assign ld_code = (ld_nb == {NbW{1'b0}} && ld_ns[0]) ? OddCode : ld_nb;
    end else begin : g_nopack
      assign ld_code = ld_nb;
    end
  endgenerate
  wire [EntryW-1:0] tbl_entry = {ld_ns[LogL-1 -: NsW], ld_code, cfg_data_i[0 +: SymbolBits]};
  wire [31:0]       tbl_data  = {{(32-EntryW){1'b0}}, tbl_entry};
  localparam [LogL-1:0]  LastAddr   = {LogL{1'b1}};
  localparam integer     LastStreamI = Streams - 1;
  localparam [TurnW-1:0] LastStream = LastStreamI[TurnW-1:0];

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      load_q   <= 1'b0;
      run_q    <= 1'b0;
      bank_q   <= 1'b0;
      tphase_q <= 1'b0;
      dphase_q <= 1'b0;
      last_q   <= 1'b0;
      dword_q  <= 1'b0;
      taddr_q  <= {LogL{1'b0}};
      dk_q     <= {TurnW{1'b0}};
      half_q   <= 8'd0;
      nhalf_q  <= 8'd0;
    end else begin
      if (cfg_acc) begin
        if (!load_q) begin                  // word 0: bins; the table follows (phase flags are 0 here)
          nhalf_q  <= cfg_data_i[8:1] - {7'd0, ~cfg_data_i[0]};  // (bins-1)>>1
          load_q   <= 1'b1;
          // one bank: the layer's descriptors are written in place, so the engine stops running
          if (Banks == 1) run_q <= 1'b0;
          tphase_q <= 1'b1;
          taddr_q  <= {LogL{1'b0}};
          dphase_q <= 1'b0;
          dk_q     <= {TurnW{1'b0}};
          dword_q  <= 1'b0;
          last_q   <= 1'b0;
        end else if (tphase_q) begin        // table entry taddr_q; the descriptors follow the last
          taddr_q <= taddr_q + 1'b1;
          if (taddr_q == LastAddr) begin
            tphase_q <= 1'b0;
            dphase_q <= 1'b1;
          end
        end else begin                      // descriptor: stream dk_q's symbol (dword 0) or word count
          dword_q <= !dword_q;
          if (dword_q) dk_q <= dk_q + 1'b1;
          last_q  <= !dword_q && dk_q == LastStream;
          if (last_q) begin
            load_q   <= 1'b0;
            dphase_q <= 1'b0;
          end
        end
      end
      if (start) begin
        run_q  <= 1'b1;
        half_q <= nhalf_q;
        if (Banks == 2) bank_q <= !bank_q;  // the lanes read the bank just loaded
      end
    end
  end

  // ---------------------------------------------------------------- distributor
  // The turn is one-hot (turn_q[k]: stream k's turn), so that the offer, the accept and each
  // stream's push are ANDs of registers with in_valid_i, with no index decode or mux over streams.
  reg  [Streams-1:0]    turn_q;
  wire [Streams-1:0]    pending, rem_we;
  wire [Streams-1:0]    fifo_wready, fifo_rvalid, lane_ready;
  wire [Streams*InWidth-1:0] fifo_rdata;
  wire [Streams-1:0]    fifo_rvalid_next, drained_next, lane_idle_next;
  reg  [Streams-1:0]    idle_q;            // stream k idle (below), registered

  wire [Streams-1:0] offer = turn_q & pending & fifo_wready;     // at most one bit set
  assign in_ready_o = run_q && |offer;
  wire [Streams-1:0] take  = offer & {Streams{in_valid_i && run_q}};   // the stream whose word is accepted
  wire accept = |take;

  // The word on the bus: whether it is non-zero and the index of its highest set bit (top_w), as
  // a tree (nibbles, bytes, halves: each level takes the upper part's index when it has a set
  // bit), four LUT levels deep. One encoder for all streams; each stream keeps it for the last word
  // it took (top_q), from which its lane's end check tells whether the bits after its last read are
  // all zero: once the stream ends cleanly (its FIFO empty, no word owed, less than a word unread)
  // the lane's current word is that last word, so its padding is zero exactly when the word is
  // zero or its highest set bit lies below the lane's bit position. (The bus is 32 bits: InWidth's
  // only value.)
  wire [7:0]  nz4;                  // nibble k has a set bit
  wire [15:0] hi4;                  // nibble k's highest set bit, at [2k +: 2]
  wire [3:0]  nz8;                  // the same for bytes (hi8: 3 bits each) and halves (hi16: 4 bits)
  wire [11:0] hi8;
  wire [1:0]  nz16;
  wire [7:0]  hi16;
  genvar n;
  generate
    for (n = 0; n < 8; n = n + 1) begin : g_nibble
      wire [3:0] v = in_data_i[4*n +: 4];
      assign nz4[n] = |v;
      assign hi4[2*n +: 2] = v[3] ? 2'd3 : v[2] ? 2'd2 : v[1] ? 2'd1 : 2'd0;
    end
    for (n = 0; n < 4; n = n + 1) begin : g_byte
      assign nz8[n] = nz4[2*n+1] || nz4[2*n];
      assign hi8[3*n +: 3] = nz4[2*n+1] ? {1'b1, hi4[2*(2*n+1) +: 2]} : {1'b0, hi4[2*(2*n) +: 2]};
    end
    for (n = 0; n < 2; n = n + 1) begin : g_half
      assign nz16[n] = nz8[2*n+1] || nz8[2*n];
      assign hi16[4*n +: 4] = nz8[2*n+1] ? {1'b1, hi8[3*(2*n+1) +: 3]} : {1'b0, hi8[3*(2*n) +: 3]};
    end
  endgenerate
  wire [TopW-1:0] top_w = {nz16[1] || nz16[0], nz16[1] ? {1'b1, hi16[7:4]} : {1'b0, hi16[3:0]}};
  wire [Streams*TopW-1:0] last_top;

  genvar k;
  generate
    for (k = 0; k < Streams; k = k + 1) begin : g_stream
      localparam [TurnW-1:0] Me     = k;
      wire       sym_we  = dsc_we && dk_q == Me && !dword_q;
      wire       word_we = dsc_we && dk_q == Me && dword_q;
      wire [CountBits-1:0] wl_q;       // words this stream is still owed, before a lagging decrement
      wire       wl_load;              // wl_q takes the layer's word count (else it counts down)
      wire [CountBits-1:0] wl_value;
      reg        wdec_q;               // a word was taken last cycle: wl_q - 1 pending
      reg        pend_q;               // still owed words (wl_q - wdec_q != 0), exact every cycle
      wire       mine = take[k];
      // one more word owed exactly (registers only)
      wire       last_word = wdec_q ? wl_q == Two : wl_q == One;
      wire       pend_d;                // pend_q's next value, written once
      wire       pend_idle;             // the owed flag as the idle flag takes it (below)
      assign pending[k]    = pend_q;
      assign rem_we[k]     = sym_we;
      // the word count arrives in the load (one bank) or waits in a shadow register (two banks):
      // a stream owed nothing keeps copying it, so that start only sets the owed flag
      if (Banks == 2) begin : g_shadow
        reg [CountBits-1:0] nwl_q;
        reg        npend_q;
        wire [CountBits-1:0] wl_new;
        wire        pend_new;
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            nwl_q   <= {CountBits{1'b0}};
            npend_q <= 1'b0;
          end else if (word_we) begin
            nwl_q   <= cfg_count;
            npend_q <= cfg_count != {CountBits{1'b0}};
          end
        end
        if (k == Streams - 1) begin : g_bypass
          // the last load word is this word count: a start on it takes it straight from the port
          assign wl_new   = word_we ? cfg_count : nwl_q;
          assign pend_new = word_we ? cfg_count != {CountBits{1'b0}} : npend_q;
        end else begin : g_held
          assign wl_new   = nwl_q;
          assign pend_new = npend_q;
        end
        assign pend_d = start ? pend_new : mine ? !last_word : pend_q;
        // the idle flag takes the current owed flag: a word taken now fills the FIFO (not drained
        // either way), and a switch's owed flags matter only in the cycle after it (arm_q), where
        // the AND over the flags is masked; so the switch's chain (the flags' AND → start) stays
        // out of the flags' D
        assign pend_idle = pend_q;
        assign wl_load  = !pend_q;
        assign wl_value = wl_new;
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            wdec_q <= 1'b0;
            pend_q <= 1'b0;
          end else begin
            pend_q <= pend_d;
            // the counter's enable is a register (no accept logic on it)
            wdec_q <= pend_q && mine;
          end
        end
      end else begin : g_direct
        assign pend_d = word_we ? cfg_count != {CountBits{1'b0}} : mine ? !last_word : pend_q;
        assign pend_idle = pend_d;
        assign wl_load  = word_we;
        assign wl_value = cfg_count;
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            wdec_q <= 1'b0;
            pend_q <= 1'b0;
          end else begin
            pend_q <= pend_d;
            // the counter's enable is a register (no accept logic on it)
            wdec_q <= !word_we && mine;
          end
        end
      end
      tans_counter #(.Width(CountBits)) u_owed (
        .clk_i(clk_i), .rst_ni(rst_ni), .load_i(wl_load), .dec_i(wdec_q), .value_i(wl_value), .q_o(wl_q)
      );

      // Stream k is idle when its lane is finished with an empty output register, its FIFO is empty
      // and it is owed no word. idle_q holds that of the current registers, computed one cycle
      // early from their next values (a retiming, no cycle changes): the AND over the streams that
      // feeds the layer switch then starts from flip-flops, not from the lanes' logic. The lane
      // computes the whole next value (its late decision is the last LUT before idle_q), handed
      // the stream's part: drained next, its FIFO empty and no word owed. (With two banks a
      // switch's owed flags are left out: idle_q is then wrong in the cycle after a switch, where
      // arm_q masks it, and exact again from the next.)
      assign drained_next[k] = !fifo_rvalid_next[k] && !pend_idle;

      reg [TopW-1:0] top_q;           // top_w of the last word this stream took
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni)   top_q <= {TopW{1'b0}};
        else if (mine) top_q <= top_w;
      end
      assign last_top[k*TopW +: TopW] = top_q;
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) idle_q[k] <= 1'b1;
        else         idle_q[k] <= lane_idle_next[k];
      end

      tans_fifo #(
        .Width(InWidth),
        .Depth(StreamFifoDepth)
      ) u_fifo (
        .clk_i   (clk_i),
        .rst_ni  (rst_ni),
        .wvalid_i(mine),
        .wready_o(fifo_wready[k]),
        .wdata_i (in_data_i),
        .rvalid_o(fifo_rvalid[k]),
        .rready_i(lane_ready[k]),
        .rdata_o (fifo_rdata[k*InWidth +: InWidth]),
        .rvalid_next_o(fifo_rvalid_next[k])
      );
    end
  endgenerate

  // The turn moves on after an accepted word, or when its stream is owed nothing, to the next
  // stream (cyclically) still owed words; it stays put when there is none. nxt is that stream,
  // one-hot, from registers only (the owed flags and the turn): the turn's own stream is never a
  // candidate, as moving to it is staying put, so a word accepted this cycle cannot change nxt and
  // the accept logic is only in the turn register's enable.
  wire [Streams-1:0] nxt;
  genvar a, d;
  generate
    for (a = 0; a < Streams; a = a + 1) begin : g_next
      // from[d]: the turn is d streams before a, and none of the d - 1 streams between is owed words
      wire [Streams-1:0] from;
      assign from[0] = 1'b0;
      for (d = 1; d < Streams; d = d + 1) begin : g_dist
        localparam integer Back = (a - d + Streams) % Streams;     // the stream d before a
        localparam integer Lo   = (a - d + 1 + Streams) % Streams; // the first stream after it
        // the d - 1 streams from Lo on, cyclically: a run of ones rotated to Lo
        localparam [2*Streams-1:0] Run = ~({(2*Streams){1'b1}} << (d - 1)) << Lo;
        localparam [Streams-1:0]   Between = Run[Streams-1:0] | Run[2*Streams-1:Streams];
        assign from[d] = turn_q[Back] && !(|(pending & Between));
      end
      assign nxt[a] = pending[a] && |from;
    end
  endgenerate
  wire move = run_q && (accept || !(|(turn_q & pending))) && |nxt;

  localparam [Streams-1:0] FirstStream = 1;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)    turn_q <= FirstStream;
    else if (start) turn_q <= FirstStream;
    else if (move)  turn_q <= nxt;
  end

  // ---------------------------------------------------------------- lanes
  // The lanes are armed a cycle after `start` (arm_q), so that start, which the AND over every lane
  // feeds, drives only the engine's own registers. This costs no cycle: in run cycle 0 a lane has
  // nothing to do (the first word reaches its FIFO at the end of it), and a finished lane holds
  // the new layer's symbol count and an empty ring already.
  reg arm_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) arm_q <= 1'b0;
    else         arm_q <= start;
  end
  wire [Streams-1:0]            fin, err;
  wire [Streams*SymbolBits-1:0] symbols;
  tans_decoder #(
    .States    (States),
    .SymbolBits(SymbolBits),
    .Streams   (Streams),
    .InWidth   (InWidth),
    .CountBits (CountBits),
    .TableInit (TableInit)
  ) u_decoder (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (arm_q),
    .bank_i         (bank_q),
    .rem_we_i       (rem_we),
    .rem_i          (cfg_count),
    .tbl_we_i       (tbl_we),
    .tbl_addr_i     (tbl_off),
    .tbl_data_i     (tbl_data),
    .words_pending_i(pending),
    .word_valid_i   (fifo_rvalid),
    .word_ready_o   (lane_ready),
    .word_i         (fifo_rdata),
    .out_valid_o    (out_valid_o),
    .out_ready_i    (out_ready_i),
    .out_symbol_o   (symbols),
    .fin_o          (fin),
    .err_o          (err),
    .drained_next_i (drained_next),
    .last_top_i     (last_top),
    .idle_next_o    (lane_idle_next)
  );
  assign out_symbol_o = symbols;

  // dequantizer: int8 weight = symbol - (bins-1)/2
  generate
    for (k = 0; k < Streams; k = k + 1) begin : g_dequant
      if (SymbolBits == 8) begin : g_full
        assign out_weight_o[k*8 +: 8] = symbols[k*8 +: 8] - half_q;
      end else begin : g_ext
        assign out_weight_o[k*8 +: 8] = {{(8-SymbolBits){1'b0}}, symbols[k*SymbolBits +: SymbolBits]} - half_q;
      end
    end
  endgenerate

  // The layer is done when every lane has finished and nothing is left in flight: taken into a
  // register (done_o rises the cycle after), so that done_o and cfg_ready_o start from a flip-flop.
  // It falls with a switch once it is high, or (one bank) with the first word of a load. A switch in
  // the first idle cycle (two banks, a loaded layer waiting) still raises it, for one cycle: the
  // next layer's run cycle 0, in which error_o is the finished layer's verdict (verdict_q).
  assign idle_all = !arm_q && &idle_q;
`ifndef SYNTHESIS
  // A descriptor count must fit the counters (CountBits): a wider one would be cut short.
  always @(posedge clk_i) begin
    if (dsc_we && (cfg_data_i >> CountBits) != 32'd0) begin
      $fatal(1, "tans_engine: descriptor count %0d does not fit the %0d-bit counters (CountBits)", cfg_data_i, CountBits);
    end
  end
  // Simulation check of the retiming: the registered idle flags equal the idle condition of the
  // current registers in every cycle (in reset too: both are then all ones) but the cycle after a
  // two-bank switch, where the AND masks them; a difference ends the simulation with an error
  // (Verilator aborts the harness, Icarus exits non-zero).
  always @(posedge clk_i) begin
    if (!(Banks == 2 && arm_q) && idle_q != (fin & ~fifo_rvalid & ~pending & ~out_valid_o)) begin
      $fatal(1, "tans_engine: registered idle flag %b != idle condition %b", idle_q, fin & ~fifo_rvalid & ~pending & ~out_valid_o);
    end
  end
  // The lanes do not see run_q: a lane decodes only while the engine runs (it is armed after run_q
  // rises, and run_q falls only with every lane finished). Checked every cycle.
  always @(posedge clk_i) begin
    if (!run_q && !(&fin)) begin
      $fatal(1, "tans_engine: lanes %b still decoding while the engine is not running", ~fin);
    end
  end
`endif
  wire stop     = (Banks == 1) && cfg_acc && !load_q;
  reg  done_q, verdict_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      done_q    <= 1'b0;
      verdict_q <= 1'b0;
    end else begin
      done_q    <= run_q && idle_all && !(start && done_q) && !stop;
      verdict_q <= |err;
    end
  end
  assign done    = done_q;
  assign done_o  = done;
  assign error_o = done_q ? verdict_q : |err && !arm_q;   // (in run cycle 0 the lanes hold the last layer's)
endmodule

`default_nettype wire
