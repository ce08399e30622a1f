/**
 * `hwsim synth wm`: the generated query unit → Yosys synth_ice40 → nextpnr-ice40, with the same
 * figures as the tANS engine's (LUTs, FFs, block RAMs, logic cells, Fmax).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { resolveWmEngineParams } from '../params/groups.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { packageRoot } from '../package-root.js';
import { cellCount, criticalPathWords, median, SYNTH_GOAL_MHZ, toolVersions } from './synth-ice40.js';
import { checkIce40Target, DEFAULT_ICE40, writeGenerated, type Ice40Target } from './tans-rtl.js';
import { generateWmRtl, wmConfigName } from './wm-rtl.js';

export interface WmSynthResult {
  config: WmEngineParams;
  target: Ice40Target;
  dir: string;
  luts: number;
  ffs: number;
  carries: number;
  brams: number;
  logicCells: number;
  logicCellsAvailable: number;
  ios: number;
  fmaxMhz: number;
  fmaxBySeed: number[];
  seeds: number[];
  criticalPath: string;
  /** the payload buffer's bits (each read port needs its own copy in block RAM) */
  bufferBits: number;
  seconds: number;
}

export async function synthWm(params: Partial<WmEngineParams>, target: Ice40Target = { ...DEFAULT_ICE40, freqMhz: SYNTH_GOAL_MHZ },
  seeds: readonly number[] = [1]): Promise<WmSynthResult> {
  const t0 = Date.now();
  const p = resolveWmEngineParams(params, 'synth');
  checkIce40Target(target);
  check(seeds.length >= 1 && seeds.every((x) => Number.isInteger(x) && x >= 1 && x <= 1_000_000), `--seeds ${seeds.join(',')} are not integers 1..1000000`, 'e.g. --seeds 1');
  toolVersions();
  const dir = join(packageRoot(), 'build', 'synth', `${wmConfigName(p)}-${target.device}`);
  writeGenerated(dir, generateWmRtl(p, target));
  const r = spawnSync('sh', ['pnr_ice40.sh', ...seeds.map(String)], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 });
  const logOf = (seed: number) => (existsSync(join(dir, `nextpnr-${seed}.log`)) ? readFileSync(join(dir, `nextpnr-${seed}.log`), 'utf8') : '');
  if (r.status !== 0 || !seeds.every((seed) => existsSync(join(dir, `nextpnr_report-${seed}.json`)))) {
    const tail = `${r.stderr}\n${logOf(seeds[seeds.length - 1])}`.trim().split('\n').slice(-12).join('\n');
    throw new HwsimError(`synthesis of ${wmConfigName(p)} for the ${target.device} failed (logs in ${dir}):\n${tail}`,
      /Unable to place|too many|exceeds|fit/i.test(tail) ? 'the unit does not fit this device: try fewer --lanes, --levels or --buffer-words' : 'see yosys.log / nextpnr-<seed>.log');
  }
  const stat = readFileSync(join(dir, 'yosys_stat.txt'), 'utf8');
  type Report = { fmax: Record<string, { achieved: number }>; utilization: Record<string, { used: number; available: number }> };
  const reports = seeds.map((seed) => JSON.parse(readFileSync(join(dir, `nextpnr_report-${seed}.json`), 'utf8')) as Report);
  const fmaxBySeed = reports.map((rep) => Math.round(Math.min(...Object.values(rep.fmax).map((f) => f.achieved)) * 10) / 10);
  const mid = fmaxBySeed.indexOf([...fmaxBySeed].sort((a, b) => a - b)[Math.floor((fmaxBySeed.length - 1) / 2)]);
  const report = reports[mid];
  return {
    config: p, target, dir,
    luts: cellCount(stat, /SB_LUT4\s+(\d+)/g),
    ffs: cellCount(stat, /SB_DFF\w*\s+(\d+)/g),
    carries: cellCount(stat, /SB_CARRY\s+(\d+)/g),
    brams: cellCount(stat, /SB_RAM40_4K\w*\s+(\d+)/g),
    logicCells: report.utilization.ICESTORM_LC?.used ?? 0,
    logicCellsAvailable: report.utilization.ICESTORM_LC?.available ?? 0,
    ios: report.utilization.SB_IO?.used ?? 0,
    fmaxMhz: Math.round(median(fmaxBySeed) * 10) / 10,
    fmaxBySeed, seeds: [...seeds],
    criticalPath: criticalPathWords(logOf(seeds[mid])),
    bufferBits: 32 * p.wmBufferWords,
    seconds: (Date.now() - t0) / 1000,
  };
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
