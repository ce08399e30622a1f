/**
 * `hwsim run <model> --states L`: the tool's main job. Quantize + tANS-encode the model (verified
 * by decoding), run it on the cycle-level chip model, run the same chip with int8 weights beside
 * it, and report per layer and in total.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { chipOptions, resolveChipConfig, type ChipFlags } from '../chip/config.js';
import { checkMapping, makeReport, runTans, startInt8 } from '../chip/simulate.js';
import { encodeModel, validateEncodeOptions } from '../codecs/model-codec.js';
import { HwsimError } from '../errors.js';
import { loadScaleSimTopology } from '../models/scalesim.js';
import type { Model } from '../models/types.js';
import { Progress } from '../report/progress.js';
import { formatRun, runCsv, runJson } from '../report/run-report.js';
import type { CliCommand } from './main.js';
import { codecOptions, encodeOptionsFrom } from './cmd-encode.js';
import { writeOutput } from './output.js';
import { MODEL_ARG_HELP, resolveModel } from './resolve-model.js';

export function loadRunModel(arg: string, seed: number): Model {
  if (/\.csv$/i.test(arg)) return loadScaleSimTopology(arg, seed);
  return resolveModel(arg, seed);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export const command: CliCommand = {
  register: (y: Argv) => y.command(
    'run <model>',
    'simulate a network on the chip: cycles, stalls by cause, DRAM traffic, utilization, vs int8',
    (c) => codecOptions(chipOptions(c.positional('model', { type: 'string', demandOption: true, describe: `${MODEL_ARG_HELP}; or a SCALE-Sim topology .csv (synthetic weights)` })))
      .option('json', { type: 'boolean', default: false, describe: 'also write the report as JSON under --out' })
      .option('csv', { type: 'boolean', default: false, describe: 'also write the per-layer table as CSV under --out' })
      .option('out', { type: 'string', default: 'hwsim-out', describe: 'directory for --json / --csv' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' })
      .option('layers', { type: 'boolean', default: true, describe: 'print the per-layer table (--no-layers: totals only)' })
      .example('$0 run resnet50 --states 64', 'ResNet-50 on the default edge chip, 64-state tables')
      .example('$0 run mobilenetv2 --states 128 --decoders 4 --dram-bw 2 --json', 'a narrower chip, JSON report')
      .example('$0 run topology.csv --states 256 --mac 32x32 --dataflow os', 'a SCALE-Sim topology'),
    async (argv) => {
      const start = performance.now();
      const cfg = resolveChipConfig(argv as unknown as ChipFlags);
      const opts = encodeOptionsFrom(argv, cfg.decoders);
      if (Number.isNaN(argv.states)) throw new HwsimError('--states is not a number', 'e.g. --states 64');
      validateEncodeOptions(opts);
      const progress = new Progress(argv.quiet);
      progress.update(`loading ${argv.model}`);
      const model = loadRunModel(argv.model, argv.seed);
      // the int8 baseline needs only the topology: it runs on a worker thread while we encode
      const plain = model.layers.map((l) => ({ spec: l.spec, params: l.weights.length }));
      checkMapping(plain, cfg);
      const int8 = startInt8(plain, cfg);
      let report;
      try {
        progress.update(`encoding ${model.name} (L = ${opts.states}, ${opts.streams} streams)`);
        const encoded = encodeModel(model, opts);
        const tans = runTans(encoded, cfg, {
          onProgress: (phase, l, n) => progress.update(`simulating ${model.name} (${phase}): layer ${Math.min(l + 1, n)}/${n}`),
        });
        progress.update(`simulating ${model.name} (int8 baseline)`);
        report = makeReport(encoded, cfg, tans, await int8.result());
      } catch (err) {
        int8.cancel();
        throw err;
      } finally {
        progress.done();
      }
      const wallSeconds = (performance.now() - start) / 1000;
      process.stdout.write(formatRun(report, { layers: argv.layers }));
      process.stdout.write(`simulated ${report.tans.cycles.toLocaleString('en-US')} + ${report.int8.cycles.toLocaleString('en-US')} (int8) cycles in ${wallSeconds.toFixed(2)} s\n`);
      if (argv.json || argv.csv) {
        try {
          mkdirSync(argv.out, { recursive: true });
        } catch (err) {
          throw new HwsimError(`cannot create --out directory ${argv.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give a writable directory');
        }
        const base = join(argv.out, `${safeName(model.name)}-L${opts.states}`);
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
