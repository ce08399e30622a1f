/**
 * The one registry of codecs: the container, the encoder, inspect and the chip (through
 * src/chip/sources.ts) find a codec here by its id or its container tag. Adding a codec adds one
 * line (docs/ARCHITECTURE.md).
 */
import type { Codec, CodecId, CodedLayer, LayerHeader } from './codec.js';
import { rawCodec } from './raw/index.js';
import { tansCodec } from './tans/index.js';
import { szCodec } from './sz/index.js';
import { wmCodec } from './wm/index.js';

type AnyCodec = Codec<LayerHeader, CodedLayer>;

export const CODECS: Readonly<Record<CodecId, AnyCodec>> = {
  raw: rawCodec as unknown as AnyCodec,
  tans: tansCodec as unknown as AnyCodec,
  sz: szCodec as unknown as AnyCodec,
  wm: wmCodec as unknown as AnyCodec,
};

export function codecById(id: CodecId): AnyCodec {
  const c = CODECS[id];
  if (!c) throw new Error(`internal: no codec '${String(id)}'`);
  return c;
}

export function codecByTag(tag: number): AnyCodec | undefined {
  return Object.values(CODECS).find((c) => c.tag === tag);
}
