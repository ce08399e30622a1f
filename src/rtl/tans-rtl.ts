/**
 * RTL generator for the tANS weight decompression engine: fills the templates in
 * rtl-templates/{tans,synth} with a parameter set and returns the files to write. The Verilog
 * parameters, their values and their range checks ({{paramChecks}}) come from the engine group of
 * the parameter declaration (src/params/declaration.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { resolveTansDecoderParams, tableEntryBits, TANS_DECODER_DEFAULTS, type TansDecoderParams } from '../chip/tans-decoder.js';
import type { DecodeTable } from '../codecs/tans/table.js';
import { paramsOf } from '../params/lookup.js';
import { verilogParamChecks } from '../params/verilog.js';
import { packageRoot } from '../package-root.js';

/** Verilog sources in compile order (leaves first); the top is tans_engine. */
export const TANS_RTL_FILES = ['tans_fifo.v', 'tans_table_ram.v', 'tans_lane.v', 'tans_decoder.v', 'tans_engine.v'] as const;
export const TANS_TOP = 'tans_engine';

/** The configurations committed under generated/ (`npm run gen` rewrites them; a test diffs them). */
export const DEFAULT_RTL_CONFIGS: readonly { dir: string; params: Partial<TansDecoderParams> }[] = [
  { dir: 'tans_L64_B5_S4', params: { states: 64, symbolBits: 5, streams: 4 } },
  { dir: 'tans_L256_B5_S8', params: { states: 256, symbolBits: 5, streams: 8 } },
];

export interface GeneratedFile { readonly name: string; readonly text: string }

export interface Ice40Target { device: 'hx8k' | 'up5k' | 'hx1k' | 'lp8k'; package: string; freqMhz: number }
export const DEFAULT_ICE40: Ice40Target = { device: 'hx8k', package: 'ct256', freqMhz: 12 };

/** generated/<configName>/: tans_L64_B5_S4, with _D<depth> when the FIFO depth is not the default. */
export function configName(p: TansDecoderParams): string {
  const d = p.streamFifoDepth === TANS_DECODER_DEFAULTS.streamFifoDepth ? '' : `_D${p.streamFifoDepth}`;
  return `tans_L${p.states}_B${p.symbolBits}_S${p.streams}${d}`;
}

/** Replaces every {{name}}; a placeholder without a value is a template bug and fails loudly. */
export function renderTemplate(text: string, values: Readonly<Record<string, string | number>>, source: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in values)) throw new HwsimError(`template ${source} uses {{${key}}}, which has no value`);
    return String(values[key]);
  });
}

export function readTemplate(rel: string): string {
  return readFileSync(join(packageRoot(), 'rtl-templates', rel), 'utf8');
}

/** $readmemh image of a decode table in tans_table_ram's packing {newState, nbBits, symbol}. */
export function romImage(p: TansDecoderParams, table: DecodeTable): string {
  check(table.states === p.states, `table has ${table.states} states, the engine ${p.states}`);
  const logL = Math.log2(p.states);
  const nbW = Math.ceil(Math.log2(logL + 1));
  const digits = Math.ceil(tableEntryBits(p) / 4);
  const lines = [`// decode table, ${p.states} entries of ${tableEntryBits(p)} bits: {newState[${logL}], nbBits[${nbW}], symbol[${p.symbolBits}]}`];
  for (let s = 0; s < p.states; s++) {
    check(table.symbol[s] < 1 << p.symbolBits, `table symbol ${table.symbol[s]} needs more than ${p.symbolBits} bits`,
      'raise --symbol-bits');
    const v = ((table.newState[s] * (1 << nbW) + table.nbBits[s]) * (1 << p.symbolBits)) + table.symbol[s];
    lines.push(v.toString(16).padStart(digits, '0'));
  }
  return lines.join('\n') + '\n';
}

export interface TansRtlOptions {
  target?: Ice40Target;
  /** file name (inside the output directory) and table of a $readmemh image to emit */
  romImage?: { name: string; table: DecodeTable };
}

/** The engine parameters with a Verilog name, in declaration order. */
function verilogParams() {
  return paramsOf('engine').flatMap((f) => (f.verilog ? [{ name: f.name, verilog: f.verilog, help: f.help }] : []));
}

/** The declared Verilog parameters a template binds under their own name (`parameter integer States = {{states}}`). */
function checksFor(template: string, rel: string): string {
  const module = rel.replace(/^.*\//, '').replace(/\.v$/, '');
  const bound = [...template.matchAll(/parameter\s+integer\s+(\w+)\s*=\s*\{\{(\w+)\}\}/g)]
    .filter((m) => verilogParams().some((f) => f.verilog === m[1] && f.name === m[2])).map((m) => m[1]);
  return verilogParamChecks(module, bound);
}

export async function generateTansRtl(params: Partial<TansDecoderParams>, opts: TansRtlOptions = {}): Promise<GeneratedFile[]> {
  const p = resolveTansDecoderParams(params);
  const schema = verilogParams();
  const target = opts.target ?? DEFAULT_ICE40;
  const config = configName(p);
  const paramText = schema.map((f) => `${f.name}=${valueOf(p, f.name)}`).join(' ');
  const values: Record<string, string | number> = {
    config,
    device: target.device,
    package: target.package,
    freqMhz: target.freqMhz,
    fileList: TANS_RTL_FILES.join('\n'),
    readFiles: TANS_RTL_FILES.map((f) => `read_verilog -defer ${f}`).join('\n'),
    chparams: schema.map((f) => `-set ${f.verilog} ${valueOf(p, f.name)}`).join(' '),
    coreFiles: TANS_RTL_FILES.map((f) => `      - ${f}`).join('\n'),
    coreParamList: schema.map((f) => f.verilog).join(', '),
    coreParams: schema.map((f) =>
      `  ${f.verilog}:\n    datatype: int\n    paramtype: vlogparam\n    default: ${valueOf(p, f.name)}\n    description: ${JSON.stringify(f.help)}`).join('\n'),
  };
  for (const f of schema) values[f.name] = valueOf(p, f.name);
  const files: GeneratedFile[] = [];
  const emit = (rel: string, name: string) => {
    const template = readTemplate(rel);
    values.banner = `Generated by hwsim rtl tans (${paramText}) from rtl-templates/${rel}. Do not edit.`;
    values.paramChecks = checksFor(template, rel);
    files.push({ name, text: renderTemplate(template, values, rel) });
  };
  for (const f of TANS_RTL_FILES) emit(`tans/${f}`, f);
  emit('tans/tans_engine.f', 'tans_engine.f');
  emit('tans/tans_engine.core', 'tans_engine.core');
  emit('synth/synth_ice40.ys', 'synth_ice40.ys');
  emit('synth/pnr_ice40.sh', 'pnr_ice40.sh');
  if (opts.romImage) {
    check(/^[\w.-]+$/.test(opts.romImage.name), `--rom-image ${opts.romImage.name} is not a plain file name`,
      'name a file such as table.mem; it is written into the output directory');
    files.push({ name: opts.romImage.name, text: romImage(p, opts.romImage.table) });
  }
  return files;
}

function valueOf(p: TansDecoderParams, name: string): number {
  const v = (p as unknown as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw new HwsimError(`engine parameter ${name} is not a TansEngineParams field`);
  return v;
}

export function writeGenerated(dir: string, files: readonly GeneratedFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.text, { mode: f.name.endsWith('.sh') ? 0o755 : 0o644 });
}
