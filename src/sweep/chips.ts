/** Which chip settings a simulation depends on: what lets a sweep share runs between points. */
import { DEFAULT_CHIP, type ChipConfig } from '../chip/config.js';

/**
 * The chip as the cycle model sees it: the technology node and the energy table only price the
 * counts, and the clock only converts cycles to time, except for a detailed DRAM whose timings
 * are in nanoseconds. Points whose chips agree here share one simulation.
 */
export function simulationChip(chip: ChipConfig): ChipConfig {
  const { energy: _energy, ...rest } = chip;
  return { ...rest, techNode: DEFAULT_CHIP.techNode, clockMhz: chip.dram === 'simple' ? DEFAULT_CHIP.clockMhz : chip.clockMhz };
}

/** The chip an int8 baseline runs on: decoder settings do not touch the raw bypass, so they are blanked. */
export function int8ChipOf(chip: ChipConfig): ChipConfig {
  return { ...simulationChip(chip), decoders: DEFAULT_CHIP.decoders, streamFifoDepth: DEFAULT_CHIP.streamFifoDepth };
}

/**
 * What the tANS engine's shared trajectories depend on besides the image (tans-trajectories.ts):
 * the array (the weight buffer's room at each group) and the engine. Runs with one key share a
 * book; the sweep gives jobs of one key to one worker where it can.
 */
export function trajectoryKey({ macRows, macCols, dataflow, decoders, streamFifoDepth }: ChipConfig): string {
  return JSON.stringify([macRows, macCols, dataflow, decoders, streamFifoDepth]);
}
