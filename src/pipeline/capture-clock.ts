/**
 * The capture's clocks: the one the whole capture goes by (CaptureClock: windows close, tokens
 * expire, remembered SRs lapse by it), and, for a live service whose records come from several
 * capture agents, one per agent (SourceClocks: dialogs idle out on their own agent's clock).
 */
import type { RecordBatch } from '../../native-free/types.js';

/**
 * The capture's time after each record, by which windows close on time (MediaCore.passTo) and
 * remembered SRs lapse (and tokens expire, dialogs idle out): a record further than CLOCK_JUMP_SEC
 * from the clock moves it only when the record before it was as far (two in a row: the capture
 * really went on, or back) — near it, or further on from the clock on the same side (a sparse
 * capture whose records come more than CLOCK_JUMP_SEC apart moves it on every second record: it
 * stood still for good); one alone — a record stamped hours ahead, a HEP agent's wrong clock — does not. The batch's last record's
 * own time closed every open window of every shard when such a record happened to end a batch,
 * and what the windows held then depended on where the batches were cut.
 */
export class CaptureClock {
  private clock = Number.NaN;
  private previous = Number.NaN;
  /** a live service's clock when the last batch of records came (through's `wall`) */
  private wallAt = Number.NaN;

  /**
   * The clock after the first `count` times of `ts`, in order, and in `out` after each of them;
   * `wall`: a live service's clock now. Live, the records are held against the clock as the idle ticks moved it on (tick): a
   * record after more than a quarter hour of silence is no outlier for being that far from the
   * last records (it waited for a second one to confirm it, its windows held meanwhile).
   */
  through(ts: Float64Array, count: number, wall: number | undefined, out: Float64Array): number {
    let clock = wall === undefined ? this.clock : this.advanced(wall);
    if (wall !== undefined) this.wallAt = wall;
    let previous = this.previous;
    for (let i = 0; i < count; i++) {
      const t = ts[i]!;
      if (
        Number.isNaN(clock) ||
        Math.abs(t - clock) <= CLOCK_JUMP_SEC ||
        Math.abs(t - previous) <= CLOCK_JUMP_SEC ||
        (previous - clock > CLOCK_JUMP_SEC && t >= previous) ||
        (clock - previous > CLOCK_JUMP_SEC && t <= previous)
      )
        clock = t;
      previous = t;
      out[i] = clock;
    }
    this.clock = clock;
    this.previous = previous;
    return clock;
  }

  /** The end of a capture with no record in its last batch: its last record's time. */
  set(ts: number): number {
    this.clock = ts;
    this.previous = ts;
    return ts;
  }

  /**
   * A live source's idle tick: the capture's time moves on by the service's time elapsed since
   * the last records came, from where they left it (never back). The records' own clock, not
   * the service's: a HEP agent's clock a minute behind (or a capture sent again) closed every
   * window at each tick by the service's clock, one window per record; and the first record
   * of a clock far off is still confirmed by the next one (`previous` is the records' alone).
   * Before any record, the service's clock is all there is.
   */
  tick(wall: number): number {
    return Number.isNaN(this.clock) || Number.isNaN(this.wallAt) ? wall : this.advanced(wall);
  }

  /** The records' clock moved on by the service's time elapsed since they came (never back); as it was before any. */
  private advanced(wall: number): number {
    return Number.isNaN(this.wallAt) ? this.clock : this.clock + Math.max(0, wall - this.wallAt);
  }
}

/**
 * How far one record's time may be from the capture clock before a second record must confirm
 * it: past a quarter hour (a clock an hour or a day off, a wrong time zone), short of the gaps a
 * sparse capture has (a filtered one, RTCP every few seconds).
 */
const CLOCK_JUMP_SEC = 900;

/**
 * Source clocks kept at most, but for those of sources that hold dialogs (bounded by the dialog
 * table): past it the least recently heard of the others go, as the source numbers of the agents
 * the batcher forgets (source-batch.ts MAX_ORIGINS) are never used again. (A dialog's media
 * carried by a forgotten source is then judged by the capture clock: one heard less recently than
 * 2048 others carries no media that still flows.)
 */
const MAX_SOURCE_CLOCKS = 2048;

/**
 * One capture clock per source, where a live service's records come from several capture agents
 * (RecordBatch.source): each agent's records stamped by its own clock, two of them hours apart
 * (one in a wrong time zone). A dialog idles out on the clock of the agent whose messages refresh
 * it (DialogTracker.sourceNow): by the capture clock alone, the agent whose records confirmed it
 * ended every call the other carried. Each source's clock follows its records as the capture
 * clock does (the same jump rules), and moves on by the service's time while the source is silent.
 * Off until a batch says where its records come from: a capture file has one source, the capture
 * clock.
 */
export class SourceClocks {
  /** by source, least recently heard first; MAX_SOURCE_CLOCKS at most */
  private readonly clocks = new Map<number, CaptureClock>();
  /** whether a batch has said where its records come from */
  active = false;
  private sources: Uint32Array | undefined;
  /** the batch's records: each one's source clock after it */
  private at = new Float64Array(0);
  private first = 0;
  private count = 0;
  /** every source's clock as the batch began, moved on by the service's time (NaN: no record yet) */
  private readonly before = new Map<number, number>();
  /**
   * each source's last record of the batch up to `cursor` (now() is asked in record order: a scan
   * back from the record asked about, per source asked, made a SIP batch quadratic)
   */
  private readonly lastAt = new Map<number, number>();
  private cursor = -1;
  private readonly one = new Float64Array(1);
  private readonly out = new Float64Array(1);

  /**
   * `fallback`: the capture clock now, for a source with no record yet; `holds`: whether a source
   * holds dialogs (its clock is kept whatever the bound: a dialog judged by another clock than its
   * agent's was ended by it).
   */
  constructor(
    private readonly fallback: () => number,
    private readonly holds: (source: number) => boolean = () => false,
  ) {}

  /** A batch's records (their sources: absent, every one 0), as `wall` (a live service's time) had them come. */
  begin(batch: RecordBatch, wall: number | undefined): void {
    if (batch.source !== undefined) this.active = true;
    if (!this.active) return;
    const n = batch.count;
    this.sources = batch.source;
    this.first = batch.firstFrame;
    this.count = n;
    this.before.clear();
    this.lastAt.clear();
    this.cursor = -1;
    for (const [s, c] of this.clocks) this.before.set(s, wall === undefined ? c.tick(Number.NaN) : c.tick(wall));
    if (this.at.length < n) this.at = new Float64Array(Math.max(n, this.at.length * 2));
    for (let i = 0; i < n; i++) {
      const s = this.sources?.[i] ?? 0;
      let c = this.clocks.get(s);
      if (c === undefined) c = new CaptureClock();
      // (last in the map: the least recently heard go first past the bound)
      this.clocks.delete(s);
      this.clocks.set(s, c);
      this.one[0] = batch.ts[i]!;
      this.at[i] = c.through(this.one, 1, wall, this.out);
    }
    if (this.clocks.size > MAX_SOURCE_CLOCKS) this.forgetUnheld();
  }

  /** Forgets the least recently heard clocks of sources that hold no dialog, down to the bound; those that do go last in the order. */
  private forgetUnheld(): void {
    let held = 0;
    for (const [s, c] of this.clocks) {
      if (this.clocks.size <= MAX_SOURCE_CLOCKS || held >= this.clocks.size) break;
      this.clocks.delete(s);
      if (this.holds(s)) {
        this.clocks.set(s, c);
        held++;
      }
    }
  }

  /** The source of record `frame` of the batch (0 outside it). */
  sourceOf(frame: number): number {
    const i = frame - this.first;
    return i >= 0 && i < this.count ? (this.sources?.[i] ?? 0) : 0;
  }

  /**
   * Source `source`'s clock as of record `frame` of the batch: after its last record up to there,
   * else as the batch began (a source forgotten, or with no record yet: the capture clock). Asked
   * in record order within a batch.
   */
  now(source: number, frame: number): number {
    const upTo = Math.min(frame - this.first, this.count - 1);
    for (let j = this.cursor + 1; j <= upTo; j++) this.lastAt.set(this.sources?.[j] ?? 0, j);
    if (upTo > this.cursor) this.cursor = upTo;
    const j = this.lastAt.get(source);
    if (j !== undefined) return this.at[j]!;
    const before = this.before.get(source);
    return before === undefined || Number.isNaN(before) ? this.fallback() : before;
  }
}
