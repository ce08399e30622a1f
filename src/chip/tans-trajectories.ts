/**
 * The tANS engine's trajectories, shared between runs of one image on chips that differ outside
 * the engine (a sweep's points: DRAM bandwidth, latency, FIFO depth).
 *
 * The engine is deterministic: from a state, its cycles follow from two inputs only, the weight
 * buffer's room (which, between two group starts, changes only by the weights the engine itself
 * delivers) and whether the FIFO offers a word in the cycles the distributor wants one. On chips
 * whose DRAM keeps up, a group's decoding therefore repeats from chip to chip: on ResNet-50 at
 * 16×16, every group start of the tANS layers finds the engine in the same state at 2 to 16
 * B/cycle. A segment is what the engine did from a state in which it was quiescent until it was
 * quiescent again, or until the room changed under it (a group of the array ended or started while
 * the lanes worked, as in layers the decoders hold back; the next segment starts there, from the
 * registers reached): the room it started with, and per cycle whether the distributor took a word,
 * whether it wanted one the FIFO did not have, and how many weights left. A run that reaches a
 * recorded start state with the same room follows the segment instead of stepping the lanes
 * (TansTimingModel), as long as its room stays the segment's and its FIFO offers a word exactly
 * where the segment had one. Where its FIFO offers otherwise, it goes on along a variant of the
 * segment (the same start and room, the same cycles so far) that did as this run does, if one was
 * recorded. Anything else rebuilds the engine's registers at that cycle by stepping from the
 * segment's start with the words offered as the segment had them (which repeats it exactly), and
 * the run goes on stepping; where it left for the word offered, it records the variant it makes.
 */

/**
 * One recorded stretch of the engine, from a quiescent state to the next. Its registers and cycles
 * sit in the book's shared arrays (one allocation per megabyte, not three per segment).
 */
export interface Segment {
  /** the engine's registers at its start and after its last cycle (TansTimingModel's snapshot layout): snaps[startAt ...], snaps[endAt ...] */
  readonly snaps: Int32Array;
  readonly startAt: number;
  readonly endAt: number;
  /** per cycle, cycles[cyclesAt ... cyclesAt + length − 1]: TOOK or STARVED, plus the weights that left (GIVEN) */
  readonly cycles: Uint8Array;
  readonly cyclesAt: number;
  readonly length: number;
  /** the weight buffer's room in its first cycle */
  readonly space: number;
  /** whether a lane holds a weight at its end, and whether the FIFO starved the distributor in it */
  readonly endHoldsWeight: boolean;
  readonly starves: boolean;
  /**
   * the room with which the engine is quiescent at its end, and whether it is with a word offered
   * (always without); ROOM_CHANGED for a segment that ended where the room changed
   */
  readonly quietSpace: number;
  readonly quietInValid: boolean;
  /** the segment found to start from this one's end, with the room it starts with (a link found once, then taken without comparing) */
  next: Segment | null;
  nextSpace: number;
}

/** Segment.quietSpace of a segment that ended where the room changed, not at a quiescent state. */
export const ROOM_CHANGED = -1;

/** A cycle of a segment: the distributor took a word; it wanted one the FIFO did not offer; the weights that left (at most 63). */
export const TOOK = 0x80;
export const STARVED = 0x40;
export const GIVEN = 0x3f;

/** A segment being recorded (one per engine, reused from segment to segment). */
export class Recording {
  cycles = new Uint8Array(256);
  n = 0;
  starves = false;
  /** weights delivered so far: the room expected in the next call is space − delivered */
  delivered = 0;
  space = 0;
  readonly start: Int32Array;
  constructor(snapLength: number) {
    this.start = new Int32Array(snapLength);
  }

  /** Starts recording from the registers `snap` with the room `space`. */
  begin(snap: Int32Array, space: number): void {
    this.start.set(snap);
    this.space = space;
    this.n = 0;
    this.delivered = 0;
    this.starves = false;
  }

  push(b: number): void {
    if (this.n === this.cycles.length) {
      const grown = new Uint8Array(this.cycles.length * 2);
      grown.set(this.cycles);
      this.cycles = grown;
    }
    this.cycles[this.n++] = b;
    if (b & STARVED) this.starves = true;
  }
}

/** Segments longer than this are not kept (they are rare: the engine settles within a group). */
export const MAX_SEGMENT_CYCLES = 1 << 16;

/**
 * The segments of an image's tANS layers, per engine (lanes, lane FIFO depth, states) and layer,
 * filed under lane 0's next symbol at their start. One book serves every run of the image in one
 * thread; it stops taking segments at `maxBytes`.
 */
export class TrajectoryBook {
  private readonly engines = new Map<string, WeakMap<object, Map<number, Segment[]>>>();
  private readonly filed: Map<number, Segment[]>[] = [];
  private snaps = new Int32Array(0);
  private snapsAt = 0;
  private cycles = new Uint8Array(0);
  private cyclesAt = 0;
  bytes = 0;
  segments = 0;
  /** cycles runs followed from the book instead of stepping, and segments left part way (diagnostics) */
  followedCycles = 0;
  rebuilds = 0;
  /** segments entered from the end of the one before, by its link (found once by comparing) */
  linksTaken = 0;
  /** runs that went on along a variant where they left a segment */
  variantsTaken = 0;

  constructor(readonly maxBytes = 256 * 1024 * 1024) {}

  /** The segments of one layer (`layer`: its step-bit arrays, the same object in every run of the image) on one engine. */
  layer(engine: string, layer: object): Map<number, Segment[]> {
    let byLayer = this.engines.get(engine);
    if (!byLayer) this.engines.set(engine, (byLayer = new WeakMap()));
    let segs = byLayer.get(layer);
    if (!segs) {
      byLayer.set(layer, (segs = new Map()));
      this.filed.push(segs);
    }
    return segs;
  }

  /** Every segment's cycles (tests tamper with them to show the comparison can fail). */
  forEachSegment(f: (cycles: Uint8Array) => void): void {
    for (const segs of this.filed) for (const list of segs.values()) for (const s of list) f(s.cycles.subarray(s.cyclesAt, s.cyclesAt + s.length));
  }

  get full(): boolean {
    return this.bytes >= this.maxBytes;
  }

  /**
   * Files a segment under lane 0's next symbol at its start (`start[1]`), unless the same one is
   * there: its registers at start and end, its first `n` cycles. Segments from one start and room
   * differ where their FIFOs offered words differently (variants, see variant()).
   */
  add(segs: Map<number, Segment[]>, start: Int32Array, end: Int32Array, cycles: Uint8Array, n: number,
    at: { space: number; quietSpace: number; quietInValid: boolean; endHoldsWeight: boolean; starves: boolean }): void {
    const key = start[1];
    let list = segs.get(key);
    if (!list) segs.set(key, (list = []));
    for (const s of list) {
      if (s.space === at.space && s.length === n && sameInts(s.snaps, s.startAt, start, 0, start.length) && sameBytes(s.cycles, s.cyclesAt, cycles, 0, n)) return;
    }
    const w = start.length;
    if (this.snapsAt + 2 * w > this.snaps.length) {
      this.snaps = new Int32Array(Math.max(1 << 18, 2 * w));
      this.snapsAt = 0;
    }
    if (this.cyclesAt + n > this.cycles.length) {
      this.cycles = new Uint8Array(Math.max(1 << 20, n));
      this.cyclesAt = 0;
    }
    const startAt = this.snapsAt;
    this.snaps.set(start, startAt);
    this.snaps.set(end, startAt + w);
    this.snapsAt += 2 * w;
    const cyclesAt = this.cyclesAt;
    this.cycles.set(cycles.subarray(0, n), cyclesAt);
    this.cyclesAt += n;
    list.push({
      snaps: this.snaps, startAt, endAt: startAt + w, cycles: this.cycles, cyclesAt, length: n,
      space: at.space, endHoldsWeight: at.endHoldsWeight, starves: at.starves, quietSpace: at.quietSpace, quietInValid: at.quietInValid,
      next: null, nextSpace: 0,
    });
    this.segments++;
    this.bytes += n + 8 * w + 96;
  }
}

/**
 * Another segment of `segs` from `seg`'s start and room whose first p cycles are `seg`'s and whose
 * cycle p takes a word if `offered` (and wants none if not): where a run leaves `seg` at cycle p
 * for the word its FIFO offers, it goes on along this one, from the same registers. Null if none.
 */
export function variant(segs: Map<number, Segment[]>, seg: Segment, p: number, offered: boolean): Segment | null {
  const w = seg.endAt - seg.startAt;
  for (const s of segs.get(seg.snaps[seg.startAt + 1]) ?? []) {
    if (s === seg || s.space !== seg.space || s.length <= p || !sameInts(s.snaps, s.startAt, seg.snaps, seg.startAt, w)) continue;
    const b = s.cycles[s.cyclesAt + p];
    if (((b & TOOK) !== 0 ? !offered : (b & STARVED) !== 0 && offered) || !sameBytes(s.cycles, s.cyclesAt, seg.cycles, seg.cyclesAt, p)) continue;
    return s;
  }
  return null;
}

function sameBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/** a[aAt ... aAt + n − 1] equals b[bAt ... bAt + n − 1] */
export function sameInts(a: Int32Array, aAt: number, b: Int32Array, bAt: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}
