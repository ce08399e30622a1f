/** `hwsim decode`: bit-exact decode of a .hwz image to quantized levels and dequantized weights. */
import { decodeContainer } from '../codecs/model-image.js';
import { HwsimError } from '../errors.js';
import { npyBytes } from '../io/npy-write.js';
import { safetensorsBytes, type NamedTensor } from '../io/safetensors-write.js';
import type { CliCommand } from './main.js';
import { readInput, writeOutput } from './output.js';

export const command: CliCommand = {
  register: (y) => y.command(
    'decode <file>',
    'decode a .hwz image to quantized int8 levels and dequantized float32 weights',
    (c) => c.positional('file', { type: 'string', demandOption: true, describe: 'a .hwz image' })
      .option('output', {
        alias: 'o', type: 'string', demandOption: true,
        describe: 'out.safetensors (tensors <layer>.q int8 and <layer> float32) or out.npy (two .npy files per layer: out.<layer>.q.npy, out.<layer>.npy)',
      }),
    (argv) => {
      const { image, layers } = decodeContainer(readInput(argv.file), argv.file);
      const decoded = { meta: image.model, layers };
      const out = argv.output;
      const written: string[] = [];
      if (out.endsWith('.safetensors')) {
        const tensors: NamedTensor[] = decoded.layers.flatMap((l) => [
          { name: `${l.name}.q`, data: l.levels, shape: l.shape },
          { name: l.name, data: l.values, shape: l.shape },
        ]);
        writeOutput(out, safetensorsBytes(tensors, { source: 'hwsim decode', model: String(decoded.meta.name) }));
        written.push(out);
      } else if (out.endsWith('.npy')) {
        const base = out.slice(0, -4);
        for (const l of decoded.layers) {
          const safe = l.name.replace(/[^\w.-]/g, '_');
          writeOutput(`${base}.${safe}.q.npy`, npyBytes(l.levels, l.shape));
          writeOutput(`${base}.${safe}.npy`, npyBytes(l.values, l.shape));
          written.push(`${base}.${safe}.q.npy`, `${base}.${safe}.npy`);
        }
      } else {
        throw new HwsimError(`cannot tell the output format of '${out}'`, 'name it *.safetensors or *.npy');
      }
      const weights = decoded.layers.reduce((a, l) => a + l.symbols.length, 0);
      process.stdout.write(`decoded ${decoded.layers.length} layers, ${weights.toLocaleString('en-US')} weights, all checks passed\n` +
        `wrote ${written.length === 1 ? written[0] : `${written.length} files (${written[0]}, ...)`}\n`);
    },
  ),
};
