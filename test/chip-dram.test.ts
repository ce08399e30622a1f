/** DRAM channel: bandwidth, latency, fractional bandwidth, arbitration. */
import { describe, expect, it } from 'vitest';
import { Dram, PEAK_WINDOW_CYCLES } from '../src/chip/dram.js';
import { WordFifo } from '../src/chip/fifo.js';
import { lcg } from './chip-fixtures.js';

/** A weight image without a record prefix: only payload words cross the channel (dummy data). */
const NO_PREFIX = new Uint8Array(0);
const bytesFrom = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed + 37 * i) & 0xff);

function issueTimes(bw: number, burst: number, words: number, cycles: number, act = 0): { w: number[]; a: number[] } {
  const fifo = new WordFifo(4096);
  const d = new Dram({ dramBytesPerCycle: bw, dramLatency: 7, burstBytes: burst }, [{ words, prefix: NO_PREFIX }]);
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
    const d = new Dram({ dramBytesPerCycle: 2, dramLatency: 5, burstBytes: 16 }, [{ words: 1000, prefix: NO_PREFIX }]);
    for (let t = 0; t < 3000; t++) {
      if (t === 1100) d.actPending = 1000;
      d.land(t, fifo);
      d.issue(t, fifo);
    }
    expect(d.weightBytesIssued + d.actBytesIssued).toBe(5000);
    expect(d.peakWindowBytes).toBe(PEAK_WINDOW_CYCLES * 2);
    // 100 words (400 B) issued in cycles 0..192, then 600 activation bytes issued around cycle 1500
    const e = new Dram({ dramBytesPerCycle: 2, dramLatency: 5, burstBytes: 16 }, [{ words: 100, prefix: NO_PREFIX }]);
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
    const d = new Dram({ dramBytesPerCycle: 64, dramLatency: 3, burstBytes: 16 }, [{ words: 64, prefix: NO_PREFIX }]);
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
    const d = new Dram({ dramBytesPerCycle: 64, dramLatency: 10, burstBytes: 16 }, [{ words: 64, prefix: NO_PREFIX }]);
    d.issue(0, fifo);
    expect(d.inflight).toBe(2); // 8 words of room = two 4-word bursts
    expect(fifo.free).toBe(0);
    d.issue(1, fifo);
    expect(d.inflight).toBe(2);
    expect(d.blockedByFifo).toBe(true);
  });
});

describe('DRAM: layer headers (record prefixes) into the staging buffer', () => {
  it('a layer\'s prefix is fetched before its payload, and lands byte for byte', () => {
    // 64 B/cycle, 16-byte bursts, latency 3; no initial credit (cap = max(0, 16 − 64) = 0), 64 B in
    //   cycle 0: prefix bytes 0..15 (16 B) and 16..19 (4 B), then payload words 0..3 and 4..7
    //   (16 B each): 52 B, all issued at t = 0 in that order, all landing at t = 3.
    const fifo = new WordFifo(64);
    const prefix = bytesFrom(20, 5);
    const payload = Uint32Array.from({ length: 8 }, (_, i) => 0x1000 + i);
    const d = new Dram({ dramBytesPerCycle: 64, dramLatency: 3, burstBytes: 16 }, [{ prefix, payload, words: 8 }]);
    d.issue(0, fifo);
    expect(d.headerBytesIssued).toBe(20);
    expect(d.weightBytesIssued).toBe(32);
    expect(d.inflight).toBe(4);
    expect(d.readerDone).toBe(true);
    expect(d.land(2, fifo)).toBe(0);
    expect(d.headerLanded(0)).toBe(false);
    expect(d.land(3, fifo)).toBe(4);
    expect(d.headerLanded(0)).toBe(true);
    const staged = d.stagedHeader();
    expect(staged).toEqual(prefix);
    expect(staged).not.toBe(prefix); // a copy of the staging buffer, not the image's array
    expect(Array.from({ length: 8 }, () => fifo.pop())).toEqual(Array.from(payload));
  });

  it('a header split over bursts has landed only when its last burst has', () => {
    // 16 B/cycle, 16-byte bursts, latency 5: prefix bytes 0..15 issue at t = 0, bytes 16..19 at
    //   t = 1 (the channel earns 16 B a cycle), landing at t = 5 and t = 6.
    const fifo = new WordFifo(64);
    const prefix = bytesFrom(20, 9);
    const d = new Dram({ dramBytesPerCycle: 16, dramLatency: 5, burstBytes: 16 }, [{ prefix, words: 4 }]);
    for (let t = 0; t < 5; t++) { d.land(t, fifo); d.issue(t, fifo); }
    expect(d.headerBytesIssued).toBe(20);
    d.land(5, fifo);
    expect(d.stagedBytes).toBe(16);
    expect(d.headerLanded(0)).toBe(false);
    d.land(6, fifo);
    expect(d.headerLanded(0)).toBe(true);
    expect(d.stagedHeader()).toEqual(prefix);
  });

  it('the next layer\'s header waits until the staging buffer is released', () => {
    // Two layers of 8 prefix bytes + 4 words at 64 B/cycle: at t = 0 layer 0's prefix (8 B) and
    //   payload (16 B) issue, then the reader is at layer 1's prefix but the staging buffer holds
    //   layer 0's: nothing more issues until the decoder takes layer 0's header.
    const fifo = new WordFifo(64);
    const p0 = bytesFrom(8, 1);
    const p1 = bytesFrom(8, 200);
    const d = new Dram({ dramBytesPerCycle: 64, dramLatency: 2, burstBytes: 16 }, [{ prefix: p0, words: 4 }, { prefix: p1, words: 4 }]);
    d.issue(0, fifo);
    expect(d.headerBytesIssued).toBe(8);
    expect(d.weightBytesIssued).toBe(16);
    for (let t = 1; t <= 4; t++) { d.land(t, fifo); d.issue(t, fifo); }
    expect(d.headerBytesIssued).toBe(8); // blocked on the staging buffer
    expect(d.weightWanted).toBe(false);
    expect(d.headerLanded(0)).toBe(true);
    expect(d.stagedHeader()).toEqual(p0);
    d.releaseStagedHeader();
    expect(d.headerLanded(0)).toBe(false);
    d.issue(5, fifo);
    expect(d.headerBytesIssued).toBe(16);
    expect(d.weightBytesIssued).toBe(32);
    d.land(6, fifo);
    expect(d.headerLanded(1)).toBe(false);
    d.land(7, fifo);
    expect(d.headerLanded(1)).toBe(true);
    expect(d.stagedHeader()).toEqual(p1);
  });

  it('a detailed DRAM without a FIFO depth is refused (its bursts in flight would have no bound)', () => {
    expect(() => new Dram({ dramBytesPerCycle: 1, dramLatency: 5, burstBytes: 16, dram: 'lpddr4-3200-x16' }, [{ words: 4, prefix: NO_PREFIX }]))
      .toThrow(/FIFO depth/);
  });

  it('a reader waiting for credit beside activation traffic: waitForCredit(n) is n cycles of issue()', () => {
    // Two channels driven alike, cycle by cycle; where the reader waits for the credit of its
    // burst with activation bytes pending and nothing lands before it could issue, one of them
    // takes the cycles up to then in one waitForCredit() call. Activation traffic comes in odd
    // amounts, so that a short last burst can be covered before the reader's (the one case in
    // which an activation burst issues inside the wait). A detailed DRAM too: there the cycle a
    // burst issues in changes when the bursts after it land.
    const rnd = lcg(11);
    let waits = 0;
    let actInWait = 0;
    for (let trial = 0; trial < 60; trial++) {
      const cfg = { dramBytesPerCycle: [0.75, 1.25, 2, 3.5][rnd(4)], dramLatency: 3 + rnd(20), burstBytes: [16, 32, 64][rnd(3)],
        fifoDepth: 1 << 14, dram: trial % 3 === 2 ? 'lpddr4-3200-x16' : 'simple' };
      const images = [{ words: 3000 + rnd(2000), prefix: NO_PREFIX }];
      const stepped = new Dram(cfg, images);
      const jumped = new Dram(cfg, images);
      const fifoS = new WordFifo(1 << 14);
      const fifoJ = new WordFifo(1 << 14);
      const issuedS: number[] = [];
      const issuedJ: number[] = [];
      const arrivalsS: number[] = [];
      const arrivalsJ: number[] = [];
      for (let t = 0; t < 3000;) {
        if (rnd(40) === 0) {
          const [r, w] = [rnd(300), rnd(300)];
          stepped.openActivations(r, w);
          jumped.openActivations(r, w);
        }
        stepped.land(t, fifoS);
        jumped.land(t, fifoJ);
        issuedS.push(stepped.issue(t, fifoS));
        issuedJ.push(jumped.issue(t, fifoJ));
        // (on a detailed DRAM the bursts' arrivals follow from when every burst before them issued)
        arrivalsS.push(stepped.inflight > 0 ? stepped.nextArrival : -1);
        arrivalsJ.push(jumped.inflight > 0 ? jumped.nextArrival : -1);
        let n = 0;
        if (jumped.weightWanted && jumped.actPending > 0) {
          n = jumped.cyclesToIssue() - 1;
          if (jumped.inflight > 0) n = Math.min(n, jumped.nextArrival - t - 1);
        }
        if (n > 0) {
          const act = stepped.actBytesIssued;
          for (let i = 1; i <= n; i++) {
            stepped.land(t + i, fifoS);
            issuedS.push(stepped.issue(t + i, fifoS));
          }
          jumped.waitForCredit(n);
          for (let i = 1; i <= n; i++) issuedJ.push(0);
          expect(jumped.actBytesIssued).toBe(stepped.actBytesIssued);
          waits++;
          if (stepped.actBytesIssued > act) actInWait++;
        }
        t += n + 1;
      }
      expect(issuedJ).toEqual(issuedS);
      expect(arrivalsJ).toEqual(arrivalsS);
      expect({ w: jumped.weightBytesIssued, a: jumped.actBytesIssued, p: jumped.actPending, peak: jumped.peakWindowBytes, dev: jumped.deviceStats })
        .toEqual({ w: stepped.weightBytesIssued, a: stepped.actBytesIssued, p: stepped.actPending, peak: stepped.peakWindowBytes, dev: stepped.deviceStats });
    }
    expect(waits).toBeGreaterThan(500);
    expect(actInWait).toBeGreaterThan(10);
  });
});
