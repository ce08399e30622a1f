/**
 * `hwsim synth tans`: generated RTL → Yosys synth_ice40 → nextpnr-ice40, and the figures an
 * architect asks for: LUTs, FFs, block RAMs (Yosys cell counts), logic cells and Fmax (nextpnr).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { resolveTansDecoderParams, tableBanks, tableRamBits, TANS_DECODER_DEFAULTS, type TansDecoderParams } from '../chip/tans-decoder.js';
import { packageRoot } from '../package-root.js';
import { checkIce40Target, configName, DEFAULT_ICE40, generateTansRtl, ICE40_PACKAGES, writeGenerated, type Ice40Target } from './tans-rtl.js';

export { ICE40_PACKAGES };

export interface SynthResult extends Ice40Figures {
  config: TansDecoderParams;
  target: Ice40Target;
  dir: string;
  /** decode table bits per lane: L entries of {newState, nbBits, symbol} */
  tableBytes: number;
  seconds: number;
}

/**
 * Logic cells and 4-kbit block RAMs of each device (Lattice iCE40 family data sheet; nextpnr reports
 * 7680 LCs for the hx8k), and the most logic cells of the engine's estimate (below) that nextpnr
 * places: on the hx8k it placed 6424 (84 %); on the up5k, through its pin wrapper (about 100 LCs
 * more than the estimate), L = 64 with 2-word lane FIFOs placed S = 7 (estimate 4472, nextpnr 4587
 * LCs) and with 4-word FIFOs failed at S = 6 (estimate 4526, nextpnr 4649: "Unable to find legal
 * placement"), so 4500 is taken there.
 */
export const ICE40_CAPACITY: Readonly<Record<Ice40Target['device'], { logicCells: number; placeable: number; brams: number }>> = {
  hx8k: { logicCells: 7680, placeable: 7680, brams: 32 },
  lp8k: { logicCells: 7680, placeable: 7680, brams: 32 },
  up5k: { logicCells: 5280, placeable: 4500, brams: 30 },
  hx1k: { logicCells: 1280, placeable: 1280, brams: 16 },
};

export interface SynthEstimate { logicCells: number; brams: number; fits: boolean; maxStreams: number; line: string }

/**
 * The size of a configuration before synthesis, from the measured table in docs/hw/synthesis.md
 * (Yosys 0.23 + nextpnr 0.4 on the hx8k, symbolBits 5): logic cells grow by one lane per stream,
 * (LCs at S=8 − LCs at S=1) / 7 = 619.6 / 632.4 / 585.0 per lane at L = 64 / 128 / 256, on a base of
 * 135.4 / 127.6 / 96.0 (LCs at S=1 − one lane); between and beyond those L, linear in log2(L) from the
 * nearest two. Block RAMs: each lane holds a
 * copy of its decode table (two banks of it at L <= 128, tableBanks), L words of tableRamBits
 * bits each, in the fewest SB_RAM40_4K of one of the four shapes (256×16, 512×8, 1024×4, 2048×2),
 * which gives 1 BRAM per lane at L = 64, 128 and 256 (16-bit entries at L = 256). Those lanes have
 * the default FIFO depth (2 words) and counter width (32 bits); each FIFO word more is 56.1 LCs a
 * lane (L = 64: 731.7 per lane with 4 words, 1104 LCs at S = 1 and 7904 at S = 8 with 8),
 * each counter bit 4.8 a lane and 1.8 for the engine with two table banks (the counters and their
 * shadows; measured at L = 64) and 2.8 and 0.4 with one (L = 256). An estimate, not a promise: it
 * says when a run is hopeless, not exactly what it will use.
 */
const MEASURED_LANES: ReadonlyArray<{ log2L: number; perLane: number; base: number }> = [
  { log2L: 6, perLane: 619.57, base: 135.43 },
  { log2L: 7, perLane: 632.43, base: 127.57 },
  { log2L: 8, perLane: 585.0, base: 96.0 },
];
const LC_PER_FIFO_WORD = 56.07;
/** logic cells per counter bit: per lane, and for the engine (the base) */
const LC_PER_COUNT_BIT = { twoBanks: { lane: 4.79, base: 1.81 }, oneBank: { lane: 2.79, base: 0.41 } };

export function estimateSynth(p: TansDecoderParams, device: Ice40Target['device']): SynthEstimate {
  const x = Math.log2(p.states);
  const i = Math.min(MEASURED_LANES.length - 2, Math.max(0, Math.floor(x) - MEASURED_LANES[0].log2L));
  const [a, b] = [MEASURED_LANES[i], MEASURED_LANES[i + 1]];
  const t = (x - a.log2L) / (b.log2L - a.log2L);
  const perBit = tableBanks(p) === 2 ? LC_PER_COUNT_BIT.twoBanks : LC_PER_COUNT_BIT.oneBank;
  const narrower = TANS_DECODER_DEFAULTS.countBits - p.countBits;
  const perLane = a.perLane + (b.perLane - a.perLane) * t
    + (p.streamFifoDepth - TANS_DECODER_DEFAULTS.streamFifoDepth) * LC_PER_FIFO_WORD
    - narrower * perBit.lane;
  const base = Math.max(0, a.base + (b.base - a.base) * t - narrower * perBit.base);
  const bits = tableRamBits(p);
  const entries = tableBanks(p) * p.states;
  const bramsPerLane = Math.min(...[[256, 16], [512, 8], [1024, 4], [2048, 2]].map(([depth, width]) =>
    Math.ceil(entries / depth) * Math.ceil(bits / width)));
  const cap = ICE40_CAPACITY[device];
  const logicCells = Math.round(base + perLane * p.streams);
  const brams = bramsPerLane * p.streams;
  const fits = logicCells <= cap.placeable && brams <= cap.brams;
  const maxStreams = Math.max(0, Math.min(Math.floor((cap.placeable - base) / perLane), Math.floor(cap.brams / bramsPerLane)));
  const room = cap.placeable < cap.logicCells ? `device ${cap.logicCells}, of which nextpnr places about ${cap.placeable}` : `device ${cap.logicCells}`;
  const line = `L=${p.states} S=${p.streams}: about ${logicCells} logic cells (${room}) and ${brams} block RAMs ` +
    `(device ${cap.brams})${fits ? '' : `: larger than the ${device}, nextpnr will fail`}`;
  return { logicCells, brams, fits, maxStreams, line };
}

export function toolVersions(): { yosys: string; nextpnr: string } {
  const v = (cmd: string, arg: string, fix: string) => {
    const r = spawnSync(cmd, [arg], { encoding: 'utf8' });
    if (r.error) throw new HwsimError(`${cmd} is not installed`, fix);
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0];
  };
  return {
    yosys: v('yosys', '-V', 'apt-get install -y yosys'),
    nextpnr: v('nextpnr-ice40', '--version', 'apt-get install -y nextpnr-ice40'),
  };
}

export function cellCount(stat: string, re: RegExp): number {
  let n = 0;
  for (const m of stat.matchAll(re)) n += Number(m[1]);
  return n;
}

/** The timing goal `hwsim synth` places and routes for (nextpnr --freq). */
export const SYNTH_GOAL_MHZ = 100;
export const DEFAULT_SEEDS: readonly number[] = [1, 2, 3];

/**
 * The critical path of a nextpnr log in words: where it starts and ends (cell names without the
 * suffixes Yosys adds), how many LUTs and carry cells it crosses, and its logic/routing split.
 */
export function criticalPathWords(log: string): string {
  const at = log.lastIndexOf('Critical path report for clock');
  if (at < 0) return 'n/a';
  const end = log.indexOf('ns routing', at);
  const section = log.slice(at, end < 0 ? undefined : end + 10);
  const cells = [...section.matchAll(/(Source|Sink) (\S+)/g)].map((m) => m[2]);
  const plain = (c: string) => c.replace(/\$nextpnr_\w+|\$gbuf_|_\$glb_\w+/g, '').replace(/(_SB_|\$).*$/, '').replace(/\.(O|I\d|CEN|D_IN_0|RDATA_\d+|RADDR_\d+|COUT|CIN)$/, '');
  const luts = (section.match(/Source \S+LC\.O\b/g) ?? []).length;
  const carries = (section.match(/Source \S+\.COUT\b/g) ?? []).length;
  const split = /([\d.]+) ns logic, ([\d.]+) ns routing/.exec(section);
  if (cells.length === 0) return 'n/a';
  const last = cells[cells.length - 1];
  const sinkPin = /\.(\w+)$/.exec(last)?.[1] ?? '';
  return `${plain(cells[0])} → ${plain(last)}${sinkPin ? ` (${sinkPin})` : ''}: ${luts} LUTs, ${carries} carry steps` +
    (split ? `, ${split[1]} ns logic + ${split[2]} ns routing` : '');
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The figures of one Yosys + nextpnr run (one or more seeds), as both blocks report them. */
export interface Ice40Figures {
  luts: number;
  ffs: number;
  carries: number;
  brams: number;
  logicCells: number;
  logicCellsAvailable: number;
  ios: number;
  /** the median over the seeds (nextpnr placement varies with its seed) */
  fmaxMhz: number;
  /** per seed, in seed order */
  fmaxBySeed: number[];
  seeds: number[];
  /** the critical path of the median seed's run, from nextpnr's report */
  criticalPath: string;
}

export function checkSeeds(seeds: readonly number[], example: string): void {
  check(seeds.length >= 1 && seeds.every((x) => Number.isInteger(x) && x >= 1 && x <= 1_000_000), `--seeds ${seeds.join(',')} are not integers 1..1000000`, `e.g. --seeds ${example}`);
}

/**
 * Runs pnr_ice40.sh (Yosys, then nextpnr once per seed) in a generated directory and reads the
 * figures: cell counts from Yosys's stat, logic cells and Fmax from nextpnr's reports (the median
 * seed's). `what` names the configuration in errors; `fitFix` is the fix when it does not fit.
 * A run longer than `timeoutSeconds` is stopped and reported as such.
 */
export function runIce40Flow(dir: string, seeds: readonly number[], what: string, fitFix: string, timeoutSeconds = 4 * 3600): Ice40Figures {
  const r = spawnSync('sh', ['pnr_ice40.sh', ...seeds.map(String)], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw new HwsimError(`synthesis of ${what} did not finish in ${timeoutSeconds} s (logs in ${dir})`, 'try a smaller configuration, or a machine with more free cores');
  }
  if (r.status !== 0 || !seeds.every((seed) => existsSync(join(dir, `nextpnr_report-${seed}.json`)))) {
    const tail = `${r.stderr}\n${nextpnrLog(dir, seeds[seeds.length - 1])}`.trim().split('\n').slice(-12).join('\n');
    throw new HwsimError(`synthesis of ${what} failed (logs in ${dir}):\n${tail}`,
      /Unable to place|too many|exceeds|fit/i.test(tail) ? fitFix : 'see yosys.log / nextpnr-<seed>.log');
  }
  return readIce40Figures(dir, seeds);
}

const nextpnrLog = (dir: string, seed: number) => (existsSync(join(dir, `nextpnr-${seed}.log`)) ? readFileSync(join(dir, `nextpnr-${seed}.log`), 'utf8') : '');

/** The figures of a finished run in `dir`: Yosys's stat and nextpnr's report and log of each seed. */
export function readIce40Figures(dir: string, seeds: readonly number[]): Ice40Figures {
  const logOf = (seed: number) => nextpnrLog(dir, seed);
  // (with modules kept apart, stat lists each and then the whole design: count the whole design)
  const statText = readFileSync(join(dir, 'yosys_stat.txt'), 'utf8');
  const whole = statText.indexOf('=== design hierarchy ===');
  const stat = whole >= 0 ? statText.slice(whole) : statText;
  type Report = { fmax: Record<string, { achieved: number }>; utilization: Record<string, { used: number; available: number }> };
  const reports = seeds.map((seed) => JSON.parse(readFileSync(join(dir, `nextpnr_report-${seed}.json`), 'utf8')) as Report);
  const fmaxBySeed = reports.map((rep) => Math.round(Math.min(...Object.values(rep.fmax).map((f) => f.achieved)) * 10) / 10);
  // the seed whose Fmax is the median (the lower middle one for an even count)
  const mid = fmaxBySeed.indexOf([...fmaxBySeed].sort((a, b) => a - b)[Math.floor((fmaxBySeed.length - 1) / 2)]);
  const report = reports[mid];
  return {
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
  };
}

export async function synthTans(params: Partial<TansDecoderParams>, target: Ice40Target = { ...DEFAULT_ICE40, freqMhz: SYNTH_GOAL_MHZ },
  seeds: readonly number[] = DEFAULT_SEEDS): Promise<SynthResult> {
  const t0 = Date.now();
  const p = resolveTansDecoderParams(params);
  checkIce40Target(target);
  checkSeeds(seeds, '1,2,3');
  toolVersions();
  const dir = join(packageRoot(), 'build', 'synth', `${configName(p)}-${target.device}`);
  writeGenerated(dir, await generateTansRtl(p, { target }));
  const figures = runIce40Flow(dir, seeds, `${configName(p)} for the ${target.device}`, 'the design does not fit this device: try --device hx8k or fewer --streams');
  return {
    config: p, target, dir, ...figures,
    tableBytes: Math.ceil((p.states * tableRamBits(p)) / 8),
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The docs/hw/synthesis.md tables: one per device, in the order the results came. */
export function synthMarkdown(results: readonly SynthResult[], versions: { yosys: string; nextpnr: string }): string {
  const first = results[0];
  const devices = [...new Set(results.map((r) => r.target.device))];
  const out = [
    '# tans_engine on iCE40: synthesis figures',
    '',
    `Produced by \`hwsim synth tans --states 64,128,256 --streams 1,4,8 --markdown docs/hw/synthesis.md\``,
    `(then \`--device up5k\` for its rows; symbolBits ${first?.config.symbolBits}, inWidth 32, streamFifoDepth ${first?.config.streamFifoDepth}, countBits ${first?.config.countBits}).`,
    `nextpnr places and routes with \`--freq ${first?.target.freqMhz}\` (the timing goal) once per seed ${first?.seeds.join(', ')}; Fmax is the`,
    'median over the seeds, and the critical path is the one nextpnr reports for the median seed\'s run.',
    `Tools: ${versions.yosys}; ${versions.nextpnr}. IOs are left unconstrained: figures for the engine, not a board.`,
    '',
    'LUTs, FFs, carries and BRAMs are Yosys cell counts (SB_LUT4, SB_DFF*, SB_CARRY, SB_RAM40_4K); logic',
    'cells (LCs, a LUT and/or an FF) and Fmax come from nextpnr. Table bytes: one lane\'s decode table,',
    'L entries of log2(L) + ceil(log2(log2(L)+1)) + symbolBits bits, less one where the nbBits field has a',
    'spare code (newState\'s bit 0 is then not stored: docs/hw/tans-decoder.md, "Table entry"), plus one',
    'where such an entry leaves the 16-bit RAM word room for the spare code\'s flag (L = 64); each lane',
    'holds a copy (one BRAM read port per lane per cycle), in two banks at L <= 128 (the next layer\'s table',
    'loads in the background while a layer decodes).',
    '',
    'The wavelet-matrix query unit\'s figures (`hwsim synth wm`) are in docs/hw/wm-synthesis.md, with',
    'what sets its size and Fmax in docs/hw/wm-query-unit.md ("Synthesis").',
  ];
  for (const device of devices) {
    const rs = results.filter((r) => r.target.device === device);
    const wrapped = rs[0].target.device === 'up5k';
    out.push('', `## iCE40 ${device.toUpperCase()} (${rs[0].target.package})${wrapped ? ', through the pin-limited wrapper tans_engine_pins (26 pins)' : ''}`, '',
      '| L | S | LUTs | FFs | carries | BRAMs | LCs (of device) | Fmax MHz (median) | Fmax per seed | table bytes/lane | critical path (median seed) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|');
    for (const r of rs) {
      out.push(`| ${r.config.states} | ${r.config.streams} | ${r.luts} | ${r.ffs} | ${r.carries} | ${r.brams} | ` +
        `${r.logicCells} / ${r.logicCellsAvailable} | ${r.fmaxMhz} | ${r.fmaxBySeed.join(', ')} | ${r.tableBytes} | ${r.criticalPath} |`);
    }
  }
  return [...out, ''].join('\n');
}
