/**
 * `hwsim synth wm`: the generated query unit → Yosys synth_ice40 → nextpnr-ice40, with the same
 * figures as the tANS engine's (LUTs, FFs, block RAMs, logic cells, Fmax).
 */
import { join } from 'node:path';
import { resolveWmEngineParams } from '../params/groups.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { packageRoot } from '../package-root.js';
import { checkSeeds, runIce40Flow, SYNTH_GOAL_MHZ, toolVersions, type Ice40Figures } from './synth-ice40.js';
import { checkIce40Target, DEFAULT_ICE40, writeGenerated, type Ice40Target } from './tans-rtl.js';
import { generateWmRtl, wmConfigName, wmPosBits } from './wm-rtl.js';

export interface WmSynthResult extends Ice40Figures {
  config: WmEngineParams;
  target: Ice40Target;
  dir: string;
  /** payload buffer bits held by the unit: per lane, per level, BufferWords words of 32 bits and a rank each */
  bufferBits: number;
  seconds: number;
}

/** The unit's payload memory: every lane holds a bank per level of BufferWords words, each word with its rank. */
export const wmBufferBits = (p: WmEngineParams): number => p.wmLanes * p.wmLevels * p.wmBufferWords * (32 + wmPosBits(p));

export async function synthWm(params: Partial<WmEngineParams>, target: Ice40Target = { ...DEFAULT_ICE40, freqMhz: SYNTH_GOAL_MHZ },
  seeds: readonly number[] = [1], timeoutSeconds?: number): Promise<WmSynthResult> {
  const t0 = Date.now();
  const p = resolveWmEngineParams(params, 'synth');
  checkIce40Target(target);
  checkSeeds(seeds, '1');
  toolVersions();
  const dir = join(packageRoot(), 'build', 'synth', `${wmConfigName(p)}-${target.device}`);
  writeGenerated(dir, generateWmRtl(p, target));
  const figures = runIce40Flow(dir, seeds, `${wmConfigName(p)} for the ${target.device}`,
    'the unit does not fit this device: try fewer --lanes, --levels, --symbol-bits or --buffer-words', timeoutSeconds);
  return { config: p, target, dir, ...figures, bufferBits: wmBufferBits(p), seconds: (Date.now() - t0) / 1000 };
}

/** docs/hw/wm-synthesis.md: one table per device. */
export function wmSynthMarkdown(results: readonly WmSynthResult[], versions: { yosys: string; nextpnr: string }, command: string): string {
  const first = results[0];
  const out = [
    '# wm_query_unit on iCE40: synthesis figures',
    '',
    `Produced by \`${command}\` (and the same with \`--device up5k\`).`,
    `nextpnr places and routes with \`--freq ${first?.target.freqMhz}\` once per seed ${first?.seeds.join(', ')}; Fmax is the median over the seeds.`,
    `Tools: ${versions.yosys}; ${versions.nextpnr}. IOs are left unconstrained: figures for the unit, not a board.`,
    'LUTs, FFs, carries and BRAMs are Yosys cell counts; logic cells (LCs) and Fmax come from nextpnr.',
  ];
  for (const device of [...new Set(results.map((r) => r.target.device))]) {
    const rs = results.filter((r) => r.target.device === device);
    out.push('', `## iCE40 ${device.toUpperCase()} (${rs[0].target.package})${device === 'up5k' ? ', through the pin-limited wrapper wm_query_unit_pins (24 pins)' : ''}`, '',
      '| lanes | load words | levels | symbol bits | buffer words | LUTs | FFs | carries | BRAMs | LCs (of device) | Fmax MHz | critical path |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rs) {
      const c = r.config;
      out.push(`| ${c.wmLanes} | ${c.wmLoadWords} | ${c.wmLevels} | ${c.symbolBits} | ${c.wmBufferWords} | ${r.luts} | ${r.ffs} | ${r.carries} | ${r.brams} | ` +
        `${r.logicCells} / ${r.logicCellsAvailable} | ${r.fmaxMhz} | ${r.criticalPath} |`);
    }
  }
  return [...out, ''].join('\n');
}
