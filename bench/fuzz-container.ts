/**
 * A seeded fuzz harness for the .hwz container reader, shared by
 * test/fuzz-container.test.ts (a fixed budget in `npm test`) and this command line (a larger one):
 *
 *   npx tsc -p . && node dist/bench/fuzz-container.js [--cases 200000] [--seed 1] [--json]
 *
 * Base containers: tiny models encoded in process (raw layers; tANS layers with every spread kind,
 * both splits, 1..8 streams, per-channel steps, a constant layer). Each case applies one mutation
 * to one base container and decodes the result with decodeContainer. The property:
 *
 *   - the result is a HwsimError whose message starts with the file's label ("fuzz.hwz: "), or
 *   - decoding succeeds with exactly the original symbols and values (identical data);
 *   - mutations that recompute the CRCs ("forged" kinds: the file is then a deliberate edit, not
 *     corruption) may also decode to other data, but only to data the file really says: writing
 *     the image read back and reading it again gives the same symbols and values ("consistent");
 *   - never any other exception ("crash").
 *
 * It prints, per mutation kind, the cases and the outcomes (error / identical / consistent /
 * crash), and the first crashes in full.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { intFlag } from './entry.js';
import { ByteWriter } from '../src/codecs/bytes.js';
import type { LayerBase, RawLayer, TansLayer } from '../src/codecs/codec.js';
import { readContainer, writeContainer, type ModelImage } from '../src/codecs/container.js';
import { crc32 } from '../src/codecs/crc32.js';
import { decodeContainer } from '../src/codecs/model-image.js';
import { quantize, quantizeInt8 } from '../src/codecs/quant/index.js';
import { rawCodec } from '../src/codecs/raw/index.js';
import { encodeStream } from '../src/codecs/tans/codec.js';
import { tansCodec } from '../src/codecs/tans/index.js';
import { histogram, rebuildSpread } from '../src/codecs/tans/layer.js';
import { interleaveStreams } from '../src/codecs/tans/layout.js';
import { chooseTable, hasTail, type SpreadKind } from '../src/codecs/tans/optimize.js';
import { copyStream, effectiveSplit, streamLengths, type StreamSplit } from '../src/codecs/tans/streams.js';
import { buildEncodeTable, spreadTuned } from '../src/codecs/tans/table.js';
import { HwsimError } from '../src/errors.js';
import type { LayerSpec } from '../src/models/types.js';
import { seeded } from '../src/train/rng.js';

export const LABEL = 'fuzz.hwz';

// ---- taking a container apart and putting it back together (CRCs and lengths recomputed) ----

export interface RecordParts { codec: number; header: Uint8Array; payload: Uint8Array }
export interface ContainerParts { records: RecordParts[]; trailer: Uint8Array }

function readVarint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (;;) {
    const byte = b[pos++];
    v += (byte & 0x7f) * scale;
    if (!(byte & 0x80)) return [v, pos];
    scale *= 0x80;
  }
}

/** The records and the inflated trailer of a well-formed container (no checks: for crafting). */
export function splitContainer(bytes: Uint8Array): ContainerParts {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLen = dv.getUint32(bytes.length - 16, true);
  const metaStart = bytes.length - 16 - metaLen;
  const records: RecordParts[] = [];
  let pos = 4;
  while (pos < metaStart) {
    const codec = bytes[pos++];
    let headerLen: number; let payloadLen: number;
    [headerLen, pos] = readVarint(bytes, pos);
    const header = bytes.slice(pos, pos + headerLen);
    [payloadLen, pos] = readVarint(bytes, pos + headerLen);
    const payload = bytes.slice(pos, pos + payloadLen);
    pos += payloadLen + 4;
    records.push({ codec, header, payload });
  }
  return { records, trailer: new Uint8Array(inflateRawSync(bytes.subarray(metaStart, metaStart + metaLen))) };
}

export interface AssembleOptions {
  /** replaces a record's encoded header or payload length (the bytes stay as given) */
  headerLength?: (i: number, actual: number) => number;
  payloadLength?: (i: number, actual: number) => number;
  /** deflated trailer bytes to use instead of deflating `trailer` */
  meta?: Uint8Array;
}

/** A container from its parts, with every record CRC, the trailer CRC and the file length recomputed. */
export function assembleContainer(parts: ContainerParts, o: AssembleOptions = {}): Uint8Array {
  const w = new ByteWriter();
  w.ascii('HWZ2');
  parts.records.forEach((rec, i) => {
    const start = w.length;
    w.u8(rec.codec);
    w.varint(o.headerLength ? o.headerLength(i, rec.header.length) : rec.header.length);
    w.bytes(rec.header);
    w.varint(o.payloadLength ? o.payloadLength(i, rec.payload.length) : rec.payload.length);
    w.bytes(rec.payload);
    w.u32(w.crcFrom(start));
  });
  const meta = o.meta ?? deflateRawSync(parts.trailer);
  w.bytes(meta);
  w.u32(meta.length);
  w.u32(crc32(meta));
  w.ascii('HEND');
  w.u32(w.length + 4);
  return w.result();
}

/** Where the fields of a layer header's common part lie (rank flags, dims, bins, step, steps). */
export function commonFields(header: Uint8Array): { rank: number; dims: number[]; dimsEnd: number; binsAt: number; stepAt: number; sectionAt: number } {
  const rank = header[0] & 0x7f;
  const dims: number[] = [];
  let pos = 1;
  for (let i = 0; i < rank; i++) { let d: number; [d, pos] = readVarint(header, pos); dims.push(d); }
  const binsAt = pos;
  const stepAt = pos + 1;
  const sectionAt = stepAt + 4 + (header[0] & 0x80 ? 4 * dims[0] : 0);
  return { rank, dims, dimsEnd: pos, binsAt, stepAt, sectionAt };
}

/** The header with its dims replaced (rank byte and varints rewritten; the rest kept). */
export function withDims(header: Uint8Array, dims: number[]): Uint8Array {
  const f = commonFields(header);
  const w = new ByteWriter();
  w.u8((header[0] & 0x80) | dims.length);
  for (const d of dims) w.varint(d);
  w.bytes(header.subarray(f.dimsEnd));
  return w.result();
}

// ---- base containers ----

/** A seeded generator (mulberry32, src/train/rng.ts): the same cases on every machine. */
export const rng = seeded;

function laplace(n: number, scale: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r() - 0.5;
    return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u) + 1e-12);
  });
}

export interface TansOptions { states: number; streams: number; split: StreamSplit; kind: SpreadKind }

/**
 * A tANS layer with the spread kind asked for (the encoder picks its own; the fuzz harness wants
 * every kind): the encoder's counts, the spread rebuilt for `kind`, the streams coded, checked by
 * the reference decoder.
 */
export function tansLayerWith(symbols: Uint8Array, base: LayerBase, o: TansOptions): TansLayer {
  const counts = chooseTable(histogram(symbols, base.quant.bins), o.states, 'fast').counts;
  const tail = hasTail(o.kind) ? new Uint8Array(Math.ceil(counts.length / 8)) : undefined;
  if (tail) counts.forEach((c, s) => { if (c === 1) tail[s >> 3] |= 1 << (s & 7); });
  const explicitSpread = o.kind === 'explicit' ? spreadTuned(counts).reverse() : undefined;
  const spread = rebuildSpread(o.kind, counts, explicitSpread, tail);
  const enc = buildEncodeTable(counts, spread);
  const split = effectiveSplit(base.shape, o.streams, o.split);
  const streams = Array.from(streamLengths(base.shape, o.streams, split), (n, k) => {
    const own = new Uint8Array(n);
    copyStream(symbols, own, base.shape, o.streams, split, k, true);
    return encodeStream(own, enc).words;
  });
  const layer: TansLayer = {
    codec: 'tans', ...base, states: o.states, counts, spreadKind: o.kind, explicitSpread, tail, split,
    wordCounts: Int32Array.from(streams, (s) => s.length), words: interleaveStreams(streams),
  };
  const back = tansCodec.decode(layer);
  if (back.some((v, i) => v !== symbols[i])) throw new Error(`internal: crafted ${o.kind} layer does not decode back`);
  return layer;
}

function spec(name: string, shape: number[]): LayerSpec {
  const kind = shape.length === 2 ? 'fc' : shape[1] === 1 ? 'dwconv' : 'conv';
  return {
    name, kind, weightShape: shape, ifmapH: 6, ifmapW: 6, filterH: shape[2] ?? 1, filterW: shape[3] ?? 1,
    channels: kind === 'dwconv' ? shape[0] : shape[1], filters: shape[0], stride: 1,
  };
}

function rawLayer(shape: number[], seed: number): RawLayer {
  const q = quantizeInt8(laplace(shape.reduce((a, b) => a * b, 1), 0.05, seed));
  return rawCodec.encode(q.symbols, { shape, quant: q.params }, { states: 64, streams: 1, split: 'channel', effort: 'fast' });
}

function tansOf(shape: number[], bins: number, seed: number, o: TansOptions, perChannel = false): TansLayer {
  const w = laplace(shape.reduce((a, b) => a * b, 1), 0.05, seed);
  const q = quantize(w, bins, perChannel ? { perChannel: { channels: shape[0] } } : {});
  return tansLayerWith(q.symbols, { shape, quant: q.params }, o);
}

function image(name: string, layers: Array<[string, RawLayer | TansLayer]>, options: Record<string, unknown> = {}): ModelImage {
  return {
    model: { name, source: 'fuzz', synthetic: true, description: 'fuzz base container' },
    options, specs: layers.map(([n, l]) => spec(n, l.shape)), layers: layers.map(([, l]) => l),
  };
}

/** The base containers: small (a few hundred weights each) so that thousands of cases run in seconds. */
export function baseContainers(): { name: string; bytes: Uint8Array }[] {
  const t = (kind: SpreadKind, states = 64, streams = 4, split: StreamSplit = 'channel'): TansOptions => ({ states, streams, split, kind });
  const constSymbols = new Uint8Array(4 * 8 * 3 * 3).fill(3);
  const constant = tansLayerWith(constSymbols, { shape: [4, 8, 3, 3], quant: { bins: 7, step: 0.01 } }, t('fse', 32, 2));
  const images = [
    image('edges', [
      ['conv1', rawLayer([4, 3, 3, 3], 1)],
      ['block.conv', tansOf([8, 4, 3, 3], 15, 2, t('fse'))],
      ['block.dw', tansOf([8, 1, 3, 3], 15, 3, t('tuned', 64, 4, 'interleaved'), true)],
      ['head.fc', rawLayer([10, 16], 4)],
    ], { states: 64, streams: 4 }),
    image('kinds', [
      ['fse-tail', tansOf([8, 8, 3, 3], 31, 5, t('fse-tail', 64, 8))],
      ['tuned-tail', tansOf([6, 8, 3, 3], 31, 6, t('tuned-tail', 128, 3))],
      ['explicit', tansOf([16, 12], 9, 7, t('explicit', 32, 1))],
      ['const', constant],
    ]),
    image('per-channel', [
      ['pc', tansOf([6, 4, 3, 3], 15, 8, t('tuned', 256, 2), true)],
      ['pc.fc', tansOf([5, 20], 5, 9, t('fse', 32, 5, 'interleaved'), true)],
    ]),
  ];
  return images.map((im) => ({ name: im.model.name, bytes: writeContainer(im) }));
}

// ---- mutations ----

export const MUTATIONS = {
  /** one byte anywhere XORed with a random non-zero value (CRCs left as they are) */
  'byte-flip': (b: Uint8Array, r: () => number) => { const o = b.slice(); o[int(r, o.length)] ^= 1 + int(r, 255); return o; },
  /** a bit anywhere flipped (CRCs left as they are) */
  'bit-flip': (b: Uint8Array, r: () => number) => { const o = b.slice(); o[int(r, o.length)] ^= 1 << int(r, 8); return o; },
  /** cut at a random length */
  truncate: (b: Uint8Array, r: () => number) => b.slice(0, int(r, b.length)),
  /** 1..8 random bytes inserted anywhere */
  insert: (b: Uint8Array, r: () => number) => {
    const at = int(r, b.length + 1);
    const extra = Uint8Array.from({ length: 1 + int(r, 8) }, () => int(r, 256));
    return concat(b.subarray(0, at), extra, b.subarray(at));
  },
  /** a record's header length or payload length changed (CRCs recomputed, so the deeper checks run) */
  'length-field': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const i = int(r, parts.records.length);
    const edit = (actual: number) => Math.max(0, r() < 0.5 ? actual + int(r, 9) - 4 : int(r, 1 << int(r, 31)));
    return r() < 0.5
      ? assembleContainer(parts, { headerLength: (k, a) => (k === i ? edit(a) : a) })
      : assembleContainer(parts, { payloadLength: (k, a) => (k === i ? edit(a) : a) });
  },
  /** a common header field (rank, a dimension, bins, step, a per-channel step) set to an edge value, CRCs recomputed */
  'header-field': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const rec = parts.records[int(r, parts.records.length)];
    const f = commonFields(rec.header);
    const h = rec.header.slice();
    const dv = new DataView(h.buffer);
    switch (int(r, 5)) {
      case 0: { // a dimension
        const dims = f.dims.slice();
        dims[int(r, dims.length)] = pick(r, [0, 1, 2, 3, 7, 8, 1 << 15, 2 ** 31 - 1, 2 ** 39, int(r, 64)]);
        rec.header = withDims(h, dims);
        break;
      }
      case 1: { // the rank: a dimension dropped or added
        const dims = f.dims.slice();
        if (r() < 0.5 && dims.length > 1) dims.splice(int(r, dims.length), 1); else dims.splice(int(r, dims.length + 1), 0, pick(r, [1, 2, 3]));
        rec.header = withDims(h, dims);
        break;
      }
      case 2: h[f.binsAt] = pick(r, [0, 1, 2, 3, 5, 9, 15, 31, 127, 255, int(r, 256)]); rec.header = h; break;
      case 3: dv.setFloat32(f.stepAt, pick(r, [NaN, Infinity, -Infinity, 0, -0, -1, 1e-45, 3.4e38, 0.5]), true); rec.header = h; break;
      default: { // the rank flags byte
        h[0] = pick(r, [0, 9, 0x80 | (h[0] & 0x7f), h[0] & 0x7f, int(r, 256)]);
        rec.header = h;
      }
    }
    return assembleContainer(parts);
  },
  /** one byte of a header (the codec section included) set to a random value, CRCs recomputed */
  'header-byte': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const rec = parts.records[int(r, parts.records.length)];
    rec.header = rec.header.slice();
    const at = r() < 0.7 ? commonFields(rec.header).sectionAt + int(r, 8) : int(r, rec.header.length);
    if (at < rec.header.length) rec.header[at] = int(r, 256);
    if (r() < 0.2) rec.codec = int(r, 4);
    return assembleContainer(parts);
  },
  /** a payload bit flipped or its length cut or grown by a word, CRCs recomputed (the stream checks must catch it) */
  'payload-edit': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const rec = parts.records[int(r, parts.records.length)];
    if (r() < 0.7 && rec.payload.length > 0) {
      rec.payload = rec.payload.slice();
      rec.payload[int(r, rec.payload.length)] ^= 1 << int(r, 8);
    } else if (r() < 0.5) rec.payload = rec.payload.slice(0, Math.max(0, rec.payload.length - 4));
    else rec.payload = concat(rec.payload, new Uint8Array(4));
    return assembleContainer(parts);
  },
  /** the inflated trailer edited (a byte, an insertion, a cut, or a JSON setting replaced), re-deflated, CRCs recomputed */
  'trailer-edit': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const t = parts.trailer;
    const k = int(r, 4);
    if (k === 0) { parts.trailer = t.slice(); parts.trailer[int(r, t.length)] = int(r, 256); } else if (k === 1) {
      const at = int(r, t.length + 1);
      parts.trailer = concat(t.subarray(0, at), Uint8Array.from({ length: 1 + int(r, 4) }, () => int(r, 256)), t.subarray(at));
    } else if (k === 2) parts.trailer = t.slice(0, int(r, t.length));
    else {
      // the trailer rebuilt with other encode settings text (null, arrays, numbers, huge counts)
      const w = new ByteWriter();
      let pos = 0;
      for (let s = 0; s < 3; s++) { let n: number; [n, pos] = readVarint(t, pos); pos += n; }
      w.bytes(t.subarray(0, pos + 1));
      pos += 1;
      let n: number; [n, pos] = readVarint(t, pos); pos += n;
      const settings = new TextEncoder().encode(pick(r, ['null', '[]', '1', '"x"', '{"__proto__":{"x":1}}', '{', '{}', 'true']));
      w.varint(settings.length);
      w.bytes(settings);
      if (r() < 0.5) { w.bytes(t.subarray(pos)); } else {
        let c: number; [c, pos] = readVarint(t, pos);
        w.varint(pick(r, [0, c + 1, c - 1 < 0 ? 0 : c - 1, 2 ** 31, 2 ** 40]));
        w.bytes(t.subarray(pos));
      }
      parts.trailer = w.result();
    }
    return assembleContainer(parts);
  },
  /** the deflated trailer itself replaced by bytes that do not inflate, or that inflate to a lot */
  'trailer-deflate': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const meta = r() < 0.5
      ? Uint8Array.from({ length: 1 + int(r, 64) }, () => int(r, 256))
      : new Uint8Array(deflateRawSync(new Uint8Array(1 << (10 + int(r, 12)))));
    return assembleContainer(parts, { meta });
  },
  /** whole records swapped, duplicated or dropped (CRCs are per record, so they stay valid) */
  'record-shuffle': (b: Uint8Array, r: () => number) => {
    const parts = splitContainer(b);
    const recs = parts.records;
    const i = int(r, recs.length);
    const j = int(r, recs.length);
    const k = int(r, 3);
    if (k === 0) [recs[i], recs[j]] = [recs[j], recs[i]];
    else if (k === 1) recs.splice(i, 0, recs[j]);
    else recs.splice(i, 1);
    return assembleContainer(parts);
  },
} satisfies Record<string, (b: Uint8Array, r: () => number) => Uint8Array>;

export type MutationKind = keyof typeof MUTATIONS;
/** kinds that recompute CRCs: the file is then a deliberate edit, and may decode to what it now says */
const FORGED: ReadonlySet<MutationKind> = new Set(['length-field', 'header-field', 'header-byte', 'payload-edit', 'trailer-edit', 'trailer-deflate', 'record-shuffle']);

function int(r: () => number, n: number): number { return Math.floor(r() * n); }
function pick<T>(r: () => number, xs: readonly T[]): T { return xs[int(r, xs.length)]; }
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// ---- the property ----

export type Outcome = 'error' | 'identical' | 'consistent' | 'different' | 'crash';
export interface FuzzResult {
  cases: number;
  byKind: Record<string, Record<Outcome, number>>;
  /** the first failures of the property (crash, or different data from an unforged mutation) */
  failures: { kind: string; base: string; seed: number; outcome: Outcome; detail: string }[];
  /** distinct error messages' leading words, with how often they came */
  messages: Map<string, number>;
}

interface Decoded { symbols: Uint8Array[]; values: Float32Array[]; shapes: string[] }

function decodeAll(bytes: Uint8Array, label: string): Decoded {
  const { layers } = decodeContainer(bytes, label);
  return { symbols: layers.map((l) => l.symbols), values: layers.map((l) => l.values), shapes: layers.map((l) => l.shape.join('x')) };
}

function sameData(a: Decoded, b: Decoded): boolean {
  if (a.symbols.length !== b.symbols.length) return false;
  for (let i = 0; i < a.symbols.length; i++) {
    if (a.shapes[i] !== b.shapes[i]) return false;
    if (Buffer.compare(Buffer.from(a.symbols[i]), Buffer.from(b.symbols[i])) !== 0) return false;
    const va = new Uint8Array(a.values[i].buffer, a.values[i].byteOffset, a.values[i].byteLength);
    const vb = new Uint8Array(b.values[i].buffer, b.values[i].byteOffset, b.values[i].byteLength);
    if (Buffer.compare(Buffer.from(va), Buffer.from(vb)) !== 0) return false;
  }
  return true;
}

/** One case: mutate, decode, classify. */
export function fuzzCase(base: { bytes: Uint8Array; decoded: Decoded }, kind: MutationKind, r: () => number): { outcome: Outcome; detail: string } {
  let mutated: Uint8Array;
  try {
    mutated = MUTATIONS[kind](base.bytes, r);
  } catch (err) {
    return { outcome: 'crash', detail: `mutation itself failed: ${(err as Error).stack}` };
  }
  let got: Decoded;
  try {
    got = decodeAll(mutated, LABEL);
  } catch (err) {
    if (err instanceof HwsimError && err.message.startsWith(`${LABEL}: `)) return { outcome: 'error', detail: err.message };
    return { outcome: 'crash', detail: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err) };
  }
  if (sameData(got, base.decoded)) return { outcome: 'identical', detail: '' };
  if (!FORGED.has(kind)) return { outcome: 'different', detail: 'an unforged mutation decoded to other data' };
  // a forged file may say other data, but what it decodes to must be what it says: the image read
  // back, written again and read again, gives the same data
  try {
    const again = decodeAll(writeContainer(readContainer(mutated, LABEL)), LABEL);
    if (sameData(again, got)) return { outcome: 'consistent', detail: '' };
  } catch (err) {
    return { outcome: 'different', detail: `accepted, but its re-written image fails: ${(err as Error).message}` };
  }
  return { outcome: 'different', detail: 'accepted, but its re-written image decodes differently' };
}

/** Runs `cases` cases from `seed`, cycling through the mutation kinds and the base containers. */
export function runFuzz(opts: { cases: number; seed: number; kinds?: MutationKind[]; maxFailures?: number }): FuzzResult {
  const bases = baseContainers().map((b) => ({ ...b, decoded: decodeAll(b.bytes, LABEL) }));
  const kinds = opts.kinds ?? (Object.keys(MUTATIONS) as MutationKind[]);
  const result: FuzzResult = { cases: 0, byKind: {}, failures: [], messages: new Map() };
  for (const k of kinds) result.byKind[k] = { error: 0, identical: 0, consistent: 0, different: 0, crash: 0 };
  for (let c = 0; c < opts.cases; c++) {
    const kind = kinds[c % kinds.length];
    const base = bases[Math.floor(c / kinds.length) % bases.length];
    const caseSeed = (opts.seed * 1_000_003 + c) >>> 0;
    const { outcome, detail } = fuzzCase(base, kind, rng(caseSeed));
    result.cases++;
    result.byKind[kind][outcome]++;
    if (outcome === 'error') {
      const key = detail.replace(/^fuzz\.hwz: (layer #\d+ '[^']*': |trailer: )?/, '').replace(/\d[\d,.]*/g, 'N').slice(0, 60);
      result.messages.set(key, (result.messages.get(key) ?? 0) + 1);
    }
    if ((outcome === 'crash' || outcome === 'different') && result.failures.length < (opts.maxFailures ?? 20)) {
      result.failures.push({ kind, base: base.name, seed: caseSeed, outcome, detail });
    }
  }
  return result;
}

function main(argv: string[]): number {
  const arg = (name: string, dflt: number) => intFlag(argv, name, dflt);
  const cases = arg('cases', 20000);
  const seed = arg('seed', 1);
  const t0 = performance.now();
  const res = runFuzz({ cases, seed });
  const secs = (performance.now() - t0) / 1000;
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ cases: res.cases, seed, seconds: secs, byKind: res.byKind, failures: res.failures }, null, 2) + '\n');
  } else {
    const outcomes: Outcome[] = ['error', 'identical', 'consistent', 'different', 'crash'];
    const rows = Object.entries(res.byKind).map(([k, o]) => [k, String(outcomes.reduce((a, x) => a + o[x], 0)), ...outcomes.map((x) => String(o[x]))]);
    const total = outcomes.map((x) => String(Object.values(res.byKind).reduce((a, o) => a + o[x], 0)));
    rows.push(['TOTAL', String(res.cases), ...total]);
    const head = ['mutation', 'cases', ...outcomes];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
    process.stdout.write(`.hwz reader fuzz: ${res.cases} cases, seed ${seed}, ${secs.toFixed(1)} s (${Math.round(res.cases / secs)} cases/s)\n\n` +
      [line(head), ...rows.map(line)].join('\n') + '\n\n' +
      `distinct error kinds: ${res.messages.size}; most frequent:\n` +
      [...res.messages].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([m, n]) => `  ${String(n).padStart(7)}  ${m}`).join('\n') + '\n');
    for (const f of res.failures) process.stdout.write(`\nFAIL ${f.kind} on ${f.base} (case seed ${f.seed}): ${f.outcome}\n${f.detail}\n`);
  }
  return res.failures.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
