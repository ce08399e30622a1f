/**
 * `hwsim sweep` as a library call: a grid of design points (chip and codec settings) on one model.
 *
 * Each distinct codec setting is encoded once (or read from the disk cache) and verified, then run
 * on every chip point; each chip's int8 baseline runs once for all the points that share it (the
 * int8 run does not involve the decoders, so points that differ only in decoder settings share
 * it). Work is spread over worker threads; a shard (`--shard i/n`) takes every n-th group of points
 * that share an int8 baseline, so shards never repeat a baseline and their union is the grid.
 */
import type { SimulationMode } from '../chip/sources.js';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CHIP, applyChipConfig, loadChipConfigFile, type ChipConfig } from '../chip/config.js';
import { checkMapping, plainLayers } from '../chip/simulate.js';
import { readContainer } from '../codecs/container.js';
import { HwsimError } from '../errors.js';
import type { Limits } from '../limits.js';
import { loadModel, type ModelLoadOptions } from '../models/load.js';
import { GEOMETRY_NOTE } from '../models/loaders/tensors.js';
import { validateCodecParams } from '../params/groups.js';
import type { CodecParams } from '../params/generated-types.js';
import { paramsOf } from '../params/lookup.js';
import { keyOf } from '../params/schema.js';
import type { Work } from '../report/progress.js';
import { readInput } from '../io/output.js';
import { prepareImage } from '../run.js';
import { expandGrid, gridHash, gridRecord, type DesignPoint, type SweepGrid } from './grid.js';
import { imageKey, modelDigest } from '../io/image-cache.js';
import type { Int8Job, PointJob, PreparedSetting, SimulateJob, SimulateResult } from './jobs.js';
import type { PipelineResult } from '../chip/pipeline.js';
import { int8ChipOf, trajectoryKey } from './chips.js';
import { raiseInliningBudget } from './inlining.js';
import { markPareto } from './pareto.js';
import { SweepPool } from './pool.js';
import type { SweepRow } from './row.js';
import type { ModelMeta } from '../codecs/container.js';

export interface SweepOptions {
  grid: SweepGrid;
  /** a chip config JSON the points start from (`--config`) */
  configPath?: string;
  objectives: readonly string[];
  shard?: { index: number; count: number };
  /** worker threads (1: this thread) */
  workers: number;
  /** the image cache directory; null: no disk cache */
  cacheDir: string | null;
  /** how the tANS engine is simulated (default fast) */
  simulation?: SimulationMode;
  limits?: Partial<Limits>;
  /** how the model file is read (--input-shape, --topology, --fold-bn, ...), as for `hwsim run` */
  load?: ModelLoadOptions;
  onProgress?: (message: string, work?: Work) => void;
}

export interface SweepTiming {
  /** images prepared for this shard: encoded now, or read from the cache */
  imagesEncoded: number;
  imagesCached: number;
  prepareSeconds: number;
  simulateSeconds: number;
  /** int8 baselines run (one per chip configuration apart from decoder settings, clock and energy pricing) */
  int8Runs: number;
  /** simulations of the images (points that differ only in clock or energy pricing share one) */
  imageRuns: number;
  threads: number;
}

export interface SweepResult {
  kind: 'hwsim-sweep';
  version: 1;
  model: ModelMeta;
  grid: ReturnType<typeof gridRecord>;
  /** equal for every shard of one sweep: what `hwsim sweep merge` checks */
  gridHash: string;
  configPath: string | null;
  objectives: string[];
  shard: { index: number; count: number };
  /** points in the whole grid (every shard) */
  gridPoints: number;
  rows: SweepRow[];
  timing: SweepTiming;
}

const chipParams = paramsOf('chip');
const codecOnlyParams = paramsOf('codec').filter((p) => !p.groups.includes('chip'));

/** The chip and the codec setting of a point. */
function splitPoint(point: DesignPoint, base: ChipConfig, hwzStreams: number | undefined): { chip: ChipConfig; codec: CodecParams | null } {
  const patch: Record<string, unknown> = {};
  for (const p of chipParams) if (point.set[p.name] !== undefined) patch[keyOf(p, 'chip')] = point.set[p.name];
  if (hwzStreams !== undefined && patch.decoders === undefined) patch.decoders = hwzStreams;
  const chip = applyChipConfig(base, patch, 'flags');
  if (hwzStreams !== undefined) return { chip, codec: null };
  const given: Record<string, unknown> = {};
  for (const p of codecOnlyParams) if (point.set[p.name] !== undefined) given[p.name] = point.set[p.name];
  return { chip, codec: validateCodecParams({ ...given, streams: chip.decoders } as Partial<CodecParams>, 'run') };
}

/** A sweep of a model without layer geometry would report latencies of a guessed network. */
function noGeometry(model: string): HwsimError {
  return new HwsimError(`${model} holds kernels but no layer geometry (feature-map sizes, strides, padding): every latency of a sweep would be a guess`,
    'give --topology <zoo network | topology.csv | model.onnx> to pair the weights with one, or sweep an .onnx or tfjs model with its graph');
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  raiseInliningBudget();
  const { grid } = opts;
  const base = opts.configPath ? loadChipConfigFile(opts.configPath) : { ...DEFAULT_CHIP };
  const points = expandGrid(grid);
  const isHwz = /\.hwz$/i.test(grid.model);
  const shard = opts.shard ?? { index: 1, count: 1 };

  // the model (or the .hwz) once in this thread: its digest keys the cache, its topology checks every chip
  let hwzBytes: Uint8Array | undefined;
  let hwzStreams: number | undefined;
  let plain;
  let model: ModelMeta;
  const digests = new Map<number, string>();
  if (isHwz) {
    const codecAxes = codecOnlyParams.filter((p) => points[0].set[p.name] !== undefined);
    if (codecAxes.length) {
      throw new HwsimError(`${grid.model} is an encoded image: ${codecAxes.map((p) => p.name).join(', ')} cannot change it`,
        'sweep the model itself to vary codec settings, or leave them out to sweep the chip');
    }
    hwzBytes = readInput(grid.model);
    const image = readContainer(hwzBytes, grid.model);
    if (image.model.description.includes(GEOMETRY_NOTE)) throw noGeometry(grid.model);
    const t = image.layers.find((l) => l.codec === 'tans');
    hwzStreams = t?.codec === 'tans' ? t.wordCounts.length : DEFAULT_CHIP.decoders;
    plain = plainLayers(image);
    model = image.model;
  } else {
    opts.onProgress?.(`loading ${grid.model}`);
    const seeds = [...new Set(points.map((p) => (p.set.seed as number | undefined) ?? 1))];
    let first;
    for (const seed of seeds) {
      const m = loadModel(grid.model, { seed, topology: true, load: opts.load });
      if (m.geometry === 'none') throw noGeometry(grid.model);
      digests.set(seed, modelDigest(m));
      first ??= m;
    }
    // the counts from the shapes: reading l.weights would draw every synthetic weight (~1 s for ResNet-50)
    plain = first!.layers.map((l) => ({ spec: l.spec, params: l.spec.weightShape.reduce((a, b) => a * b, 1) }));
    model = { name: first!.name, source: first!.source, synthetic: first!.synthetic, description: first!.description };
  }

  // every point's chip and codec setting, checked (values, cross rules, mapping) before any work
  const settings = new Map<string, CodecParams | null>();
  const checkedChips = new Set<string>();
  const jobsByInt8 = new Map<string, { int8Chip: ChipConfig; points: PointJob[] }>();
  for (const point of points) {
    const { chip, codec } = splitPoint(point, base, hwzStreams);
    if (codec?.codec === 'auto' && codec.autoObjective === 'cycles') {
      // one image per codec setting serves every chip of the grid; the cycles objective picks per chip
      throw new HwsimError('--auto-objective cycles chooses each layer\'s codec for one chip; a sweep encodes one image for all its chips',
        'sweep --codec auto with --auto-objective bytes, or run each chip with hwsim run --codec auto --auto-objective cycles');
    }
    const chipKey = JSON.stringify(chip);
    if (!checkedChips.has(chipKey)) {
      checkMapping(plain, chip);
      checkedChips.add(chipKey);
    }
    const key = codec === null ? 'hwz' : imageKey(digests.get(codec.seed)!, codec as unknown as Record<string, unknown>);
    settings.set(key, codec);
    const int8Chip = int8ChipOf(chip);
    const int8Key = JSON.stringify(int8Chip);
    let group = jobsByInt8.get(int8Key);
    if (!group) jobsByInt8.set(int8Key, (group = { int8Chip, points: [] }));
    group.points.push({ index: point.index, axes: point.axes, chip, image: key });
  }
  const groups = [...jobsByInt8.values()].filter((_, i) => i % shard.count === shard.index - 1);
  const int8Jobs: Int8Job[] = groups.map((g) => ({ kind: 'int8', chip: g.int8Chip, image: g.points[0].image }));
  const needed = new Set(groups.flatMap((g) => g.points.map((p) => p.image)));
  const total = groups.reduce((a, g) => a + g.points.length, 0);

  const pool = new SweepPool(Math.max(1, opts.workers), opts.limits ?? {});
  try {
    // 1. one image per codec setting, encoded in parallel (or from the cache), each verified by decoding
    const t0 = performance.now();
    let prepared: PreparedSetting[];
    if (hwzBytes) {
      // the file as it is: every check and a full decode, as `hwsim run file.hwz` does
      const p = prepareImage(hwzBytes, grid.model);
      prepared = [{ key: 'hwz', bytes: hwzBytes, entropy: p.entropy, cached: false, encodeSeconds: 0 }];
    } else {
      const prepJobs = [...needed].map((key) => ({ kind: 'prepare' as const, model: grid.model, load: opts.load ?? {}, codec: settings.get(key)!, key, cacheDir: opts.cacheDir }));
      let done = 0;
      opts.onProgress?.(`${grid.model}: preparing ${prepJobs.length} image${prepJobs.length === 1 ? '' : 's'} (one per codec setting)`,
        { done: 0, total: prepJobs.length, unit: 'images' });
      prepared = await pool.run<PreparedSetting>(prepJobs, () => {
        done++;
        opts.onProgress?.(`${grid.model}: preparing images`, { done, total: prepJobs.length, unit: 'images' });
      });
    }
    for (const p of prepared) pool.addImage(p.key, p.bytes, p.entropy);
    const prepareSeconds = (performance.now() - t0) / 1000;

    // 2. the int8 baselines, one per group of points that share one
    const t1 = performance.now();
    let baselines = 0;
    opts.onProgress?.(`${grid.model}: running ${int8Jobs.length} int8 baselines`, { done: 0, total: int8Jobs.length, unit: 'baselines' });
    const int8 = await pool.run<PipelineResult>(int8Jobs, () => {
      baselines++;
      opts.onProgress?.(`${grid.model}: running int8 baselines`, { done: baselines, total: int8Jobs.length, unit: 'baselines' });
    });

    // 3. the points: one job per group and image, so that the jobs of one image and array (which
    // share the engine's trajectories) can go to one worker, and a worker runs one image at a time
    const simJobs: SimulateJob[] = groups.flatMap((g, gi) => [...new Set(g.points.map((p) => p.image))].map((image) => ({
      kind: 'simulate' as const, int8: int8[gi], points: g.points.filter((p) => p.image === image), simulation: opts.simulation ?? 'fast',
      affinity: `${image}:${trajectoryKey(g.points[0].chip)}`,
    })));
    let done = 0;
    opts.onProgress?.(`${grid.model}: simulating ${total} design points`, { done: 0, total, unit: 'points' });
    const results = await pool.run<SimulateResult>(simJobs, (_, r) => {
      done += r.rows.length;
      opts.onProgress?.(`${grid.model}: simulating design points`, { done, total, unit: 'points' });
    });
    const rows = results.flatMap((r) => r.rows).sort((a, b) => a.index - b.index);
    markPareto(rows, opts.objectives);
    const record = gridRecord(grid);
    return {
      kind: 'hwsim-sweep', version: 1, model, grid: record,
      gridHash: gridHash(record, { config: opts.configPath ? base : null, load: opts.load ?? {} }),
      configPath: opts.configPath ?? null,
      objectives: [...opts.objectives], shard, gridPoints: points.length, rows,
      timing: {
        imagesEncoded: hwzBytes ? 0 : prepared.filter((p) => !p.cached).length,
        imagesCached: prepared.filter((p) => p.cached).length,
        prepareSeconds, simulateSeconds: (performance.now() - t1) / 1000,
        int8Runs: int8Jobs.length, imageRuns: results.reduce((a, r) => a + r.imageRuns, 0), threads: pool.threads,
      },
    };
  } finally {
    await pool.close();
  }
}
