/**
 * The raw codec: one signed byte per weight, the quantizer's level (symbol − (bins−1)/2). The
 * paper keeps the first and last layers this way, and the int8 baseline stores every layer so.
 * No codec section in the layer header; the payload is product(shape) bytes.
 */
import { HwsimError } from '../../errors.js';
import { params, type Codec, type RawHeader, type RawLayer } from '../codec.js';

export const rawCodec: Codec<RawHeader, RawLayer> = {
  id: 'raw',
  tag: 0,
  encode(symbols, base) {
    const m = (base.quant.bins - 1) >> 1;
    const levels = new Int8Array(symbols.length);
    for (let i = 0; i < symbols.length; i++) levels[i] = symbols[i] - m;
    return { codec: 'raw', ...base, levels };
  },
  writeHeader() { /* nothing beyond the common part */ },
  readHeader(_r, base) { return { codec: 'raw', ...base }; },
  payloadLength: (h) => params(h.shape),
  payload: (l) => new Uint8Array(l.levels.buffer, l.levels.byteOffset, l.levels.byteLength),
  withPayload: (h, payload) => ({ ...h, levels: new Int8Array(payload.slice().buffer) }),
  decode(layer) {
    const m = (layer.quant.bins - 1) >> 1;
    const raw = layer.levels;
    const symbols = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] < -m || raw[i] > m) throw new HwsimError(`raw weight ${i} = ${raw[i]} lies outside ±${m}`);
      symbols[i] = raw[i] + m;
    }
    return symbols;
  },
  figures: () => ({ states: null, streams: null, tableBytes: 0 }),
};
