/**
 * Where each codec wins under activation sparsity (docs/hw/wm-query-unit.md): whole networks on
 * the default chip (or `--dram-bw B`), coded tans, wm, wm with every layer element-wise
 * (`--wm-fpr-threshold 1e9`: random access in convolutions too) and auto (bytes), at --act-sparsity 0, 0.5
 * and 0.9: latency (cycles), compute cycles, weight DRAM bytes, the largest decoder memory of a
 * layer (tANS tables; the wm unit's payload buffer, cursors and registers), the sparsity path's
 * counters (tANS symbols decoded but dropped; wm random accesses and rank-cache misses).
 *
 *   npx tsc -p . && node dist/bench/wm-act-sparsity.js [lenet-300-100 lenet-5 mobilenetv2 resnet50] [--dram-bw 8]
 */
import { execSync } from 'node:child_process';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { runPipeline } from '../src/chip/pipeline.js';
import { chipLayers } from '../src/chip/simulate.js';
import { sourcesFor } from '../src/chip/sources.js';
import type { TansSource } from '../src/chip/tans-source.js';
import type { WmSource } from '../src/chip/wm-source.js';
import { readContainer, writeContainer } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { codecById } from '../src/codecs/registry.js';
import { loadZooModel } from '../src/models/zoo.js';
import { runIfEntry } from './entry.js';

function main(argv: string[]): void {
  const bwAt = argv.indexOf('--dram-bw');
  const dramBytesPerCycle = bwAt >= 0 ? Number(argv[bwAt + 1]) : DEFAULT_CHIP.dramBytesPerCycle;
  const names = argv.filter((a, i) => !a.startsWith('--') && (bwAt < 0 || i !== bwAt + 1));
  const models = names.length ? names : ['lenet-300-100', 'lenet-5', 'mobilenetv2', 'resnet50'];
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  console.log(`chip: default, --dram-bw ${dramBytesPerCycle}; weights: synthetic zoo (seed 1), default codec settings`);
  console.log('| model | codec | p | cycles | vs tans | compute | weight DRAM B | decoder memory B | tANS dropped | wm random (misses) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const name of models) {
    const model = loadZooModel(name, 1);
    const settings = [
      ['tans', { codec: 'tans' }], ['wm', { codec: 'wm' }], ['wm element-wise', { codec: 'wm', wmFprThreshold: 1e9 }], ['auto', { codec: 'auto' }],
    ] as const;
    const images = settings.map(([codec, opts]) => ({ codec, image: readContainer(writeContainer(encodeModel(model, opts)), name) }));
    for (const p of [0, 0.5, 0.9]) {
      const cfg: ChipConfig = { ...DEFAULT_CHIP, dramBytesPerCycle, actSparsity: p };
      let tansCycles = 0;
      for (const { codec, image } of images) {
        const src = sourcesFor(cfg, image);
        const r = runPipeline(cfg, chipLayers(image, cfg), src);
        if (codec === 'tans') tansCycles = r.totalCycles;
        const memory = Math.max(...image.layers.map((l) => codecById(l.codec).figures(l as never).tableBytes));
        const uses = (c: string) => image.layers.some((l) => l.codec === c);
        const tans = uses('tans') ? (src('tans') as TansSource).dropped.toLocaleString('en-US') : '-';
        const wm = uses('wm') ? src('wm') as WmSource : null;
        const compute = r.layers.reduce((a, l) => a + l.compute, 0);
        console.log(`| ${name} | ${codec} | ${p} | ${r.totalCycles.toLocaleString('en-US')} | ${(r.totalCycles / tansCycles).toFixed(3)} | ` +
          `${compute.toLocaleString('en-US')} | ${r.dramWeightBytes.toLocaleString('en-US')} | ${memory.toLocaleString('en-US')} | ${tans} | ` +
          `${wm ? `${wm.randomAccesses.toLocaleString('en-US')} (${wm.randomMisses.toLocaleString('en-US')})` : '-'} |`);
      }
    }
  }
}

runIfEntry(import.meta.url, main);
