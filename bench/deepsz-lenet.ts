/**
 * DeepSZ on the project's trained LeNets (test/fixtures/lenet/): FC compression ratio and top-1
 * before/after at loss budgets 0.1 %, 0.3 %, 1 % (the paper: LeNet-300-100 55.8×, LeNet-5 57.3×),
 * index arrays raw vs tANS, bits per value of the lossy coder at eb = 1e-3, 5e-3, 9e-3, and the
 * DP's time against brute force. One assessment per network serves all budgets.
 *
 *   npx tsc -p . && node dist/bench/deepsz-lenet.js [lenet-300-100|lenet-5 ...] [--json]
 *
 * Needs the mnist digits (bash scripts/fetch-mnist.sh). Times are medians of 5 runs.
 */
import { execSync } from 'node:child_process';
import { encodeSzLayer } from '../src/codecs/sz/index.js';
import { loadLenet, lenetModel, fixturePath } from '../src/train/fixtures.js';
import { assess, deepsz, layerSparsity } from '../src/train/deepsz.js';
import { accuracy, LENETS, type LenetName } from '../src/train/lenet.js';
import { loadMnist } from '../src/train/mnist.js';
import { runIfEntry } from './entry.js';

const BUDGETS = [0.001, 0.003, 0.01];
const BOUNDS_FOR_BITS = [1e-3, 5e-3, 9e-3];
const PAPER: Record<LenetName, number> = { 'lenet-300-100': 55.8, 'lenet-5': 57.3 };

function main(argv: string[]): void {
  const json = argv.includes('--json');
  const names = (argv.filter((a) => !a.startsWith('--')) as LenetName[]);
  const { test } = loadMnist();
  const out: unknown[] = [];
  const load = execSync('uptime').toString().trim();
  for (const name of names.length ? names : [...LENETS]) {
    const net = loadLenet(name, 'pruned');
    const dense = loadLenet(name, 'dense');
    const model = lenetModel(net, fixturePath(name, 'pruned'));
    const assessment = assess(net, test);
    const bits = model.layers.filter((l) => l.spec.kind === 'fc').map((l) => ({
      layer: l.spec.name,
      perBound: BOUNDS_FOR_BITS.map((eb) => {
        const { stats } = encodeSzLayer(l.weights, l.spec.weightShape, { errorBound: eb, sparsity: layerSparsity(l.weights) });
        return { eb, values: stats.values, escapes: stats.escapes, valueBitsPerValue: (8 * stats.valueBytes) / stats.values,
          indexRawBitsPerValue: (8 * stats.indexRawBytes) / stats.values, indexTansBitsPerValue: (8 * stats.indexTansBytes) / stats.values };
      }),
    }));
    const budgets = BUDGETS.map((b) => {
      const r = deepsz(net, model, test, b, assessment);
      return {
        budgetPct: 100 * b, budgetDigits: r.budgetSamples, tightened: r.tightened, ratio: r.ratio, paperRatio: PAPER[name],
        fcBytes: r.fcBytes, fcDenseBytes: r.fcDenseBytes, top1Before: r.top1Before, top1After: r.top1After,
        indexRawBytes: r.layers.reduce((a, l) => a + l.indexRawBytes, 0), indexTansBytes: r.layers.reduce((a, l) => a + l.indexTansBytes, 0),
        valueBytes: r.layers.reduce((a, l) => a + l.valueBytes, 0),
        bounds: Object.fromEntries(r.layers.map((l) => [l.name, l.eb])), dpMs: r.dpMs, bruteMs: r.bruteMs, sameBytes: r.bruteBytes === r.choice.bytes,
      };
    });
    const denseTop1 = accuracy(dense, test);
    out.push({ name, denseTop1, prunedTop1: assessment.baselineCorrect / assessment.testCount, assessmentSeconds: assessment.seconds, bits, budgets });
    if (!json) {
      console.log(`\n${name}: dense top-1 ${(100 * denseTop1).toFixed(2)} %, pruned + fine-tuned ${(100 * assessment.baselineCorrect / assessment.testCount).toFixed(2)} % (${test.count} test digits); assessment ${assessment.seconds.toFixed(1)} s`);
      for (const b of budgets) {
        console.log(`  budget ${b.budgetPct} % (${b.budgetDigits} digits${b.tightened ? `, DP budget tightened by ${b.tightened}` : ''}): FC ${b.fcDenseBytes} B → ${b.fcBytes} B = ${b.ratio.toFixed(1)}× (paper ${b.paperRatio}×); ` +
          `top-1 ${(100 * b.top1Before).toFixed(2)} → ${(100 * b.top1After).toFixed(2)} %; values ${b.valueBytes} B, index raw ${b.indexRawBytes} B vs tANS ${b.indexTansBytes} B; ` +
          `bounds ${JSON.stringify(b.bounds)}; DP ${b.dpMs.toFixed(3)} ms vs brute force ${b.bruteMs.toFixed(3)} ms (same bytes: ${b.sameBytes})`);
      }
      for (const l of bits) {
        console.log(`  ${l.layer}: ` + l.perBound.map((p) => `eb ${p.eb}: ${p.valueBitsPerValue.toFixed(2)} bits/value (${p.escapes} escapes of ${p.values}), index ${p.indexRawBitsPerValue.toFixed(2)} raw / ${p.indexTansBitsPerValue.toFixed(2)} tANS bits/value`).join('; '));
      }
    }
  }
  if (json) console.log(JSON.stringify({ load, results: out }, null, 2));
  else console.log(`\nload: ${load}`);
}

runIfEntry(import.meta.url, main);
