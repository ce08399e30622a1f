/**
 * The tANS engine's shared trajectories (src/chip/tans-trajectories.ts): runs of one image on chips
 * that differ in DRAM bandwidth, latency, FIFO depth and burst size, in sequence with one book,
 * must give every figure the same runs give without it (and the exact mode stepped every cycle),
 * while the book was actually followed and, where the DRAM could not keep up, left and rebuilt. A
 * book whose segments are tampered with must be caught by the same comparison.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { runPipeline, type PipelineResult } from '../src/chip/pipeline.js';
import { sourcesFor, type SimulationMode } from '../src/chip/sources.js';
import { GIVEN, TOOK, TrajectoryBook } from '../src/chip/tans-trajectories.js';
import type { ContainerImage } from '../src/codecs/container.js';
import type { LayerSpec } from '../src/models/types.js';
import { chipLayers } from '../src/chip/simulate.js';
import { chipImage, figures, lcg, neverSettled, wrapped, type LayerRecipe } from './chip-fixtures.js';

const base = { kind: 'conv', ifmapH: 2, ifmapW: 2, filterH: 1, filterW: 1, stride: 1 } as const;

function run(cfg: ChipConfig, image: ContainerImage, reads: number[], opts: { book?: TrajectoryBook; mode?: SimulationMode; everyCycle?: boolean } = {}): PipelineResult {
  const act = reads.map((r) => ({ ifmap: 0, ofmap: 0, read: r, write: r >> 1 }));
  const layers = chipLayers(image, cfg, act);
  const inner = sourcesFor(cfg, image, { simulation: opts.mode ?? 'fast', trajectories: opts.book });
  return runPipeline(cfg, layers, opts.everyCycle ? wrapped(inner, neverSettled) : inner, { skipQuietStretches: !opts.everyCycle });
}

/** A random image of 2 to 4 layers (one sometimes raw) and the engine side of a chip. */
function randomImage(rnd: (n: number) => number) {
  const engineChip: ChipConfig = {
    ...DEFAULT_CHIP, macRows: [4, 8, 16][rnd(3)], macCols: [4, 8, 16][rnd(3)], dataflow: (['ws', 'os', 'is'] as const)[rnd(3)],
    decoders: 1 + rnd(8), streamFifoDepth: 2 + rnd(3),
  };
  const layer = (name: string): LayerSpec => {
    const channels = 16 + rnd(200);
    const filters = 8 + rnd(64);
    const k = rnd(2) ? 3 : 1;
    return { ...base, name, ifmapH: k + rnd(5), ifmapW: k + rnd(4), filterH: k, filterW: k, channels, filters, weightShape: [filters, channels, k, k] } as unknown as LayerSpec;
  };
  const n = 2 + rnd(3);
  const raw = rnd(n + 2);
  const states = [32, 64, 128][rnd(3)];
  const bins = [3, 9, 15, 31][rnd(4)];
  const recipes = Array.from({ length: n }, (_, i): LayerRecipe => (i === raw ? { spec: layer(`r${i}`), codec: 'raw' }
    : { spec: layer(`t${i}`), codec: 'tans', states, streams: engineChip.decoders, bins, seed: 1 + rnd(1000) }));
  const { image } = chipImage(engineChip, recipes);
  const reads = recipes.map(() => (rnd(3) === 0 ? rnd(4000) : 0));
  return { engineChip, image, reads };
}

/** Chips around the engine: DRAM bandwidth, latency, FIFO depth and burst size drawn afresh. */
function dramVariant(engineChip: ChipConfig, rnd: (n: number) => number): ChipConfig {
  const burstBytes = [32, 64][rnd(2)];
  return {
    ...engineChip, dramBytesPerCycle: [0.5, 1, 2, 4, 8, 32][rnd(6)], dramLatency: [1, 10, 40, 100][rnd(4)],
    burstBytes, fifoDepth: (burstBytes / 4) * (1 + rnd(8)),
  };
}

describe('shared trajectories give the figures of runs without them', () => {
  it('30 random images × 8 chips each, one book per image: identical figures; followed, and left where the DRAM starved the engine', () => {
    const rnd = lcg(77);
    let followed = 0;
    let rebuilt = 0;
    let segments = 0;
    let links = 0;
    let held = 0;
    for (let trial = 0; trial < 30; trial++) {
      const { engineChip, image, reads } = randomImage(rnd);
      const book = new TrajectoryBook();
      for (let c = 0; c < 8; c++) {
        const cfg = dramVariant(engineChip, rnd);
        const shared = figures(run(cfg, image, reads, { book }));
        expect({ trial, c, cfg, ...shared }).toEqual({ trial, c, cfg, ...figures(run(cfg, image, reads)) });
        if (c === 7) expect({ trial, ...shared }).toEqual({ trial, ...figures(run(cfg, image, reads, { mode: 'exact', everyCycle: true })) });
      }
      followed += book.followedCycles;
      rebuilt += book.rebuilds;
      segments += book.segments;
      links += book.linksTaken;
      held += book.heldGroups;
    }
    console.log(`segments recorded ${segments}, cycles followed ${followed}, segments left part way and rebuilt ${rebuilt}, entered by a link ${links} (${held} of them held groups in one loop)`);
    expect(segments).toBeGreaterThan(1000);
    expect(followed).toBeGreaterThan(100_000);
    expect(rebuilt).toBeGreaterThan(100);
    expect(links).toBeGreaterThan(1000);
    expect(held).toBeGreaterThan(100);
  });

  it('a book recorded on one array serves another only where registers and room agree, and the figures stay the same', () => {
    const rnd = lcg(5);
    const { engineChip, image, reads } = randomImage(rnd);
    const book = new TrajectoryBook();
    const mine = { ...engineChip, macRows: 8, macCols: 8 };
    run(mine, image, reads, { book });
    const other = { ...engineChip, macRows: 16, macCols: 4, dramBytesPerCycle: 8 };
    const before = book.followedCycles;
    const r = run(other, image, reads, { book });
    expect(figures(r)).toEqual(figures(run(other, image, reads)));
    expect(book.segments).toBeGreaterThan(0);
    // (groups of other sizes: the rooms at segment starts rarely agree; a few segments that start
    // where the room changed may recur)
    const foreign = book.followedCycles - before;
    run(mine, image, reads, { book });
    const own = book.followedCycles - before - foreign;
    console.log(`followed on the other array ${foreign} cycles of ${r.totalCycles}, on its own ${own}`);
    expect(foreign).toBeLessThan(own / 10);
  });

  it('a book whose segments were tampered with gives other figures (the comparison can fail)', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 8, macCols: 8, decoders: 4, dramBytesPerCycle: 8 };
    const spec = { ...base, name: 'w', ifmapH: 3, ifmapW: 3, channels: 96, filters: 48, weightShape: [48, 96, 1, 1] } as unknown as LayerSpec;
    const { image } = chipImage(cfg, [{ spec, codec: 'tans', states: 64, streams: 4, bins: 15, seed: 3 }]);
    const reads = [0];
    const honest = new TrajectoryBook();
    run(cfg, image, reads, { book: honest });
    // (a FIFO of two bursts: the reader waits for the engine's pops, so when they happen matters)
    const other = { ...cfg, dramLatency: 60, fifoDepth: 32 };
    const plain = figures(run(other, image, reads));
    expect(figures(run(other, image, reads, { book: honest }))).toEqual(plain);
    expect(honest.followedCycles).toBeGreaterThan(1000);
    // one weight fewer in a cycle of every segment, or a word not taken: caught
    const tampered = (change: (cycles: Uint8Array) => void) => {
      const book = new TrajectoryBook();
      run(cfg, image, reads, { book });
      book.forEachSegment(change);
      let got: unknown;
      try { got = figures(run(other, image, reads, { book })); } catch (err) { got = err; }
      return got;
    };
    expect(tampered((c) => { const i = c.findIndex((b) => (b & GIVEN) > 0); if (i >= 0) c[i]--; })).not.toEqual(plain);
    expect(tampered((c) => { const i = c.findIndex((b) => (b & TOOK) !== 0); if (i >= 0) c[i] -= TOOK; })).not.toEqual(plain);
  });
  it('DRAM that starves the engine (0.25 to 2 B/cycle): segments start where words land, the room changes inside them, variants; identical', () => {
    const rnd = lcg(91);
    let followed = 0;
    let variants = 0;
    let wordsAtQuietEnds = 0;
    for (let trial = 0; trial < 30; trial++) {
      const { engineChip, image, reads } = randomImage(rnd);
      const book = new TrajectoryBook();
      for (let c = 0; c < 8; c++) {
        const burstBytes = [32, 64][rnd(2)];
        const cfg = { ...engineChip, dramBytesPerCycle: [0.25, 0.5, 1, 2][rnd(4)], dramLatency: [1, 10, 40, 100][rnd(4)], burstBytes, fifoDepth: (burstBytes / 4) * (1 + rnd(8)) };
        expect({ trial, c, ...figures(run(cfg, image, reads, { book })) }).toEqual({ trial, c, ...figures(run(cfg, image, reads)) });
      }
      followed += book.followedCycles;
      variants += book.variantsTaken;
      wordsAtQuietEnds += book.wordsAtQuietEnds;
    }
    console.log(`starving DRAM: cycles followed ${followed}, variants taken ${variants}, words offered at quiescent segment ends ${wordsAtQuietEnds}`);
    // (ignoring the room inside a segment fails here, not in the test above)
    expect(followed).toBeGreaterThan(100_000);
    // runs left segments for the words their FIFOs offered and went on along variants recorded before
    expect(variants).toBeGreaterThan(10);
    // a starved engine woken by a landing went on from its segment's end by the link, not rebuilt
    expect(wordsAtQuietEnds).toBeGreaterThan(1000);
  });
});

