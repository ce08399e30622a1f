/**
 * The three kinds of work a sweep hands out (to worker threads, or in this thread): preparing an
 * image for one codec setting (from the disk cache, or by encoding the model, then verified by
 * decoding), running one chip configuration's int8 baseline, and running one image on the points
 * that share that baseline.
 */
import type { SimulationMode } from '../chip/sources.js';
import type { PipelineResult } from '../chip/pipeline.js';
import { performance } from 'node:perf_hooks';
import type { ChipConfig } from '../chip/config.js';
import { plainLayers, runInt8 } from '../chip/simulate.js';
import { readContainer, writeContainer } from '../codecs/container.js';
import { encodeModel } from '../codecs/model-codec.js';
import { setLimits, type Limits } from '../limits.js';
import { loadModel, type ModelLoadOptions } from '../models/load.js';
import type { Model } from '../models/types.js';
import type { CodecParams } from '../params/generated-types.js';
import type { LayerEntropy } from '../report/run-figures.js';
import { cachedOrEncoded, checkPreparedFitsChip, reportOf, simulatePrepared, type ChipRun, type PreparedImage } from '../run.js';
import { simulationChip, trajectoryKey } from './chips.js';
import { ImageCache } from '../io/image-cache.js';
import { rowOf, type SweepRow } from './row.js';
import { TrajectoryBook } from '../chip/tans-trajectories.js';

export interface PrepareJob {
  kind: 'prepare';
  /** the model argument (zoo name or file) */
  model: string;
  /** how the model file is read (as for `hwsim run`) */
  load: ModelLoadOptions;
  codec: CodecParams;
  /** content-addressed key of the image (imageKey) */
  key: string;
  /** null: no disk cache */
  cacheDir: string | null;
}

export interface PreparedSetting {
  key: string;
  bytes: Uint8Array;
  entropy: LayerEntropy[];
  /** read from the cache rather than encoded */
  cached: boolean;
  encodeSeconds: number;
}

export interface PointJob {
  index: number;
  axes: Record<string, string>;
  chip: ChipConfig;
  /** key of the image (PreparedSetting) this point runs */
  image: string;
}

export interface Int8Job {
  kind: 'int8';
  /** the chip the baseline runs on (int8ChipOf: the points' chips differ from it only in decoder fields) */
  chip: ChipConfig;
  /** key of an image of the model (PreparedSetting): the baseline needs only its layers' shapes */
  image: string;
}

export interface SimulateJob {
  kind: 'simulate';
  /** the points' int8 baseline (an Int8Job's result) */
  int8: PipelineResult;
  /** points of one image (so a worker keeps one image's trajectories at a time) */
  points: PointJob[];
  simulation: SimulationMode;
  /** jobs with the same affinity share what a worker keeps (the engine's trajectories): the pool gives them to one worker where it can */
  affinity?: string;
}

export type SweepJob = PrepareJob | Int8Job | SimulateJob;

export interface SimulateResult {
  rows: SweepRow[];
  /** image simulations run (points sharing a simulation chip share one) */
  imageRuns: number;
}

/** What a thread keeps between jobs: loaded models and parsed images. */
export class JobContext {
  private readonly models = new Map<string, Model>();
  private readonly prepared = new Map<string, PreparedImage>();
  private readonly images = new Map<string, { bytes: Uint8Array; entropy: LayerEntropy[] }>();
  /**
   * per image and trajectoryKey (array and engine), the tANS engine's trajectories its points share
   * (fast mode; tans-trajectories.ts): segments of other arrays start with other room and would
   * only lengthen the lists a run looks through, and fill the book
   */
  private readonly books = new Map<string, TrajectoryBook>();

  constructor(limits?: Partial<Limits>) {
    if (limits) setLimits(limits);
  }

  /** Runs a job of any kind. */
  run(job: SweepJob): PreparedSetting | PipelineResult | SimulateResult {
    return job.kind === 'prepare' ? this.prepare(job) : job.kind === 'int8' ? this.int8(job) : this.simulate(job);
  }

  /** Images the simulate jobs will use (bytes as verified by a prepare job, and their entropy). */
  addImage(key: string, bytes: Uint8Array, entropy: LayerEntropy[]): void {
    this.images.set(key, { bytes, entropy });
  }

  private model(arg: string, seed: number, load: ModelLoadOptions): Model {
    const k = `${seed}:${arg}`;
    let m = this.models.get(k);
    if (!m) {
      m = loadModel(arg, { seed, topology: true, load });
      this.models.set(k, m);
    }
    return m;
  }

  prepare(job: PrepareJob): PreparedSetting {
    const t0 = performance.now();
    const cache = job.cacheDir === null ? undefined : new ImageCache(job.cacheDir);
    const coded = cachedOrEncoded(cache, job.key, job.model,
      () => writeContainer(encodeModel(this.model(job.model, job.codec.seed, job.load), job.codec)));
    this.prepared.set(job.key, coded.prepared);
    return { key: job.key, bytes: coded.bytes, entropy: coded.prepared.entropy, cached: coded.cached, encodeSeconds: (performance.now() - t0) / 1000 };
  }

  private image(key: string): PreparedImage {
    let p = this.prepared.get(key);
    if (!p) {
      const img = this.images.get(key);
      if (!img) throw new Error(`internal: sweep image ${key} was not handed to this thread`);
      // the bytes were verified by decoding when they were prepared; the container checks run again here
      const image = readContainer(img.bytes, `sweep image ${key.slice(0, 12)}`);
      p = { label: image.model.name, image, entropy: img.entropy, plain: plainLayers(image) };
      this.prepared.set(key, p);
    }
    return p;
  }

  /** The book of an image's engine trajectories on one array and engine (the fast mode's). */
  private book(image: string, chip: ChipConfig, simulation: SimulationMode): TrajectoryBook | undefined {
    if (simulation !== 'fast') return undefined;
    const key = `${image}:${trajectoryKey(chip)}`;
    let b = this.books.get(key);
    if (!b) this.books.set(key, (b = new TrajectoryBook()));
    return b;
  }

  int8(job: Int8Job): PipelineResult {
    return runInt8(this.image(job.image).plain, job.chip);
  }

  simulate(job: SimulateJob): SimulateResult {
    const runs = new Map<string, ChipRun>();
    const rows = job.points.map((pt) => {
      const p = this.image(pt.image);
      checkPreparedFitsChip(p, pt.chip);
      const key = `${pt.image}:${JSON.stringify(simulationChip(pt.chip))}`;
      let run = runs.get(key);
      if (!run) runs.set(key, (run = simulatePrepared(p, pt.chip, { simulation: job.simulation, trajectories: this.book(pt.image, pt.chip, job.simulation) })));
      return rowOf(pt.index, pt.axes, reportOf(p, { ...run, cfg: pt.chip }, job.int8));
    });
    return { rows, imageRuns: runs.size };
  }
}
