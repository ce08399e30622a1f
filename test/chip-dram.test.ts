/** DRAM channel: bandwidth, latency, fractional bandwidth, arbitration. */
import { describe, expect, it } from 'vitest';
import { Dram, PEAK_WINDOW_CYCLES } from '../src/chip/dram.js';
import { WordFifo } from '../src/chip/fifo.js';

function issueTimes(bw: number, burst: number, words: number, cycles: number, act = 0): { w: number[]; a: number[] } {
  const fifo = new WordFifo(4096);
  const d = new Dram({ dramBytesPerCycle: bw, dramLatency: 7, burstBytes: burst }, [{ words, tableBytes: 0 }]);
  d.actPending = act;
  const w: number[] = [];
  const a: number[] = [];
  for (let t = 0; t < cycles; t++) {
    d.land(t, fifo);
    const wb = d.weightBytesIssued;
    const ab = d.actBytesIssued;
    d.issue(t, fifo);
    if (d.weightBytesIssued > wb) w.push(t);
    if (d.actBytesIssued > ab) a.push(t);
  }
  return { w, a };
}

describe('DRAM channel', () => {
  it('peak window: the most bytes issued in one aligned 1024-cycle window', () => {
    // 2 B/cycle, 16-byte bursts: one burst every 8 cycles from cycle 0 → 128 bursts = 2048 B in
    // window 0; then 1000 activation bytes pending from cycle 1100 share the channel but cannot
    // raise a window above 2 B/cycle × 1024 either; the drained tail leaves a lighter last window.
    const fifo = new WordFifo(1 << 16);
    const d = new Dram({ dramBytesPerCycle: 2, dramLatency: 5, burstBytes: 16 }, [{ words: 1000, tableBytes: 0 }]);
    for (let t = 0; t < 3000; t++) {
      if (t === 1100) d.actPending = 1000;
      d.land(t, fifo);
      d.issue(t, fifo);
    }
    expect(d.weightBytesIssued + d.actBytesIssued).toBe(5000);
    expect(d.peakWindowBytes).toBe(PEAK_WINDOW_CYCLES * 2);
    // 100 words (400 B) issued in cycles 0..192, then 600 activation bytes issued around cycle 1500
    const e = new Dram({ dramBytesPerCycle: 2, dramLatency: 5, burstBytes: 16 }, [{ words: 100, tableBytes: 0 }]);
    for (let t = 0; t < 3000; t++) {
      if (t === 1500) e.actPending = 600;
      e.land(t, fifo);
      e.issue(t, fifo);
    }
    expect(e.peakWindowBytes).toBe(600);
  });

  it('integer bandwidth: a 16-byte burst every 16 cycles at 1 B/cycle, the first at once', () => {
    expect(issueTimes(1, 16, 16, 200).w).toEqual([0, 16, 32, 48]);
  });
  it('fractional bandwidth is exact: burst k issues in cycle ceil(k·16/1.5)', () => {
    const { w } = issueTimes(1.5, 16, 64, 400);
    expect(w).toEqual(Array.from({ length: 16 }, (_, k) => Math.ceil((k * 16) / 1.5)));
  });
  it('several bursts a cycle when the bandwidth exceeds the burst', () => {
    const fifo = new WordFifo(4096);
    const d = new Dram({ dramBytesPerCycle: 64, dramLatency: 3, burstBytes: 16 }, [{ words: 64, tableBytes: 0 }]);
    d.issue(0, fifo);
    expect(d.weightBytesIssued).toBe(64);
    expect(d.inflight).toBe(4);
    expect(d.land(2, fifo)).toBe(0);
    expect(d.land(3, fifo)).toBe(4);
    expect(fifo.count).toBe(16);
  });
  it('weights and activations alternate burst by burst', () => {
    // 2 B/cycle, 16-byte bursts: one burst every 8 cycles, weights first
    const { w, a } = issueTimes(2, 16, 16, 100, 48);
    expect(w).toEqual([0, 16, 32, 48]);
    expect(a).toEqual([8, 24, 40]);
  });
  it('a burst waits for FIFO room (credit flow control)', () => {
    const fifo = new WordFifo(8);
    const d = new Dram({ dramBytesPerCycle: 64, dramLatency: 10, burstBytes: 16 }, [{ words: 64, tableBytes: 0 }]);
    d.issue(0, fifo);
    expect(d.inflight).toBe(2); // 8 words of room = two 4-word bursts
    expect(fifo.free).toBe(0);
    d.issue(1, fifo);
    expect(d.inflight).toBe(2);
    expect(d.blockedByFifo).toBe(true);
  });
});
