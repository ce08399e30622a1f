/** `hwsim inspect`: decode and verify a .hwz image, report its figures per layer and in total. */
import { modelFigures, type ModelFigures } from '../codecs/inspect.js';
import { decodeContainer } from '../codecs/model-image.js';
import type { CliCommand } from './main.js';
import { resetLimits } from '../limits.js';
import { oneString, oneSwitch, readInput } from '../io/output.js';
import { fixed, percent, textTable } from '../report/text-table.js';

/** Which layers are raw and why: edge layers kept int8, and layers whose tANS record would be larger. */
function rawLines(layers: ModelFigures['layers']): string {
  const edge = layers.filter((l) => l.raw?.reason === 'edge').map((l) => l.name);
  const fell = layers.flatMap((l) => (l.raw?.reason === 'fallback' ? [`${l.name} (tANS ${l.raw.tansBytes} B > raw ${l.raw.rawBytes} B)`] : []));
  return (edge.length ? `raw edge layers (kept int8): ${edge.join(', ')}\n` : '') +
    (fell.length ? `raw fallbacks (tANS with its table would be larger than raw, so raw is kept): ${fell.join(', ')}\n` : 'no layer fell back to raw: every tANS record is smaller than raw\n');
}

export const command: CliCommand = {
  register: (y) => y.command(
    'inspect <file>',
    'verify a .hwz image and report bits/weight, entropy gap, table bytes and stream overhead',
    (c) => c.positional('file', { type: 'string', demandOption: true, describe: 'a .hwz image from `hwsim encode`' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of a table' }),
    (argv) => {
      resetLimits(); // the default limits: nothing leaks from an earlier call in this process
      const file = oneString(argv.file, 'the .hwz file');
      const json = oneSwitch(argv.json, '--json');
      const { image, layers } = decodeContainer(readInput(file), file);
      const figures = modelFigures(image, layers);
      if (json) {
        process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
        return;
      }
      const rows = figures.layers.map((l) => [
        l.name, l.codec, l.params, l.bins, l.states ?? '-', l.streams ?? '-',
        Math.round(l.entropyBits), l.codedBits, fixed(l.bitsPerWeight, 3), percent(l.gapToEntropy),
        l.tableBytes, l.overheadBytes, l.streamOverhead === null ? '-' : percent(l.streamOverhead, 2),
      ]);
      const t = figures.total;
      rows.push(['TOTAL', '', t.params, '', '', '', Math.round(t.entropyBits), t.codedBits, fixed(t.bitsPerWeight, 3),
        percent(t.gapToEntropy), t.tableBytes, t.overheadBytes, t.streamOverhead === null ? '-' : percent(t.streamOverhead, 2)]);
      process.stdout.write(
        `${figures.model}: ${figures.synthetic ? 'SYNTHETIC weights: ' : ''}${figures.description}\n\n` +
        textTable(['layer', 'codec', 'params', 'bins', 'L', 'S', 'entropy bits', 'coded bits', 'bits/w',
          'gap', 'table B', 'header B', 'S-stream ovh'], rows) +
        `\n\ntANS layers: ${percent(t.tansGapToEntropy)} over the entropy bound; raw layers cost 8 bits/weight.\n` +
        rawLines(figures.layers) +
        `${figures.fileBytes.toLocaleString('en-US')} bytes: payloads + ${figures.fileOverheadBytes.toLocaleString('en-US')} bytes of headers, CRCs and trailer ` +
        `(${(figures.fileOverheadBytes / figures.layers.length).toFixed(1)} per layer).\n` +
        `all layers verified (CRC-32, lengths, stream end states and padding).\n`);
    },
  ),
};
