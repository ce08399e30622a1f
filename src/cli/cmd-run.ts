/**
 * `hwsim run <model | file.hwz>`: the tool's main job. A model is quantized and encoded to
 * container bytes and the chip simulates those bytes; a .hwz file is simulated as it is (src/run.ts).
 * The same chip with int8 weights runs beside it; the report is per layer and in total.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { resolveChipConfig, type ChipConfig, type ChipFlags } from '../chip/config.js';
import { DRAM_PRESETS, dramsim3TraceLine } from '../chip/dram-timing.js';
import type { DramTraceSink } from '../chip/dram.js';
import { chipOptions } from './chip-flags.js';
import { applyLimitFlags, limitOptions } from './limit-flags.js';
import { codecParamOptions, codecParamsFrom, givenCodecFlags } from '../params/cli.js';
import { readContainer } from '../codecs/container.js';
import { HwsimError } from '../errors.js';
import { Progress, type Work } from '../report/progress.js';
import { formatRun, runCsv, runJson } from '../report/run-report.js';
import type { RunReport } from '../report/run-figures.js';
import { runContainer, runModel } from '../run.js';
import type { CliCommand } from './main.js';
import { readInput, writeOutput } from '../io/output.js';
import { loadModel, MODEL_ARG_HELP } from '../models/load.js';
import { modelOptions, modelOptionsFrom } from './model-flags.js';
import { hasNoGeometry, imageWeightsReport, weightsOnlyReport } from './weights-report.js';
import { imageCacheFrom, runFlagOptions } from './run-flags.js';

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The stream count of a file's tANS layers: a .hwz run's default --decoders. */
function fileStreams(bytes: Uint8Array, label: string): number | undefined {
  const t = readContainer(bytes, label).layers.find((l) => l.codec === 'tans');
  return t?.codec === 'tans' ? t.wordCounts.length : undefined;
}

/**
 * `--dram-trace FILE`: every column access of the detailed DRAM in the image's run, one DRAMsim3
 * trace line each (hex byte address, READ|WRITE, arrival cycle in the preset's tCK), written as the
 * run goes.
 */
export class TraceFile {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;
  lines = 0;

  constructor(readonly path: string, cfg: ChipConfig) {
    if (cfg.dram === 'simple') {
      throw new HwsimError('--dram-trace needs a detailed DRAM: the simple model has no device, addresses or device clock',
        `add --dram ${Object.keys(DRAM_PRESETS)[0]} (or another preset: ${Object.keys(DRAM_PRESETS).join(', ')})`);
    }
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new HwsimError(`cannot write --dram-trace ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give a writable file path');
    }
  }

  readonly sink: DramTraceSink = (addr, write, cycle) => {
    const line = dramsim3TraceLine(addr, write, cycle);
    this.buf.push(line);
    this.size += line.length + 1;
    this.lines++;
    if (this.size > 1 << 20) this.flush();
  };

  private flush(): void {
    if (this.buf.length) writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export const INTERRUPTED_EXIT = 130;

/**
 * Awaits a run whose synchronous part (loading, encoding, verifying, the tANS simulation) has
 * already returned: what is left is the int8 baseline on its worker thread, and Ctrl-C (SIGINT)
 * now stops the process with a one-line message and exit code 130 (process.exit ends the worker).
 * During the synchronous part no listener is installed on purpose: a listener could only run once
 * that part is over, while the default action of SIGINT ends the process at once (status 130 too,
 * the worker thread with it), only without the message.
 */
export async function interruptible<T>(pending: Promise<T>, progress: Progress): Promise<T> {
  const onInterrupt = () => {
    progress.done();
    process.stderr.write('hwsim: interrupted (Ctrl-C): the run was stopped, nothing was written\n');
    process.exit(INTERRUPTED_EXIT);
  };
  process.once('SIGINT', onInterrupt);
  // the worker reports nothing while it runs: the line keeps its time so far moving
  const timer = setInterval(() => progress.tick(), 1000);
  timer.unref();
  try {
    return await pending;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onInterrupt);
  }
}

export const command: CliCommand = {
  register: (y: Argv) => y.command(
    'run <model>',
    'simulate a network on the chip: cycles, stalls by cause, DRAM traffic, utilization, vs int8',
    (c) => runFlagOptions(modelOptions(limitOptions(codecParamOptions(chipOptions(c.positional('model', { type: 'string', demandOption: true, describe: `${MODEL_ARG_HELP}; a SCALE-Sim topology .csv (synthetic weights); or a .hwz image from hwsim encode, simulated as it is` })), 'run'), 'run')), 'between runs and sweeps')
      .option('json', { type: 'boolean', default: false, describe: 'also write the report as JSON under --out' })
      .option('csv', { type: 'boolean', default: false, describe: 'also write the per-layer table as CSV under --out' })
      .option('out', { type: 'string', default: 'hwsim-out', describe: 'directory for --json / --csv' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' })
      .option('layers', { type: 'boolean', default: true, describe: 'print the per-layer table (--no-layers: totals only)' })
      .option('dram-trace', { type: 'string', describe: "write the image run's DRAM requests as a DRAMsim3 trace (needs a --dram preset; docs/hw/dram.md)" })
      .example('$0 run resnet50 --states 64', 'ResNet-50 on the default edge chip, 64-state tables')
      .example('$0 run mobilenetv2 --states 128 --decoders 4 --dram-bw 2 --json', 'a narrower chip, JSON report')
      .example('$0 run r50.hwz', 'a container written by hwsim encode, as it is (--decoders defaults to its streams)')
      .example('$0 run topology.csv --states 256 --mac 32x32 --dataflow os', 'a SCALE-Sim topology')
      .example('$0 run resnet50 --dram lpddr4-3200-x16 --dram-trace r50.trace', 'detailed LPDDR4 timing, row-buffer hit rates, and the DRAM trace')

      .example('$0 run model.onnx --input-shape 1,3,224,224', 'an ONNX model whose input size is symbolic')
      .example('$0 run weights.safetensors --topology resnet50', 'weights without a graph, the geometry from the zoo'),
    async (argv) => {
      applyLimitFlags(argv, 'run');
      const start = performance.now();
      const progress = new Progress({ quiet: argv.quiet });
      let trace: TraceFile | undefined;
      const runOpts = {
        simulation: argv.sim,
        onProgress: (m: string, w?: Work) => progress.update(m, w), onNotice: (m: string) => progress.note(m),
        get dramTrace() { return trace?.sink; },
      };
      const openTrace = (cfg: ChipConfig) => { if (argv.dramTrace) trace = new TraceFile(argv.dramTrace, cfg); };
      let report: RunReport;
      let label = argv.model;
      try {
        if (/\.hwz$/i.test(argv.model)) {
          const codecFlags = givenCodecFlags(argv, 'run');
          if (codecFlags.length) {
            throw new HwsimError(`${codecFlags.join(', ')} cannot change ${argv.model}: a .hwz is simulated as it was encoded`,
              `leave out the codec flags, or run the model itself (hwsim run <model> ${codecFlags.join(' ')} ...)`);
          }
          const bytes = readInput(argv.model);
          if (hasNoGeometry(readContainer(bytes, argv.model).model.description)) {
            imageWeightsReport(bytes, argv.model, argv, performance.now() - start);
            return;
          }
          const flags = argv as unknown as ChipFlags;
          const cfg = resolveChipConfig({ ...flags, decoders: flags.decoders ?? fileStreams(bytes, argv.model) });
          openTrace(cfg);
          report = await interruptible(runContainer(bytes, argv.model, { chip: cfg, ...runOpts }), progress);
        } else {
          const cfg = resolveChipConfig(argv as unknown as ChipFlags);
          const codec = codecParamsFrom(argv, 'run', cfg);
          openTrace(cfg);
          progress.update(`loading ${argv.model}`);
          const model = loadModel(argv.model, { seed: codec.seed, topology: true, load: modelOptionsFrom(argv) });
          label = model.name;
          if (model.geometry === 'none') {
            // kernels without feature-map sizes: bytes and bits/weight are exact, a latency would be a guess
            progress.done();
            weightsOnlyReport(model, codec, argv, performance.now() - start);
            return;
          }
          report = (await interruptible(runModel(model, codec, { chip: cfg, ...runOpts, imageCache: imageCacheFrom(argv) }), progress)).report;
        }
      } finally {
        progress.done();
        trace?.close();
      }
      const wallSeconds = (performance.now() - start) / 1000;
      process.stdout.write(formatRun(report, { layers: argv.layers }));
      if (trace) process.stdout.write(`wrote ${trace.lines.toLocaleString('en-US')} DRAM requests to ${trace.path} (DRAMsim3 trace, cycles of ${report.dramModel.device}'s tCK)\n`);
      process.stdout.write(`simulated ${report.tans.cycles.toLocaleString('en-US')} + ${report.int8.cycles.toLocaleString('en-US')} (int8) cycles in ${wallSeconds.toFixed(2)} s\n`);
      if (argv.json || argv.csv) {
        try {
          mkdirSync(argv.out, { recursive: true });
        } catch (err) {
          throw new HwsimError(`cannot create --out directory ${argv.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give a writable directory');
        }
        // <model>-L<states>: a zoo name or a file's base name (a .hwz without its extension)
        const base = join(argv.out, `${safeName(label.replace(/^.*[\\/]/, '').replace(/\.hwz$/i, ''))}-L${report.codec.states ?? 'raw'}`);
        if (argv.json) {
          writeOutput(`${base}.json`, runJson(report, { input: argv.model, wallSeconds }));
          process.stdout.write(`wrote ${base}.json\n`);
        }
        if (argv.csv) {
          writeOutput(`${base}.csv`, runCsv(report));
          process.stdout.write(`wrote ${base}.csv\n`);
        }
      }
    },
  ),
};
