/**
 * Splitting a layer's weights into S parallel streams that share one table.
 *
 * Weights are flattened in the layer's canonical order [out, in, ...kernel] (docs/FORMAT.md).
 *  - 'channel' (default, as in the paper): stream k holds the weights of input channels c with
 *    c mod S = k, in flat order. A layer with fewer input channels than S (depthwise) uses
 *    'interleaved' instead, so that no decoder idles.
 *  - 'interleaved': stream k holds flat indices i with i mod S = k.
 */
import { check } from '../../errors.js';

export type StreamSplit = 'channel' | 'interleaved';

/** For each stream, the flat weight indices it carries, in decode order. */
export function streamIndices(shape: readonly number[], streams: number, split: StreamSplit): Int32Array[] {
  check(Number.isInteger(streams) && streams >= 1 && streams <= 256,
    `--streams ${streams} is outside 1..256`, 'pick a stream count from 1 to 256');
  const total = shape.reduce((a, b) => a * b, 1);
  const inChannels = shape.length >= 2 ? shape[1] : 1;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  if (!(split === 'channel' && inChannels >= streams)) {
    return Array.from({ length: streams }, (_, k) => {
      const list = new Int32Array(Math.ceil((total - k) / streams));
      for (let j = 0, i = k; i < total; j++, i += streams) list[j] = i;
      return list;
    });
  }
  // channel split: walk [out][in][kernel] in flat order; input channel c goes to stream c mod S
  const outer = total / (inChannels * inner);
  const lists = Array.from({ length: streams }, (_, k) => new Int32Array(outer * inner * Math.ceil((inChannels - k) / streams)));
  const fill = new Int32Array(streams);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < inChannels; c++) {
      const list = lists[c % streams];
      let f = fill[c % streams];
      for (let j = 0; j < inner; j++) list[f++] = i++;
      fill[c % streams] = f;
    }
  }
  return lists;
}
