/**
 * The .hwz container, version 2 (docs/FORMAT.md §4 is normative). It is the chip's DRAM image:
 * each layer record's prefix (codec byte, binary layer header, payload length) and payload are
 * exactly the bytes the simulated chip fetches (src/chip). Names, layer geometry and the encode
 * settings sit in a deflated binary trailer that only the host reads.
 *
 *   file    := "HWZ2" record* trailer
 *   record  := u8 codec | varint headerLen | header | varint payloadLen | payload | u32 crc
 *   trailer := meta | u32 metaLen | u32 metaCrc | "HEND" | u32 fileLength
 *
 * Every length is checked against the bytes really present and every CRC before anything it
 * covers is interpreted; a failed check names the layer and the check.
 */
import { constants as bufferConstants } from 'node:buffer';
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { HwsimError } from '../errors.js';
import { checkLimit, limits } from '../limits.js';
import type { LayerSpec } from '../models/types.js';
import { ByteReader, ByteWriter, hex } from './bytes.js';
import type { CodedLayer, LayerBase, LayerHeader } from './codec.js';
import { crc32 } from './crc32.js';
import { codecById, codecByTag } from './registry.js';

export const MAGIC = 'HWZ2';
export const END_MAGIC = 'HEND';
export const FORMAT_VERSION = 2;
/** fixed bytes at the end of a file: metaLen, metaCrc, "HEND", fileLength */
const TRAILER_TAIL = 16;
const MAX_RANK = 8;
/**
 * Weights one layer may declare whatever the limits say: stream lengths are Int32 and a layer's
 * symbols one typed array (the user's ceiling is limits().maxWeights, for the whole model).
 */
export const MAX_LAYER_WEIGHTS = 0x7fffffff;
/** the fewest bytes a record can take: codec, header length, rank, one dimension, bins, step, payload length, CRC */
const MIN_RECORD_BYTES = 14;
/** the fewest bytes a layer takes in the inflated trailer: empty name, kind, 8 one-byte varints */
const MIN_TRAILER_LAYER_BYTES = 10;

export interface ModelMeta { name: string; source: string; synthetic: boolean; description: string }

/** A compressed model: geometry for the chip's compute, coded layers for its DRAM. */
export interface ModelImage {
  model: ModelMeta;
  /** the settings it was encoded with (informative; decoding needs only the layer headers) */
  options: Record<string, unknown>;
  specs: LayerSpec[];
  layers: CodedLayer[];
}

/** A layer's bytes in the image, as simulated DRAM serves them. */
export interface LayerRecordBytes {
  /** codec byte, header length, header, payload length: staged on chip before the payload */
  prefix: Uint8Array;
  payload: Uint8Array;
}

/** An image read from bytes: the model plus each layer's DRAM bytes. */
export interface ContainerImage extends ModelImage {
  records: LayerRecordBytes[];
  fileBytes: number;
}

// ---- writing ----

function writeCommon(layer: LayerBase, w: ByteWriter): void {
  const steps = layer.quant.stepsPerChannel;
  w.u8(layer.shape.length | (steps ? 0x80 : 0));
  for (const d of layer.shape) w.varint(d);
  w.u8(layer.quant.bins);
  w.f32(layer.quant.step);
  if (steps) for (const s of steps) w.f32(s);
}

/** The binary layer header: the common part, then the codec's section. */
export function layerHeaderBytes(layer: LayerHeader): Uint8Array {
  const w = new ByteWriter();
  writeCommon(layer, w);
  codecById(layer.codec).writeHeader(layer as never, w);
  return w.result();
}

export function writeContainer(image: ModelImage): Uint8Array {
  if (image.specs.length !== image.layers.length) throw new Error('internal: specs and layers differ in number');
  const w = new ByteWriter();
  w.ascii(MAGIC);
  for (const layer of image.layers) {
    const start = w.length;
    const codec = codecById(layer.codec);
    const header = layerHeaderBytes(layer);
    const payload = codec.payload(layer as never);
    w.u8(codec.tag);
    w.varint(header.length);
    w.bytes(header);
    w.varint(payload.length);
    w.bytes(payload);
    w.u32(w.crcFrom(start));
  }
  const meta = deflateRawSync(trailerBody(image), { level: 9 });
  w.bytes(meta);
  w.u32(meta.length);
  w.u32(crc32(meta));
  w.ascii(END_MAGIC);
  w.u32(w.length + 4);
  return w.result();
}

const KINDS: readonly LayerSpec['kind'][] = ['conv', 'dwconv', 'fc'];
const GEOMETRY = ['ifmapH', 'ifmapW', 'filterH', 'filterW', 'channels', 'filters', 'stride'] as const;

function str(w: ByteWriter, s: string): void {
  const b = new TextEncoder().encode(s);
  w.varint(b.length);
  w.bytes(b);
}

/** The trailer before deflation: model, encode settings (JSON), per layer its name and geometry. */
function trailerBody(image: ModelImage): Uint8Array {
  const w = new ByteWriter();
  str(w, image.model.name);
  str(w, image.model.source);
  str(w, image.model.description);
  w.u8(image.model.synthetic ? 1 : 0);
  str(w, Object.keys(image.options).length ? JSON.stringify(image.options) : '');
  w.varint(image.specs.length);
  for (const spec of image.specs) {
    str(w, spec.name);
    w.u8(KINDS.indexOf(spec.kind));
    for (const k of GEOMETRY) w.varint(spec[k]);
    w.varint(spec.repeat ?? 1);
  }
  return w.result();
}

// ---- reading ----

/** The start of every error the reader raises: the file, and the layer or trailer being read. */
function where(r: ByteReader): string {
  return r.context ? `${r.label}: ${r.context}: ` : `${r.label}: `;
}

/** Reads the common part and the codec section of a layer header (r at the codec byte). */
function readRecordPrefix(r: ByteReader): { header: LayerHeader; payloadLength: number } {
  const tag = r.u8('codec');
  const codec = codecByTag(tag);
  if (!codec) throw r.fail(`unknown codec ${tag}`);
  const headerLen = r.varint('header length', r.left);
  const headerEnd = r.pos + headerLen;
  const rankFlags = r.u8('rank');
  const rank = rankFlags & 0x7f;
  if (rank < 1 || rank > MAX_RANK) throw r.fail(`rank ${rank} outside 1..${MAX_RANK}`);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = r.varint('dimension', 0x7fffffff);
    if (d < 1) throw r.fail(`dimension ${i} is 0`);
    shape.push(d);
    count *= d;
  }
  // Before anything is allocated from it: a layer's weights against the user's ceiling and the
  // format's own (a constant tANS layer codes in ~0 bits, so its bytes do not bound its weights).
  checkLimit('maxWeights', count, `${where(r)}a layer of shape ${shape.join('×')}`);
  if (count > MAX_LAYER_WEIGHTS) {
    throw r.fail(`shape ${shape.join('×')} declares ${count.toLocaleString('en-US')} weights; a layer holds at most ${MAX_LAYER_WEIGHTS.toLocaleString('en-US')}`);
  }
  const bins = r.u8('bins');
  if (bins < 3 || bins % 2 === 0) throw r.fail(`bins ${bins} is not an odd number in 3..255`);
  const step = r.f32('step');
  if (!(step > 0 && Number.isFinite(step))) throw r.fail(`quantizer step ${step} is not a positive number`);
  let stepsPerChannel: Float32Array | undefined;
  if (rankFlags & 0x80) {
    r.need(4 * shape[0], 'per-channel steps');
    stepsPerChannel = Float32Array.from({ length: shape[0] }, () => r.f32('per-channel step'));
    const bad = stepsPerChannel.findIndex((s) => !(s > 0 && Number.isFinite(s)));
    if (bad >= 0) throw r.fail(`per-channel step ${bad} is ${stepsPerChannel[bad]}, not a positive number`);
  }
  const base: LayerBase = { shape, quant: stepsPerChannel ? { bins, step, stepsPerChannel } : { bins, step } };
  const header = codec.readHeader(r, base);
  if (r.pos !== headerEnd) throw r.fail(`header fields take ${r.pos - (headerEnd - headerLen)} bytes, its length says ${headerLen}`);
  const payloadLength = r.varint('payload length');
  const expected = codec.payloadLength(header as never);
  if (payloadLength !== expected) throw r.fail(`payload of ${payloadLength} bytes, the header implies ${expected}`);
  return { header, payloadLength };
}

/**
 * The header a chip parses from a record prefix it fetched (the same reader the container uses,
 * so the file format and what the chip understands cannot drift apart).
 */
export function parseRecordPrefix(prefix: Uint8Array, label: string): { header: LayerHeader; payloadLength: number } {
  const r = new ByteReader(prefix, label);
  const out = readRecordPrefix(r);
  if (r.pos !== prefix.length) throw r.fail('layer record prefix has trailing bytes');
  return out;
}

interface TrailerMeta { model: ModelMeta; options: Record<string, unknown>; layers: Omit<LayerSpec, 'weightShape'>[] }

function readTrailer(bytes: Uint8Array, label: string): { meta: TrailerMeta; metaStart: number } {
  const r = new ByteReader(bytes, label, 0, bytes.length, 'the file is truncated or is not a .hwz written by `hwsim encode`; re-encode the model');
  r.expectAscii(MAGIC.slice(0, 3), 'file magic', 'is this a .hwz file written by `hwsim encode`?');
  const version = r.u8('format version');
  if (version !== MAGIC.charCodeAt(3)) {
    const v = String.fromCharCode(version);
    throw new HwsimError(`${label}: .hwz format version ${/[0-9]/.test(v) ? v : `byte ${version}`}; this hwsim reads version ${FORMAT_VERSION}`,
      `re-encode the model with this hwsim (\`hwsim encode <model> -o ${label}\`)`);
  }
  if (bytes.length < 4 + TRAILER_TAIL) throw r.fail(`truncated: ${bytes.length} bytes cannot hold a trailer`);
  r.pos = bytes.length - TRAILER_TAIL;
  const metaLen = r.u32('trailer length');
  const metaCrc = r.u32('trailer CRC-32');
  r.expectAscii(END_MAGIC, 'end marker', 'the file is truncated or has bytes appended');
  const total = r.u32('file length');
  if (total !== bytes.length) throw r.fail(`file length mismatch: the trailer says ${total} bytes, the file has ${bytes.length}`);
  const metaStart = bytes.length - TRAILER_TAIL - metaLen;
  if (metaLen > bytes.length - 4 - TRAILER_TAIL) throw r.fail(`trailer of ${metaLen} bytes does not fit the file`);
  const metaBytes = bytes.subarray(metaStart, metaStart + metaLen);
  const computed = crc32(metaBytes);
  if (computed !== metaCrc) throw r.fail(`trailer CRC-32 mismatch (stored ${hex(metaCrc)}, computed ${hex(computed)}): the model's names and geometry are corrupted`);
  const maxInflate = Math.min(limits().maxInflateBytes, bufferConstants.MAX_LENGTH);
  let body: Uint8Array;
  try {
    body = inflateRawSync(metaBytes, { maxOutputLength: Math.max(1, maxInflate) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HwsimError(`${label}: the trailer of ${metaLen.toLocaleString('en-US')} bytes inflates to more than ${maxInflate.toLocaleString('en-US')} bytes (limit maxInflateBytes = ${limits().maxInflateBytes.toLocaleString('en-US')})`,
        'if the input is meant to be this large, raise the limit maxInflateBytes');
    }
    throw r.fail('trailer does not inflate');
  }
  return { meta: readTrailerBody(new ByteReader(body, label, 0, body.length, 're-encode the model'), metaStart - 4), metaStart };
}

/** The trailer's fields; `recordBytes`: the bytes between the magic and the trailer, where the records lie. */
function readTrailerBody(r: ByteReader, recordBytes: number): TrailerMeta {
  r.context = 'trailer';
  const text = (what: string) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(r.bytes(r.varint(`${what} length`, r.left), what));
    } catch (err) {
      if (err instanceof HwsimError) throw err;
      throw r.fail(`${what} is not UTF-8`);
    }
  };
  const model: ModelMeta = { name: text('model name'), source: text('model source'), description: text('model description'), synthetic: false };
  const flag = r.u8('synthetic flag');
  if (flag > 1) throw r.fail(`synthetic flag ${flag} is not 0 or 1`);
  model.synthetic = flag === 1;
  const optionsText = text('encode settings');
  let options: Record<string, unknown> = {};
  if (optionsText) {
    try {
      options = JSON.parse(optionsText) as Record<string, unknown>;
    } catch {
      throw r.fail('encode settings are not JSON');
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw r.fail('encode settings are not a JSON object');
  }
  const count = r.varint('layer count');
  checkLimit('maxLayers', count, `${where(r)}the layer count`);
  const fit = Math.min(Math.floor(r.left / MIN_TRAILER_LAYER_BYTES), Math.floor(recordBytes / MIN_RECORD_BYTES));
  if (count > fit) {
    throw r.fail(`${count.toLocaleString('en-US')} layers declared; ${r.left.toLocaleString('en-US')} bytes of layer descriptions and ` +
      `${recordBytes.toLocaleString('en-US')} bytes of records hold at most ${fit.toLocaleString('en-US')}`);
  }
  const layers: TrailerMeta['layers'] = [];
  for (let i = 0; i < count; i++) {
    const name = text(`layer ${i} name`);
    const kind = KINDS[r.u8(`layer ${i} kind`)];
    if (!kind) throw r.fail(`layer ${i} '${name}' has an unknown kind`);
    const spec: Record<string, unknown> = { name, kind };
    for (const k of GEOMETRY) {
      const v = r.varint(`layer ${i} ${k}`, 0x7fffffff);
      if (v < 1) throw r.fail(`layer ${i} '${name}' field ${k} is 0`);
      spec[k] = v;
    }
    const repeat = r.varint(`layer ${i} repeat`, 0x7fffffff);
    if (repeat < 1) throw r.fail(`layer ${i} '${name}' repeat is 0`);
    if (repeat > 1) spec.repeat = repeat;
    layers.push(spec as unknown as TrailerMeta['layers'][number]);
  }
  if (r.left !== 0) throw r.fail(`${r.left} bytes after the last layer`);
  return { model, options, layers };
}

/**
 * Reads a container and checks its structure: magics, version, lengths, CRCs, every header field.
 * Streams are not decoded here: decodeImage (model-image.ts) runs each codec's reference decoder.
 */
export function readContainer(bytes: Uint8Array, label: string): ContainerImage {
  const buf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a Node Buffer's slice() would share
  const { meta, metaStart } = readTrailer(buf, label);
  const r = new ByteReader(buf, label, 4, metaStart);
  const layers: CodedLayer[] = [];
  const records: LayerRecordBytes[] = [];
  const specs: LayerSpec[] = [];
  let weights = 0;
  for (let i = 0; i < meta.layers.length; i++) {
    r.context = `layer #${i} '${meta.layers[i].name}'`;
    const start = r.pos;
    // The CRC covers the record; find its end from the two lengths and check it before anything else.
    r.u8('codec');
    const headerLength = r.varint('header length', r.left);
    r.pos += headerLength;
    const payloadLength = r.varint('payload length');
    const payloadStart = r.pos;
    r.need(payloadLength + 4, `payload of ${payloadLength} bytes and its CRC`);
    const end = payloadStart + payloadLength;
    const stored = new DataView(buf.buffer, buf.byteOffset).getUint32(end, true);
    const computed = crc32(buf.subarray(start, end));
    if (stored !== computed) throw r.fail(`CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(computed)}): the layer's bytes are corrupted`);
    r.pos = start;
    const { header } = readRecordPrefix(r);
    weights += header.shape.reduce((a, b) => a * b, 1);
    if (i > 0) checkLimit('maxWeights', weights, `${label}: layers #0..#${i} together`);
    const payload = buf.subarray(payloadStart, end);
    const codec = codecById(header.codec);
    layers.push(codec.withPayload(header as never, payload));
    records.push({ prefix: buf.subarray(start, payloadStart), payload });
    specs.push({ ...meta.layers[i], weightShape: [...header.shape] } as LayerSpec);
    r.pos = end + 4;
  }
  r.context = '';
  if (r.pos !== metaStart) throw r.fail(`${metaStart - r.pos} bytes between the last of ${meta.layers.length} layers and the trailer`);
  return { model: meta.model, options: meta.options, specs, layers, records, fileBytes: buf.length };
}
