/** `hwsim eval`: top-1 of a LeNet (trained fixture, .safetensors or .hwz image) on the MNIST test digits. */
import type { CliCommand } from './main.js';
import { oneString, oneSwitch } from '../io/output.js';
import { accuracy } from '../train/lenet.js';
import { loadMnist } from '../train/mnist.js';
import { resolveLenet } from '../train/resolve.js';

export const command: CliCommand = {
  register: (y) => y.command(
    'eval <model>',
    'top-1 accuracy of a LeNet on the MNIST test digits (the same code before and after compression)',
    (c) => c.positional('model', { type: 'string', demandOption: true, describe: 'lenet-300-100 or lenet-5 (trained fixtures), a .safetensors of one, or a .hwz image of one' })
      .option('data', { type: 'string', choices: ['mnist'], default: 'mnist', describe: 'test set: the 2,004 test digits of the mnist package (docs/DEEPSZ.md)' })
      .option('dense', { type: 'boolean', default: false, describe: 'with a LeNet name: the dense trained model instead of the pruned one' })
      .option('biases', { type: 'string', describe: 'with a .hwz: the .safetensors the biases come from (default: the pruned fixture)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 eval lenet-300-100', 'the pruned, fine-tuned fixture')
      .example('$0 eval l300.hwz', 'an image written by hwsim deepsz or encode'),
    (argv) => {
      const model = oneString(argv.model, 'the model');
      const json = oneSwitch(argv.json, '--json');
      const r = resolveLenet(model, { variant: oneSwitch(argv.dense, '--dense') ? 'dense' : 'pruned', biases: argv.biases as string | undefined });
      const { test } = loadMnist();
      const top1 = accuracy(r.net, test);
      const correct = Math.round(top1 * test.count);
      if (json) {
        process.stdout.write(JSON.stringify({ model: r.net.name, source: r.source, biases: r.biases ?? null, data: 'mnist', testDigits: test.count, correct, top1 }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`${r.net.name} from ${r.source}${r.biases ? ` (biases from ${r.biases})` : ''}\n` +
        `top-1 ${(100 * top1).toFixed(2)} % (${correct} of ${test.count} mnist test digits)\n`);
    },
  ),
};
