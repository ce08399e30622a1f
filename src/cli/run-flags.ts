/**
 * Flags `hwsim run` and `hwsim sweep` share beside the chip, codec and model flags: how the tANS
 * engine is simulated, and the disk cache of encoded images.
 */
import type { Argv } from 'yargs';
import { SIMULATION_MODES, type SimulationMode } from '../chip/sources.js';
import { defaultCacheDir, ImageCache } from '../io/image-cache.js';

export function runFlagOptions<T>(y: Argv<T>, keep: string) {
  return y
    .option('sim', {
      choices: SIMULATION_MODES, default: 'fast' as SimulationMode,
      describe: 'fast: the tANS engine timed from per-symbol bit counts, steady stretches in bulk; exact: every register of the engine cycle by cycle (the model the RTL is co-simulated against). Both give the same cycles (docs/hw/pipeline.md)',
    })
    .option('cache-dir', { type: 'string', describe: `where encoded images are kept ${keep} (default ${defaultCacheDir()})` })
    .option('cache', { type: 'boolean', default: true, describe: 'reuse and keep encoded images in --cache-dir (--no-cache: encode afresh, keep nothing)' });
}

/** The cache directory the flags ask for; null for --no-cache. */
export function cacheDirFrom(argv: { cache?: boolean; cacheDir?: string }): string | null {
  return argv.cache === false ? null : (argv.cacheDir ?? defaultCacheDir());
}

export function imageCacheFrom(argv: { cache?: boolean; cacheDir?: string }): ImageCache | undefined {
  const dir = cacheDirFrom(argv);
  return dir === null ? undefined : new ImageCache(dir);
}
