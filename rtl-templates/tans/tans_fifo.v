// {{banner}}
// Synchronous FIFO, first-word fall-through from a register array: the lane sees the head word
// in the cycle after it was written. wready_o depends only on the registered count, never on a
// pop in the same cycle, so that a full FIFO's ready is a register output (cycle model: count < Depth).
`default_nettype none

module tans_fifo #(
  parameter integer Width = {{inWidth}},
  parameter integer Depth = {{streamFifoDepth}}
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             wvalid_i,
  output wire             wready_o,
  input  wire [Width-1:0] wdata_i,
  output wire             rvalid_o,
  input  wire             rready_i,
  output wire [Width-1:0] rdata_o,
  output wire             rvalid_next_o   // rvalid_o of the next cycle (for a registered idle flag)
);
  localparam integer PtrW = $clog2(Depth);
  localparam integer CntW = $clog2(Depth + 1);
  localparam [PtrW-1:0] LastPtr = Depth[PtrW-1:0] - 1'b1;
  localparam [CntW-1:0] Full = Depth[CntW-1:0];

{{depthCheck}}

  reg [Width-1:0] mem_q [0:Depth-1];
  reg [PtrW-1:0]  rptr_q, wptr_q;
  reg [CntW-1:0]  cnt_q;

  wire push = wvalid_i && wready_o;
  wire pop  = rvalid_o && rready_i;

  assign wready_o = cnt_q != Full;
  assign rvalid_o = cnt_q != {CntW{1'b0}};
  assign rdata_o  = mem_q[rptr_q];
  // the count's next value, written once: cnt_q takes it and rvalid_next_o is made of it
  wire [CntW-1:0] cnt_d = (push && !pop) ? cnt_q + 1'b1 : (pop && !push) ? cnt_q - 1'b1 : cnt_q;
  assign rvalid_next_o = cnt_d != {CntW{1'b0}};

  always @(posedge clk_i) begin
    if (push) mem_q[wptr_q] <= wdata_i;
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rptr_q <= {PtrW{1'b0}};
      wptr_q <= {PtrW{1'b0}};
      cnt_q  <= {CntW{1'b0}};
    end else begin
      if (push) wptr_q <= (wptr_q == LastPtr) ? {PtrW{1'b0}} : wptr_q + 1'b1;
      if (pop)  rptr_q <= (rptr_q == LastPtr) ? {PtrW{1'b0}} : rptr_q + 1'b1;
      cnt_q <= cnt_d;
    end
  end
endmodule

`default_nettype wire
