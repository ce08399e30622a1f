/**
 * The weight FIFO between DRAM and the decoders (docs/hw/fifo.md): a ring of 32-bit words with
 * credit-based flow control. The DRAM reader reserves space when it issues a burst (so a burst's
 * data always has a place to land) and fills it when the data arrives; the decoders pop words.
 *
 *   free for a new burst = depth - count - reserved
 *
 * A word pushed in cycle t can be popped in the same cycle t (the FIFO is a bypassing FIFO: a
 * landing burst is visible to the decoder in its landing cycle; docs/hw/fifo.md).
 */
export class WordFifo {
  readonly depth: number;
  /** the words' values (empty when no reader of the FIFO looks at them: only counts are kept) */
  private readonly buf: Uint32Array;
  private head = 0;
  private tail = 0;
  /** words stored */
  count = 0;
  /** words promised to in-flight DRAM bursts */
  reserved = 0;

  /** `keepValues` false: the words are counted, not stored (peek and pop then read 0). */
  constructor(depth: number, readonly keepValues = true) {
    if (!(Number.isInteger(depth) && depth >= 1)) throw new RangeError(`FIFO depth ${depth}`);
    this.depth = depth;
    this.buf = new Uint32Array(keepValues ? depth : 1);
  }

  /** Space not yet stored or promised. */
  get free(): number {
    return this.depth - this.count - this.reserved;
  }

  reserve(n: number): void {
    this.reserved += n;
  }

  /** Fills `n` reserved words from `src[offset..]` (src may be empty for dummy raw data). */
  fill(src: Uint32Array | undefined, offset: number, n: number): void {
    if (!this.keepValues) {
      // (copying the payload word by word was a tenth of a fast-mode run)
      this.tail = (this.tail + n) % this.depth;
    } else {
      const { buf, depth } = this;
      let t = this.tail;
      for (let i = 0; i < n; i++) {
        buf[t] = src ? src[offset + i] : 0;
        t = t + 1 === depth ? 0 : t + 1;
      }
      this.tail = t;
    }
    this.count += n;
    this.reserved -= n;
  }

  peek(): number {
    return this.keepValues ? this.buf[this.head] : 0;
  }

  pop(): number {
    const v = this.keepValues ? this.buf[this.head] : 0;
    this.head = this.head + 1 === this.depth ? 0 : this.head + 1;
    this.count--;
    return v;
  }

  /**
   * `n` words pushed and `n` popped, their values not kept (a skipped period of a source that
   * never reads them: PipelineRun.skipPeriods): the fill is unchanged, the ring turns.
   */
  turn(n: number): void {
    this.head = (this.head + n) % this.depth;
    this.tail = (this.tail + n) % this.depth;
  }

  /** Pops `n` words (n ≤ count) without reading them. */
  drop(n: number): void {
    this.head = (this.head + n) % this.depth;
    this.count -= n;
  }
}
