/**
 * `hwsim deepsz`: DeepSZ on a LeNet: error-bound assessment per FC layer with the test top-1 in
 * the loop, the bounds chosen by DP under a loss budget, and the .hwz image written (FC layers
 * sz, conv layers as `hwsim encode` codes them) for decode, inspect, run and eval.
 */
import type { CliCommand } from './main.js';
import { HwsimError } from '../errors.js';
import { writeContainer } from '../codecs/container.js';
import { decodeContainer } from '../codecs/model-image.js';
import { checkErrorBound } from '../codecs/sz/lossy.js';
import { existsSync } from 'node:fs';
import { loadModel } from '../models/load.js';
import { fixed, textTable } from '../report/text-table.js';
import { lenetModel } from '../train/fixtures.js';
import { assess, checkBudget, DEFAULT_BOUNDS, deepsz, fcLayerNames } from '../train/deepsz.js';
import { loadMnist } from '../train/mnist.js';
import { resolveLenet } from '../train/resolve.js';
import { oneString, oneSwitch, refuseInputAsOutput, writeOutput } from '../io/output.js';

/** '0.3%' → 0.003; a bare number is a fraction (0.003). */
export function parseBudget(text: string): number {
  const t = text.trim();
  const pct = t.endsWith('%');
  const v = Number(pct ? t.slice(0, -1) : t);
  if (t === '' || t === '%' || !Number.isFinite(v)) {
    throw new HwsimError(`--loss-budget ${JSON.stringify(text)} is not a number`, 'give a percentage such as 0.3% (or the fraction 0.003)');
  }
  const fraction = pct ? v / 100 : v;
  checkBudget(fraction);
  return fraction;
}

function parseBounds(text: string | undefined): number[] {
  if (text === undefined) return [...DEFAULT_BOUNDS];
  const list = text.split(',').map((s) => s.trim());
  return list.map((s) => {
    const v = Number(s);
    if (s === '' || !Number.isFinite(v)) throw new HwsimError(`--bounds: ${JSON.stringify(s)} is not a number`, 'give a comma list of error bounds, e.g. --bounds 1e-3,5e-3,9e-3');
    checkErrorBound(v);
    return v;
  });
}

/** A model that is not a LeNet: its FC layers are checked first, so that the error says what is missing. */
function refuseOther(arg: string): never {
  let fc: string[] | undefined;
  try {
    const m = loadModel(arg, { topology: true });
    fc = fcLayerNames(m);
  } catch (err) {
    if (!(err instanceof HwsimError)) throw err;
  }
  if (fc && fc.length === 0) throw new HwsimError(`${arg} has no FC layers: DeepSZ prunes and codes fully connected layers`, 'give a model with FC layers (lenet-300-100, lenet-5)');
  throw new HwsimError(`deepsz needs a model it can evaluate: ${arg} is not a trained LeNet`,
    existsSync(arg) || fc ? `give lenet-300-100, lenet-5 or a .safetensors of one; for any other model, \`hwsim encode ${arg} --codec sz --error-bound 0.005 --sparsity 0.9\` codes its FC layers at a fixed bound`
      : 'give lenet-300-100, lenet-5 or a .safetensors of one');
}

export const command: CliCommand = {
  register: (y) => y.command(
    'deepsz <model>',
    'DeepSZ: per-FC-layer error bounds chosen by accuracy under a loss budget; writes the .hwz',
    (c) => c.positional('model', { type: 'string', demandOption: true, describe: 'lenet-300-100 or lenet-5 (trained, pruned fixtures) or a .safetensors of one' })
      .option('loss-budget', { type: 'string', default: '0.3%', describe: 'top-1 accuracy the FC layers may lose together, in (0, 100 %): 0.3% or 0.003' })
      .option('bounds', { type: 'string', describe: 'candidate error bounds, a comma list (default: 13 log-spaced from 1e-4 to 1e-1)' })
      .option('sparsity', { type: 'number', describe: "prune every FC layer to this fraction in [0, 1) (default: each layer's own zeros, the pruned fixture's)" })
      .option('dense', { type: 'boolean', default: false, describe: 'with a LeNet name: start from the dense model (give --sparsity)' })
      .option('data', { type: 'string', choices: ['mnist'], default: 'mnist', describe: 'the data the accuracy is measured on' })
      .option('output', { alias: 'o', type: 'string', describe: 'the .hwz file to write' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON (assessment, choice, figures)' })
      .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'print each assessment point on stderr' })
      .example('$0 deepsz lenet-300-100 --loss-budget 0.3% -o l300.hwz', 'then: hwsim eval l300.hwz; hwsim run l300.hwz'),
    (argv) => {
      const arg = oneString(argv.model, 'the model');
      const budget = parseBudget(oneString(argv['loss-budget'], '--loss-budget'));
      const bounds = parseBounds(argv.bounds as string | undefined);
      const sparsity = argv.sparsity as number | undefined;
      // checked before any data is read, so a mistake is named whatever else is missing
      if (sparsity !== undefined && !(sparsity >= 0 && sparsity < 1)) {
        throw new HwsimError(`--sparsity ${sparsity} is outside [0, 1)`, 'give the fraction of FC weights to prune, e.g. --sparsity 0.9');
      }
      const output = argv.output === undefined ? undefined : oneString(argv.output, '--output');
      if (output) refuseInputAsOutput(output, [arg]);
      const json = oneSwitch(argv.json, '--json');
      let resolved;
      try {
        resolved = resolveLenet(arg, { variant: oneSwitch(argv.dense, '--dense') ? 'dense' : 'pruned' });
      } catch (err) {
        if (err instanceof HwsimError && !/\.(safetensors|hwz)$/i.test(arg)) refuseOther(arg);
        throw err;
      }
      if (/\.hwz$/i.test(arg)) throw new HwsimError(`${arg} is already an image`, 'give the LeNet itself (lenet-300-100, lenet-5 or a .safetensors)');
      const { net } = resolved;
      const model = lenetModel(net, resolved.source);
      const { test } = loadMnist();
      const log = argv.verbose ? (s: string) => process.stderr.write(s + '\n') : undefined;
      const assessment = assess(net, test, { bounds, sparsity, log });
      const r = deepsz(net, model, test, budget, assessment);
      const bytes = writeContainer(r.image);
      // what is reported about the file is read back from its bytes
      decodeContainer(bytes, output ?? 'the image');
      if (output) writeOutput(output, bytes, { inputs: [arg] });
      if (json) {
        const { image: _image, ...rest } = r;
        void _image;
        process.stdout.write(JSON.stringify({ ...rest, imageBytes: bytes.length, output: output ?? null }, null, 2) + '\n');
        return;
      }
      const rows = r.layers.map((l) => [l.name, fixed(100 * l.sparsity, 1) + ' %', l.eb.toPrecision(3), l.valueBytes,
        `${l.indexBytes} (raw ${l.indexRawBytes}, tANS ${l.indexTansBytes})`, l.bytes, fixed(l.ratio, 1) + '×', l.predictedLoss]);
      rows.push(['FC total', '', '', r.layers.reduce((a, l) => a + l.valueBytes, 0), r.layers.reduce((a, l) => a + l.indexBytes, 0), r.fcBytes, fixed(r.ratio, 1) + '×', r.choice.loss]);
      const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
      process.stdout.write(
        `${net.name} from ${resolved.source}; ${test.count} mnist test digits; loss budget ${+(100 * budget).toPrecision(6)} % = ${r.budgetSamples} digits\n\n` +
        textTable(['layer', 'sparsity', 'bound', 'values B', 'index B', 'layer B', 'ratio', 'loss (digits)'], rows) +
        `\n\nFC layers: ${r.fcDenseBytes.toLocaleString('en-US')} B float32 → ${r.fcBytes.toLocaleString('en-US')} B (headers included): ${fixed(r.ratio, 1)}×\n` +
        `top-1: ${pct(r.top1Before)} before, ${pct(r.top1After)} with every FC layer decoded (budget ${+(100 * budget).toPrecision(6)} %, ` +
        `measured loss ${pct(r.top1Before - r.top1After)}${r.tightened ? `; the one-layer losses added up to less than the joint loss, so the DP ran on a budget ${r.tightened} digit(s) smaller` : ''})\n` +
        `assessment: ${assessment.layers.length} layers × ${bounds.length} bounds in ${r.assessment.seconds.toFixed(1)} s; ` +
        `optimizer: DP ${r.dpMs.toFixed(3)} ms, brute force ${r.bruteMs.toFixed(3)} ms (same bytes: ${r.bruteBytes === r.choice.bytes ? 'yes' : 'NO'})\n` +
        (output ? `wrote ${output} (${bytes.length.toLocaleString('en-US')} B)\n` : ''));
    },
  ),
};
