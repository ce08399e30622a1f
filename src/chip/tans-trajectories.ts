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
 * A segment is a record of TrajectoryBook.meta, SEG_FIELDS values from `id * SEG_FIELDS`; its
 * registers and cycles sit in the book's other two arrays. Records, not objects: a run follows a
 * segment a group (400 thousand a run on an 8×8 array), each to the next by its link, and records
 * stay in the order they were recorded in (the order later runs mostly follow them in, where
 * objects are moved about by the garbage collector) in fewer bytes: what a run reads from memory
 * matters most when the other core's worker reads its own (docs/SWEEP.md, "Speed").
 */
/** snaps index of the engine's registers at its start (TansTimingModel's snapshot layout) */
export const SEG_START = 0;
/** snaps index of its registers after its last cycle */
export const SEG_END = 1;
/** cycles index of its first cycle: per cycle TOOK or STARVED, plus the weights that left (GIVEN) */
export const SEG_CYCLES = 2;
/** its cycles */
export const SEG_LENGTH = 3;
/** the weight buffer's room in its first cycle */
export const SEG_SPACE = 4;
/**
 * the room with which the engine is quiescent at its end, with a word offered if QUIET_WITH_WORD
 * (always without); ROOM_CHANGED for a segment that ended where the room changed
 */
export const SEG_QUIET_SPACE = 5;
/** HOLDS_AT_END | HAS_STARVED | QUIET_WITH_WORD */
export const SEG_FLAGS = 6;
/** the segment found to start from this one's end (NO_SEGMENT: none yet), and the room it starts with (a link found once, then taken without comparing) */
export const SEG_NEXT = 7;
export const SEG_NEXT_SPACE = 8;
export const SEG_FIELDS = 9;

/** SEG_FLAGS: a lane holds a weight at its end; the FIFO starved the distributor in it; quiescent at its end with a word offered too */
export const HOLDS_AT_END = 1;
export const HAS_STARVED = 2;
export const QUIET_WITH_WORD = 4;

/** No segment (a segment id is its record's index). */
export const NO_SEGMENT = -1;

/** SEG_QUIET_SPACE of a segment that ended where the room changed, not at a quiescent state. */
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
    if (this.n === this.cycles.length) this.cycles = grown(this.cycles, this.n + 1);
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
  private readonly engines = new Map<string, WeakMap<object, Map<number, number[]>>>();
  private readonly filed: Map<number, number[]>[] = [];
  /** the segments' records (SEG_FIELDS each), registers and cycles; each array is replaced by a larger copy as it fills */
  meta = new Int32Array(SEG_FIELDS * 1024);
  snaps = new Int32Array(1 << 16);
  cycles = new Uint8Array(1 << 16);
  private snapsAt = 0;
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
  /** of the links taken, those taken by a held group followed in one loop (TansTimingModel.followHeld) */
  heldGroups = 0;
  /** times a segment's quiescent end was offered a word it takes (a starved engine where a burst lands), answered from the record without its registers */
  wordsAtQuietEnds = 0;

  constructor(readonly maxBytes = 256 * 1024 * 1024) {}

  /** The segments of one layer (`layer`: its step-bit arrays, the same object in every run of the image) on one engine. */
  layer(engine: string, layer: object): Map<number, number[]> {
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
    const m = this.meta;
    for (const segs of this.filed) {
      for (const list of segs.values()) {
        for (const id of list) {
          const r = id * SEG_FIELDS;
          f(this.cycles.subarray(m[r + SEG_CYCLES], m[r + SEG_CYCLES] + m[r + SEG_LENGTH]));
        }
      }
    }
  }

  get full(): boolean {
    return this.bytes >= this.maxBytes;
  }

  /**
   * Files a segment under lane 0's next symbol at its start (`start[1]`), unless the same one is
   * there: its registers at start and end, its first `n` cycles. Segments from one start and room
   * differ where their FIFOs offered words differently (variants, see variant()).
   */
  add(segs: Map<number, number[]>, start: Int32Array, end: Int32Array, cycles: Uint8Array, n: number,
    at: { space: number; quietSpace: number; flags: number }): void {
    const key = start[1];
    let list = segs.get(key);
    if (!list) segs.set(key, (list = []));
    const w = start.length;
    const m = this.meta;
    for (const id of list) {
      const r = id * SEG_FIELDS;
      if (m[r + SEG_SPACE] === at.space && m[r + SEG_LENGTH] === n && sameInts(this.snaps, m[r + SEG_START], start, 0, w) &&
        sameBytes(this.cycles, m[r + SEG_CYCLES], cycles, 0, n)) return;
    }
    if (this.snapsAt + 2 * w > this.snaps.length) this.snaps = grown(this.snaps, this.snapsAt + 2 * w);
    if (this.cyclesAt + n > this.cycles.length) this.cycles = grown(this.cycles, this.cyclesAt + n);
    const id = this.segments;
    if ((id + 1) * SEG_FIELDS > this.meta.length) this.meta = grown(this.meta, (id + 1) * SEG_FIELDS);
    const startAt = this.snapsAt;
    this.snaps.set(start, startAt);
    this.snaps.set(end, startAt + w);
    this.snapsAt += 2 * w;
    const cyclesAt = this.cyclesAt;
    this.cycles.set(cycles.subarray(0, n), cyclesAt);
    this.cyclesAt += n;
    const r = id * SEG_FIELDS;
    const meta = this.meta;
    meta[r + SEG_START] = startAt;
    meta[r + SEG_END] = startAt + w;
    meta[r + SEG_CYCLES] = cyclesAt;
    meta[r + SEG_LENGTH] = n;
    meta[r + SEG_SPACE] = at.space;
    meta[r + SEG_QUIET_SPACE] = at.quietSpace;
    meta[r + SEG_FLAGS] = at.flags;
    meta[r + SEG_NEXT] = NO_SEGMENT;
    meta[r + SEG_NEXT_SPACE] = 0;
    list.push(id);
    this.segments++;
    this.bytes += n + 8 * w + 4 * SEG_FIELDS + 8;
  }
}

/** A copy of `a` with room for at least `need` elements (twice as many, or more). */
function grown<T extends Int32Array | Uint8Array>(a: T, need: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(2 * a.length, need));
  b.set(a);
  return b;
}

/**
 * Another segment of `segs` from segment `seg`'s start and room whose first p cycles are `seg`'s
 * and whose cycle p takes a word if `offered` (and wants none if not): where a run leaves `seg` at
 * cycle p for the word its FIFO offers, it goes on along this one, from the same registers.
 * NO_SEGMENT if none.
 */
export function variant(book: TrajectoryBook, segs: Map<number, number[]>, seg: number, p: number, offered: boolean): number {
  const { meta: m, snaps, cycles } = book;
  const r = seg * SEG_FIELDS;
  const startAt = m[r + SEG_START];
  const w = m[r + SEG_END] - startAt;
  const space = m[r + SEG_SPACE];
  const cyclesAt = m[r + SEG_CYCLES];
  for (const s of segs.get(snaps[startAt + 1]) ?? []) {
    const q = s * SEG_FIELDS;
    if (s === seg || m[q + SEG_SPACE] !== space || m[q + SEG_LENGTH] <= p || !sameInts(snaps, m[q + SEG_START], snaps, startAt, w)) continue;
    const b = cycles[m[q + SEG_CYCLES] + p];
    if (((b & TOOK) !== 0 ? !offered : (b & STARVED) !== 0 && offered) || !sameBytes(cycles, m[q + SEG_CYCLES], cycles, cyclesAt, p)) continue;
    return s;
  }
  return NO_SEGMENT;
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
