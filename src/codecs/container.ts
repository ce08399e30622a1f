/**
 * The .hwz compressed model image (docs/FORMAT.md is the normative description). Every length is
 * checked against the bytes that are really there and every section carries a CRC-32 before any
 * of it is trusted; a failed check names the layer and the check.
 */
import { HwsimError } from '../errors.js';
import { crc32 } from './crc32.js';
import { hasTail, type SpreadKind } from './tans/optimize.js';
import type { StreamSplit } from './tans/streams.js';

export const MAGIC = 'HWZ1';
export const LAYER_MAGIC = 'LAYR';
export const END_MAGIC = 'HEND';
export const FORMAT_VERSION = 1;

export interface StoredQuant { bins: number; step: number; stepsPerChannel?: Float32Array }

export interface StoredTans {
  states: number;
  counts: Int32Array;
  spreadKind: SpreadKind;
  explicitSpread?: Uint8Array;
  /** tail kinds: bitmap, bit s & 7 of byte s >> 3 set for each one-slot symbol at the table's end */
  tail?: Uint8Array;
  split: StreamSplit;
  streams: Array<{ symbolCount: number; bitLength: number }>;
  words: Uint32Array; // interleaved DRAM image
}

export interface StoredLayer {
  name: string;
  shape: number[];
  codec: 'tans' | 'raw';
  quant: StoredQuant;
  tans?: StoredTans;
  raw?: Int8Array;
}

export interface StoredModel {
  meta: Record<string, unknown>; // model name, source, synthetic label, options, layer specs
  layers: StoredLayer[];
}

const SPREAD_KINDS: SpreadKind[] = ['fse', 'tuned', 'explicit', 'fse-tail', 'tuned-tail'];
const SPLITS: StreamSplit[] = ['channel', 'interleaved'];

class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number) { this.ensure(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number) { this.ensure(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  f32(v: number) { this.ensure(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  bytes(b: Uint8Array) { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  ascii(s: string) { this.bytes(new TextEncoder().encode(s)); }
  patchU32(at: number, v: number) { this.view.setUint32(at, v, true); }
  crcFrom(start: number): number { return crc32(this.buf.subarray(start, this.length)); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

export function writeContainer(model: StoredModel): Uint8Array {
  const w = new Writer();
  const meta = new TextEncoder().encode(JSON.stringify(model.meta));
  w.ascii(MAGIC);
  w.u32(FORMAT_VERSION);
  w.u32(model.layers.length);
  w.u32(meta.length);
  w.bytes(meta);
  w.u32(w.crcFrom(0));
  for (const layer of model.layers) writeLayer(w, layer);
  w.ascii(END_MAGIC);
  w.u32(w.length + 4);
  return w.result();
}

function writeLayer(w: Writer, layer: StoredLayer): void {
  const start = w.length;
  w.ascii(LAYER_MAGIC);
  const headerLenAt = w.length;
  w.u32(0);
  const headerStart = w.length;
  const name = new TextEncoder().encode(layer.name);
  w.u8(layer.codec === 'tans' ? 1 : 0);
  w.u16(name.length);
  w.bytes(name);
  w.u8(layer.shape.length);
  for (const d of layer.shape) w.u32(d);
  w.u16(layer.quant.bins);
  w.f32(layer.quant.step);
  const steps = layer.quant.stepsPerChannel;
  w.u32(steps ? steps.length : 0);
  if (steps) for (const s of steps) w.f32(s);
  let payload: Uint8Array;
  if (layer.codec === 'tans') {
    const t = layer.tans!;
    w.u8(Math.log2(t.states));
    w.u16(t.counts.length);
    w.u8(SPREAD_KINDS.indexOf(t.spreadKind));
    w.u8(SPLITS.indexOf(t.split));
    w.u16(t.streams.length);
    for (const c of t.counts) w.u16(c);
    if (t.spreadKind === 'explicit') w.bytes(t.explicitSpread!);
    if (hasTail(t.spreadKind)) w.bytes(t.tail!);
    for (const s of t.streams) { w.u32(s.symbolCount); w.u32(s.bitLength); }
    payload = new Uint8Array(t.words.buffer, t.words.byteOffset, t.words.byteLength);
  } else {
    const raw = layer.raw!;
    payload = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  w.patchU32(headerLenAt, w.length - headerStart);
  w.u32(payload.length);
  w.bytes(payload);
  w.u32(w.crcFrom(start));
}

/** Reads and verifies a container. `label` names the file in error messages. */
export function readContainer(bytes: Uint8Array, label: string): StoredModel {
  const r = new Reader(bytes, label);
  r.expectAscii(MAGIC, 'file magic', 'is this a .hwz file written by `hwsim encode`?');
  const version = r.u32('format version');
  if (version !== FORMAT_VERSION) {
    throw new HwsimError(`${label}: format version ${version}, this hwsim reads version ${FORMAT_VERSION}`,
      're-encode the model with this hwsim');
  }
  const layerCount = r.u32('layer count');
  const metaLen = r.u32('model header length');
  const metaBytes = r.bytes(metaLen, 'model header');
  r.checkCrc(0, 'model header');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaBytes));
  } catch {
    throw r.fail('model header is not valid JSON');
  }
  const layers: StoredLayer[] = [];
  for (let i = 0; i < layerCount; i++) layers.push(readLayer(r, i));
  r.expectAscii(END_MAGIC, 'end marker', 'the file is truncated or has extra layers');
  const total = r.u32('file length');
  if (total !== bytes.length || r.pos !== bytes.length) {
    throw r.fail(`file length mismatch: trailer says ${total} bytes, file has ${bytes.length}`);
  }
  return { meta, layers };
}

function readLayer(r: Reader, index: number): StoredLayer {
  const start = r.pos;
  r.context = `layer #${index}`;
  r.expectAscii(LAYER_MAGIC, 'layer magic', 'the file is corrupted or truncated');
  const headerLen = r.u32('header length');
  r.need(headerLen + 8, 'layer header');
  // Verify the CRC over header and payload before interpreting either.
  const payloadLenAt = r.pos + headerLen;
  const payloadLen = r.peekU32(payloadLenAt);
  r.need(headerLen + 8 + payloadLen, `payload of ${payloadLen} bytes`);
  const end = payloadLenAt + 4 + payloadLen;
  const stored = r.peekU32(end);
  const computed = crc32(r.buf.subarray(start, end));
  const codecByte = r.peekU8(r.pos);
  const nameLen = r.pos + 3 <= r.buf.length ? r.peekU16(r.pos + 1) : 0;
  const name = new TextDecoder().decode(r.buf.subarray(r.pos + 3, Math.min(r.pos + 3 + nameLen, payloadLenAt)));
  r.context = `layer #${index} '${name}'`;
  if (stored !== computed) {
    throw r.fail(`CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(computed)}): the layer's bytes are corrupted`);
  }
  r.pos += 3 + nameLen;
  const codec = codecByte === 1 ? 'tans' : codecByte === 0 ? 'raw' : null;
  if (!codec) throw r.fail(`unknown codec ${codecByte}`);
  const ndim = r.u8('rank');
  const shape = Array.from({ length: ndim }, () => r.u32('dimension'));
  const params = shape.reduce((a, b) => a * b, 1);
  const bins = r.u16('bins');
  if (bins < 3 || bins > 255 || bins % 2 === 0) throw r.fail(`bins ${bins} is not an odd number in 3..255`);
  const step = r.f32('step');
  const nSteps = r.u32('per-channel step count');
  if (nSteps > 0 && nSteps !== shape[0]) throw r.fail(`${nSteps} per-channel steps for ${shape[0]} channels`);
  const stepsPerChannel = nSteps ? Float32Array.from({ length: nSteps }, () => r.f32('per-channel step')) : undefined;
  const quant: StoredQuant = { bins, step, stepsPerChannel };
  const layer: StoredLayer = { name, shape, codec, quant };
  if (codec === 'tans') {
    const log2States = r.u8('log2 states');
    if (log2States < 5 || log2States > 12) throw r.fail(`log2(states) ${log2States} outside 5..12`);
    const states = 1 << log2States;
    const alphabet = r.u16('alphabet size');
    if (alphabet !== bins) throw r.fail(`alphabet of ${alphabet} symbols for ${bins} bins`);
    const spreadKind = SPREAD_KINDS[r.u8('spread kind')];
    if (!spreadKind) throw r.fail('unknown spread kind');
    const split = SPLITS[r.u8('stream split')];
    if (!split) throw r.fail('unknown stream split');
    const nStreams = r.u16('stream count');
    if (nStreams < 1) throw r.fail('zero streams');
    const counts = Int32Array.from({ length: alphabet }, () => r.u16('count'));
    if (counts.reduce((a, b) => a + b, 0) !== states) throw r.fail(`normalized counts do not sum to ${states}`);
    const explicitSpread = spreadKind === 'explicit' ? r.bytes(states, 'explicit spread').slice() : undefined;
    const tail = hasTail(spreadKind) ? r.bytes(Math.ceil(alphabet / 8), 'tail bitmap').slice() : undefined;
    if (tail) {
      for (let s = 0; s < 8 * tail.length; s++) {
        if (((tail[s >> 3] >> (s & 7)) & 1) && !(s < alphabet && counts[s] === 1)) {
          throw r.fail(`tail bitmap flags symbol ${s}, which is not a one-slot symbol`);
        }
      }
    }
    const streams = Array.from({ length: nStreams }, () => ({
      symbolCount: r.u32('stream symbol count'), bitLength: r.u32('stream bit length'),
    }));
    if (streams.reduce((a, s) => a + s.symbolCount, 0) !== params) {
      throw r.fail(`streams hold ${streams.reduce((a, s) => a + s.symbolCount, 0)} symbols, shape needs ${params}`);
    }
    const wordCount = streams.reduce((a, s) => a + Math.ceil(s.bitLength / 32), 0);
    if (r.pos !== payloadLenAt) throw r.fail('header length does not match its fields');
    const len = r.u32('payload length');
    if (len !== wordCount * 4) throw r.fail(`payload of ${len} bytes, streams need ${wordCount * 4}`);
    const words = new Uint32Array(wordCount);
    new Uint8Array(words.buffer).set(r.bytes(len, 'payload'));
    layer.tans = { states, counts, spreadKind, explicitSpread, tail, split, streams, words };
  } else {
    if (r.pos !== payloadLenAt) throw r.fail('header length does not match its fields');
    const len = r.u32('payload length');
    if (len !== params) throw r.fail(`raw payload of ${len} bytes for ${params} weights`);
    layer.raw = new Int8Array(r.bytes(len, 'payload').slice().buffer);
  }
  r.u32('CRC-32');
  r.context = '';
  return layer;
}

function hex(v: number): string {
  return '0x' + v.toString(16).padStart(8, '0');
}

class Reader {
  pos = 0;
  context = '';
  /** a plain Uint8Array view: a Node Buffer's slice() would share memory where a copy is meant */
  readonly buf: Uint8Array;
  private view: DataView;
  constructor(buf: Uint8Array, private readonly label: string) {
    this.buf = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  fail(what: string): HwsimError {
    const where = this.context ? `${this.label}: ${this.context}: ` : `${this.label}: `;
    return new HwsimError(where + what, 're-encode the model, or restore the file from a good copy');
  }
  need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw this.fail(`truncated: ${what} needs ${n} bytes at offset ${this.pos}, only ${this.buf.length - this.pos} left`);
    }
  }
  u8(what: string) { this.need(1, what); return this.view.getUint8(this.pos++); }
  u16(what: string) { this.need(2, what); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(what: string) { this.need(4, what); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  f32(what: string) { this.need(4, what); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  peekU8(at: number) { return this.view.getUint8(at); }
  peekU16(at: number) { return this.view.getUint16(at, true); }
  peekU32(at: number) { return this.view.getUint32(at, true); }
  bytes(n: number, what: string) { this.need(n, what); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  expectAscii(s: string, what: string, hint: string): void {
    const got = new TextDecoder().decode(this.bytes(s.length, what));
    if (got !== s) throw this.fail(`bad ${what} '${got.replace(/[^\x20-\x7e]/g, '?')}' (expected '${s}'): ${hint}`);
  }
  checkCrc(start: number, what: string): void {
    const computed = crc32(this.buf.subarray(start, this.pos));
    const stored = this.u32(`${what} CRC-32`);
    if (stored !== computed) throw this.fail(`${what} CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(computed)})`);
  }
}
