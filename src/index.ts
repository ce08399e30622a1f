/**
 * hwsim as a library: the same calls the `hwsim` command makes.
 *
 *   import { loadModel, encode, writeImage, runModel, runContainer, resolveChipConfig } from 'hwsim';
 *   const model = loadModel('resnet50');
 *   const { report } = await runModel(model, { states: 64, streams: 8 }, { chip: resolveChipConfig({}) });
 *
 * Every call validates its input and throws HwsimError (message + fix) on bad input.
 */
import { writeContainer, readContainer, type ContainerImage, type ModelImage } from './codecs/container.js';
import { modelFigures, type ModelFigures } from './codecs/inspect.js';
import { encodeModel, type EncodeOptions } from './codecs/model-codec.js';
import { decodeImage, type DecodedLayer } from './codecs/model-image.js';
import type { Model } from './models/types.js';

export { HwsimError } from './errors.js';
export { loadModel } from './models/load.js';
export type { Model, ModelLayer, LayerSpec } from './models/types.js';
export type { EncodeOptions } from './codecs/model-codec.js';
export type { ModelImage, ContainerImage, ModelMeta } from './codecs/container.js';
export type { CodedLayer, LayerHeader, CodecId, Codec } from './codecs/codec.js';
export { CODECS } from './codecs/registry.js';
export type { DecodedLayer } from './codecs/model-image.js';
export type { ModelFigures, LayerFigures } from './codecs/inspect.js';
export { DEFAULT_CHIP, resolveChipConfig, type ChipConfig } from './chip/config.js';
export { runModel, runContainer, type RunOptions } from './run.js';
export type { RunReport, LayerReport, RunTotals } from './report/run-figures.js';
export { formatRun, runJson, runCsv } from './report/run-report.js';
export { generateTansRtl as generateRtl, writeGenerated } from './rtl/tans-rtl.js';
export { runTansCosim as cosim } from './cosim/tans-cosim.js';
export { runSweep, type SweepOptions, type SweepResult } from './sweep/run-sweep.js';
export { gridFromFlags, readSweepFile, expandGrid, type SweepGrid, type DesignPoint } from './sweep/grid.js';
export { mergeSweeps, sweepCsv, sweepJson } from './sweep/sweep-output.js';
export type { SweepRow, PointFigures } from './sweep/row.js';

/** Quantizes and encodes every layer (verified by decoding); the image `writeImage` turns into bytes. */
export function encode(model: Model, options: EncodeOptions): ModelImage {
  return encodeModel(model, options);
}

/** The .hwz bytes of an image (docs/FORMAT.md). */
export function writeImage(image: ModelImage): Uint8Array {
  return writeContainer(image);
}

/** Reads .hwz bytes, checking structure and CRCs; `decode` also checks every stream. */
export function readImage(bytes: Uint8Array, label = 'image'): ContainerImage {
  return readContainer(bytes, label);
}

/** Every layer decoded by its codec's reference decoder: symbols, int8 levels, float32 weights. */
export function decode(bytes: Uint8Array, label = 'image'): DecodedLayer[] {
  return decodeImage(readContainer(bytes, label), label);
}

/** The figures `hwsim inspect` prints. */
export function inspect(bytes: Uint8Array, label = 'image'): ModelFigures {
  const image = readContainer(bytes, label);
  return modelFigures(image, decodeImage(image, label));
}
