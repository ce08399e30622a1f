/**
 * `hwsim synth wm`: the generated query unit → Yosys synth_ice40 → nextpnr-ice40, with the same
 * figures as the tANS engine's (LUTs, FFs, block RAMs, logic cells, Fmax).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveWmEngineParams } from '../params/groups.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { packageRoot } from '../package-root.js';
import { cellCount, checkSeeds, runIce40Flow, SYNTH_GOAL_MHZ, toolVersions, type Ice40Figures } from './synth-ice40.js';
import { checkIce40Target, DEFAULT_ICE40, writeGenerated, type Ice40Target } from './tans-rtl.js';
import { generateWmRtl, wmConfigName, wmPosBits } from './wm-rtl.js';

export interface WmSynthResult extends Ice40Figures {
  config: WmEngineParams;
  target: Ice40Target;
  dir: string;
  /** false when nextpnr could not place it: logicCells is then what it needed (figures after it are 0) */
  fits: boolean;
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
  let figures: Ice40Figures;
  try {
    figures = runIce40Flow(dir, seeds, `${wmConfigName(p)} for the ${target.device}`,
      'the unit does not fit this device: try fewer --lanes, --levels, --symbol-bits or --buffer-words', timeoutSeconds);
  } catch (err) {
    // a unit larger than the device is a figure too: the logic cells nextpnr needed
    const log = existsSync(join(dir, `nextpnr-${seeds[0]}.log`)) ? readFileSync(join(dir, `nextpnr-${seeds[0]}.log`), 'utf8') : '';
    const over = /ICESTORM_LC:\s+(\d+)\/\s*(\d+)/.exec(log);
    if (!over || Number(over[1]) <= Number(over[2]) || !/Unable to place/.test(log)) throw err;
    const stat = readFileSync(join(dir, 'yosys_stat.txt'), 'utf8');
    figures = {
      luts: cellCount(stat, /SB_LUT4\s+(\d+)/g), ffs: cellCount(stat, /SB_DFF\w*\s+(\d+)/g), carries: cellCount(stat, /SB_CARRY\s+(\d+)/g),
      brams: cellCount(stat, /SB_RAM40_4K\w*\s+(\d+)/g), logicCells: Number(over[1]), logicCellsAvailable: Number(over[2]), ios: 0,
      fmaxMhz: 0, fmaxBySeed: [], seeds: [...seeds], criticalPath: 'does not fit',
    };
    return { config: p, target, dir, ...figures, fits: false, bufferBits: wmBufferBits(p), seconds: (Date.now() - t0) / 1000 };
  }
  return { config: p, target, dir, ...figures, fits: true, bufferBits: wmBufferBits(p), seconds: (Date.now() - t0) / 1000 };
}

/** The device sections of a table written before (`## iCE40 ...` to the next `## ` or the end). */
function deviceSections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/^## iCE40 (\w+)[^\n]*\n[\s\S]*?(?=^## |(?![\s\S]))/gm)) out.set(m[1].toLowerCase(), m[0].trimEnd());
  return out;
}

/**
 * docs/hw/wm-synthesis.md: one table per device. The sections of devices not in `results` are
 * kept from `previous` (the file as it was), so that one run per device builds the whole page.
 */
export function wmSynthMarkdown(results: readonly WmSynthResult[], versions: { yosys: string; nextpnr: string }, command: string, previous = ''): string {
  const first = results[0];
  const out = [
    '# wm_query_unit on iCE40: synthesis figures',
    '',
    `Produced by \`hwsim synth wm ... --markdown\`, one run per device and configuration set (the last: \`${command}\`).`,
    `nextpnr places and routes with \`--freq ${first?.target.freqMhz}\` once per seed; Fmax is the median over the seeds (each row lists them).`,
    `Tools: ${versions.yosys}; ${versions.nextpnr}. IOs are left unconstrained: figures for the unit, not a board.`,
    'LUTs, FFs, carries and BRAMs are Yosys cell counts; logic cells (LCs) and Fmax come from nextpnr. Buffer kbit: the',
    'payload banks of all lanes (per lane, per level, buffer-words words of 32 bits and a rank each).',
  ];
  const sections = deviceSections(previous);
  for (const device of [...new Set(results.map((r) => r.target.device))]) {
    const rs = results.filter((r) => r.target.device === device);
    const lines = [`## iCE40 ${device.toUpperCase()} (${rs[0].target.package})${device === 'up5k' ? ', through the pin-limited wrapper wm_query_unit_pins (24 pins)' : ''}`, '',
      '| lanes | load words | levels | symbol bits | buffer words | buffer kbit | LUTs | FFs | carries | BRAMs | LCs (of device) | Fmax MHz (median) | Fmax per seed | critical path (median seed) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|'];
    // rows by configuration (lanes, load words, levels, symbol bits, buffer words): an earlier run's
    // rows of other configurations stay, in their order, before this run's
    const rowKey = (row: string) => row.split('|').slice(1, 6).map((x) => x.trim()).join(',');
    const rows = new Map<string, string>();
    for (const row of (sections.get(device) ?? '').split('\n').filter((x) => /^\| \d/.test(x))) rows.set(rowKey(row), row);
    for (const r of rs) {
      const c = r.config;
      const row = `| ${c.wmLanes} | ${c.wmLoadWords} | ${c.wmLevels} | ${c.symbolBits} | ${c.wmBufferWords} | ${(r.bufferBits / 1024).toFixed(1)} | ${r.luts} | ${r.ffs} | ${r.carries} | ${r.brams} | ` +
        (r.fits ? `${r.logicCells} / ${r.logicCellsAvailable} | ${r.fmaxMhz} | ${r.fmaxBySeed.join(', ')} (seeds ${r.seeds.join(', ')}) | ${r.criticalPath} |`
          : `needs ${r.logicCells} / ${r.logicCellsAvailable} | - | - | does not fit the device |`);
      rows.delete(rowKey(row));
      rows.set(rowKey(row), row);
    }
    sections.set(device, [...lines, ...rows.values()].join('\n'));
  }
  for (const text of sections.values()) out.push('', text);
  return [...out, ''].join('\n');
}
