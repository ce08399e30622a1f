/**
 * The wavelet-matrix query unit's place in the chip. Its cycle model is not built yet: a run of an
 * image with wm layers is refused with a clear error rather than simulated with a made-up timing.
 */
import type { ModelImage } from '../codecs/container.js';
import { HwsimError } from '../errors.js';
import type { ChipConfig } from './config.js';
import type { WeightSource } from './weight-source.js';

export function wmSource(_cfg: ChipConfig, _image: ModelImage): WeightSource {
  throw new HwsimError('the chip model has no cycle model of the wavelet-matrix query unit yet, so wm layers cannot be simulated',
    'simulate with --codec tans; encode, decode and inspect work with --codec wm');
}
