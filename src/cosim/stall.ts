/**
 * The stall pattern shared with the Verilator harness (rtl-templates/cosim/tans_harness.cpp) and
 * the cocotb bench: one xorshift32 draw per decision, a draw stalls when its top 16 bits fall
 * below round(rate · 65536). Per run cycle: one draw for in_valid, then one per stream for
 * out_ready, always in that order, whether or not a word is left to send.
 */
export class StallPattern {
  private x: number;
  readonly threshold: number;

  constructor(seed: number, rate: number) {
    this.x = StallPattern.seedState(seed);
    this.threshold = Math.round(Math.min(1, Math.max(0, rate)) * 65536);
  }

  /** The xorshift state a seed starts from (never 0, which xorshift cannot leave). */
  static seedState(seed: number): number {
    return ((seed ^ 0x9e3779b9) >>> 0) || 1;
  }

  get state(): number { return this.x; }

  /** true = stall this decision */
  next(): boolean {
    let x = this.x;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.x = x;
    return x >>> 16 < this.threshold;
  }
}
