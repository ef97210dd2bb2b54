/**
 * Aggregation windows (SPEC §4, export=aggregated-only): per stream, counts and statistics
 * only. A window keeps running sums, never the items — except the jitter samples the p95
 * needs and the SR timestamps and capture times RTT matching needs, both dropped with the
 * window or bounded. Nothing is held past its retention: a window is closed, at the latest,
 * when half the retention of its earliest-expiring item has run (min over items of capture
 * time + retention / 2), so that its aggregate, which expires when that item does (capture
 * time + retention), is made with half the retention left for delivery and use downstream,
 * never already expired. Windows whose retention is at least twice their length close at
 * their end first. Items with retention 0 are never taken in.
 */
import type { TelemetryItem } from './telemetry-items.js';
import { compactNtp, roundTripMs } from './round-trip.js';
import type { ReportBlock } from '../media/rtcp/types.js';

export const DEFAULT_WINDOW_SEC = 10;

export type WindowCloseReason = 'window-end' | 'retention' | 'bye' | 'dialog-end' | 'scope-change' | 'end-of-capture';

export interface WindowMeta {
  /** the APTs that decided the item's aggregation */
  apt: readonly string[];
  retentionSec: number | null;
  /** their unknown keys, passed through to the aggregate (SPEC §3): the opening item's; none when absent */
  extensions?: Readonly<Record<string, unknown>>;
  /**
   * SR and RR items: per report block, the RTP clock rate (Hz) of the source it reports on, 0
   * when not known — what turns its jitter into milliseconds (`jitterMs`). Absent: none known.
   */
  clockRates?: readonly number[];
  /**
   * The part of the capture the item belongs to (MediaCore's srPartition): an RR's round trip
   * is measured only against the SRs of its own part, everything one shard sees whatever the
   * shard count. Absent: ''.
   */
  partition?: string;
}

export interface WindowStats {
  items: number;
  packets: { sr: number; rr: number; sdes: number; bye: number; app: number; rtpfb: number; psfb: number; xr: number };
  reportBlocks: number;
  /** mean of the report blocks' fraction lost (0..1) */
  lossFraction: { mean: number } | null;
  cumulativeLost: { max: number } | null;
  /**
   * interarrival jitter in RTP timestamp units, as reported: the units of each reported source's
   * clock, so a window whose report blocks are about sources of different clocks (BUNDLE audio
   * and video in one RR) mixes them; `jitterMs` is the figure to compare
   */
  jitter: { min: number; mean: number; max: number; p95: number } | null;
  /**
   * the same jitter in milliseconds, each block's by the clock rate of the source it reports on
   * (its RTP payload type's, WindowMeta.clockRates); `count` blocks had one known, the others are
   * left out; null when none had
   */
  jitterMs: { min: number; mean: number; max: number; p95: number; count: number } | null;
  rttMs: { min: number; mean: number; max: number; count: number } | null;
  /** RFC 3611 VoIP metrics means; MOS in 1.0–5.0, unavailable values (127) left out */
  voip: { blocks: number; mosLq: number | null; mosCq: number | null; rFactor: number | null } | null;
  feedback: { nack: number; pli: number; fir: number; remb: number; twcc: number; other: number };
}

export interface ClosedWindow {
  key: string;
  start: number;
  end: number;
  reason: WindowCloseReason;
  stats: WindowStats;
  apt: string[];
  /** the shortest retention among the items folded in; null when none limited it */
  retentionSec: number | null;
  /** the deciding APTs' unknown keys, passed through */
  extensions: Readonly<Record<string, unknown>>;
  /**
   * when the earliest-expiring item folded in reaches its retention (its capture time + its
   * retention): the aggregate's own expiry. Infinity when no item's retention limited it. A
   * window closed for retention ends half that retention earlier (min of ts + retention / 2),
   * so end < deadline: the aggregate is never expired when made.
   */
  deadline: number;
  /**
   * 0, or how many windows of the same key closed before it with the same start and end (two
   * BYEs stamped one instant): what tells their aggregates' requestIds apart (SPEC §4, a unique
   * requestId) while every other aggregate keeps the id it always had.
   */
  repeat: number;
}

/** The last window closed under a key: a next one with the same bounds is its repeat. */
interface LastClosed {
  start: number;
  end: number;
  repeat: number;
}

/**
 * How long after its end a closed window's bounds are remembered for a repeat: a repeat needs
 * items stamped at that end once the capture clock has passed it by this much.
 */
const REPEAT_MEMORY_SEC = 60;
/** Entries of closed windows the due queue may hold, whatever the open windows, before it drops them all. */
const STALE_ENTRIES_KEPT = 64;

interface MeanAccumulator {
  sum: number;
  count: number;
}

interface OpenWindow {
  key: string;
  start: number;
  end: number;
  /** the due moment (min of end and closeBy) it was last queued at in WindowStore's due queue */
  queuedDue: number;
  /** when the earliest-expiring item folded in reaches its retention: the aggregate's expiry */
  deadline: number;
  /**
   * when the window is closed for retention: the earliest over items of capture time + half
   * the retention, so the aggregate is made with half the retention left (≤ deadline)
   */
  closeBy: number;
  apt: string[];
  /** the list `apt` was made from: decisions are shared, so the next item's is most often this very array */
  aptFrom: readonly string[];
  extensions: Readonly<Record<string, unknown>>;
  retentionSec: number | null;
  lastTs: number;
  items: number;
  packets: WindowStats['packets'];
  /** the XR packet whose blocks (one item each) were folded last: a packet counts once in `packets.xr` */
  lastXr: object | null;
  reportBlocks: number;
  loss: MeanAccumulator;
  cumulativeLostMax: number | null;
  jitterSamples: number[];
  jitterMsSamples: number[];
  rtt: MeanAccumulator & { min: number; max: number };
  voipBlocks: number;
  mosLq: MeanAccumulator;
  mosCq: MeanAccumulator;
  rFactor: MeanAccumulator;
  feedback: WindowStats['feedback'];
}

interface SeenSenderReport {
  /** its NTP timestamp's middle 32 bits: what a report block's LSR echoes */
  compact: number;
  /** its capture time: RTT is measured on the capture clock, never the sender's NTP clock */
  ts: number;
  /** the SR's timestamp is forgotten at its own retention or the memory span, whichever is first */
  forgetAt: number;
}

export interface WindowStoreOptions {
  windowSec?: number;
  /** how long an SR's timestamp is remembered for RTT matching (seconds) */
  srMemorySec?: number;
}

/** What add returns when the item closed nothing (shared: callers only read it). */
const NONE_CLOSED: ClosedWindow[] = Object.freeze([]) as unknown as ClosedWindow[];
const SR_MEMORY_PER_SOURCE = 8;

export class WindowStore {
  private readonly windows = new Map<string, OpenWindow>();
  /** by key, the last window closed, for REPEAT_MEMORY_SEC past its end (closeOpen, repeat) */
  private readonly lastClosed = new Map<string, LastClosed>();
  /** by partition and SSRC (`${partition}/${ssrc}`) */
  private readonly senderReports = new Map<string, SeenSenderReport[]>();
  /** the length of windows opened from now on */
  private windowSec: number;
  private readonly srMemorySec: number;
  /**
   * The open windows by due moment (min of end and closeBy), earliest first: closeDueAt takes the
   * due ones off the top rather than going through every open window (asked at each record that
   * reaches one, a pass over all of them made thousands of staggered windows quadratic). A window
   * closed otherwise (BYE, scope change) or queued again earlier leaves an entry behind, passed
   * over when it comes up — and all of them dropped at once when they come to outnumber the open
   * windows (staleEntries): a source sending SR+BYE under a clock that hardly moves would
   * otherwise keep every window it ever closed.
   */
  private readonly dueQueue = new DueQueue();
  private staleEntries = 0;
  /** no window is due before this time (the queue's first moment): closeDueAt returns at once before it */
  private earliestDue = Number.POSITIVE_INFINITY;
  private nextSenderReportPurge = Number.NEGATIVE_INFINITY;

  constructor(options: WindowStoreOptions = {}) {
    this.windowSec = checkedWindow(options.windowSec ?? DEFAULT_WINDOW_SEC);
    this.srMemorySec = options.srMemorySec ?? 60;
  }

  /**
   * A new length (a reloaded policy file) for the windows opened from now on: a window already
   * open keeps the end it was opened with, so what it counted is never cut short or stretched.
   */
  setWindowSec(sec: number): void {
    this.windowSec = checkedWindow(sec);
  }

  /**
   * Folds an item into the window of `key`. Returns windows that closed because of it: the
   * key's previous window when it ended, reached half its retention, or was judged by other APTs.
   */
  add(key: string, item: TelemetryItem, ts: number, meta: WindowMeta): ClosedWindow[] {
    // nearly every item closes nothing: no array is made for it
    if (meta.retentionSec === 0) return NONE_CLOSED;
    let closed = NONE_CLOSED;
    let window = this.windows.get(key);
    if (window !== undefined) {
      const due = dueReason(window, ts);
      if (due !== null) closed = [this.closeOpen(window, due, due === 'retention' ? window.closeBy : window.end)];
      // capture time went back (a merged capture, a clock step, one record stamped wrong): the
      // window ends at its last item and the item opens its own, so no window holds items from
      // outside its span (nor an outlier's expiry)
      else if (ts < window.start) closed = [this.closeOpen(window, 'window-end', Math.min(window.lastTs, window.end, window.closeBy))];
      else if (meta.apt !== window.aptFrom && !sameApts(meta.apt, window.apt)) closed = [this.closeOpen(window, 'scope-change', ts)];
      if (closed !== NONE_CLOSED) window = undefined;
    }
    if (window === undefined) {
      window = openWindow(key, ts, this.windowSec, meta);
      this.windows.set(key, window);
    }
    if (meta.retentionSec !== null) {
      window.deadline = Math.min(window.deadline, ts + meta.retentionSec);
      window.closeBy = Math.min(window.closeBy, ts + meta.retentionSec / 2);
      window.retentionSec = window.retentionSec === null ? meta.retentionSec : Math.min(window.retentionSec, meta.retentionSec);
    }
    window.lastTs = Math.max(window.lastTs, ts);
    const due = Math.min(window.end, window.closeBy);
    if (due < window.queuedDue) {
      if (window.queuedDue !== Number.POSITIVE_INFINITY) this.leftStale();
      window.queuedDue = due;
      this.dueQueue.push(due, window);
      this.earliestDue = this.dueQueue.firstDue;
    }
    this.fold(window, item, ts, Math.min(meta.retentionSec ?? Number.POSITIVE_INFINITY, this.srMemorySec), meta.clockRates, meta.partition ?? '');
    return closed;
  }

  /** An entry of the due queue no longer stands for an open window: past a bound, every such entry goes. */
  private leftStale(): void {
    if (++this.staleEntries <= Math.max(STALE_ENTRIES_KEPT, this.windows.size)) return;
    this.dueQueue.keepOnly((due, window) => this.windows.get(window.key) === window && window.queuedDue === due);
    this.staleEntries = 0;
    this.earliestDue = this.dueQueue.firstDue;
  }

  /**
   * Remembers an SR that was not aggregated (exported raw: allowed out anyway) so that RTT can
   * still be computed from the reports answering it. Forgotten at its retention.
   */
  noteSenderReport(ssrc: number, ntpSec: number, ntpFrac: number, ts: number, retentionSec: number | null, partition = ''): void {
    if (retentionSec === 0) return;
    this.rememberSenderReport(partition, ssrc, compactNtp(ntpSec, ntpFrac), ts, ts + Math.min(retentionSec ?? Number.POSITIVE_INFINITY, this.srMemorySec));
  }

  /** Closes every window whose end or retention close time (closeBy) is at or before `ts`, and lets go of what `ts` has outlived (forget). */
  closeDue(ts: number): ClosedWindow[] {
    this.forget(ts);
    return this.closeDueAt(ts);
  }

  /**
   * The earliest time at which an open window is due (its end, or its closeBy): closeDueAt
   * closes nothing before it.
   */
  get nextDue(): number {
    return this.earliestDue;
  }

  /** The moment from which forget(ts) has something to do (it runs at most once a second of `ts`). */
  get nextForget(): number {
    return this.nextSenderReportPurge;
  }

  /** Lets go, at most once a second of `ts`, of remembered SRs and closed windows' bounds past their time. */
  forget(ts: number): void {
    if (ts >= this.nextSenderReportPurge) {
      this.forgetOldSenderReports(ts);
      this.forgetLastClosed(ts);
      this.nextSenderReportPurge = ts + 1;
    }
  }

  /** Closes every window whose end or retention close time (closeBy) is at or before `ts`. */
  closeDueAt(ts: number): ClosedWindow[] {
    if (ts < this.earliestDue) return [];
    const closed: ClosedWindow[] = [];
    const queue = this.dueQueue;
    while (queue.firstDue <= ts) {
      const due = queue.firstDue;
      const window = queue.pop();
      // (closed since it was queued, or queued again at an earlier moment: that entry decided)
      if (this.windows.get(window.key) !== window || window.queuedDue !== due) {
        this.staleEntries--;
        continue;
      }
      window.queuedDue = Number.POSITIVE_INFINITY;
      const reason = dueReason(window, ts)!;
      closed.push(this.closeOpen(window, reason, reason === 'retention' ? window.closeBy : window.end));
    }
    this.earliestDue = queue.firstDue;
    return sortClosed(closed);
  }

  /** Closes the window of `key` now (BYE, dialog end, scope change); null when none is open. */
  close(key: string, reason: WindowCloseReason, ts?: number): ClosedWindow | null {
    const window = this.windows.get(key);
    if (window === undefined) return null;
    return this.closeOpen(window, reason, Math.min(ts ?? window.lastTs, window.end, window.closeBy));
  }

  /** The APTs that decided the items of the open window of `key`; undefined when none is open. */
  aptOf(key: string): readonly string[] | undefined {
    return this.windows.get(key)?.apt;
  }

  /** Closes everything (end of replay): each window ends at its last item or `ts` if given. */
  closeAll(reason: WindowCloseReason = 'end-of-capture', ts?: number): ClosedWindow[] {
    // (the queue goes first, whole: no window closed here leaves an entry behind)
    this.dueQueue.clear();
    this.staleEntries = 0;
    this.earliestDue = Number.POSITIVE_INFINITY;
    for (const w of this.windows.values()) w.queuedDue = Number.POSITIVE_INFINITY;
    const closed = [...this.windows.values()].map((w) =>
      this.closeOpen(w, reason, Math.min(ts ?? w.lastTs, w.end, w.closeBy)),
    );
    this.senderReports.clear();
    this.lastClosed.clear();
    return sortClosed(closed);
  }

  get openCount(): number {
    return this.windows.size;
  }

  private closeOpen(window: OpenWindow, reason: WindowCloseReason, end: number): ClosedWindow {
    this.windows.delete(window.key);
    // closed before its due moment came up: its entry stays in the queue till then, or till dropped
    if (window.queuedDue !== Number.POSITIVE_INFINITY) {
      window.queuedDue = Number.POSITIVE_INFINITY;
      this.leftStale();
    }
    const start = window.start;
    end = Math.max(end, start);
    const last = this.lastClosed.get(window.key);
    let repeat = 0;
    if (last === undefined) this.lastClosed.set(window.key, { start, end, repeat });
    else {
      // as the aggregate's line writes them (to the microsecond)
      if (sameMicrosecond(last.start, start) && sameMicrosecond(last.end, end)) repeat = last.repeat + 1;
      last.start = start;
      last.end = end;
      last.repeat = repeat;
    }
    return {
      key: window.key,
      start,
      end,
      repeat,
      reason,
      stats: statsOf(window),
      apt: window.apt,
      retentionSec: window.retentionSec,
      extensions: window.extensions,
      deadline: window.deadline,
    };
  }

  private fold(window: OpenWindow, item: TelemetryItem, ts: number, srMemorySec: number, clockRates: readonly number[] | undefined, partition: string): void {
    window.items++;
    // each kind's counter by name, not packets[item.kind]: a keyed store by a string costs per item
    const packets = window.packets;
    switch (item.kind) {
      case 'sr':
        packets.sr++;
        this.rememberSenderReport(partition, item.packet.ssrc, compactNtp(item.packet.ntpSec, item.packet.ntpFrac), ts, ts + srMemorySec);
        this.foldReportBlocks(window, item.packet.reports, ts, clockRates, partition);
        return;
      case 'rr':
        packets.rr++;
        this.foldReportBlocks(window, item.packet.reports, ts, clockRates, partition);
        return;
      // SDES, BYE and APP count as packets only: their content is never aggregated.
      case 'sdes':
        packets.sdes++;
        return;
      case 'bye':
        packets.bye++;
        return;
      case 'app':
        packets.app++;
        return;
      case 'rtpfb':
        packets.rtpfb++;
        if (item.fmt === 1) window.feedback.nack++;
        else if (item.fmt === 15) window.feedback.twcc++;
        else window.feedback.other++;
        return;
      case 'psfb':
        packets.psfb++;
        if (item.fmt === 1) window.feedback.pli++;
        else if (item.fmt === 4) window.feedback.fir++;
        else if (item.fmt === 15 && item.packet.remb !== undefined) window.feedback.remb++;
        else window.feedback.other++;
        return;
      case 'xr':
        // one item per block, one packet per packet
        if (window.lastXr !== item.packet) {
          packets.xr++;
          window.lastXr = item.packet;
        }
        if (item.xrBlock.bt === 7 && 'mosLq' in item.xrBlock) {
          const block = item.xrBlock;
          window.voipBlocks++;
          // RFC 3611 §4.7.5: MOS 10–50 (tenths), R factor 0–100; 127 (unavailable) and anything
          // else out of range says nothing and is left out
          if (block.mosLq >= 10 && block.mosLq <= 50) addMean(window.mosLq, block.mosLq / 10);
          if (block.mosCq >= 10 && block.mosCq <= 50) addMean(window.mosCq, block.mosCq / 10);
          if (block.rFactor >= 0 && block.rFactor <= 100) addMean(window.rFactor, block.rFactor);
        }
        return;
    }
  }


  private foldReportBlocks(window: OpenWindow, reports: readonly ReportBlock[], ts: number, clockRates: readonly number[] | undefined, partition: string): void {
    for (let i = 0; i < reports.length; i++) {
      const block = reports[i]!;
      window.reportBlocks++;
      addMean(window.loss, block.fractionLost / 256);
      window.cumulativeLostMax = window.cumulativeLostMax === null ? block.cumulativeLost : Math.max(window.cumulativeLostMax, block.cumulativeLost);
      window.jitterSamples.push(block.jitter);
      const rate = clockRates === undefined ? 0 : (clockRates[i] ?? 0);
      if (rate > 0) window.jitterMsSamples.push((block.jitter * 1000) / rate);
      // LSR 0: no SR received yet. The echoed SR is the one from the source the block is about.
      const srTs = block.lsr === 0 ? undefined : this.seenSenderReport(partition, block.ssrc, block.lsr, ts);
      if (srTs !== undefined) {
        const rtt = roundTripMs(ts, srTs, block.dlsr);
        if (rtt !== null) {
          addMean(window.rtt, rtt);
          window.rtt.min = Math.min(window.rtt.min, rtt);
          window.rtt.max = Math.max(window.rtt.max, rtt);
        }
      }
    }
  }

  private rememberSenderReport(partition: string, ssrc: number, compact: number, ts: number, forgetAt: number): void {
    const key = `${partition}/${ssrc}`;
    let seen = this.senderReports.get(key);
    if (seen === undefined) {
      seen = [];
      this.senderReports.set(key, seen);
    }
    seen.push({ compact, ts, forgetAt });
    if (seen.length > SR_MEMORY_PER_SOURCE) seen.shift();
  }

  /**
   * The capture time of the SR from `ssrc` whose compact NTP is `lsr`, still remembered at `ts`;
   * undefined when none is. Compact NTP is only compared for equality, so its 32-bit wrap
   * (every 18.2 h) needs no care: what is remembered spans far less. An SR captured twice (on
   * two legs) counts at the capture seen last, not after `ts`: the one nearest the report.
   */
  private seenSenderReport(partition: string, ssrc: number, lsr: number, ts: number): number | undefined {
    const seen = this.senderReports.get(`${partition}/${ssrc}`);
    if (seen === undefined) return undefined;
    for (let i = seen.length - 1; i >= 0; i--) {
      const sr = seen[i]!;
      if (sr.compact === lsr && sr.ts <= ts && ts < sr.forgetAt) return sr.ts;
    }
    return undefined;
  }

  /** Lets go of the bounds of windows that ended more than REPEAT_MEMORY_SEC before `ts`. */
  private forgetLastClosed(ts: number): void {
    for (const [key, last] of this.lastClosed) {
      if (ts - last.end > REPEAT_MEMORY_SEC) this.lastClosed.delete(key);
    }
  }

  private forgetOldSenderReports(ts: number): void {
    // each list kept in place: this runs every second of capture time over every source
    this.senderReports.forEach((seen, key) => {
      let kept = 0;
      for (let i = 0; i < seen.length; i++) if (ts < seen[i]!.forgetAt) seen[kept++] = seen[i]!;
      if (kept === 0) this.senderReports.delete(key);
      else seen.length = kept;
    });
  }
}

function checkedWindow(sec: number): number {
  if (!(sec > 0)) throw new RangeError(`window must be positive, got ${sec}`);
  return sec;
}

const NO_EXTENSIONS: Readonly<Record<string, unknown>> = Object.freeze({});

function openWindow(key: string, ts: number, windowSec: number, meta: WindowMeta): OpenWindow {
  const apt = [...new Set(meta.apt)];
  return {
    key,
    start: ts,
    end: ts + windowSec,
    queuedDue: Number.POSITIVE_INFINITY,
    deadline: Number.POSITIVE_INFINITY,
    closeBy: Number.POSITIVE_INFINITY,
    apt,
    aptFrom: meta.apt,
    extensions: meta.extensions ?? NO_EXTENSIONS,
    retentionSec: null,
    lastTs: ts,
    items: 0,
    packets: { sr: 0, rr: 0, sdes: 0, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 },
    lastXr: null,
    reportBlocks: 0,
    loss: { sum: 0, count: 0 },
    cumulativeLostMax: null,
    jitterSamples: [],
    jitterMsSamples: [],
    rtt: { sum: 0, count: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY },
    voipBlocks: 0,
    mosLq: { sum: 0, count: 0 },
    mosCq: { sum: 0, count: 0 },
    rFactor: { sum: 0, count: 0 },
    feedback: { nack: 0, pli: 0, fir: 0, remb: 0, twcc: 0, other: 0 },
  };
}

/** Same set of deciding APTs (order does not matter: precedence lists them in input order). */
function sameApts(incoming: readonly string[], held: readonly string[]): boolean {
  if (incoming === held) return true;
  for (const id of incoming) if (!held.includes(id)) return false;
  for (const id of held) if (!incoming.includes(id)) return false;
  return true;
}

/** 'retention' when half the earliest item's retention runs out before the window ends. */
function dueReason(window: OpenWindow, ts: number): 'window-end' | 'retention' | null {
  if (window.closeBy < window.end && ts >= window.closeBy) return 'retention';
  if (ts >= window.end) return 'window-end';
  return null;
}

function addMean(acc: MeanAccumulator, value: number): void {
  acc.sum += value;
  acc.count++;
}

function meanOf(acc: MeanAccumulator): number | null {
  return acc.count === 0 ? null : acc.sum / acc.count;
}

/** min, mean, max and p95 of samples, or null when there are none. */
function spreadOf(samples: readonly number[]): { min: number; mean: number; max: number; p95: number } | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  let sum = 0;
  // summed in arrival order, as the mean of the other statistics is
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  return {
    min: sorted[0]!,
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1]!,
    // Nearest-rank percentile: always one of the samples.
    p95: sorted[Math.ceil(0.95 * sorted.length) - 1]!,
  };
}

function statsOf(window: OpenWindow): WindowStats {
  const jitterMs = spreadOf(window.jitterMsSamples);
  const lossMean = meanOf(window.loss);
  const rttMean = meanOf(window.rtt);
  return {
    items: window.items,
    packets: { ...window.packets },
    reportBlocks: window.reportBlocks,
    lossFraction: lossMean === null ? null : { mean: lossMean },
    cumulativeLost: window.cumulativeLostMax === null ? null : { max: window.cumulativeLostMax },
    jitter: spreadOf(window.jitterSamples),
    jitterMs: jitterMs === null ? null : { ...jitterMs, count: window.jitterMsSamples.length },
    rttMs: rttMean === null ? null : { min: window.rtt.min, mean: rttMean, max: window.rtt.max, count: window.rtt.count },
    voip:
      window.voipBlocks === 0
        ? null
        : { blocks: window.voipBlocks, mosLq: meanOf(window.mosLq), mosCq: meanOf(window.mosCq), rFactor: meanOf(window.rFactor) },
    feedback: { ...window.feedback },
  };
}

function sameMicrosecond(a: number, b: number): boolean {
  return Math.round(a * 1e6) === Math.round(b * 1e6);
}

/** A binary min-heap of (due moment, window): WindowStore's open windows by when they are due. */
class DueQueue {
  private readonly dues: number[] = [];
  private readonly windows: OpenWindow[] = [];

  /** the first entry's moment; +∞ when empty */
  get firstDue(): number {
    return this.dues.length > 0 ? this.dues[0]! : Number.POSITIVE_INFINITY;
  }

  push(due: number, window: OpenWindow): void {
    const dues = this.dues;
    const windows = this.windows;
    let i = dues.length;
    dues.push(due);
    windows.push(window);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dues[parent]! <= due) break;
      dues[i] = dues[parent]!;
      windows[i] = windows[parent]!;
      i = parent;
    }
    dues[i] = due;
    windows[i] = window;
  }

  /** Takes the first entry off (not empty: firstDue was finite). */
  pop(): OpenWindow {
    const dues = this.dues;
    const windows = this.windows;
    const top = windows[0]!;
    const due = dues.pop()!;
    const window = windows.pop()!;
    if (dues.length === 0) return top;
    dues[0] = due;
    windows[0] = window;
    this.siftDown(0);
    return top;
  }

  clear(): void {
    this.dues.length = 0;
    this.windows.length = 0;
  }

  /** Drops the entries `keep` refuses, and orders the rest again (Floyd's heap construction: linear). */
  keepOnly(keep: (due: number, window: OpenWindow) => boolean): void {
    const dues = this.dues;
    const windows = this.windows;
    let n = 0;
    for (let i = 0; i < dues.length; i++) {
      if (!keep(dues[i]!, windows[i]!)) continue;
      dues[n] = dues[i]!;
      windows[n] = windows[i]!;
      n++;
    }
    dues.length = n;
    windows.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(i: number): void {
    const dues = this.dues;
    const windows = this.windows;
    const n = dues.length;
    const due = dues[i]!;
    const window = windows[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && dues[child + 1]! < dues[child]!) child++;
      if (dues[child]! >= due) break;
      dues[i] = dues[child]!;
      windows[i] = windows[child]!;
      i = child;
    }
    dues[i] = due;
    windows[i] = window;
  }
}

function sortClosed(closed: ClosedWindow[]): ClosedWindow[] {
  return closed.sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
