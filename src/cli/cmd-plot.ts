/**
 * `hwsim plot <sweep.json | sweep.csv>`: SVG pictures of a sweep (src/plot/sweep-plots.ts): latency
 * vs on-chip memory with the Pareto front, latency vs DRAM bandwidth per state count with int8,
 * and (from a sweep.json) per-layer stall causes of one design point.
 */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { HwsimError } from '../errors.js';
import { latencyVsBandwidth, latencyVsMemory, layerStalls } from '../plot/sweep-plots.js';
import { readSweepCsv, readSweepJson, recordsOf, type SweepRecord } from '../sweep/sweep-output.js';
import type { SweepResult } from '../sweep/run-sweep.js';
import type { CliCommand } from './main.js';
import { ensureDirectory, oneString, writeOutput } from '../io/output.js';

export const command: CliCommand = {
  register: (y: Argv) => y.command(
    'plot <sweep>',
    'draw a sweep as SVG: latency vs on-chip memory (Pareto front), latency vs DRAM bandwidth, per-layer stalls',
    (c) => c
      .positional('sweep', { type: 'string', demandOption: true, describe: 'sweep.json or sweep.csv written by hwsim sweep (the per-layer plot needs the JSON)' })
      .option('out', { type: 'string', default: 'hwsim-plots', describe: 'directory for the SVG files' })
      .option('point', { type: 'number', describe: 'design point (index) of the per-layer stall plot (default: the fastest Pareto point)' })
      .example('$0 plot hwsim-sweep/sweep.json', 'all three plots into hwsim-plots/')
      .example('$0 plot sweep.csv --out figs', 'the two grid plots from the CSV'),
    (argv) => {
      const path = argv.sweep;
      const out = oneString(argv.out, '--out');
      let result: SweepResult | undefined;
      let records: SweepRecord[];
      let model: string;
      if (/\.json$/i.test(path)) {
        result = readSweepJson(path);
        records = recordsOf(result);
        model = result.model.name;
      } else if (/\.csv$/i.test(path)) {
        records = readSweepCsv(path);
        model = String(records[0]?.model ?? 'sweep');
      } else {
        throw new HwsimError(`${path}: give a sweep.json or sweep.csv`, 'hwsim plot hwsim-sweep/sweep.json');
      }
      if (records.length === 0) throw new HwsimError(`${path} has no design points`, 'run hwsim sweep with at least one point');
      if (argv.point !== undefined && !result) throw new HwsimError('--point needs the sweep.json (the CSV has no per-layer figures)', `give ${path.replace(/\.csv$/i, '.json')}`);
      ensureDirectory(out, '--out');
      const written: string[] = [];
      const write = (name: string, svg: string) => {
        const f = join(out, name);
        writeOutput(f, svg);
        written.push(f);
      };
      write('latency-vs-memory.svg', latencyVsMemory(records, model));
      const bw = latencyVsBandwidth(records, model);
      if (bw) write('latency-vs-bandwidth.svg', bw);
      else process.stdout.write('latency-vs-bandwidth.svg: skipped, the sweep has one DRAM bandwidth (sweep --dram-bw a,b,...)\n');
      if (result) {
        const front = result.rows.filter((r) => r.pareto).sort((a, b) => a.figures.latency_cycles - b.figures.latency_cycles);
        const row = argv.point === undefined ? front[0] ?? result.rows[0] : result.rows.find((r) => r.index === argv.point);
        if (!row) {
          throw new HwsimError(`--point ${argv.point}: the sweep has no design point ${argv.point}`,
            `give one of its indices (${result.rows.slice(0, 8).map((r) => r.index).join(', ')}${result.rows.length > 8 ? ', …' : ''})`);
        }
        write(`layer-stalls-point-${row.index}.svg`, layerStalls(row, model));
      } else {
        process.stdout.write('layer-stalls: skipped, the CSV has no per-layer figures (give the sweep.json)\n');
      }
      for (const f of written) process.stdout.write(`wrote ${f}\n`);
    },
  ),
};
