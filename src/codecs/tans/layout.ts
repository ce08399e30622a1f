/**
 * DRAM word order of a layer's S streams. The streams of a layer are stored word-interleaved,
 * round-robin, skipping streams that have run out of words:
 *
 *   round r = 0, 1, ...:  for k = 0..S-1:  if r < words[k]: emit word r of stream k
 *
 * so a decompression engine reading the layer in address order hands word after word to its
 * streams in a fixed order that depends only on the per-stream word counts (in the layer header).
 */
export function interleaveStreams(streams: readonly Uint32Array[]): Uint32Array {
  const total = streams.reduce((a, s) => a + s.length, 0);
  const out = new Uint32Array(total);
  const rounds = streams.reduce((a, s) => Math.max(a, s.length), 0);
  let o = 0;
  for (let r = 0; r < rounds; r++) {
    for (const s of streams) if (r < s.length) out[o++] = s[r];
  }
  return out;
}

/** The stream that the i-th word of the interleaved layer belongs to, for every word. */
export function wordOwners(wordCounts: ArrayLike<number>): Uint16Array {
  let total = 0;
  let rounds = 0;
  for (let k = 0; k < wordCounts.length; k++) { total += wordCounts[k]; rounds = Math.max(rounds, wordCounts[k]); }
  const owners = new Uint16Array(total);
  let o = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < wordCounts.length; k++) if (r < wordCounts[k]) owners[o++] = k;
  }
  return owners;
}

/** Inverse of interleaveStreams, given each stream's word count. */
export function deinterleaveStreams(words: Uint32Array, wordCounts: ArrayLike<number>): Uint32Array[] {
  const streams = Array.from(wordCounts, (n) => new Uint32Array(n));
  const fill = new Int32Array(wordCounts.length);
  const owners = wordOwners(wordCounts);
  for (let i = 0; i < owners.length; i++) streams[owners[i]][fill[owners[i]]++] = words[i];
  return streams;
}
