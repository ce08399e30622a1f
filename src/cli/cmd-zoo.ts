/** `hwsim zoo`: the built-in networks, their layer counts and weights. */
import { zooDescription, zooGraph, zooNames, zooWeightCount } from '../models/zoo.js';
import type { CliCommand } from './main.js';
import { textTable } from '../report/text-table.js';

export const command: CliCommand = {
  register: (y) => y.command(
    'zoo',
    'list the built-in networks (exact layer shapes, seeded synthetic weights)',
    (c) => c.option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
    (argv) => {
      const rows = zooNames().map((name) => ({
        name, layers: zooGraph(name).length, weights: zooWeightCount(name), description: zooDescription(name),
      }));
      if (argv.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      process.stdout.write(textTable(['network', 'layers', 'weights', 'description'],
        rows.map((r) => [r.name, r.layers, r.weights.toLocaleString('en-US'), r.description])) +
        '\n\nweights are seeded synthetic (Laplace per layer, docs/MODELS.md), not trained weights\n');
    },
  ),
};
