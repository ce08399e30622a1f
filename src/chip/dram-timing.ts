/**
 * A DRAM device with banks, row buffers, refresh and bus turnaround (docs/hw/dram.md, "Detailed
 * timing"): what `--dram lpddr4-3200-x16` (and the other presets) put behind the chip's DRAM port.
 *
 * The controller is in order (first come, first served) with an open-page policy: requests are
 * served in the order the port issues them, their data returns in that order, and a row stays open
 * until a request to another row of its bank (or a refresh) closes it. Activates and precharges of
 * a later request may start while an earlier one is still transferring (bank parallelism); column
 * commands (and so data) keep issue order. All-bank refresh every tREFI closes every row for tRFC.
 *
 * Time is counted in the device's command clock (tCK); every timing parameter is an integer number
 * of tCK, as datasheets state them (a time in ns rounded up to whole cycles). The JEDEC rules used:
 *   ACT→RD/WR tRCD · ACT→PRE tRAS · PRE→ACT tRP · ACT→ACT (other bank) tRRD_S/_L, 4 ACTs per tFAW
 *   RD→RD, WR→WR max(burst, tCCD_S/_L) · RD→WR RL + burst − WL + tRTRS · WR→RD WL + burst + tWTR_S/_L
 *   RD→PRE tRTP · WR→PRE WL + burst + tWR · REF→ACT tRFC · read data at CAS + RL, write data at CAS + WL
 * (_S: another bank group, _L: the same one; without bank groups _S applies.)
 *
 * Addresses map row : bank : column : byte (row bits highest; the bank-group bits are the low bits of
 * the bank field), so a sequential stream fills a row, then moves to the next bank.
 */
import { HwsimError } from '../errors.js';

export interface DramTimingParams {
  /** the device as named in docs/hw/dram.md */
  name: string;
  /** command clock period, ns */
  tCK: number;
  /** bytes one column access (one burst of the device) moves: bus width × burst length / 8 */
  casBytes: number;
  /** tCK the data bus is busy with one column access (burst length / beats per tCK) */
  burstCycles: number;
  banks: number;
  /** bank groups (1 = none); banks divide evenly among them */
  bankGroups: number;
  /** bytes of one row (page) across the channel */
  rowBytes: number;
  rows: number;
  /** read latency RL and write latency WL, tCK */
  CL: number;
  CWL: number;
  tRCD: number;
  tRP: number;
  tRAS: number;
  tRRD_S: number;
  tRRD_L: number;
  tFAW: number;
  tCCD_S: number;
  tCCD_L: number;
  tWTR_S: number;
  tWTR_L: number;
  tWR: number;
  tRTP: number;
  /** bus turnaround gap between a read burst and a write burst */
  tRTRS: number;
  tREFI: number;
  tRFC: number;
}

/**
 * Presets from datasheet timings (docs/hw/dram.md lists each one's source). ns values are rounded
 * up to whole tCK.
 */
export const DRAM_PRESETS: Readonly<Record<string, Readonly<DramTimingParams>>> = Object.freeze({
  // JESD209-4 LPDDR4-3200 (1600 MHz), 8 Gb x16 channel: RL 28 / WL 14 (set A, no DBI); tRCD 18 ns,
  // tRPpb 18 ns, tRAS 42 ns, tRRD 10 ns, tFAW 40 ns, tWTR 10 ns, tWR 18 ns, tRTP 7.5 ns,
  // tREFI 3.904 µs, tRFCab 280 ns; BL16; 8 banks, 2 KiB pages.
  'lpddr4-3200-x16': {
    name: 'LPDDR4-3200 x16', tCK: 0.625, casBytes: 32, burstCycles: 8, banks: 8, bankGroups: 1, rowBytes: 2048, rows: 32768,
    CL: 28, CWL: 14, tRCD: 29, tRP: 29, tRAS: 68, tRRD_S: 16, tRRD_L: 16, tFAW: 64, tCCD_S: 8, tCCD_L: 8,
    tWTR_S: 16, tWTR_L: 16, tWR: 29, tRTP: 12, tRTRS: 1, tREFI: 6246, tRFC: 448,
  },
  // the same die timings on a 32-bit bus (two x16 dies side by side, one command bus): 64 B per
  // BL16 access, 4 KiB pages
  'lpddr4-3200-x32': {
    name: 'LPDDR4-3200 x32', tCK: 0.625, casBytes: 64, burstCycles: 8, banks: 8, bankGroups: 1, rowBytes: 4096, rows: 32768,
    CL: 28, CWL: 14, tRCD: 29, tRP: 29, tRAS: 68, tRRD_S: 16, tRRD_L: 16, tFAW: 64, tCCD_S: 8, tCCD_L: 8,
    tWTR_S: 16, tWTR_L: 16, tWR: 29, tRTP: 12, tRTRS: 1, tREFI: 6246, tRFC: 448,
  },
  // JESD209-5 LPDDR5-6400 x16 in 8-bank mode, BL32 (CK 800 MHz, WCK:CK 4:1), as gem5's
  // LPDDR5_6400_1x16_8B_BL32 states them: RL 17 CK, tRCD 18 ns, tRP 18 ns, tRAS 42 ns, tWR 34 ns,
  // tRTP 4.59 ns, burst 4 CK, tWTR 12 ns, tRRD 10 ns, tFAW 40 ns, tRFCab 210 ns, tREFI 3.9 µs,
  // 4 KiB pages; WL 9 CK (write latency set A)
  'lpddr5-6400-x16': {
    name: 'LPDDR5-6400 x16', tCK: 1.25, casBytes: 64, burstCycles: 4, banks: 8, bankGroups: 1, rowBytes: 4096, rows: 16384,
    CL: 17, CWL: 9, tRCD: 15, tRP: 15, tRAS: 34, tRRD_S: 8, tRRD_L: 8, tFAW: 32, tCCD_S: 4, tCCD_L: 4,
    tWTR_S: 10, tWTR_L: 10, tWR: 28, tRTP: 4, tRTRS: 1, tREFI: 3120, tRFC: 168,
  },
  // DDR4-2400 8 Gb x16 (1200 MHz), the values of DRAMsim3's DDR4_8Gb_x16_2400.ini (Micron
  // MT40A512M16 speed bin -083E): CL 16, CWL 12, tRCD 16, tRP 16, tRAS 39, tRRD_S 7, tRRD_L 8,
  // tFAW 36, tCCD_S 4, tCCD_L 6, tWTR_S 3, tWTR_L 9, tWR 18, tRTP 9, tREFI 9360, tRFC 420; BL8;
  // 2 bank groups × 4 banks, 2 KiB pages
  'ddr4-2400-x16': {
    name: 'DDR4-2400 x16', tCK: 0.833, casBytes: 16, burstCycles: 4, banks: 8, bankGroups: 2, rowBytes: 2048, rows: 65536,
    CL: 16, CWL: 12, tRCD: 16, tRP: 16, tRAS: 39, tRRD_S: 7, tRRD_L: 8, tFAW: 36, tCCD_S: 4, tCCD_L: 6,
    tWTR_S: 3, tWTR_L: 9, tWR: 18, tRTP: 9, tRTRS: 2, tREFI: 9360, tRFC: 420,
  },
});

export const DRAM_MODES = ['simple', ...Object.keys(DRAM_PRESETS)] as const;

const TIMING_KEYS: readonly (keyof DramTimingParams)[] = [
  'tCK', 'casBytes', 'burstCycles', 'banks', 'bankGroups', 'rowBytes', 'rows', 'CL', 'CWL', 'tRCD', 'tRP', 'tRAS',
  'tRRD_S', 'tRRD_L', 'tFAW', 'tCCD_S', 'tCCD_L', 'tWTR_S', 'tWTR_L', 'tWR', 'tRTP', 'tRTRS', 'tREFI', 'tRFC',
];

const isPow2 = (v: number) => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;

/**
 * The timing of a `--dram` mode: a preset, with the fields of the chip config's `dramTiming`
 * object over it. Refuses a field that is missing, not a number, or that cannot hold with the
 * others (tRAS < tRCD, a row smaller than a burst, ...), naming the field.
 */
export function resolveDramTiming(mode: string, overrides: Record<string, unknown> | undefined, where: string): DramTimingParams {
  const base = DRAM_PRESETS[mode];
  if (!base) {
    throw new HwsimError(`${where}: unknown DRAM preset '${mode}'`, `use one of: ${DRAM_MODES.join(', ')}`);
  }
  const p: DramTimingParams = { ...base };
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (!(TIMING_KEYS as readonly string[]).includes(k)) {
      throw new HwsimError(`${where}: dramTiming.${k} is not a DRAM timing parameter`, `known: ${TIMING_KEYS.join(', ')}`);
    }
    (p as unknown as Record<string, unknown>)[k] = v;
  }
  if (overrides && Object.keys(overrides).length) p.name = `${base.name} (modified)`;
  checkDramTiming(p, where);
  return p;
}

/** The checks of resolveDramTiming, on a complete parameter set. */
export function checkDramTiming(p: DramTimingParams, where: string): void {
  const bad = (field: string, why: string, fix: string): never => {
    throw new HwsimError(`${where}: dramTiming.${field} ${why}`, fix);
  };
  for (const k of TIMING_KEYS) {
    const v = p[k] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(k, `is ${v === undefined ? 'missing' : JSON.stringify(v)}`, 'give a number');
    if (k === 'tCK') {
      if ((v as number) <= 0) bad(k, `is ${v}: the clock period must be > 0 ns`, 'e.g. 0.625 for LPDDR4-3200');
    } else if (!Number.isInteger(v) || (v as number) < 0) {
      bad(k, `is ${v}: timing and geometry fields are whole numbers ≥ 0 (cycles of tCK, bytes, counts)`, 'round a time in ns up to whole tCK');
    }
  }
  for (const k of ['casBytes', 'banks', 'bankGroups', 'rowBytes', 'rows'] as const) {
    if (!isPow2(p[k])) bad(k, `is ${p[k]}: it must be a power of two (it is a field of the address)`, 'e.g. 8 banks, 2048-byte rows');
  }
  for (const k of ['burstCycles', 'CL', 'CWL', 'tRCD', 'tRP', 'tRAS', 'tREFI', 'tRFC'] as const) {
    if (p[k] < 1) bad(k, `is ${p[k]}: it must be at least 1 tCK`, 'take the value from the datasheet');
  }
  if (p.rowBytes < p.casBytes) bad('rowBytes', `(${p.rowBytes}) is smaller than one column access (casBytes ${p.casBytes})`, 'a row holds whole bursts');
  if (p.banks % p.bankGroups !== 0) bad('bankGroups', `(${p.bankGroups}) does not divide banks (${p.banks})`, 'e.g. 4 groups of 4 banks');
  if (p.tRAS < p.tRCD) bad('tRAS', `(${p.tRAS}) is shorter than tRCD (${p.tRCD}): a row must stay open at least until its first column command`, 'check both against the datasheet');
  if (p.tRRD_L < p.tRRD_S) bad('tRRD_L', `(${p.tRRD_L}) is shorter than tRRD_S (${p.tRRD_S})`, 'the same-group spacing is the longer one');
  if (p.tCCD_L < p.tCCD_S) bad('tCCD_L', `(${p.tCCD_L}) is shorter than tCCD_S (${p.tCCD_S})`, 'the same-group spacing is the longer one');
  if (p.tFAW < p.tRRD_S) bad('tFAW', `(${p.tFAW}) is shorter than tRRD_S (${p.tRRD_S})`, 'four activates take at least the ACT-to-ACT spacing');
  if (p.tREFI <= p.tRFC) bad('tREFI', `(${p.tREFI}) is not longer than tRFC (${p.tRFC}): the device would refresh all the time`, 'tREFI is µs, tRFC hundreds of ns');
}

/** Peak data rate of a preset, bytes per ns. */
export function peakBytesPerNs(p: DramTimingParams): number {
  return p.casBytes / (p.burstCycles * p.tCK);
}

export const ACCESS_KINDS = ['weights', 'headers', 'activations'] as const;
export type AccessKind = typeof ACCESS_KINDS[number];
export const KIND_WEIGHTS = 0;
export const KIND_HEADERS = 1;
export const KIND_ACTIVATIONS = 2;

/** Row-buffer outcome counts of one kind of access. */
export interface RowBufferStats {
  accesses: number;
  /** the row was open */
  hits: number;
  /** the bank had no open row */
  empty: number;
  /** another row was open (precharge, then activate) */
  conflicts: number;
}

export interface DeviceStats {
  byKind: Record<AccessKind, RowBufferStats>;
  reads: number;
  writes: number;
  /** reads that found their row open */
  readHits: number;
  refreshes: number;
  activates: number;
  /** read↔write switches of the data bus */
  turnarounds: number;
}

/** The outcome of one column access. */
export interface AccessTiming {
  /** cycle (tCK) the column command issued */
  cas: number;
  /** cycle the last beat of data has crossed the bus */
  dataEnd: number;
  outcome: 'hit' | 'empty' | 'conflict';
}

const NEVER = -1e15;

export class DramDevice {
  readonly p: DramTimingParams;
  private readonly openRow: Float64Array;
  /** per bank: last ACT, earliest PRE allowed by its reads/writes, earliest ACT after its last PRE */
  private readonly actAt: Float64Array;
  private readonly preOk: Float64Array;
  private readonly actOk: Float64Array;
  /** the last four ACTs (tFAW), a ring */
  private readonly lastActs = new Float64Array(4).fill(NEVER);
  private actRing = 0;
  private lastAct = NEVER;
  private lastActGroup = -1;
  private lastCas = NEVER;
  private lastCasWrite = false;
  private lastCasGroup = -1;
  private lastDataEnd = NEVER;
  private nextRefresh: number;
  private readonly groups: number;
  readonly stats: DeviceStats;

  constructor(p: DramTimingParams) {
    this.p = p;
    this.openRow = new Float64Array(p.banks).fill(-1);
    this.actAt = new Float64Array(p.banks).fill(NEVER);
    this.preOk = new Float64Array(p.banks).fill(NEVER);
    this.actOk = new Float64Array(p.banks).fill(0);
    this.nextRefresh = p.tREFI;
    this.groups = p.bankGroups;
    const rb = (): RowBufferStats => ({ accesses: 0, hits: 0, empty: 0, conflicts: 0 });
    this.stats = { byKind: { weights: rb(), headers: rb(), activations: rb() }, reads: 0, writes: 0, readHits: 0, refreshes: 0, activates: 0, turnarounds: 0 };
  }

  /** bank group of a bank: the low bits of the bank field */
  private groupOf(bank: number): number {
    return bank % this.groups;
  }

  /** All-bank refreshes due by cycle `at`: open banks precharge, then REF holds every bank for tRFC. */
  private refreshUntil(at: number): void {
    const p = this.p;
    while (this.nextRefresh <= at) {
      let start = this.nextRefresh;
      let anyOpen = false;
      for (let b = 0; b < p.banks; b++) {
        if (this.openRow[b] >= 0) { anyOpen = true; start = Math.max(start, this.preOk[b]); }
      }
      if (anyOpen) start += p.tRP;
      // the last data burst must be off the bus before the banks close
      start = Math.max(start, this.lastDataEnd);
      const ready = start + p.tRFC;
      for (let b = 0; b < p.banks; b++) {
        this.openRow[b] = -1;
        this.actOk[b] = Math.max(this.actOk[b], ready);
      }
      this.stats.refreshes++;
      this.nextRefresh += p.tREFI;
    }
  }

  /**
   * One column access of casBytes at byte address `addr`, arriving at the controller in cycle
   * `arrive` (tCK; a request that arrives earlier than the previous one's commands waits for them).
   */
  access(addr: number, write: boolean, arrive: number, kind: number): AccessTiming {
    const p = this.p;
    const bank = Math.floor(addr / p.rowBytes) % p.banks;
    const row = Math.floor(addr / (p.rowBytes * p.banks)) % p.rows;
    const group = this.groupOf(bank);
    this.refreshUntil(arrive);
    let outcome: AccessTiming['outcome'];
    let casReady: number;
    const open = this.openRow[bank];
    if (open === row) {
      outcome = 'hit';
      casReady = Math.max(arrive, this.actAt[bank] + p.tRCD, this.lastCas + 1);
      // a refresh that falls due before this column command goes first (and closes the row)
      if (casReady >= this.nextRefresh) {
        this.refreshUntil(casReady);
        return this.access(addr, write, arrive, kind);
      }
    } else {
      outcome = open < 0 ? 'empty' : 'conflict';
      let actReady = Math.max(arrive, this.actOk[bank]);
      if (open >= 0) {
        const pre = Math.max(arrive, this.preOk[bank], this.actAt[bank] + p.tRAS);
        actReady = Math.max(actReady, pre + p.tRP);
      }
      // ACT spacing: tRRD from the last ACT, four ACTs per tFAW window
      const rrd = this.lastActGroup === group && p.bankGroups > 1 ? p.tRRD_L : p.tRRD_S;
      actReady = Math.max(actReady, this.lastAct + rrd, this.lastActs[this.actRing] + p.tFAW);
      // a refresh that falls due before this ACT goes first
      if (actReady >= this.nextRefresh) {
        this.refreshUntil(actReady);
        return this.access(addr, write, arrive, kind);
      }
      const act = actReady;
      this.lastActs[this.actRing] = act;
      this.actRing = (this.actRing + 1) & 3;
      this.lastAct = act;
      this.lastActGroup = group;
      this.actAt[bank] = act;
      this.openRow[bank] = row;
      this.preOk[bank] = NEVER;
      this.stats.activates++;
      casReady = act + p.tRCD;
    }
    // column command: in order after the previous one, with the bus rules
    let cas = Math.max(casReady, this.lastCas + 1);
    if (this.lastCas > NEVER) {
      const sameGroup = this.lastCasGroup === group && p.bankGroups > 1;
      if (this.lastCasWrite === write) {
        cas = Math.max(cas, this.lastCas + Math.max(p.burstCycles, sameGroup ? p.tCCD_L : p.tCCD_S));
      } else if (write) {
        cas = Math.max(cas, this.lastCas + p.CL + p.burstCycles - p.CWL + p.tRTRS);
      } else {
        cas = Math.max(cas, this.lastCas + p.CWL + p.burstCycles + (sameGroup ? p.tWTR_L : p.tWTR_S));
      }
    }
    if (this.lastCas > NEVER && this.lastCasWrite !== write) this.stats.turnarounds++;
    const dataEnd = cas + (write ? p.CWL : p.CL) + p.burstCycles;
    this.lastCas = cas;
    this.lastCasWrite = write;
    this.lastCasGroup = group;
    this.lastDataEnd = Math.max(this.lastDataEnd, dataEnd);
    this.preOk[bank] = Math.max(this.preOk[bank], write ? cas + p.CWL + p.burstCycles + p.tWR : cas + p.tRTP);
    if (write) this.stats.writes++;
    else {
      this.stats.reads++;
      if (outcome === 'hit') this.stats.readHits++;
    }
    const s = this.stats.byKind[ACCESS_KINDS[kind]];
    s.accesses++;
    if (outcome === 'hit') s.hits++;
    else if (outcome === 'empty') s.empty++;
    else s.conflicts++;
    return { cas, dataEnd, outcome };
  }
}

/** A row-buffer hit rate, or null without accesses. */
export function hitRate(s: RowBufferStats): number | null {
  return s.accesses > 0 ? s.hits / s.accesses : null;
}

/** One request of a DRAM trace: a column access at a byte address, issued in cycle `cycle` (tCK). */
export interface TraceRequest { addr: number; write: boolean; cycle: number }

export interface ReplayResult {
  /** mean cycles (tCK) from a read's arrival to its last data beat */
  meanReadLatency: number;
  meanWriteLatency: number;
  /** cycle the last data beat crossed the bus */
  lastDataEnd: number;
  stats: DeviceStats;
}

/**
 * Runs a trace through a fresh device (the bench compares this with DRAMsim3 on the same trace).
 * With `queueDepth`, a request enters the controller only when fewer than that many earlier ones
 * wait for their column command (as a trace-driven simulator holds its trace back when its
 * transaction queue is full), and latency counts from entry; without it the queue is unbounded and
 * latency counts from the trace's cycle.
 */
export function replayTrace(p: DramTimingParams, trace: readonly TraceRequest[], queueDepth = Infinity): ReplayResult {
  const dev = new DramDevice(p);
  let rl = 0, rn = 0, wl = 0, wn = 0, end = 0, prevEntry = 0;
  const casOf: number[] = [];
  for (let i = 0; i < trace.length; i++) {
    const r = trace[i];
    let entry = Math.max(r.cycle, prevEntry);
    if (i >= queueDepth) entry = Math.max(entry, casOf[i - queueDepth]);
    prevEntry = entry;
    const t = dev.access(r.addr, r.write, entry, KIND_WEIGHTS);
    casOf.push(t.cas);
    if (r.write) { wl += t.dataEnd - entry; wn++; } else { rl += t.dataEnd - entry; rn++; }
    end = Math.max(end, t.dataEnd);
  }
  return { meanReadLatency: rn ? rl / rn : 0, meanWriteLatency: wn ? wl / wn : 0, lastDataEnd: end, stats: dev.stats };
}

/** A line of a DRAMsim3 trace: hex byte address, READ or WRITE, the cycle (tCK) the request arrives. */
export function dramsim3TraceLine(addr: number, write: boolean, cycle: number): string {
  return `0x${addr.toString(16)} ${write ? 'WRITE' : 'READ'} ${cycle}`;
}
