/**
 * `hwsim sweep <model>`: a grid of design points (any chip or codec flag of `hwsim run` given a comma
 * list becomes an axis), run on all cores, written as CSV and JSON with the Pareto front flagged.
 * `hwsim sweep merge <shard.json>...` joins the shards of a sweep run with --shard i/n.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { HwsimError } from '../errors.js';
import { limits } from '../limits.js';
import { describeAllowed, flagOf } from '../params/schema.js';
import { Progress, type Work } from '../report/progress.js';
import { textTable } from '../report/text-table.js';
import { gridFromFlags, mergeGrids, parseShard, pointCount, readSweepFile, sweepableFlags, type SweepGrid } from '../sweep/grid.js';
import { cacheDirFrom, runFlagOptions } from './run-flags.js';
import { DEFAULT_OBJECTIVES, OBJECTIVES, parseObjectives } from '../sweep/pareto.js';
import { runSweep, type SweepResult } from '../sweep/run-sweep.js';
import { mergeSweeps, readSweepJson, sweepCsv, sweepJson } from '../sweep/sweep-output.js';
import { applyLimitFlags, limitOptions } from './limit-flags.js';
import { modelOptions, modelOptionsFrom } from './model-flags.js';
import type { CliCommand } from './main.js';
import { ensureDirectory, oneString, writeOutput } from '../io/output.js';

function axisOptions<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const [flag, ps] of sweepableFlags()) {
    const p = ps[0];
    const alias = ps.length === 1 && flag === flagOf(p) ? p.alias : undefined;
    const describe = ps.length > 1
      ? `${ps.map((x) => x.name).join(' x ')}: RxC values, e.g. 8x8,16x16`
      : `${p.help} [each ${describeAllowed(p)}${p.unit ? `; ${p.unit}` : ''}]`;
    out = out.option(flag, { type: 'string', describe: `${describe}; a comma list is an axis`, ...(alias ? { alias } : {}) });
  }
  return out;
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** The terminal summary: what ran, how fast, the Pareto points. */
function summary(r: SweepResult, files: string[]): string {
  const t = r.timing;
  const pts = r.rows.length;
  const front = r.rows.filter((x) => x.pareto);
  const axes = Object.keys(r.grid.axes);
  const head = ['point', ...axes, 'latency ms', 'speedup', 'DRAM KiB', 'on-chip KiB', 'bits/w', 'stalls'];
  const rows = front.slice(0, 40).map((x) => [
    x.index, ...axes.map((a) => x.axes[a]), x.figures.latency_ms.toFixed(3), `${x.figures.speedup.toFixed(3)}x`,
    (x.figures.dram_bytes / 1024).toFixed(0), (x.figures.onchip_bytes / 1024).toFixed(1), x.figures.bits_per_weight.toFixed(3), int(x.figures.stall_cycles),
  ]);
  const shard = r.shard.count > 1 ? ` (shard ${r.shard.index}/${r.shard.count} of ${r.gridPoints})` : '';
  const lines = [
    `${r.model.name}${r.model.synthetic ? ' (SYNTHETIC weights)' : ''}: ${pts} design points${shard}, axes ${axes.length ? axes.map((a) => `${a} [${r.grid.axes[a].join(',')}]`).join(', ') : 'none'}`,
    `images: ${t.imagesEncoded} encoded, ${t.imagesCached} from the cache (${t.prepareSeconds.toFixed(1)} s); ` +
      `${pts} points (${t.imageRuns} image runs) and ${t.int8Runs} int8 baselines simulated in ${t.simulateSeconds.toFixed(1)} s ` +
      `(${(pts / Math.max(t.simulateSeconds, 1e-9)).toFixed(2)} points/s, ${t.threads || 1} thread${t.threads > 1 ? 's' : ''})`,
    `Pareto front (${r.objectives.join(', ')}): ${front.length} point${front.length === 1 ? '' : 's'}${front.length > 40 ? ' (first 40 shown)' : ''}`,
    textTable(head, rows),
    ...files.map((f) => `wrote ${f}`),
  ];
  return `${lines.join('\n')}\n`;
}

function writeResult(r: SweepResult, out: string, stem: string): string[] {
  ensureDirectory(out, '--out');
  const json = join(out, `${stem}.json`);
  const csv = join(out, `${stem}.csv`);
  writeOutput(json, sweepJson(r));
  writeOutput(csv, sweepCsv(r));
  return [csv, json];
}

export const command: CliCommand = {
  register: (y: Argv) => y.command(
    'sweep <model> [shards..]',
    'run a grid of design points (chip and codec settings): CSV and JSON, Pareto front; `sweep merge` joins shards',
    (c) => runFlagOptions(modelOptions(limitOptions(axisOptions(c
      .positional('model', { type: 'string', demandOption: true, describe: 'a zoo network, a weights file or a .hwz (as for hwsim run); or `merge` to join shard outputs' })
      .positional('shards', { type: 'string', array: true, describe: 'with `merge`: the sweep.json of every shard' })
      .option('grid', { type: 'string', describe: 'a sweep file (JSON or YAML: model, axes, fixed, objectives); flags add to it' })
      .option('config', { type: 'string', describe: 'JSON chip config every point starts from (see `hwsim config --print --json`)' })), 'run')), 'between runs and sweeps')
      .option('objectives', { type: 'string', describe: `figures the Pareto front minimises, a comma list of ${Object.keys(OBJECTIVES).join(', ')} (default ${DEFAULT_OBJECTIVES.join(',')})` })
      .option('workers', { type: 'number', describe: `worker threads (default: one per core, here ${availableParallelism()}; 1 runs in this thread)` })
      .option('shard', { type: 'string', describe: 'run only slice i of n (i/n, 1-based): for splitting a sweep over machines; join with `hwsim sweep merge`' })
      .option('out', { type: 'string', default: 'hwsim-sweep', describe: 'directory for sweep.csv and sweep.json (shard i/n: sweep-<i>-of-<n>.*)' })
      .option('partial', { type: 'boolean', default: false, describe: 'with `merge`: merge the shards given even if some are missing' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' })
      .example('$0 sweep resnet50 --states 32,64,128,256 --decoders 1,2,4,8,16 --dram-bw 1,2,4,8,16', '400 points')
      .example('$0 sweep mobilenetv2 --mac 8x8,16x16,32x32 --fifo-depth 16,64,256 --objectives latency,memory', 'a chip grid')
      .example('$0 sweep --grid sweep.yaml resnet50 --shard 3/8 --out shards', 'slice 3 of 8 (e.g. one task of a Slurm array)')
      .example('$0 sweep merge shards/sweep-*-of-8.json --out all', 'join the shards'),
    async (argv) => {
      const out = oneString(argv.out, '--out');
      if (argv.model === 'merge') {
        const files = (argv.shards ?? []).map(String);
        const given = [...sweepableFlags().keys()].filter((f) => argv[f] !== undefined);
        if (given.length || argv.grid || argv.shard) {
          throw new HwsimError(`sweep merge takes shard files only (${[...given.map((f) => `--${f}`), argv.grid ? '--grid' : '', argv.shard ? '--shard' : ''].filter(Boolean).join(', ')} given)`,
            'hwsim sweep merge a.json b.json ... --out dir');
        }
        if (files.length === 0) throw new HwsimError('sweep merge needs the sweep.json of every shard', 'hwsim sweep merge shards/sweep-*-of-4.json --out all');
        const merged = mergeSweeps(files.map((path) => ({ path, result: readSweepJson(path) })), argv.partial);
        process.stdout.write(summary(merged, writeResult(merged, out, 'sweep')));
        return;
      }
      if (argv.shards?.length) {
        throw new HwsimError(`hwsim sweep takes one model (also given: ${argv.shards.join(' ')})`, 'name one model; `hwsim sweep merge ...` joins shard files');
      }
      if (argv.partial) throw new HwsimError('--partial applies to `hwsim sweep merge` only', 'leave it out');
      applyLimitFlags(argv, 'run');
      const flagGrid = gridFromFlags(argv.model, argv);
      let grid: SweepGrid = flagGrid;
      let objectives = argv.objectives === undefined ? undefined : parseObjectives(String(argv.objectives).split(','));
      if (argv.grid) {
        const file = readSweepFile(String(argv.grid));
        if (file.grid.model !== argv.model) {
          throw new HwsimError(`the sweep file ${argv.grid} is for ${file.grid.model}, the command line names ${argv.model}`, `run hwsim sweep ${file.grid.model} --grid ${argv.grid}`);
        }
        grid = mergeGrids(file.grid, flagGrid, String(argv.grid));
        if (file.objectives) {
          if (objectives) throw new HwsimError(`objectives are set both in ${argv.grid} and by --objectives`, 'set them in one place');
          objectives = parseObjectives(file.objectives);
        }
      }
      const workers = argv.workers ?? availableParallelism();
      if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
        throw new HwsimError(`--workers ${workers} is not an integer 1..256`, `give --workers 1..256 (default ${availableParallelism()}, one per core)`);
      }
      const shard = argv.shard === undefined ? undefined : parseShard(String(argv.shard));
      if (shard && shard.count > pointCount(grid)) {
        throw new HwsimError(`--shard ${shard.index}/${shard.count}: the grid has only ${pointCount(grid)} points`, `cut it into at most ${pointCount(grid)} shards`);
      }
      if (grid.axes.length === 0) {
        throw new HwsimError('the grid has no axis: every setting has one value, so there is one design point',
          'give a flag a comma list of values (e.g. --states 32,64 or --dram-bw 1,2,4), or use hwsim run for one point');
      }
      const progress = new Progress({ quiet: argv.quiet });
      let result: SweepResult;
      try {
        result = await runSweep({
          grid, configPath: argv.config, load: modelOptionsFrom(argv), limits: { ...limits() }, objectives: objectives ?? [...DEFAULT_OBJECTIVES], shard, workers,
          cacheDir: cacheDirFrom(argv), simulation: argv.sim,
          onProgress: (m: string, w?: Work) => progress.update(m, w),
        });
      } finally {
        progress.done();
      }
      const stem = shard && shard.count > 1 ? `sweep-${shard.index}-of-${shard.count}` : 'sweep';
      process.stdout.write(summary(result, writeResult(result, out, stem)));
    },
  ),
};
