/** `hwsim decode`: bit-exact decode of a .hwz image to quantized levels and dequantized weights. */
import { statSync } from 'node:fs';
import { decodeContainer } from '../codecs/model-image.js';
import { HwsimError } from '../errors.js';
import { npyBytes } from '../io/npy-write.js';
import { METADATA_KEY, safetensorsBytes, safetensorsNames, type NamedTensor } from '../io/safetensors-write.js';
import type { CliCommand } from './main.js';
import { resetLimits } from '../limits.js';
import { oneString, readInput, refuseInputAsOutput, writeOutput } from '../io/output.js';

/**
 * Output names for layer names, two per layer (`<x>.q` for the levels, `<x>` for the values).
 * Layer names are data: `map` turns a name into what the format allows (npy: a file-name part),
 * and a name whose pair would collide with an earlier layer's, or with a reserved name, gets the
 * suffix `~2`, `~3`, ... (the first free one). `fold` says which names collide (file names on a
 * case-insensitive disk).
 */
export function outputNames(layers: readonly string[], map: (name: string) => string,
  reserved: readonly string[] = [], fold: (s: string) => string = (s) => s): { base: string; escaped: boolean }[] {
  const used = new Set(reserved.map(fold));
  return layers.map((name) => {
    const mapped = map(name);
    let base = mapped;
    for (let k = 2; used.has(fold(`${base}.q`)) || used.has(fold(base)); k++) base = `${mapped}~${k}`;
    used.add(fold(`${base}.q`));
    used.add(fold(base));
    return { base, escaped: base !== name };
  });
}

/** A layer name as part of a file name: anything but letters, digits, `_`, `.`, `-` becomes `_`. */
const fileNamePart = (name: string) => name.replace(/[^\w.-]/g, '_');

export const command: CliCommand = {
  register: (y) => y.command(
    'decode <file>',
    'decode a .hwz image to quantized int8 levels and dequantized float32 weights',
    (c) => c.positional('file', { type: 'string', demandOption: true, describe: 'a .hwz image' })
      .option('output', {
        alias: 'o', type: 'string', demandOption: true,
        describe: 'out.safetensors (tensors <layer>.q int8 and <layer> float32) or out.npy (two .npy files per layer: ' +
          'out.<layer>.q.npy, out.<layer>.npy; characters other than letters, digits, _ . - become _). A layer whose ' +
          'names would collide with an earlier layer\'s or with __metadata__ gets the suffix ~2, ~3, ...',
      }),
    (argv) => {
      resetLimits(); // the default limits: nothing leaks from an earlier call in this process
      const file = oneString(argv.file, 'the .hwz file');
      const out = oneString(argv.output, '--output');
      const npy = out.endsWith('.npy');
      if (!npy && !out.endsWith('.safetensors')) throw new HwsimError(`cannot tell the output format of '${out}'`, 'name it *.safetensors or *.npy');
      refuseInputAsOutput(out, [file]);
      const { image, layers } = decodeContainer(readInput(file), file);
      const names = outputNames(layers.map((l) => l.name), npy ? fileNamePart : (s) => s,
        npy ? [] : [METADATA_KEY], npy ? (s) => s.toLowerCase() : undefined);
      const written: string[] = [];
      if (!npy) {
        const tensors: NamedTensor[] = layers.flatMap((l, i) => [
          { name: `${names[i].base}.q`, data: l.levels, shape: l.shape },
          { name: names[i].base, data: l.values, shape: l.shape },
        ]);
        const bytes = safetensorsBytes(tensors, { source: 'hwsim decode', model: String(image.model.name) });
        // every layer read is in the file: two distinct tensors each
        const inFile = new Set(safetensorsNames(bytes));
        if (inFile.size !== 2 * layers.length) {
          throw new Error(`internal: ${inFile.size} tensors for ${layers.length} layers in ${out}`);
        }
        writeOutput(out, bytes, { inputs: [file] });
        written.push(out);
      } else {
        const base = out.slice(0, -4);
        const paths = names.flatMap((n) => [`${base}.${n.base}.q.npy`, `${base}.${n.base}.npy`]);
        for (const p of paths) refuseInputAsOutput(p, [file]);
        layers.forEach((l, i) => {
          writeOutput(paths[2 * i], npyBytes(l.levels, l.shape));
          writeOutput(paths[2 * i + 1], npyBytes(l.values, l.shape));
        });
        // every layer read has its two files, each its own
        const files = new Set(paths.map((p) => { try { const s = statSync(p); return `${s.dev}:${s.ino}`; } catch { return undefined; } }));
        files.delete(undefined);
        if (files.size !== 2 * layers.length) {
          throw new HwsimError(`wrote ${files.size} distinct files for ${layers.length} layers (${2 * layers.length} expected): some layers' files overwrote others`,
            'decode to .safetensors, or report the layer names');
        }
        written.push(...paths);
      }
      const weights = layers.reduce((a, l) => a + l.symbols.length, 0);
      const escaped = names.map((n, i) => ({ ...n, name: layers[i].name })).filter((n) => n.escaped && (!npy || n.base !== fileNamePart(n.name)));
      process.stdout.write(`decoded ${layers.length} layers, ${weights.toLocaleString('en-US')} weights, all checks passed\n` +
        (escaped.length ? `${escaped.length} layer name${escaped.length > 1 ? 's' : ''} made unique: ` +
          `${escaped.slice(0, 4).map((n) => `'${n.name}' → '${n.base}'`).join(', ')}${escaped.length > 4 ? ', ...' : ''}\n` : '') +
        `wrote ${written.length === 1 ? written[0] : `${written.length} files (${written[0]}, ...)`}\n`);
    },
  ),
};
