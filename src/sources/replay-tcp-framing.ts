/**
 * replay --to over HEP: each TCP direction framed as the offline pipeline frames it (packet-feed:
 * SipFlowDemux, its framer ended by a lost segment, a FIN, an RST, a new SYN). A direction's bytes
 * are held until they complete a message, so the bytes of one that is cut are never sent — no HEP
 * frame can say bytes are missing, and the live side would read them glued to the next message —
 * and what the offline replay reports of the cut is said instead.
 */
import { flowOfKey, reverseFlowKey, TcpBoundary, type TcpBoundaryListener, type TcpResumedRun } from '../../native-free/tcp-stream.js';
import { SipFlowDemux } from '../signaling/sip-flows.js';
import type { SipParseResult } from '../signaling/sip-message.js';

export interface TcpFlow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/**
 * A direction's bytes held for a message not complete yet: the first `apart` chunks came while
 * the direction was undecided (each goes as its own frame, as the offline classifier read it),
 * the others after it was known (they go together).
 */
interface Held {
  chunks: Uint8Array[];
  apart: number;
}

export class HepTcpFraming {
  private readonly demux = new SipFlowDemux({}, reverseFlowKey);
  /** the held bytes of each direction (least recently held first) */
  private readonly held = new Map<string, Held>();
  /** the plain SIP directions whose framer is fresh after a lost segment and has found nothing yet */
  private readonly afterGap = new Set<string>();
  /** TcpBoundary bits of the record being decoded, and with a GAP the bytes it lost (packet-feed tcpBoundaries) */
  private boundaries = 0;
  private lostBytes = 0;
  /** SIP messages over TCP cut (a lost segment, FIN, RST), not sent */
  private cutMessages = 0;
  /** stretches a direction's fresh framer passed over after a lost segment, before its next message, not sent */
  private passedOver = 0;

  /**
   * `file`: the capture's name for what is said; `send`: a direction's stream bytes as HEP frames
   * at `ts`; `warn`: a line for stderr.
   */
  constructor(
    private readonly file: string,
    private readonly send: (flow: TcpFlow, ts: number, payload: Uint8Array) => Promise<void>,
    private readonly warn: (message: string) => void,
  ) {}

  /** For PacketDecoderOptions.tcp: the boundaries of the segment being decoded. */
  readonly onBoundary: TcpBoundaryListener = (_key, b, lost) => {
    this.boundaries |= b;
    if ((b & TcpBoundary.GAP) !== 0) this.lostBytes = lost;
  };

  /**
   * A TCP record (`frame`, at `ts`): what it resumed of other directions, then its own bytes
   * (`payload`: null for a segment without new bytes) under `key`, with the boundaries of its
   * stream (packet-feed tcpBoundary): a new SYN, a gap, a FIN, an RST.
   */
  async segment(resumed: readonly TcpResumedRun[] | null, key: string, payload: Uint8Array | null, ts: number, frame: number): Promise<void> {
    const b = this.boundaries;
    this.boundaries = 0;
    await this.sendResumed(resumed, ts, frame);
    if ((b & TcpBoundary.START) !== 0) {
      this.cutStream(key, 'a new SYN', frame);
      if ((b & TcpBoundary.CONNECT) !== 0) this.cutStream(reverseFlowKey(key), 'a new SYN from the peer', frame);
    }
    if ((b & TcpBoundary.GAP) !== 0) this.cutStream(key, 'a lost segment', frame, this.lostBytes);
    if (payload !== null) await this.sendStream(key, payload, ts, frame);
    if ((b & TcpBoundary.END) !== 0) this.cutStream(key, 'FIN', frame);
    if ((b & TcpBoundary.RESET) !== 0) {
      this.cutStream(key, 'RST', frame);
      this.cutStream(reverseFlowKey(key), 'RST', frame);
    }
  }

  /**
   * The end of the capture (its last record `frame`, at `ts`): bytes a stream held behind a gap
   * that never filled (`drained`) go as the offline pipeline reads them; then the bytes of
   * messages still unfinished, which the live side reports as the offline replay does, cut by the
   * end of the capture. Then the counts of what was not sent.
   */
  async finish(drained: readonly { key: string; bytes: Uint8Array; lostBytes: number }[] | null, ts: number, frame: number): Promise<void> {
    await this.sendResumed(drained, ts, frame);
    for (const [key, h] of [...this.held]) {
      const flow = flowOfKey(key);
      if (flow !== null) await this.sendHeld(flow, ts, h.chunks, h.apart, 0, Infinity);
    }
  }

  /** Said at the end: how many cuts and stretches were not sent, when more than the one said. */
  sayCounts(): void {
    if (this.cutMessages > 1) this.warn(`${this.file}: ${this.cutMessages} cuts in SIP over TCP (a lost segment, FIN, RST) were not sent: the offline replay reports them, the live side cannot`);
    if (this.passedOver > 1) this.warn(`${this.file}: ${this.passedOver} stretches of SIP over TCP after a lost segment, before the next message, were not sent: the offline replay reports them, the live side cannot`);
  }

  /**
   * A direction's new in-order bytes, framed: the bytes of the messages they complete go at `ts`,
   * with the ones held before; the bytes of a message not complete yet (all of them while none
   * is, or the direction is undecided) are held, so a cut drops exactly what the offline framer
   * drops. A direction turned into someone else's traffic goes whole, and a WebSocket one whole
   * once it completes a message (its decoder does not say what it holds of the next). The chunks
   * that came while the direction was undecided go as the chunks they came in, whenever they go:
   * the classifier read them by where they start and end (a lone first octet is a keep-alive
   * probe's, passed over; glued to the message after it, it is the message's). After a lost
   * segment, the bytes the fresh framer passes over before its next message (record `frame`) are
   * not sent either.
   */
  private async sendStream(key: string, bytes: Uint8Array, ts: number, frame: number): Promise<void> {
    if (bytes.length === 0) return;
    const demux = this.demux;
    const before = this.held.get(key);
    this.held.delete(key);
    const kindBefore = demux.kindOf(key);
    const undecided = kindBefore === null || kindBefore === 'undecided';
    const evicted = demux.stats.evicted;
    const results = demux.push(key, bytes, 0, bytes.length);
    const done = results.length !== 0;
    // the direction the framer let go (the least recently active) goes from `held` too: the
    // offline replay reported its message cut, and its next bytes are a new stream (`held` is in
    // the framer's order: the least recently pushed of its directions is the first held, if held)
    if (demux.stats.evicted !== evicted && this.held.size > 0) {
      const oldest = this.held.keys().next().value!;
      if (demux.kindOf(oldest) === null) this.held.delete(oldest);
    }
    const kind = demux.kindOf(key);
    const chunks = before === undefined ? [bytes] : [...before.chunks, bytes];
    // (a chunk that came while undecided makes every chunk before it one to send apart)
    const apart = undecided ? chunks.length : (before?.apart ?? 0);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const tail = kind === 'other' ? 0 : !done || kind === 'undecided' ? total : Math.min(demux.pendingBytes(key) ?? 0, total);
    // (what is held, a copy: `bytes` may be the decoder's)
    if (tail === total) {
      const h = before ?? { chunks: [], apart: 0 };
      h.chunks.push(bytes.slice());
      h.apart = apart;
      this.held.set(key, h);
      return;
    }
    if (tail > 0) this.held.set(key, heldFrom(chunks, apart, total - tail));
    const from = this.afterGap.size > 0 && this.afterGap.delete(key) ? this.passedOverAfterGap(results, frame) : 0;
    const flow = flowOfKey(key);
    if (flow !== null) await this.sendHeld(flow, ts, chunks, apart, from, total - tail);
  }

  /**
   * Bytes [from, upto) of a direction's `chunks` at `ts`: each of the first `apart` chunks as its
   * own frame, the others together.
   */
  private async sendHeld(flow: TcpFlow, ts: number, chunks: readonly Uint8Array[], apart: number, from: number, upto: number): Promise<void> {
    const together: Uint8Array[] = [];
    let pos = 0;
    for (let k = 0; k < chunks.length && pos < upto; k++) {
      const c = chunks[k]!;
      const start = Math.max(from - pos, 0);
      const end = Math.min(c.length, upto - pos);
      pos += c.length;
      if (end <= start) continue;
      if (k < apart) await this.send(flow, ts, c.subarray(start, end));
      else together.push(c.subarray(start, end));
    }
    if (together.length !== 0) await this.send(flow, ts, together.length === 1 ? together[0]! : Buffer.concat(together));
  }

  /**
   * The first results of a direction's fresh framer after a lost segment (read at record
   * `frame`): the bytes it passed over before them (no start line), which the live side, whose
   * framer never saw the gap, would report elsewhere in its stream — not sent; its report is said,
   * the first one. Returns how many of the bytes since the gap are not sent.
   */
  private passedOverAfterGap(results: readonly SipParseResult[], frame: number): number {
    const first = results[0]!;
    const skip = first.message === null && first.errors[0]?.reason === 'garbage-skipped' ? first.errors[0] : undefined;
    if (skip === undefined) return 0;
    if (this.passedOver++ === 0) {
      this.warn(
        `${this.file}: frame ${frame}: ${reportWords(first)}: the offline replay's report, not the live side's: the bytes after a lost segment before the next message are not sent (nor those after later gaps, counted at the end)`,
      );
    }
    return skip.offset + Number(skip.detail);
  }

  /**
   * A direction's stream cut at record `frame` (`cause`: a lost segment, FIN, RST, a new SYN): the
   * bytes it held are not sent, and what the offline replay reports there (the message cut, or
   * the bytes lost between messages) is said, the first one, as that report words it.
   */
  private cutStream(key: string, cause: string, frame: number, lost = -1): void {
    this.held.delete(key);
    const gap = cause === 'a lost segment';
    const report: SipParseResult | null = gap ? this.demux.gap(key, cause, lost) : this.demux.end(key, cause);
    // (a plain SIP direction's framer after a gap is a fresh one: what it passes over before a start line is the offline replay's to report)
    if (gap && this.demux.kindOf(key) === 'sip') this.afterGap.add(key);
    else if (this.afterGap.size > 0) this.afterGap.delete(key);
    if (report === null) return;
    if (this.cutMessages++ === 0) {
      this.warn(`${this.file}: frame ${frame}: ${reportWords(report)}: the offline replay's report, not the live side's: a HEP frame cannot say a TCP stream was cut, so the cut bytes are not sent (nor those of later cuts, counted at the end)`);
    }
  }

  /**
   * A TCP direction's bytes past a gap (a segment lost or cut by the snap length), as the offline
   * pipeline reads them (packet-feed resumeOthers, resumeAfterGap): sent as that direction's, at
   * `ts`, after the cut the gap made (at record `frame`).
   */
  private async sendResumed(runs: readonly { key: string; bytes: Uint8Array; lostBytes: number; ended?: boolean }[] | null, ts: number, frame: number): Promise<void> {
    if (runs === null) return;
    for (const { key, bytes, lostBytes: lost, ended } of runs) {
      this.cutStream(key, 'a lost segment', frame, lost);
      await this.sendStream(key, bytes, ts, frame);
      if (ended === true) this.cutStream(key, 'FIN', frame);
    }
  }
}

/** Copies of the bytes of `chunks` from `start` on, the first `apart` of them still apart. */
function heldFrom(chunks: readonly Uint8Array[], apart: number, start: number): Held {
  const kept: Held = { chunks: [], apart: 0 };
  let pos = 0;
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!;
    const from = Math.max(start - pos, 0);
    pos += c.length;
    if (from >= c.length) continue;
    kept.chunks.push(c.slice(from));
    if (k < apart) kept.apart = kept.chunks.length;
  }
  return kept;
}

/** A report's errors in the words of the offline replay's malformed-input report. */
function reportWords(report: SipParseResult): string {
  return report.errors.map((e) => `sip ${e.reason} at byte ${e.offset}${e.detail ? ` (${e.detail.slice(0, 80)})` : ''}`).join(', ');
}
