/**
 * Energy per inference and DRAM timing of ResNet-50 and MobileNetV2 at L = 64 and 256, on the
 * default chip and on a 32×32 array with 2 B/cycle of DRAM, each with the simple and the
 * LPDDR4-3200 x16 DRAM: the figures of docs/ENERGY.md and docs/hw/dram.md.
 *
 *   npx tsc -p . && node dist/bench/energy-figures.js [--mobilenet PATH] [--json]
 *
 * MobileNetV2 is the fetched nsfwjs model (.cache/models/nsfwjs-mobilenet_v2/model.json, from
 * scripts/fetch-models.sh) when present, else the zoo's `mobilenetv2`. Prints `uptime` before and
 * the wall time of each run (one run each: the figures are simulated, not timed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolveChipConfig, type ChipFlags } from '../src/chip/config.js';
import { loadModel } from '../src/models/load.js';
import type { RunReport } from '../src/report/run-figures.js';
import { runModel } from '../src/run.js';
import { runIfEntry } from './entry.js';

const NSFW = '.cache/models/nsfwjs-mobilenet_v2/model.json';

interface Row {
  model: string; chip: string; states: number; dram: string; wallSeconds: number;
  cycles: { tans: number; int8: number }; latencyMs: { tans: number; int8: number };
  energyMj: { tans: number; int8: number }; dramShare: { tans: number; int8: number }; edpUjS: { tans: number; int8: number };
  dramWeightsUj: { tans: number; int8: number }; decoderUj: number; saved: number;
  rowHitRate: { tans: number | null; int8: number | null };
}

function rowOf(model: string, chip: string, states: number, dram: string, r: RunReport, wallSeconds: number): Row {
  const e = r.energy;
  return {
    model, chip, states, dram, wallSeconds,
    cycles: { tans: r.tans.cycles, int8: r.int8.cycles },
    latencyMs: { tans: r.tans.latencyMs, int8: r.int8.latencyMs },
    energyMj: { tans: e.tans.totalPj / 1e9, int8: e.int8.totalPj / 1e9 },
    dramShare: { tans: e.tans.dramShare, int8: e.int8.dramShare },
    edpUjS: { tans: e.tans.edpJs * 1e6, int8: e.int8.edpJs * 1e6 },
    dramWeightsUj: { tans: e.tans.pj.dramWeights / 1e6, int8: e.int8.pj.dramWeights / 1e6 },
    decoderUj: (e.tans.pj.decoderTable + e.tans.pj.decoderState + e.tans.pj.dequant) / 1e6,
    saved: e.saved,
    rowHitRate: { tans: r.dramModel.tans?.hitRate ?? null, int8: r.dramModel.int8?.hitRate ?? null },
  };
}

async function main(argv: string[]): Promise<void> {
  const mi = argv.indexOf('--mobilenet');
  const mobilenet = mi >= 0 ? argv[mi + 1] : existsSync(NSFW) ? NSFW : 'mobilenetv2';
  process.stdout.write(`uptime: ${execFileSync('uptime').toString().trim()}\n`);
  const chips: [string, ChipFlags][] = [['default', {}], ['32x32, 2 B/cycle', { mac: '32x32', dramBw: 2 }]];
  const rows: Row[] = [];
  for (const name of ['resnet50', mobilenet]) {
    const model = loadModel(name);
    for (const states of [64, 256]) {
      for (const [chipName, flags] of chips) {
        for (const dram of ['simple', 'lpddr4-3200-x16']) {
          const chip = resolveChipConfig({ ...flags, dram });
          const t0 = performance.now();
          const { report } = await runModel(model, { states, streams: chip.decoders }, { chip });
          rows.push(rowOf(model.name, chipName, states, dram, report, (performance.now() - t0) / 1000));
          const r = rows[rows.length - 1];
          if (!argv.includes('--json')) {
            const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
            process.stdout.write(`${r.model.padEnd(12)} ${chipName.padEnd(17)} L=${String(states).padEnd(4)} ${dram.padEnd(16)} ` +
              `cycles ${r.cycles.tans} / int8 ${r.cycles.int8}; energy ${r.energyMj.tans.toFixed(3)} / ${r.energyMj.int8.toFixed(3)} mJ (saved ${pct(r.saved)}), ` +
              `DRAM ${pct(r.dramShare.tans)} / ${pct(r.dramShare.int8)}, EDP ${r.edpUjS.tans.toFixed(2)} / ${r.edpUjS.int8.toFixed(2)} uJ*s; ` +
              `row hits ${pct(r.rowHitRate.tans)} / ${pct(r.rowHitRate.int8)}; ${r.wallSeconds.toFixed(1)} s\n`);
          }
        }
      }
    }
  }
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
}

runIfEntry(import.meta.url, (argv) => { void main(argv); });
