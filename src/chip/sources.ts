/**
 * The chip's decoder slot, chosen by codec: one line per codec (docs/ARCHITECTURE.md, "Adding a
 * codec"). A factory sees the chip configuration and the image it will run, so that a block sized
 * by the data (the tANS engine's table size and symbol width) is built to fit it.
 */
import type { CodecId } from '../codecs/codec.js';
import type { ModelImage } from '../codecs/container.js';
import type { ChipConfig } from './config.js';
import type { DramTraceSink } from './dram.js';
import { wmSource } from './wm-source.js';
import { TansSource, tansEngineModel, tansTimingModel, type TansEngineFactory } from './tans-source.js';
import { TANS_DECODER_DEFAULTS } from './tans-decoder.js';
import type { TrajectoryBook } from './tans-trajectories.js';
import { SzSource } from './sz-source.js';
import { RawBypass, rawBypassWidth, type WeightSource } from './weight-source.js';

/**
 * How the tANS engine is simulated: `fast` from per-symbol bit counts (TansTimingModel), `exact`
 * register by register with values (TansEngineModel, the model the RTL is co-simulated against).
 * Both give the same cycles (test/chip-fast.test.ts).
 */
export const SIMULATION_MODES = ['fast', 'exact'] as const;
export type SimulationMode = typeof SIMULATION_MODES[number];

export interface SourceOptions {
  /** default `fast` */
  simulation?: SimulationMode;
  /** the tANS engine model (default: as `simulation` says); tests may pass another */
  tansEngine?: TansEngineFactory;
  /** receives every DRAM column access of a detailed DRAM model (`hwsim run --dram-trace`) */
  dramTrace?: DramTraceSink;
  /** the tANS engine's trajectories, shared between runs of one image (a sweep's points; fast mode) */
  trajectories?: TrajectoryBook;
}

type SourceFactory = (cfg: ChipConfig, image: ModelImage, opts: SourceOptions) => WeightSource;

export const CHIP_SOURCES: Readonly<Record<CodecId, SourceFactory>> = {
  raw: (cfg) => new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle)),
  tans: (cfg, image, opts) => {
    let states = 0;
    let maxBins = 2;
    for (const l of image.layers) {
      if (l.codec !== 'tans') continue;
      states = Math.max(states, l.states);
      maxBins = Math.max(maxBins, l.quant.bins);
    }
    const engine = opts.tansEngine ?? (opts.simulation === 'exact' ? tansEngineModel : tansTimingModel);
    return new TansSource(engine, {
      states, symbolBits: Math.max(1, Math.ceil(Math.log2(maxBins))), streams: cfg.decoders, inWidth: 32,
      // (counter width moves no cycle: the chip's engine takes the default, any layer's counts)
      streamFifoDepth: cfg.streamFifoDepth, countBits: TANS_DECODER_DEFAULTS.countBits,
    }, { trajectories: opts.trajectories });
  },
  sz: (cfg, image) => new SzSource(cfg.szLanes, image),
  wm: (cfg, image) => wmSource(cfg, image),
};

/** The sources an image needs, one per codec it uses, built once per run. */
export function sourcesFor(cfg: ChipConfig, image: ModelImage, opts: SourceOptions = {}): (codec: CodecId) => WeightSource {
  const built = new Map<CodecId, WeightSource>();
  return (codec) => {
    let s = built.get(codec);
    if (!s) {
      s = CHIP_SOURCES[codec](cfg, image, opts);
      built.set(codec, s);
    }
    return s;
  };
}
