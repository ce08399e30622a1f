/**
 * Rules that involve more than one field. Each parameter's own range lives in the declaration;
 * what cannot be said of one field alone is here, next to the wording of its error.
 */
import { check } from '../errors.js';
import type { ChipConfig, CodecParams } from './generated-types.js';
import type { Origin } from './validate.js';

/** The weight FIFO must hold at least one DRAM burst. */
export function checkChipRules(c: ChipConfig, origin: Origin): void {
  const burstWords = c.burstBytes / 4;
  const covering = Math.ceil((c.dramLatency * c.dramBytesPerCycle) / 4) + burstWords;
  const where = 'file' in origin ? origin.file : 'flags';
  check(c.fifoDepth >= burstWords,
    `${where}: fifoDepth ${c.fifoDepth} words is smaller than one ${c.burstBytes}-byte burst (${burstWords} words)`,
    'face' in origin
      ? `use --fifo-depth ${burstWords} or more (${covering} covers the DRAM latency), or a smaller --burst`
      : `set "fifoDepth" to ${burstWords} or more (${covering} covers the DRAM latency), or "burstBytes" smaller`);
}

/** Bins fit the table and exclude a bit budget; the per-channel and rate-distortion steps need fixed bins. */
export function checkCodecRules(c: CodecParams): void {
  if (c.bins !== undefined) {
    check(c.bins <= c.states, `--bins ${c.bins} gives more symbols than the ${c.states} states of the table can hold`,
      `use --states ${2 ** Math.ceil(Math.log2(c.bins + 1))} or more, or fewer bins`);
    check(c.bitsPerWeight === undefined,
      '--bins and --bits-per-weight both given', 'use one: --bins fixes every layer, --bits-per-weight sets a budget');
  }
  check(!c.perChannel || c.bins !== undefined, '--per-channel needs --bins',
    'give --bins N: the --bits-per-weight allocation chooses one step per layer');
  check(c.rdLambda === undefined || c.bins !== undefined, '--rd-lambda needs --bins',
    'give --bins N: --bits-per-weight already trades distortion against entropy across layers');
}
