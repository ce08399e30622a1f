/**
 * `hwsim run` as a library call: a model is encoded to container bytes, and the chip runs those
 * bytes, exactly as it runs a .hwz file (the container is the chip's DRAM image). The int8
 * baseline (the same chip with raw int8 weights) runs beside it on a worker thread.
 */
import { activationTraffic, type ActivationTraffic } from './chip/activation.js';
import type { ChipConfig } from './chip/config.js';
import { chipLayers, checkMapping, int8ChipLayers, plainLayers, runImage, startInt8, type PlainLayer } from './chip/simulate.js';
import type { ChipLayer, PipelineProgress, PipelineResult } from './chip/pipeline.js';
import type { SourceOptions } from './chip/sources.js';
import { readContainer, writeContainer, type ContainerImage } from './codecs/container.js';
import { encodeModel, type EncodeOptions } from './codecs/model-codec.js';
import { layerCyclesOn } from './chip/layer-cycles.js';
import { tableBytesOf, verifyImage } from './codecs/model-image.js';
import { readVerdict, writeVerdict } from './io/image-verdict.js';
import { HwsimError } from './errors.js';
import { imageKey, modelDigest, type ImageCache } from './io/image-cache.js';
import type { Model } from './models/types.js';
import { makeReport, type LayerEntropy, type RunReport } from './report/run-figures.js';
import { siNumber, type Work } from './report/progress.js';

export interface RunOptions extends SourceOptions {
  chip: ChipConfig;
  /**
   * progress messages for a long run ("encoding ...", "simulating ...: layer 3/54"), with the work
   * done and expected (chip cycles) while simulating
   */
  onProgress?: (message: string, work?: Work) => void;
  /** one-off remarks before long work (the estimate of a large run) */
  onNotice?: (message: string) => void;
  /**
   * where runModel keeps encoded images between runs (content-addressed: the model's weights, the
   * codec settings and the encoder's code); a cached image is verified like any .hwz before it runs
   */
  imageCache?: ImageCache;
}

/** Above this many estimated chip cycles a run says how long it will take before it starts. */
export const LARGE_RUN_CYCLES = 2e9;
/**
 * Chip cycles the pipeline gets through per second of wall time on a long, DRAM-bound run (where
 * few cycles are skipped as quiet; measured: resnet50 at --dram-bw 0.001 on a 2-core VM, Node 20).
 * Only for the estimate a large run prints.
 */
export const TYPICAL_CYCLES_PER_SECOND = 60e6;

/**
 * Cycles a run takes at least: per layer, its compute cycles or the cycles DRAM needs for its
 * bytes (weights, header, activation spills) at the chip's bandwidth, whichever is more.
 */
export function estimateRunCycles(layers: readonly ChipLayer[], cfg: ChipConfig): number {
  return layers.reduce((a, l) => a + Math.max(l.mapping.computeCycles,
    (l.words * 4 + l.prefix.length + l.actReadBytes + l.actWriteBytes) / cfg.dramBytesPerCycle), 0);
}

/**
 * What a run says before it starts when either simulation (tANS here, int8 on its worker thread
 * beside it) is estimated above LARGE_RUN_CYCLES; undefined for a smaller run.
 */
export function largeRunNotice(name: string, tansCycles: number, int8Cycles: number): string | undefined {
  if (Math.max(tansCycles, int8Cycles) <= LARGE_RUN_CYCLES) return undefined;
  return `${name} on this chip takes at least ${siNumber(tansCycles)} cycles with tANS weights and ${siNumber(int8Cycles)} cycles with int8; ` +
    `simulating them takes roughly ${minutes(Math.max(tansCycles, int8Cycles / 2) / TYPICAL_CYCLES_PER_SECOND)} (Ctrl-C stops)`;
}

function minutes(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** Refuses an image this chip cannot run, before any simulation. */
export function checkImageFitsChip(image: ContainerImage, cfg: ChipConfig, label: string): void {
  image.layers.forEach((l, i) => {
    if (l.codec === 'tans' && l.wordCounts.length !== cfg.decoders) {
      throw new HwsimError(`${label}: layer #${i} '${image.specs[i].name}' has ${l.wordCounts.length} streams, the chip ${cfg.decoders} tANS decoders`,
        `use a chip with ${l.wordCounts.length} decoders (hwsim run: --decoders ${l.wordCounts.length}), or encode with ${cfg.decoders} streams`);
    }
  });
}

type Int8Run = ReturnType<typeof startInt8>;

/** An image read and verified once, ready to run on any chip (a sweep runs one image on many). */
export interface PreparedImage {
  label: string;
  image: ContainerImage;
  entropy: LayerEntropy[];
  plain: PlainLayer[];
}

/** Every check (CRCs, lengths, headers, each stream's end state and padding) before any simulation. */
export function prepareImage(bytes: Uint8Array, label: string): PreparedImage {
  const image = readContainer(bytes, label);
  const entropy = verifyImage(image, label);
  return { label, image, entropy, plain: plainLayers(image) };
}

/** Refuses a chip the image cannot run on (stream counts, mapping), before any simulation. */
export function checkPreparedFitsChip(p: PreparedImage, cfg: ChipConfig): void {
  checkImageFitsChip(p.image, cfg, p.label);
  checkMapping(p.plain, cfg);
}

/** What the chip did with a prepared image, before the int8 baseline is joined in (reportOf). */
export interface ChipRun {
  cfg: ChipConfig;
  act: ActivationTraffic[];
  layers: ChipLayer[];
  int8Layers: ChipLayer[];
  run: PipelineResult;
}

/** The prepared image on `cfg` (checkPreparedFitsChip first). */
export function simulatePrepared(p: PreparedImage, cfg: ChipConfig, opts: Omit<RunOptions, 'chip'> = {}): ChipRun {
  const { image } = p;
  const name = image.model.name;
  const act = activationTraffic(p.plain, cfg.sramKb);
  const layers = chipLayers(image, cfg, act);
  const int8Layers = int8ChipLayers(p.plain, cfg, act);
  const estimate = estimateRunCycles(layers, cfg);
  const notice = largeRunNotice(name, estimate, estimateRunCycles(int8Layers, cfg));
  if (notice) opts.onNotice?.(notice);
  const run = runImage(image, cfg, layers, {
    ...opts,
    // the pipeline passes the cycle reached and its figures (PipelineProgress) beside the layer
    onProgress: (l: number, n: number, cycle?: number, pp?: PipelineProgress) => opts.onProgress?.(
      `simulating ${name}: layer ${Math.min(l + 1, n)}/${n}`,
      cycle === undefined ? undefined : { done: cycle, total: Math.max(estimate, pp?.computeCycles ?? 0), unit: 'cycles' }),
  });
  return { cfg, act, layers, int8Layers, run };
}

/** The report of a chip run, with the int8 baseline of the same chip (runInt8 / startInt8). */
export function reportOf(p: PreparedImage, chip: ChipRun, int8: PipelineResult): RunReport {
  return makeReport({
    image: p.image, cfg: chip.cfg, act: chip.act, run: chip.run, int8, entropy: p.entropy,
    layers: chip.layers, int8Layers: chip.int8Layers,
  });
}

/** An image for one model and codec setting, verified, and whether it came from the cache. */
export interface CodedImage {
  bytes: Uint8Array;
  prepared: PreparedImage;
  cached: boolean;
}

/**
 * The image under `key` in `cache` when a copy is there and passes every container check (CRCs,
 * lengths) and either the verdict kept beside it (image-verdict.ts: what decoding it found) or a
 * full decode (a damaged image is encoded again); else `encode()`d, verified and kept in the cache
 * with its verdict (a cache that cannot be written costs the next run its reuse, not this one its
 * result: `onNotice` says so).
 */
export function cachedOrEncoded(cache: ImageCache | undefined, key: string, label: string, encode: () => Uint8Array,
  onNotice?: (message: string) => void): CodedImage {
  const fromCache = cache?.get(key);
  if (fromCache) {
    const cachedLabel = `${label} (cached image ${cache!.pathOf(key)})`;
    try {
      const image = readContainer(fromCache, cachedLabel);
      const verdict = cache!.getVerdict(key);
      const entropyBits = verdict && readVerdict(verdict, fromCache, image);
      if (entropyBits) {
        const entropy = image.layers.map((l, i) => ({ entropyBits: entropyBits[i], tableBytes: tableBytesOf(l) }));
        return { bytes: fromCache, prepared: { label: cachedLabel, image, entropy, plain: plainLayers(image) }, cached: true };
      }
      const prepared = prepareImage(fromCache, cachedLabel);
      keep(cache!, key, undefined, fromCache, prepared, onNotice);
      return { bytes: fromCache, prepared, cached: true };
    } catch (err) {
      if (!(err instanceof HwsimError)) throw err;
    }
  }
  const bytes = encode();
  const prepared = prepareImage(bytes, label);
  if (cache) keep(cache, key, bytes, bytes, prepared, onNotice);
  return { bytes, prepared, cached: false };
}

/** Writes `image` (when given) and the verdict of `prepared` (verified from `bytes`) under `key`. */
function keep(cache: ImageCache, key: string, image: Uint8Array | undefined, bytes: Uint8Array, prepared: PreparedImage,
  onNotice?: (message: string) => void): void {
  try {
    if (image) cache.put(key, image);
    const verdict = writeVerdict(bytes, prepared.image, prepared.entropy.map((e) => e.entropyBits));
    if (verdict) cache.putVerdict(key, verdict);
  } catch (err) {
    if (!(err instanceof HwsimError)) throw err;
    const what = image ? 'the encoded image was' : 'what verifying the cached image found was';
    onNotice?.(`${what} not kept in the cache (${err.message}); --cache-dir elsewhere or --no-cache`);
  }
}

async function runVerified(bytes: Uint8Array, label: string, opts: RunOptions, int8?: Int8Run): Promise<RunReport> {
  return runPrepared(prepareImage(bytes, label), opts, int8);
}

async function runPrepared(prepared: PreparedImage, opts: RunOptions, int8?: Int8Run): Promise<RunReport> {
  const cfg = opts.chip;
  checkPreparedFitsChip(prepared, cfg);
  const baseline = int8 ?? startInt8(prepared.plain, cfg);
  try {
    const chip = simulatePrepared(prepared, cfg, opts);
    opts.onProgress?.(`simulating ${prepared.image.model.name} (int8 baseline)`);
    return reportOf(prepared, chip, await baseline.result());
  } catch (err) {
    baseline.cancel();
    throw err;
  }
}

/** Simulates a .hwz image as it is. */
export function runContainer(bytes: Uint8Array, label: string, opts: RunOptions): Promise<RunReport> {
  return runVerified(bytes, label, opts);
}

/** Encodes a model and simulates the container bytes the encoder wrote. */
export async function runModel(model: Model, codec: EncodeOptions, opts: RunOptions): Promise<{ report: RunReport; image: Uint8Array }> {
  // the int8 baseline needs only the topology: it runs on a worker thread while this one encodes
  const plain: PlainLayer[] = model.layers.map((l) => ({ spec: l.spec, params: l.spec.weightShape.reduce((a, b) => a * b, 1) }));
  checkMapping(plain, opts.chip);
  const int8 = startInt8(plain, opts.chip);
  try {
    const what = `encoding ${model.name} (L = ${codec.states}, ${codec.streams} streams)`;
    const encode = () => {
      opts.onProgress?.(what);
      return writeContainer(encodeModel(model, codec, (l, n, done, total) =>
        opts.onProgress?.(`${what}: layer ${l}/${n}`, { done, total, unit: 'weights' }), layerCyclesOn(opts.chip)));
    };
    if (!opts.imageCache) {
      const image = encode();
      return { report: await runVerified(image, model.name, opts, int8), image };
    }
    opts.onProgress?.(`looking up ${model.name} in the image cache`);
    // an image chosen by simulated cycles (--codec auto --auto-objective cycles) depends on the chip too
    const settings: Record<string, unknown> = { ...codec };
    if (codec.codec === 'auto' && codec.autoObjective === 'cycles') settings.chip = opts.chip;
    const key = imageKey(modelDigest(model), settings);
    const coded = cachedOrEncoded(opts.imageCache, key, model.name, encode, opts.onNotice);
    return { report: await runPrepared(coded.prepared, opts, int8), image: coded.bytes };
  } catch (err) {
    int8.cancel();
    throw err;
  }
}
