/** Worker thread entry of a sweep: runs the jobs it is sent (src/sweep/jobs.ts) and posts the results. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Limits } from '../limits.js';
import { HwsimError } from '../errors.js';
import { JobContext, type SweepJob } from './jobs.js';
import type { LayerEntropy } from '../report/run-figures.js';

export type WorkerMessage =
  | { type: 'job'; id: number; job: SweepJob }
  | { type: 'image'; key: string; bytes: Uint8Array; entropy: LayerEntropy[] };

const ctx = new JobContext((workerData as { limits: Partial<Limits> }).limits);

parentPort!.on('message', (m: WorkerMessage) => {
  if (m.type === 'image') {
    ctx.addImage(m.key, m.bytes, m.entropy);
    return;
  }
  try {
    const result = ctx.run(m.job);
    parentPort!.postMessage({ id: m.id, ok: true, result });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({
      id: m.id, ok: false,
      error: { message: e.message, fix: err instanceof HwsimError ? err.fix : undefined, user: err instanceof HwsimError, stack: e.stack },
    });
  }
});
