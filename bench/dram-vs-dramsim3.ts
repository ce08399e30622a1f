/**
 * The detailed DRAM model (src/chip/dram-timing.ts) against DRAMsim3 on the same traces: documented
 * access patterns (sequential stream at two loads, random rows, a read/write mix, a stream across
 * refreshes) for each preset DRAMsim3 can express, mean read latency and row-buffer hits from both.
 *
 *   npx tsc -p . && node dist/bench/dram-vs-dramsim3.js [--requests N] [--json] [--trace file.trace --preset P]
 *
 * DRAMsim3 is not part of hwsim; build it outside the project (this bench looks for
 * .cache/dramsim3/build/dramsim3main, or the path in $HWSIM_DRAMSIM3):
 *
 *   git clone https://github.com/umd-memsys/DRAMsim3 .cache/dramsim3
 *   cmake -S .cache/dramsim3 -B .cache/dramsim3/build -DCMAKE_BUILD_TYPE=Release && make -C .cache/dramsim3/build
 *
 * Without it the bench says so and exits 0. Both sides get one ini written from the preset's
 * parameters (the same timings, geometry, address mapping row:bank:column, open page, all-bank
 * refresh), so a difference is a difference of controller behaviour, not of inputs.
 * `--trace` replays a trace written by `hwsim run --dram-trace` instead of the patterns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRAM_PRESETS, dramsim3TraceLine, replayTrace, type DramTimingParams, type TraceRequest } from '../src/chip/dram-timing.js';
import { HwsimError } from '../src/errors.js';
import { intFlag, runIfEntry } from './entry.js';

export function findDramsim3(): string | undefined {
  const p = process.env.HWSIM_DRAMSIM3 ?? join('.cache', 'dramsim3', 'build', 'dramsim3main');
  return existsSync(p) ? p : undefined;
}

/** DRAMsim3's transaction queue; the model's replay holds the trace back the same way. */
const TRANS_QUEUE = 32;

/** The DRAMsim3 ini of a preset: the same parameters the model uses. */
export function dramsim3Ini(p: DramTimingParams, protocol: string): string {
  // BL beats of busWidth bits = casBytes; DRAMsim3's burst_cycle = BL/2 for DDR protocols
  const BL = p.burstCycles * 2;
  const busWidth = (p.casBytes * 8) / BL;
  const columns = p.rowBytes / (busWidth / 8);
  const channelMb = (p.rowBytes * p.rows * p.banks) / (1 << 20);
  return `[dram_structure]
protocol = ${protocol}
bankgroups = ${p.bankGroups}
banks_per_group = ${p.banks / p.bankGroups}
rows = ${p.rows}
columns = ${columns}
device_width = ${busWidth}
BL = ${BL}

[timing]
tCK = ${p.tCK}
AL = 0
CL = ${p.CL}
CWL = ${p.CWL}
tRCD = ${p.tRCD}
tRP = ${p.tRP}
tRAS = ${p.tRAS}
tRFC = ${p.tRFC}
tRFC2 = ${p.tRFC}
tRFC4 = ${p.tRFC}
tREFI = ${p.tREFI}
tRPRE = 1
tWPRE = 1
tRRD_S = ${p.tRRD_S}
tRRD_L = ${p.tRRD_L}
tWTR_S = ${p.tWTR_S}
tWTR_L = ${p.tWTR_L}
tFAW = ${p.tFAW}
tWR = ${p.tWR}
tWR2 = ${p.tWR}
tRTP = ${p.tRTP}
tCCD_S = ${p.tCCD_S}
tCCD_L = ${p.tCCD_L}
tCKE = 6
tCKESR = 7
tXS = ${p.tRFC + 8}
tXP = 6
tRTRS = ${p.tRTRS}
tPPD = 0

[power]
VDD = 1.1
IDD0 = 60
IPP0 = 0
IDD2P = 2
IDD2N = 20
IDD3P = 10
IDD3N = 30
IDD4W = 200
IDD4R = 200
IDD5AB = 150
IDD6x = 1

[system]
channel_size = ${channelMb}
channels = 1
bus_width = ${busWidth}
address_mapping = rochrababgco
queue_structure = PER_BANK
refresh_policy = RANK_LEVEL_SIMULTANEOUS
row_buf_policy = OPEN_PAGE
cmd_queue_size = 8
trans_queue_size = ${TRANS_QUEUE}

[other]
epoch_period = 100000000
output_level = 1
`;
}

/** A seeded LCG, so that the patterns are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Pattern { name: string; describe: string; trace: TraceRequest[] }

/** The documented access patterns, n requests each, in the preset's tCK. */
export function patterns(p: DramTimingParams, n: number): Pattern[] {
  const peak = p.burstCycles; // one column access per burst time saturates the bus
  const rnd = lcg(11);
  const rowSpan = p.rowBytes * p.banks;
  const capacity = rowSpan * p.rows;
  const seq = (every: number): TraceRequest[] => Array.from({ length: n }, (_, i) => ({ addr: i * p.casBytes, write: false, cycle: Math.floor(i * every) }));
  return [
    { name: 'stream-50', describe: 'sequential reads at 50% of the peak data rate (one column access per 2 burst times)', trace: seq(2 * peak) },
    { name: 'stream-90', describe: 'sequential reads at ~90% of the peak data rate', trace: seq(peak / 0.9) },
    {
      name: 'random-rows', describe: 'reads to random rows of random banks, one every 200 tCK (unloaded: each one a row miss)',
      trace: Array.from({ length: n }, (_, i) => ({ addr: Math.floor(rnd() * (capacity / p.casBytes)) * p.casBytes, write: false, cycle: i * 200 })),
    },
    {
      name: 'rw-mix', describe: 'sequential addresses, 8 reads then 8 writes, one access per 4 burst times (bus turnarounds)',
      trace: Array.from({ length: n }, (_, i) => ({ addr: i * p.casBytes, write: (i >> 3) % 2 === 1, cycle: i * 4 * peak })),
    },
  ];
}

interface Side { meanReadLatency: number; readRowHits: number; reads: number; activates: number; refreshes: number }
export interface CompareRow { preset: string; pattern: string; describe: string; requests: number; model: Side; dramsim3: Side; latencyDiffPct: number }

function runDramsim3(bin: string, ini: string, trace: TraceRequest[], dir: string): Side {
  const iniPath = join(dir, 'dram.ini');
  const tracePath = join(dir, 'in.trace');
  writeFileSync(iniPath, ini);
  const end = trace[trace.length - 1].cycle;
  // DRAMsim3's trace reader repeats the last line of a file that ends in a newline and drops the
  // last line of one that does not: a sentinel line past the end, without a newline, is never issued
  const lines = trace.map((r) => dramsim3TraceLine(r.addr, r.write, r.cycle));
  lines.push(dramsim3TraceLine(0, false, end + 10_000_000));
  writeFileSync(tracePath, lines.join('\n'));
  const out = join(dir, 'out');
  mkdirSync(out, { recursive: true });
  execFileSync(bin, [iniPath, '-c', String(end + 20_000), '-t', tracePath, '-o', out], { stdio: 'pipe' });
  const s = JSON.parse(readFileSync(join(out, 'dramsim3.json'), 'utf8'))['0'];
  return { meanReadLatency: s.average_read_latency, readRowHits: s.num_read_row_hits, reads: s.num_reads_done, activates: s.num_act_cmds, refreshes: s.num_ref_cmds };
}

function runModel(p: DramTimingParams, trace: TraceRequest[], queueDepth: number): Side {
  const r = replayTrace(p, trace, queueDepth);
  return { meanReadLatency: r.meanReadLatency, readRowHits: r.stats.readHits, reads: r.stats.reads, activates: r.stats.activates, refreshes: r.stats.refreshes };
}

/** The presets DRAMsim3 can express, with its protocol name. */
export const DRAMSIM3_PROTOCOLS: Readonly<Record<string, string>> = {
  'lpddr4-3200-x16': 'LPDDR4', 'lpddr4-3200-x32': 'LPDDR4', 'ddr4-2400-x16': 'DDR4',
};

/** A trace file as `hwsim run --dram-trace` writes it. */
export function readTrace(path: string): TraceRequest[] {
  const out: TraceRequest[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^0x([0-9a-f]+) (READ|WRITE) (\d+)$/.exec(line.trim());
    if (m) out.push({ addr: parseInt(m[1], 16), write: m[2] === 'WRITE', cycle: Number(m[3]) });
  }
  return out;
}

export function compare(bin: string, n: number, only?: { preset: string; trace: TraceRequest[] }): CompareRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'hwsim-dramsim3-'));
  const rows: CompareRow[] = [];
  const presets = only ? [only.preset] : Object.keys(DRAMSIM3_PROTOCOLS);
  for (const name of presets) {
    const p = DRAM_PRESETS[name];
    const pats = only ? [{ name: 'trace', describe: 'the given trace', trace: only.trace }] : patterns(p, n);
    for (const pat of pats) {
      const model = runModel(p, pat.trace, TRANS_QUEUE);
      const ds = runDramsim3(bin, dramsim3Ini(p, DRAMSIM3_PROTOCOLS[name]), pat.trace, dir);
      rows.push({
        preset: name, pattern: pat.name, describe: pat.describe, requests: pat.trace.length, model, dramsim3: ds,
        latencyDiffPct: (model.meanReadLatency / ds.meanReadLatency - 1) * 100,
      });
    }
  }
  return rows;
}

function main(argv: string[]): void {
  const bin = findDramsim3();
  if (!bin) {
    process.stdout.write('DRAMsim3 not found (.cache/dramsim3/build/dramsim3main or $HWSIM_DRAMSIM3): skipped. Build it as this file\'s header says.\n');
    return;
  }
  const n = intFlag(argv, 'requests', 4000);
  const ti = argv.indexOf('--trace');
  let only: { preset: string; trace: TraceRequest[] } | undefined;
  if (ti >= 0) {
    const pi = argv.indexOf('--preset');
    const preset = pi >= 0 ? argv[pi + 1] : 'lpddr4-3200-x16';
    if (!DRAMSIM3_PROTOCOLS[preset]) throw new HwsimError(`--preset ${preset}: DRAMsim3 has no such protocol here`, `use one of ${Object.keys(DRAMSIM3_PROTOCOLS).join(', ')}`);
    only = { preset, trace: readTrace(argv[ti + 1]) };
  }
  const rows = compare(bin, n, only);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  process.stdout.write(`hwsim detailed DRAM vs DRAMsim3 (${bin}), ${n} requests per pattern; mean read latency in tCK from arrival to last data beat\n`);
  process.stdout.write('preset            pattern      model lat  DRAMsim3 lat  diff     model hits/ACT/REF   DRAMsim3 hits/ACT/REF\n');
  for (const r of rows) {
    process.stdout.write(`${r.preset.padEnd(17)} ${r.pattern.padEnd(12)} ${r.model.meanReadLatency.toFixed(1).padStart(9)}  ${r.dramsim3.meanReadLatency.toFixed(1).padStart(12)}  ` +
      `${(r.latencyDiffPct >= 0 ? '+' : '') + r.latencyDiffPct.toFixed(1)}%`.padEnd(8) +
      `  ${`${r.model.readRowHits}/${r.model.activates}/${r.model.refreshes}`.padStart(18)}   ${`${r.dramsim3.readRowHits}/${r.dramsim3.activates}/${r.dramsim3.refreshes}`.padStart(20)}\n`);
  }
  for (const p of rows.filter((r, i) => rows.findIndex((q) => q.pattern === r.pattern) === i)) process.stdout.write(`  ${p.pattern}: ${p.describe}\n`);
}

runIfEntry(import.meta.url, main);
