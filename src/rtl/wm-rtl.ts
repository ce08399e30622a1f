/**
 * RTL generator for the wavelet-matrix query unit (docs/hw/wm-query-unit.md): fills the templates
 * in rtl-templates/wm (and the iCE40 scripts in rtl-templates/synth) with a parameter set. The
 * Verilog parameters, their values and their range checks come from the `wm` group of the
 * parameter declaration (src/params/declaration.ts).
 */
import { check } from '../errors.js';
import { resolveWmEngineParams, WM_ENGINE_DEFAULTS } from '../params/groups.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { paramsOf } from '../params/lookup.js';
import { verilogParamChecks, verilogValue } from '../params/verilog.js';
import { checkIce40Target, DEFAULT_ICE40, readTemplate, renderTemplate, shQuote, type GeneratedFile, type Ice40Target } from './tans-rtl.js';

/** Verilog sources in compile order (leaves first); the top is wm_query_unit. */
export const WM_RTL_FILES = ['wm_ram.v', 'wm_level_bank.v', 'wm_loader.v', 'wm_lane.v', 'wm_query_unit.v'] as const;
export const WM_TOP = 'wm_query_unit';
/** the pin-limited wrapper synthesis uses as the top on the UP5K (sg48: 39 IOs) */
export const WM_PINS_FILE = 'wm_query_unit_pins.v';
export const WM_PINS_TOP = 'wm_query_unit_pins';

/** The random-access port (docs/hw/wm-query-unit.md, "Random-access port (RTL)"): its own top, emitted beside the unit. */
export const WM_ACCESS_FILE = 'wm_access_port.v';
export const WM_ACCESS_TOP = 'wm_access_port';
/** wm parameters only the random-access port has (the unit's files and scripts leave them out) */
const ACCESS_ONLY_PARAMS: readonly string[] = ['wmRankCache'];

/** The configurations committed under generated/ (`npm run gen` rewrites them; a test diffs them). */
export const DEFAULT_WM_RTL_CONFIGS: readonly Partial<WmEngineParams>[] = [{}];

/**
 * generated/<name>/: wm_P2_W2_D8_B5_M1024 (lanes, load words, levels, symbol bits, buffer words),
 * and _Cnone / _Clevel when the access port's rank cache is not the default (per node).
 */
export function wmConfigName(p: WmEngineParams): string {
  const cache = p.wmRankCache === WM_ENGINE_DEFAULTS.wmRankCache ? '' : `_C${p.wmRankCache}`;
  return `wm_P${p.wmLanes}_W${p.wmLoadWords}_D${p.wmLevels}_B${p.symbolBits}_M${p.wmBufferWords}${cache}`;
}

/** Internal nodes of the code tree the unit holds a cursor for: 2^SymbolBits − 1. */
export const wmNodes = (p: WmEngineParams): number => 2 ** p.symbolBits - 1;
/** Bits of a position (a weight index or a bit of a level): log2(BufferWords) + 6. */
export const wmPosBits = (p: WmEngineParams): number => Math.log2(p.wmBufferWords) + 6;

/**
 * The popcount of a 32-bit word as an adder tree of small counts (16 two-bit sums, then 8, 4, 2, 1),
 * written into every module that counts ones (the loader's level checks, the lanes' ranks).
 */
const POPCOUNT32 = `  function automatic [5:0] popcount32(input [31:0] w);
    reg [31:0] c2;
    reg [23:0] c4;
    reg [15:0] c8;
    reg [9:0]  c16;
    integer i;
    begin
      for (i = 0; i < 16; i = i + 1) c2[i*2 +: 2] = {1'b0, w[2*i]} + {1'b0, w[2*i+1]};
      for (i = 0; i < 8; i = i + 1) c4[i*3 +: 3] = {1'b0, c2[4*i +: 2]} + {1'b0, c2[4*i+2 +: 2]};
      for (i = 0; i < 4; i = i + 1) c8[i*4 +: 4] = {1'b0, c4[6*i +: 3]} + {1'b0, c4[6*i+3 +: 3]};
      for (i = 0; i < 2; i = i + 1) c16[i*5 +: 5] = {1'b0, c8[8*i +: 4]} + {1'b0, c8[8*i+4 +: 4]};
      popcount32 = {1'b0, c16[4:0]} + {1'b0, c16[9:5]};
    end
  endfunction`;

function verilogParams() {
  return paramsOf('wm').flatMap((f) => (f.verilog ? [{ name: f.name, verilog: f.verilog, help: f.help, decl: f }] : []));
}

export function generateWmRtl(params: Partial<WmEngineParams>, target: Ice40Target = DEFAULT_ICE40): GeneratedFile[] {
  const p = resolveWmEngineParams(params);
  checkIce40Target(target);
  const all = verilogParams();
  const schema = all.filter((f) => !ACCESS_ONLY_PARAMS.includes(f.name));
  const valueOf = (name: string) => {
    const f = all.find((x) => x.name === name);
    const v = f ? verilogValue(f.decl, (p as unknown as Record<string, unknown>)[name]) : undefined;
    check(typeof v === 'number' && v >= 0, `wm parameter ${name} has no value`);
    return v;
  };
  const paramText = schema.map((f) => `${f.name}=${valueOf(f.name)}`).join(' ');
  const accessParamText = all.map((f) => `${f.name}=${(p as unknown as Record<string, unknown>)[f.name]}`).join(' ');
  const pinLimited = target.device === 'up5k';
  const synthTop = pinLimited ? WM_PINS_TOP : WM_TOP;
  const synthFiles = pinLimited ? [...WM_RTL_FILES, WM_PINS_FILE] : [...WM_RTL_FILES];
  const values: Record<string, string | number> = {
    fileList: WM_RTL_FILES.join('\n'),
    readFiles: synthFiles.map((f) => `read_verilog -defer ${f}`).join('\n'),
    synthTop,
    chparams: schema.map((f) => `-set ${f.verilog} ${valueOf(f.name)}`).join(' '),
    paramChecks: '',
    popcount32: POPCOUNT32,
  };
  for (const f of all) values[f.name] = valueOf(f.name);
  const shellValues: Record<string, string> = {
    device: shQuote(target.device), package: shQuote(target.package), freqMhz: shQuote(String(target.freqMhz)), synthTop: shQuote(synthTop),
  };
  const files: GeneratedFile[] = [];
  const emit = (rel: string, name: string) => {
    const template = readTemplate(rel);
    values.banner = `Generated by hwsim rtl wm (${paramText}) from rtl-templates/${rel}. Do not edit.`;
    if (name === WM_ACCESS_FILE) values.banner = `Generated by hwsim rtl wm (${accessParamText}) from rtl-templates/${rel}. Do not edit.`;
    const bound = [...template.matchAll(/parameter\s+integer\s+(\w+)\s*=\s*\{\{(\w+)\}\}/g)]
      .filter((m) => all.some((f) => f.verilog === m[1] && f.name === m[2])).map((m) => m[1]);
    values.paramChecks = verilogParamChecks(name.replace(/\.v$/, ''), bound);
    files.push({ name, text: renderTemplate(template, name.endsWith('.sh') ? { ...values, ...shellValues } : values, rel) });
  };
  for (const f of WM_RTL_FILES) emit(`wm/${f}`, f);
  emit(`wm/${WM_ACCESS_FILE}`, WM_ACCESS_FILE);
  emit('wm/wm_query_unit.f', 'wm_query_unit.f');
  emit(`wm/${WM_PINS_FILE}`, WM_PINS_FILE);
  emit('wm/wm_synth_ice40.ys', 'synth_ice40.ys');
  emit('synth/pnr_ice40.sh', 'pnr_ice40.sh');
  return files;
}
