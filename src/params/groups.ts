/**
 * The codec and engine parameter groups as library calls: defaults filled, every field checked,
 * cross-field rules applied. (The chip group, with its config file, is src/chip/config.ts.)
 */
import type { CodecParams, TansEngineParams, WmEngineParams } from './generated-types.js';
import { groupDefaults, paramsOf } from './lookup.js';
import { checkCodecRules } from './rules.js';
import { defaultOf, type Face } from './schema.js';
import { applyFields } from './validate.js';

export const CODEC_DEFAULTS = Object.freeze(groupDefaults('codec')) as Readonly<CodecParams>;
export const ENGINE_DEFAULTS = Object.freeze(groupDefaults('engine')) as Readonly<TansEngineParams>;
export const WM_ENGINE_DEFAULTS = Object.freeze(groupDefaults('wm')) as Readonly<WmEngineParams>;

/** Applies the defaults that hold only while another parameter is absent (bitsPerWeight unless bins). */
function conditionalDefaults(group: 'codec', c: Record<string, unknown>): void {
  for (const p of paramsOf(group)) {
    if (p.defaultUnless !== undefined && c[p.name] === undefined && c[p.defaultUnless] === undefined) c[p.name] = defaultOf(p, group);
  }
}

/**
 * Codec parameters for a library caller (no yargs): defaults filled, each field checked against the
 * declaration, the cross-field rules applied. Errors name the flags of `face` (encode by default).
 */
export function validateCodecParams(obj: Readonly<Partial<CodecParams>>, face: Face = 'encode'): CodecParams {
  const given = applyFields('codec', {} as Partial<CodecParams>, obj as Record<string, unknown>, { face });
  const c = { ...CODEC_DEFAULTS, ...given } as Record<string, unknown>;
  conditionalDefaults('codec', c);
  checkCodecRules(c as unknown as CodecParams);
  return c as unknown as CodecParams;
}

/** Engine parameters with defaults filled and every field checked (errors name the `hwsim rtl` flags). */
export function resolveEngineParams(p: Readonly<Partial<TansEngineParams>> = {}, face: Face = 'rtl'): TansEngineParams {
  return applyFields('engine', { ...ENGINE_DEFAULTS }, p as Record<string, unknown>, { face });
}

/** Wavelet-matrix query unit parameters with defaults filled and every field checked (errors name the `hwsim rtl wm` flags). */
export function resolveWmEngineParams(p: Readonly<Partial<WmEngineParams>> = {}, face: Face = 'rtl'): WmEngineParams {
  return applyFields('wm', { ...WM_ENGINE_DEFAULTS }, p as Record<string, unknown>, { face });
}
