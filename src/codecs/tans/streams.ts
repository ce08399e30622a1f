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
  const useChannel = split === 'channel' && inChannels >= streams;
  const streamOf = (i: number) => (useChannel ? Math.floor(i / inner) % inChannels % streams : i % streams);
  const sizes = new Int32Array(streams);
  for (let i = 0; i < total; i++) sizes[streamOf(i)]++;
  const lists = Array.from(sizes, (n) => new Int32Array(n));
  const fill = new Int32Array(streams);
  for (let i = 0; i < total; i++) {
    const k = streamOf(i);
    lists[k][fill[k]++] = i;
  }
  return lists;
}
