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

function checkStreams(streams: number): void {
  check(Number.isInteger(streams) && streams >= 1 && streams <= 256,
    `--streams ${streams} is outside 1..256`, 'pick a stream count from 1 to 256');
}

/**
 * The split streamIndices really applies to a layer of this shape: 'channel' stays 'channel' only
 * when the layer has at least `streams` input channels (shape[1]; 1 for a rank-1 shape), else it
 * is 'interleaved'. This is what a container must record (docs/FORMAT.md §3).
 */
export function effectiveSplit(shape: readonly number[], streams: number, split: StreamSplit): StreamSplit {
  checkStreams(streams);
  check(split === 'channel' || split === 'interleaved', `unknown stream split '${String(split)}'`, "use 'channel' or 'interleaved'");
  const inChannels = shape.length >= 2 ? shape[1] : 1;
  return split === 'channel' && inChannels >= streams ? 'channel' : 'interleaved';
}

/** How many weights each stream carries (the lengths of streamIndices, without building them). */
export function streamLengths(shape: readonly number[], streams: number, split: StreamSplit): Int32Array {
  const used = effectiveSplit(shape, streams, split);
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(streams);
  if (used === 'interleaved') {
    for (let k = 0; k < streams; k++) out[k] = Math.ceil((total - k) / streams);
    return out;
  }
  const inChannels = shape[1];
  const perChannel = total / inChannels; // outer × inner weights per input channel
  for (let k = 0; k < streams; k++) out[k] = perChannel * Math.ceil((inChannels - k) / streams);
  return out;
}

/**
 * Copies stream k's weights between flat order and the stream's own order (the order of
 * streamIndices(...)[k]) without building index lists: `toStream` gathers flat → stream, else
 * scatters stream → flat.
 */
export function copyStream(flat: Uint8Array, stream: Uint8Array, shape: readonly number[], streams: number,
  split: StreamSplit, k: number, toStream: boolean): void {
  if (effectiveSplit(shape, streams, split) === 'interleaved') {
    for (let i = 0, j = k; j < flat.length; i++, j += streams) {
      if (toStream) stream[i] = flat[j]; else flat[j] = stream[i];
    }
    return;
  }
  const inChannels = shape[1];
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const outer = flat.length / (inChannels * inner);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = k; c < inChannels; c += streams) {
      const base = (o * inChannels + c) * inner;
      if (toStream) for (let j = 0; j < inner; j++) stream[i++] = flat[base + j];
      else for (let j = 0; j < inner; j++) flat[base + j] = stream[i++];
    }
  }
}

/** For each stream, the flat weight indices it carries, in decode order (under effectiveSplit). */
export function streamIndices(shape: readonly number[], streams: number, split: StreamSplit): Int32Array[] {
  const used = effectiveSplit(shape, streams, split);
  const total = shape.reduce((a, b) => a * b, 1);
  const inChannels = shape.length >= 2 ? shape[1] : 1;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  if (used === 'interleaved') {
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
