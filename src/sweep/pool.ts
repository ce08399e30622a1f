/**
 * Runs a sweep's jobs on worker threads (one per core by default), or in this thread when one
 * worker is asked for or no compiled worker is at hand (the test runner executes the TypeScript
 * sources). Results come back in job order whatever order the workers finish in.
 */
import { Worker } from 'node:worker_threads';
import { HwsimError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { LayerEntropy } from '../report/run-figures.js';
import { JobContext, type SweepJob } from './jobs.js';
import type { WorkerMessage } from './sweep-worker.js';

interface Reply { id: number; ok: boolean; result?: unknown; error?: { message: string; fix?: string; user: boolean; stack?: string } }

/**
 * The order workers take jobs in: jobs of one affinity (SimulateJob.affinity) go to one worker while
 * it has them, so that what a worker keeps between jobs (the engine's trajectories of an array) serves
 * them all; a worker without jobs of its own takes from the affinity with the most left. Returns a
 * function that gives worker w its next job's index (undefined when none is left).
 */
export function affinityQueues(jobs: readonly SweepJob[], workers: number): (w: number) => number | undefined {
  const byKey = new Map<string, number[]>();
  jobs.forEach((j, i) => {
    const key = j.kind === 'simulate' ? j.affinity ?? '' : '';
    let q = byKey.get(key);
    if (!q) byKey.set(key, (q = []));
    q.push(i);
  });
  const queues = [...byKey.values()].map((q) => ({ q, at: 0 }));
  return (w) => {
    let pick: { q: number[]; at: number } | undefined;
    for (let i = w % workers; i < queues.length && !pick; i += workers) if (queues[i].at < queues[i].q.length) pick = queues[i];
    if (!pick) {
      for (const x of queues) {
        const left = x.q.length - x.at;
        if (left > 0 && (!pick || left > pick.q.length - pick.at)) pick = x;
      }
    }
    return pick ? pick.q[pick.at++] : undefined;
  };
}

export class SweepPool {
  private readonly workers: Worker[] = [];
  private readonly local?: JobContext;
  /** worker threads in use (0: jobs run in this thread) */
  readonly threads: number;

  constructor(threads: number, limits: Partial<Limits>) {
    const url = new URL('./sweep-worker.js', import.meta.url);
    const compiled = import.meta.url.endsWith('.js');
    this.threads = compiled && threads > 1 ? threads : 0;
    if (this.threads === 0) this.local = new JobContext(limits);
    for (let i = 0; i < this.threads; i++) this.workers.push(new Worker(url, { workerData: { limits } }));
  }

  /** Hands an image to every thread (shared memory: the bytes are not copied per worker). */
  addImage(key: string, bytes: Uint8Array, entropy: LayerEntropy[]): void {
    if (this.local) {
      this.local.addImage(key, bytes, entropy);
      return;
    }
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    for (const w of this.workers) w.postMessage({ type: 'image', key, bytes: shared, entropy } satisfies WorkerMessage);
  }

  /** Runs every job; `onDone(job, result)` as each finishes. Rejects with the first job's error. */
  async run<R>(jobs: readonly SweepJob[], onDone?: (i: number, result: R) => void): Promise<R[]> {
    const results: R[] = new Array(jobs.length);
    if (this.local) {
      for (let i = 0; i < jobs.length; i++) {
        // let the event loop run between jobs (progress timers, Ctrl-C)
        await new Promise((r) => setImmediate(r));
        results[i] = this.local.run(jobs[i]) as R;
        onDone?.(i, results[i]);
      }
      return results;
    }
    const take = affinityQueues(jobs, this.workers.length);
    let failed: Error | undefined;
    await Promise.all(this.workers.map((w, wi) => new Promise<void>((resolve, reject) => {
      const give = () => {
        const id = failed ? undefined : take(wi);
        if (id === undefined) {
          w.off('message', onMessage);
          w.off('error', onError);
          resolve();
          return;
        }
        w.postMessage({ type: 'job', id, job: jobs[id] } satisfies WorkerMessage);
      };
      const onMessage = (m: Reply) => {
        if (!m.ok) {
          const e = m.error!;
          failed ??= e.user ? new HwsimError(e.message, e.fix) : Object.assign(new Error(e.message), { stack: e.stack });
          reject(failed);
          return;
        }
        results[m.id] = m.result as R;
        onDone?.(m.id, results[m.id]);
        give();
      };
      const onError = (err: Error) => { failed ??= err; reject(err); };
      w.on('message', onMessage);
      w.on('error', onError);
      give();
    })));
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
