/**
 * RTL generator for the tANS weight decompression engine: fills the templates in
 * rtl-templates/{tans,synth} with a parameter set and returns the files to write. The Verilog
 * parameters, their values and their range checks ({{paramChecks}}) come from the engine group of
 * the parameter declaration (src/params/declaration.ts).
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { ensureDirectory } from '../io/output.js';
import { resolveTansDecoderParams, tableEntryBits, tableEntryPacked, tableRamBits, tableRamWord, TANS_DECODER_DEFAULTS, type TansDecoderParams } from '../chip/tans-decoder.js';
import type { DecodeTable } from '../codecs/tans/table.js';
import { paramsOf } from '../params/lookup.js';
import { verilogParamCheck, verilogParamChecks } from '../params/verilog.js';
import { packageRoot } from '../package-root.js';

/** Verilog sources in compile order (leaves first); the top is tans_engine. */
export const TANS_RTL_FILES = ['tans_fifo.v', 'tans_table_ram.v', 'tans_counter_chain.v', 'tans_counter.v', 'tans_lane_late.v', 'tans_lane.v', 'tans_decoder.v', 'tans_engine.v'] as const;
export const TANS_TOP = 'tans_engine';

/** The configurations committed under generated/ (`npm run gen` rewrites them; a test diffs them). */
export const DEFAULT_RTL_CONFIGS: readonly { dir: string; params: Partial<TansDecoderParams> }[] = [
  { dir: 'tans_L64_B5_S4', params: { states: 64, symbolBits: 5, streams: 4 } },
  { dir: 'tans_L256_B5_S8', params: { states: 256, symbolBits: 5, streams: 8 } },
];

export interface GeneratedFile { readonly name: string; readonly text: string }

export interface Ice40Target { device: 'hx8k' | 'up5k' | 'hx1k' | 'lp8k'; package: string; freqMhz: number }
export const DEFAULT_ICE40: Ice40Target = { device: 'hx8k', package: 'ct256', freqMhz: 100 };

/**
 * The packages of each iCE40 device that the device really comes in (Lattice's family data sheet)
 * and that nextpnr-ice40 0.4 accepts (`nextpnr-ice40 --<device> --package <p> --test`, each tried:
 * it also takes other packages of the same die, e.g. cm81 for the hx8k, and refuses tq144 for the
 * hx8k). The first one is the default. Device and package go into generated scripts: nothing else
 * is accepted.
 */
export const ICE40_PACKAGES: Readonly<Record<Ice40Target['device'], readonly string[]>> = {
  hx8k: ['ct256', 'cm225', 'cb132', 'bg121'],
  up5k: ['sg48', 'uwg30'],
  hx1k: ['tq144', 'vq100', 'cb132'],
  lp8k: ['cm81', 'cm121', 'cm225'],
};

/** Refuses a device, package or frequency outside the known set, before anything is generated. */
export function checkIce40Target(target: Ice40Target): void {
  const devices = Object.keys(ICE40_PACKAGES);
  check(Object.hasOwn(ICE40_PACKAGES, target.device), `iCE40 device ${JSON.stringify(target.device)} is not one hwsim knows`,
    `give --device one of ${devices.join(', ')}`);
  const packages = ICE40_PACKAGES[target.device];
  check(packages.includes(target.package), `package ${JSON.stringify(target.package)} is not a package of the iCE40 ${target.device}`,
    `give --package one of ${packages.join(', ')} (or leave it out for ${packages[0]})`);
  check(Number.isFinite(target.freqMhz) && target.freqMhz > 0 && target.freqMhz <= 1000,
    `target frequency ${target.freqMhz} MHz is not a number in (0, 1000]`, 'give a frequency in MHz such as 12');
}

/**
 * POSIX shell single quoting: the value between single quotes, each ' written as '\''. Inside single
 * quotes sh expands nothing ($, backticks, \, newlines are plain characters), so the shell sees
 * the exact string as one word.
 */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A file name the generator may write: a plain name (letters, digits, _ . -, not starting with a
 * dot, so not `.`, `..` or a hidden or temporary file), with no path separator, so that every file
 * lands inside the output directory.
 */
export function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) && name.length <= 200;
}

/**
 * The thin pin-limited wrapper (rtl-templates/synth/tans_engine_pins.v): byte-wide load and word
 * ports and a folded output byte, 26 pins, so the engine can be placed on a small package. The
 * synthesis scripts use it as the top on devices whose packages cannot hold the engine's flat ports.
 */
export const PINS_FILE = 'tans_engine_pins.v';
export const PINS_TOP = 'tans_engine_pins';
/** Devices synthesized through the pin-limited wrapper (the UP5K: 39 IOs in sg48). */
export const PIN_LIMITED_DEVICES: readonly Ice40Target['device'][] = ['up5k'];

/** The top module synthesis uses on a device. */
export function synthTopFor(device: Ice40Target['device']): string {
  return PIN_LIMITED_DEVICES.includes(device) ? PINS_TOP : TANS_TOP;
}

/** The names the generator writes itself (a --rom-image must not take one of them). */
export const TANS_GENERATED_NAMES: readonly string[] = [...TANS_RTL_FILES, PINS_FILE, 'tans_engine.f', 'tans_engine.core', 'synth_ice40.ys', 'pnr_ice40.sh'];

/**
 * generated/<configName>/: tans_L64_B5_S4, with _D<depth> when the FIFO depth is not the default and
 * _C<bits> when the counter width is not.
 */
export function configName(p: TansDecoderParams): string {
  const d = p.streamFifoDepth === TANS_DECODER_DEFAULTS.streamFifoDepth ? '' : `_D${p.streamFifoDepth}`;
  const c = p.countBits === TANS_DECODER_DEFAULTS.countBits ? '' : `_C${p.countBits}`;
  return `tans_L${p.states}_B${p.symbolBits}_S${p.streams}${d}${c}`;
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

/**
 * $readmemh image of a decode table in tans_table_ram's packing {spare flag, newState, nbBits code,
 * symbol} (tableRamWord: newState without its bit 0 where the nbBits field has a spare code, and
 * the spare code's own flag where the RAM word has room for it). It fills bank 0; a load is needed
 * to run in any case.
 */
export function romImage(p: TansDecoderParams, table: DecodeTable): string {
  check(table.states === p.states, `table has ${table.states} states, the engine ${p.states}`);
  const logL = Math.log2(p.states);
  const nbW = Math.ceil(Math.log2(logL + 1));
  const bits = tableRamBits(p);
  const digits = Math.ceil(bits / 4);
  const flag = bits > tableEntryBits(p) ? 'spare code[1], ' : '';
  const ns = tableEntryPacked(p) ? `newState[${logL}:1], nbBits code[${nbW}] (${(1 << nbW) - 1} = nbBits 0 with newState odd)` : `newState[${logL}], nbBits[${nbW}]`;
  const lines = [`// decode table, ${p.states} entries of ${bits} bits: {${flag}${ns}, symbol[${p.symbolBits}]}`];
  for (let s = 0; s < p.states; s++) {
    check(table.symbol[s] < 1 << p.symbolBits, `table symbol ${table.symbol[s]} needs more than ${p.symbolBits} bits`,
      'raise --symbol-bits');
    lines.push(tableRamWord(p, table.newState[s], table.nbBits[s], table.symbol[s]).toString(16).padStart(digits, '0'));
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
  checkIce40Target(target);
  const config = configName(p);
  const paramText = schema.map((f) => `${f.name}=${valueOf(p, f.name)}`).join(' ');
  const synthTop = synthTopFor(target.device);
  const synthFiles = synthTop === PINS_TOP ? [...TANS_RTL_FILES, PINS_FILE] : [...TANS_RTL_FILES];
  const values: Record<string, string | number> = {
    config,
    device: target.device,
    package: target.package,
    freqMhz: target.freqMhz,
    fileList: TANS_RTL_FILES.join('\n'),
    // HWSIM_ICE40: the counters as iCE40 cells (rtl-templates/tans/tans_counter_chain.v)
    readFiles: synthFiles.map((f) => `read_verilog -defer -DHWSIM_ICE40 ${f}`).join('\n'),
    synthTop,
    chparams: schema.map((f) => `-set ${f.verilog} ${valueOf(p, f.name)}`).join(' '),
    coreFiles: TANS_RTL_FILES.map((f) => `      - ${f}`).join('\n'),
    coreParamList: schema.map((f) => f.verilog).join(', '),
    coreParams: schema.map((f) =>
      `  ${f.verilog}:\n    datatype: int\n    paramtype: vlogparam\n    default: ${valueOf(p, f.name)}\n    description: ${JSON.stringify(f.help)}`).join('\n'),
  };
  for (const f of schema) values[f.name] = valueOf(p, f.name);
  // a shell script gets every value single-quoted (the template assigns them to variables): even a
  // value that slipped past checkIce40Target is one word to sh, never a command
  const shellValues: Record<string, string> = {
    device: shQuote(target.device), package: shQuote(target.package), freqMhz: shQuote(String(target.freqMhz)), synthTop: shQuote(synthTop),
  };
  const files: GeneratedFile[] = [];
  const emit = (rel: string, name: string) => {
    const template = readTemplate(rel);
    values.banner = `Generated by hwsim rtl tans (${paramText}) from rtl-templates/${rel}. Do not edit.`;
    values.paramChecks = checksFor(template, rel);
    values.depthCheck = ['  // a FIFO needs two slots (the lane refills while it reads): refused at elaboration otherwise',
      '  generate', verilogParamCheck('tans_fifo', 'Depth', 'Depth < 2', 'at least 2'), '  endgenerate'].join('\n');
    if (name.endsWith('.sh')) {
      check(!/[\n\r]/.test(String(values.banner)), 'a shell script banner holds a line break (generator bug)');
      files.push({ name, text: renderTemplate(template, { ...values, ...shellValues }, rel) });
    } else {
      files.push({ name, text: renderTemplate(template, values, rel) });
    }
  };
  for (const f of TANS_RTL_FILES) emit(`tans/${f}`, f);
  emit('tans/tans_engine.f', 'tans_engine.f');
  emit('tans/tans_engine.core', 'tans_engine.core');
  emit(`synth/${PINS_FILE}`, PINS_FILE);
  emit('synth/synth_ice40.ys', 'synth_ice40.ys');
  emit('synth/pnr_ice40.sh', 'pnr_ice40.sh');
  if (opts.romImage) {
    const name = opts.romImage.name;
    check(isPlainFileName(name), `--rom-image ${JSON.stringify(name)} is not a plain file name`,
      'name a file such as table.mem (letters, digits, _ . -, not starting with a dot, no directory): it is written into the output directory');
    check(!files.some((f) => f.name.toLowerCase() === name.toLowerCase()),
      `--rom-image ${name} is a file the generator writes itself: the image would overwrite it`,
      `name another file such as table.mem (the generator writes ${files.map((f) => f.name).join(', ')})`);
    files.push({ name: opts.romImage.name, text: romImage(p, opts.romImage.table) });
  }
  return files;
}

function valueOf(p: TansDecoderParams, name: string): number {
  const v = (p as unknown as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw new HwsimError(`engine parameter ${name} is not a TansEngineParams field`);
  return v;
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}


/**
 * Writes the generated files into `dir` (created if missing), and nowhere else: every name must be
 * a plain file name. Each file is first written in full to `.<name>.tmp-<pid>` in `dir` (created
 * exclusively, so a link planted under that name is not followed), and only when all are written
 * are they renamed into place; on failure the temporary files are removed and the files already in
 * `dir` are left as they were. Failures are HwsimErrors naming the path and a fix.
 */
export function writeGenerated(dir: string, files: readonly GeneratedFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    check(isPlainFileName(f.name), `refusing to write ${JSON.stringify(f.name)}: not a plain file name inside ${dir}`,
      'name files without directories, e.g. table.mem');
    check(!seen.has(f.name.toLowerCase()), `two generated files are named ${f.name}: one would overwrite the other`,
      'give the --rom-image another name');
    seen.add(f.name.toLowerCase());
  }
  ensureDirectory(dir, '--out');
  const temps: string[] = [];
  let current = dir;
  try {
    for (const f of files) {
      const tmp = join(dir, `.${f.name}.tmp-${process.pid}`);
      current = join(dir, f.name);
      const fd = openSync(tmp, 'wx', f.name.endsWith('.sh') ? 0o755 : 0o644);
      temps.push(tmp);
      try { writeSync(fd, f.text); } finally { closeSync(fd); }
    }
    files.forEach((f, i) => {
      current = join(dir, f.name);
      renameSync(temps[i], current);
    });
  } catch (err) {
    for (const t of temps) { try { unlinkSync(t); } catch { /* renamed already, or gone */ } }
    const code = errnoOf(err);
    throw new HwsimError(`cannot write ${current}: ${code}${code === 'ENOSPC' ? ' (disk full)' : ''}`,
      code === 'EISDIR' ? `${current} is a directory: remove it or give --out another directory`
        : 'give --out a directory you can write to, with free space');
  }
}
