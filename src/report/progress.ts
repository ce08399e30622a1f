/**
 * Progress of a long run on stderr. On a TTY one line, rewritten in place; otherwise (a log file,
 * CI) a plain line at most every `intervalMs` (5 s). Both stay silent under --quiet and for runs
 * shorter than `delayMs` (2 s). Where the caller says how much work is done and how much there is
 * (`update(text, { done, total, unit })`) the line carries a rate and an ETA.
 */

/** The part of a stream the progress line writes to (process.stderr, or a fake one in tests). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export interface ProgressOptions {
  /** --quiet: nothing at all */
  quiet?: boolean;
  /** silent until the run has taken this long (ms) */
  delayMs?: number;
  /** when the stream is not a TTY: at most one line per this many ms */
  intervalMs?: number;
  stream?: ProgressStream;
  /** the clock (ms); injected by tests */
  now?: () => number;
}

/** Work done out of an expected total, in some unit (cycles, layers, symbols). */
export interface Work {
  done: number;
  /** an estimate; the ETA is omitted when `done` has passed it */
  total: number;
  unit: string;
}

/** 1234567 → "1.23 M" (3 significant digits, SI prefixes); 999 → "999". */
export function siNumber(n: number): string {
  const a = Math.abs(n);
  for (const [f, s] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= f) return `${(n / f).toPrecision(3)} ${s}`;
  }
  return `${Math.round(n)}`;
}

/** siNumber with a unit: "1.23 M cycles", "999 cycles". */
function withUnit(n: number, unit: string): string {
  return `${siNumber(n)} ${unit}`.replace(/ {2}/, ' ');
}

/** 75 → "1 min 15 s", 4.2 → "4 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export class Progress {
  private readonly now: () => number;
  private readonly start: number;
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;
  private readonly tty: boolean;
  private readonly delayMs: number;
  private readonly intervalMs: number;
  /** a TTY line is on screen */
  private shown = false;
  private lastLine = -Infinity;
  /** the first sample of the current work (unit and total), for its rate */
  private base?: { unit: string; total: number; done: number; at: number };

  constructor(opts: ProgressOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
    this.stream = opts.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.enabled = !opts.quiet;
    this.delayMs = opts.delayMs ?? 2000;
    this.intervalMs = opts.intervalMs ?? 5000;
  }

  private lastText?: string;

  /** The progress line: `text`, the rate and ETA of `work` when given, the time so far. */
  update(text: string, work?: Work): void {
    this.lastText = text;
    const t = this.now();
    if (work && (!this.base || this.base.unit !== work.unit || this.base.total !== work.total || work.done < this.base.done)) {
      this.base = { unit: work.unit, total: work.total, done: work.done, at: t };
    }
    if (!this.enabled || t - this.start < this.delayMs) return;
    if (!this.tty && t - this.lastLine < this.intervalMs) return;
    const line = `${text}${work ? this.rateText(work, t) : ''} (${duration((t - this.start) / 1000)})`;
    this.lastLine = t;
    if (this.tty) {
      const width = Math.max(20, (this.stream.columns || 80) - 1);
      this.stream.write(`\r${line.slice(0, width).padEnd(width)}`);
      this.shown = true;
    } else {
      this.stream.write(`hwsim: ${line}\n`);
    }
  }

  /** The last text again (the time so far moves on), while waiting on work that reports nothing. */
  tick(): void {
    if (this.lastText !== undefined) this.update(this.lastText);
  }

  /** A line of its own (an estimate before a long run): shown unless --quiet, whatever the run's length. */
  note(text: string): void {
    if (!this.enabled) return;
    this.clear();
    this.stream.write(`hwsim: ${text}\n`);
  }

  done(): void {
    this.clear();
  }

  private clear(): void {
    if (this.shown) this.stream.write(`\r${' '.repeat(Math.max(20, (this.stream.columns || 80) - 1))}\r`);
    this.shown = false;
  }

  private rateText(work: Work, t: number): string {
    const b = this.base!;
    const secs = (t - b.at) / 1000;
    const rate = secs > 0 ? (work.done - b.done) / secs : 0;
    const of = `${siNumber(work.done)} of ~${withUnit(work.total, work.unit)}`;
    if (!(rate > 0)) return `, ${of}`;
    const eta = work.done < work.total ? `, ETA ${duration((work.total - work.done) / rate)}` : ', past the estimate';
    return `, ${of}, ${withUnit(rate, work.unit)}/s${eta}`;
  }
}
