/** Worker thread entry: runs the int8 baseline (src/chip/simulate.ts: startInt8) and posts its result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChipConfig } from './config.js';
import { runInt8, type PlainLayer } from './simulate.js';

const { layers, cfg } = workerData as { layers: PlainLayer[]; cfg: ChipConfig };
parentPort!.postMessage(runInt8(layers, cfg));
