/**
 * Gate-level co-simulation: the engine as Yosys synthesizes it for the iCE40 (the same script and
 * netlist that `hwsim synth` places and routes), simulated with Yosys's own models of the iCE40
 * cells under the RTL's harness. The run then checks what the synthesis tool made of the RTL: a
 * synthesis option that changes behaviour (a retiming that loses a reset value, say) fails it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HwsimError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import type { TansDecoderParams } from '../chip/tans-decoder.js';
import { configName, generateTansRtl, TANS_TOP, writeGenerated } from '../rtl/tans-rtl.js';
import { applyMutation, buildHarness, TANS_HARNESS_FLAGS, type HarnessBuild, type RtlMutation } from './verilator.js';

/** The netlist file the synthesis script writes (synth_ice40.ys: write_verilog after synth_ice40). */
export const TANS_NETLIST = `${TANS_TOP}_netlist.v`;

/** The Yosys models of the iCE40 cells (SB_LUT4, SB_DFF*, SB_CARRY, SB_RAM40_4K) that the netlist instantiates. */
export function ice40CellModels(): string {
  const which = spawnSync('sh', ['-c', 'command -v yosys'], { encoding: 'utf8' });
  const bin = which.status === 0 ? which.stdout.trim() : '';
  if (!bin) {
    throw new HwsimError('Yosys is not installed (gate-level co-simulation synthesizes the engine with it; nothing was compared)',
      'apt-get install -y yosys   (Debian/Ubuntu)');
  }
  // Yosys keeps its data (the "+/" of its scripts) in ../share/yosys beside its binary
  const path = join(dirname(realpathSync(bin)), '..', 'share', 'yosys', 'ice40', 'cells_sim.v');
  if (!existsSync(path)) {
    throw new HwsimError(`Yosys's iCE40 cell models are not at ${path} (gate-level co-simulation needs them; nothing was compared)`,
      'install Yosys with its data files (Debian: apt-get install -y yosys)');
  }
  return path;
}

/**
 * Synthesizes the engine with the generated script (synth_ice40.ys) in a scratch directory and
 * returns its Verilog netlist. `mutation` of a generated file (the RTL, or the synthesis script
 * itself) is applied before synthesis.
 */
export async function synthesizeTansNetlist(p: TansDecoderParams, mutation?: RtlMutation): Promise<{ text: string; seconds: number }> {
  const t0 = Date.now();
  let files = await generateTansRtl(p);
  if (mutation && mutation.file !== TANS_NETLIST) files = applyMutation(files, mutation);
  const work = mkdtempSync(join(tmpdir(), 'hwsim-netlist-'));
  try {
    writeGenerated(work, files);
    const r = spawnSync('yosys', ['-q', '-l', 'yosys.log', '-s', 'synth_ice40.ys'], { cwd: work, encoding: 'utf8', maxBuffer: 64 << 20 });
    const out = join(work, TANS_NETLIST);
    if (r.error || r.status !== 0 || !existsSync(out)) {
      const log = existsSync(join(work, 'yosys.log')) ? readFileSync(join(work, 'yosys.log'), 'utf8') : `${r.stderr ?? ''}${r.error ?? ''}`;
      throw new HwsimError(`Yosys could not synthesize ${configName(p)} for gate-level co-simulation:\n${log.trim().split('\n').slice(-12).join('\n')}`,
        'check that Yosys is installed (apt-get install -y yosys); `hwsim synth tans` runs the same script');
    }
    return { text: readFileSync(out, 'utf8'), seconds: (Date.now() - t0) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The tans harness built on the synthesized netlist and the cell models instead of the RTL.
 * `mutation` may name a generated file (synthesized in) or the netlist itself (TANS_NETLIST).
 */
export async function buildTansNetlistHarness(p: TansDecoderParams, root = join(packageRoot(), 'build', 'cosim'), mutation?: RtlMutation): Promise<HarnessBuild & { yosysSeconds: number }> {
  const cells = ice40CellModels();
  const netlist = await synthesizeTansNetlist(p, mutation);
  // the cell models carry a timescale: the netlist gets the same one (Verilator wants all or none)
  const rtl = [
    { name: TANS_NETLIST, text: `\`timescale 1ps / 1ps\n${netlist.text}` },
    { name: 'ice40_cells_sim.v', text: readFileSync(cells, 'utf8') },
  ];
  const build = buildHarness({
    name: `${configName(p)}-netlist`, top: TANS_TOP, rtl, harness: 'cosim/tans_harness.cpp',
    command: 'hwsim cosim tans --netlist', binary: 'Vtans_cosim',
    // the cell models give their inputs default values (port = 1'b0) that Verilator does not parse;
    // their own switch leaves them out (the netlist drives every input). Lint and style warnings
    // are about the models' code and Yosys's naming, not the design.
    flags: [...TANS_HARNESS_FLAGS, '-DNO_ICE40_DEFAULT_ASSIGNMENTS', '-Wno-lint', '-Wno-style'],
  }, root, mutation?.file === TANS_NETLIST ? mutation : undefined);
  return { ...build, yosysSeconds: netlist.seconds };
}
