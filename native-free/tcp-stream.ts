/**
 * TCP reassembly into in-order byte streams, one per connection direction.
 *
 * The stream starts at the SYN's sequence number + 1, or, when the capture began mid-connection,
 * at the first segment that carries data — a single byte too: it may be a keep-alive probe's
 * garbage octet one byte before the next real one (RFC 1122 §4.2.3.6), or the first byte of a
 * message sent alone (as tshark reads it); which, only the framer of the bytes can tell. Bytes
 * already delivered are never delivered again (a
 * retransmission, or the old part of a repacketized segment); segments ahead of the stream are
 * held until the gap before them fills. A gap still open when the held data passes a bound
 * (bytes, segments or capture seconds) is skipped: the stream resumes at the first held byte.
 * A gap the other direction has acknowledged past is skipped at once: its bytes reached the peer,
 * so no retransmission will bring them (RFC 9293 §3.4; a capture drop, Wireshark's "ACKed segment
 * that wasn't captured"). Gaps past their timeout are looked for on every segment, whichever its
 * direction, so a silent sender's held bytes do not wait for its next segment.
 * A FIN ends the stream once every byte before it has been delivered (its sequence number
 * follows the last byte, RFC 9293 §3.4), so bytes held ahead of a gap when it comes still count.
 * Connections are bounded too; the least recently active is evicted first.
 *
 * Whoever frames the bytes is told where a stream starts and ends (`onBoundary`): a SYN with a
 * new initial sequence number on a four-tuple is a new connection whose bytes must not be joined
 * to the old one's; a SYN with the direction's own ISN again is a retransmission. A new connection
 * (SYN without ACK) and an RST (RFC 9293 §3.10.7) end both directions: the other one's state goes
 * too, so its next bytes start a stream of their own even when its SYN-ACK was not captured.
 *
 * Keys name a direction as "<from>><to>" (no '>' inside either side): reverseFlowKey() is the other one.
 */
import { joinBytes } from './bytes.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './tcp.js';

/** Where one direction's byte stream starts or ends; bits, several may come with one segment. */
export const TcpBoundary = {
  /** a SYN with a new initial sequence number: a new stream starts, before the bytes the segment delivers */
  START: 1,
  /** with START, a SYN without ACK: a new connection opens, so the other direction's stream is new too (its state is gone) */
  CONNECT: 2,
  /** every byte before the FIN has been delivered, the segment's own bytes included */
  END: 4,
  /** an RST: the connection stops where it stands, both directions (what is held is given up) */
  RESET: 8,
  /**
   * a gap left open too long (bytes, segments or capture seconds past their bounds) was skipped,
   * or the stream was evicted with bytes held behind one: the bytes the segment delivers do not
   * follow the ones before, which lie cut at the gap
   */
  GAP: 16,
} as const;

/** The other direction of a connection: keys are "<src>:<sport>><dst>:<dport>" (no '>' in an address). */
export function reverseFlowKey(key: string): string {
  const gt = key.indexOf('>');
  return `${key.slice(gt + 1)}>${key.slice(0, gt)}`;
}

/** A direction's addresses and ports from its key (`10.0.0.1:5060>10.0.0.2:5060`, `[2001:db8::1]:5060>[…]:5060`); null for no key. */
export function flowOfKey(key: string): { src: string; dst: string; sport: number; dport: number } | null {
  const m = /^\[?([^\]]*)\]?:(\d+)>\[?([^\]]*)\]?:(\d+)$/.exec(key);
  return m === null ? null : { src: m[1]!, sport: Number(m[2]), dst: m[3]!, dport: Number(m[4]) };
}

/**
 * Told of a direction's boundaries (TcpBoundary bits) during the add() of the segment that made
 * them; `lostBytes`: with GAP, how many bytes the skipped gap held (-1 when not known: a stream
 * evicted behind one).
 */
export type TcpBoundaryListener = (key: string, boundaries: number, lostBytes: number) => void;

export interface TcpStreamLimits {
  /** connection directions tracked at once */
  maxStreams: number;
  /** bytes held out of order over all streams */
  maxHeldBytes: number;
  /** bytes held out of order in one stream before its gap is skipped */
  maxHeldBytesPerStream: number;
  /** segments held out of order in one stream before its gap is skipped */
  maxHeldSegmentsPerStream: number;
  /** capture seconds a gap may stay open before it is skipped */
  gapTimeoutSeconds: number;
  /**
   * Not a limit: told of stream boundaries. It lives here because these limits are what the
   * packet decoder's owner passes to the reassembler (PacketDecoderOptions.tcp).
   */
  onBoundary?: TcpBoundaryListener;
}

export const DEFAULT_TCP_STREAM_LIMITS: TcpStreamLimits = {
  maxStreams: 4096,
  maxHeldBytes: 64 * 1024 * 1024,
  maxHeldBytesPerStream: 1024 * 1024,
  maxHeldSegmentsPerStream: 256,
  gapTimeoutSeconds: 10,
};

/**
 * A direction's held bytes resumed after a skipped gap while another direction's segment was
 * added (an ACK past the gap, a gap timed out): delivered on that segment's record.
 */
export interface TcpResumedRun {
  key: string;
  bytes: Uint8Array;
  /** how many bytes the skipped gap held */
  lostBytes: number;
  /** the FIN was reached with these bytes: the stream ends after them */
  ended: boolean;
}

export interface TcpStreamStats {
  /** bytes that never reached a stream: held data given up, and the length of skipped gaps */
  bytesDropped: number;
  gaps: number;
  retransmissions: number;
  evictions: number;
  /** RSTs far outside their sender's window, ignored */
  rstIgnored: number;
}

interface HeldSegment {
  seq: number;
  data: Uint8Array;
}

interface StreamState {
  /**
   * the initial sequence number: the SYN's, or the one before the first byte seen when the capture
   * began mid-stream (the SYN it would have had, were that byte the first). A SYN with it again is
   * a retransmission; a new connection's random ISN hits it by chance once in 2^32.
   */
  isn: number;
  /** the sequence number of the next byte the stream expects */
  nextSeq: number;
  held: HeldSegment[];
  heldBytes: number;
  /** capture time the oldest open gap appeared */
  gapSince: number;
  /** the FIN's sequence number while bytes before it are still missing, else -1 */
  finSeq: number;
  closed: boolean;
  /**
   * The peer acknowledged past nextSeq (bytes this capture has not shown): up to ackedTo, first
   * at ackedSince (capture time). Cleared once the stream catches up with it.
   */
  acked: boolean;
  ackedTo: number;
  ackedSince: number;
}

export const TcpDelivery = { NONE: 0, DATA: 1 } as const;

/** streams remembered as evicted behind a gap, at most */
const EVICTED_REMEMBERED = 4096;

/**
 * How far from its sender's next sequence number an RST may be and still count. The watcher
 * does not see the receiver's window (nor its scale), so a generous 1 MiB stands for it: an
 * honest RST sits at (or just about) the next sequence number, a blind or stale one anywhere
 * in the 2^32 space.
 */
const RST_WINDOW = 1 << 20;

/**
 * How long (capture time) the peer's acknowledgment must have passed a gap before the gap is
 * taken for lost: a tap merging two directions may record an ACK a moment before the data it
 * acknowledges, which then still fills the gap.
 */
const ACK_GRACE_SECONDS = 0.2;
export type TcpDelivery = (typeof TcpDelivery)[keyof typeof TcpDelivery];

/** Signed distance from b to a in sequence space (RFC 9293 modular arithmetic). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export class TcpStreamReassembler {
  private readonly streams = new Map<string, StreamState>();
  /** streams evicted with bytes held behind a gap (bounded): their next segment is a GAP */
  private readonly evictedBehindGap = new Set<string>();
  private heldBytes = 0;
  /** capture time before which no held stream's gap times out (only ever early: then a sweep finds none) */
  private nextGapTimeout = Infinity;
  /**
   * Other directions' bytes resumed during the last add() (an ACK past their gap, a gap timed
   * out), in the order skipped; empty when none. Taken (emptied) by whoever delivers the segment's bytes.
   */
  readonly resumed: TcpResumedRun[] = [];
  /**
   * Directions picked up mid-connection not anchored yet (only bare ACKs or data-less keep-alive
   * probes seen): the sequence number they stand at, for the RST window check (bounded, oldest out).
   */
  private readonly unanchored = new Map<string, number>();
  readonly stats: TcpStreamStats = { bytesDropped: 0, gaps: 0, retransmissions: 0, evictions: 0, rstIgnored: 0 };
  /** after DATA: the new in-order bytes are out[outOffset, outOffset + outLength) */
  out: Uint8Array = new Uint8Array(0);
  outOffset = 0;
  outLength = 0;

  constructor(private readonly limits: TcpStreamLimits = DEFAULT_TCP_STREAM_LIMITS) {}

  get streamCount(): number {
    return this.streams.size;
  }

  /**
   * Feeds one segment of the direction `key` (TCP flag bits in `flags`), its payload at
   * data[start, start + length). Returns DATA when it makes new in-order bytes available in `out`;
   * other directions resumed on the way are in `resumed`. `ack`: the acknowledgment number, with TCP_ACK.
   */
  add(key: string, ts: number, seq: number, flags: number, data: Uint8Array, start: number, length: number, ack = 0): TcpDelivery {
    const syn = (flags & TCP_SYN) !== 0;
    // runs nobody took with the previous segment are not kept (a decoder without a feed)
    if (this.resumed.length > 0) this.resumed.length = 0;
    if (this.heldBytes > 0 && ts > this.nextGapTimeout) this.skipTimedOutGaps(key, ts);
    let state = this.streams.get(key);
    if (state !== undefined) {
      // Map order doubles as recency order: move the stream to the back.
      this.streams.delete(key);
      this.streams.set(key, state);
    }
    if ((flags & TCP_RST) !== 0) {
      // An RST resets the connection: both directions stop, whichever side sent it. But only one
      // in its sender's window (RFC 5961 §3.2, RFC 9293 §3.10.7.4): an endpoint discards an RST
      // far from where its sender's bytes stand (blind, spoofed, or a late copy of an earlier
      // connection's), and so does the watcher, which knows where they stand.
      const standing = state?.nextSeq ?? this.unanchored.get(key);
      if (standing !== undefined && Math.abs(seqDiff(seq, standing)) > RST_WINDOW) {
        // (dropped whole: its ACK field says nothing either)
        this.stats.rstIgnored++;
        return TcpDelivery.NONE;
      }
      if (state !== undefined) this.forget(key, state);
      this.forgetReverse(key);
      this.limits.onBoundary?.(key, TcpBoundary.RESET, 0);
      return TcpDelivery.NONE;
    }
    // what the segment acknowledges of the other direction (an RST ignored above says nothing)
    if ((flags & TCP_ACK) !== 0) this.noteAck(reverseFlowKey(key), ts, ack, length > 0);
    if (state === undefined && !syn && length === 0 && (flags & TCP_FIN) === 0) {
      // Picked up mid-connection: a bare ACK or a data-less keep-alive probe (SND.NXT − 1, RFC
      // 9293 §3.8.4, RFC 1122 §4.2.3.6) is no place to anchor the stream, one byte before its
      // next real byte: the first segment that carries data is. One carrying a single byte is
      // that segment: a probe's garbage octet and a message's first byte sent alone (its start
      // line written in two, 'I' then 'NVITE…') look the same here — sequence number, length,
      // the peer's ACK after it — and dropping the byte loses the message whose first byte it
      // is (read as a method 'NVITE'), so it is delivered, and the framer passes over a stray
      // first octet (sip-flows.ts). Where the direction stands is kept for the RST check.
      if (this.unanchored.size >= EVICTED_REMEMBERED && !this.unanchored.has(key)) this.unanchored.delete(this.unanchored.keys().next().value!);
      this.unanchored.set(key, seq);
      return TcpDelivery.NONE;
    }
    let boundaries = 0;
    let lostBytes = 0;
    // a stream evicted with bytes held behind a gap goes on past what was lost (how much, no longer known)
    if (state === undefined && this.evictedBehindGap.delete(key) && !syn) {
      boundaries |= TcpBoundary.GAP;
      lostBytes = -1;
    }
    // A SYN with the stream's ISN is a retransmission, also after data went through (a fast-open
    // SYN sent again without its data, a duplicate the capture shows late): never a new stream.
    if (state === undefined || (syn && seq !== state.isn)) {
      if (state !== undefined) this.forget(key, state);
      state = { isn: (syn ? seq : seq - 1) >>> 0, nextSeq: (syn ? seq + 1 : seq) >>> 0, held: [], heldBytes: 0, gapSince: 0, finSeq: -1, closed: false, acked: false, ackedTo: 0, ackedSince: 0 };
      this.unanchored.delete(key);
      this.admit(key, state);
      if (syn && (flags & TCP_ACK) === 0) {
        // A new connection: whatever the other direction still holds belongs to the old one.
        this.forgetReverse(key);
        boundaries = TcpBoundary.START | TcpBoundary.CONNECT;
      } else if (syn) boundaries = TcpBoundary.START;
    }
    // SYN occupies one sequence number before the data it may carry.
    const dataSeq = (syn ? seq + 1 : seq) >>> 0;
    let delivery: TcpDelivery = TcpDelivery.NONE;
    if (length > 0) {
      if (state.closed && seqDiff(dataSeq, state.nextSeq) > 0) {
        // Data past the end of a finished stream: the ports were reused without a SYN seen.
        state.closed = false;
        state.isn = (dataSeq - 1) >>> 0;
        state.nextSeq = dataSeq;
      }
      delivery = this.accept(state, ts, dataSeq, data, start, length);
    }
    // Any segment of the direction may find its gap too old (a retransmitted FIN, a bare ACK),
    // not only one that is held: a stream whose FIN already came may see nothing else.
    if (delivery === TcpDelivery.NONE && state.held.length > 0 && this.overLimits(state, ts)) {
      lostBytes = this.gapLength(state);
      delivery = this.skipGap(state, ts);
      boundaries |= TcpBoundary.GAP;
    }
    if ((flags & TCP_FIN) !== 0 && !state.closed) state.finSeq = (dataSeq + length) >>> 0;
    if (state.finSeq !== -1 && seqDiff(state.nextSeq, state.finSeq) >= 0) {
      // Every byte before the FIN is in: the stream ends. It is kept so late retransmissions are
      // recognised; anything still held lies past the FIN and is dropped.
      this.release(state);
      state.closed = true;
      state.finSeq = -1;
      boundaries |= TcpBoundary.END;
    }
    if (boundaries !== 0) this.limits.onBoundary?.(key, boundaries, lostBytes);
    return delivery;
  }

  private accept(state: StreamState, ts: number, seq: number, data: Uint8Array, start: number, length: number): TcpDelivery {
    const ahead = seqDiff(seq, state.nextSeq);
    if (ahead <= 0) {
      const fresh = length + ahead;
      if (fresh <= 0) {
        this.stats.retransmissions++;
        return TcpDelivery.NONE;
      }
      state.nextSeq = (state.nextSeq + fresh) >>> 0;
      if (state.held.length === 0) {
        this.out = data;
        this.outOffset = start - ahead;
        this.outLength = fresh;
        return TcpDelivery.DATA;
      }
      const drained = this.drain(state, ts);
      const joined = new Uint8Array(fresh + drained.length);
      joined.set(data.subarray(start - ahead, start + length), 0);
      joined.set(drained, fresh);
      return this.deliver(joined);
    }
    if (state.closed) return TcpDelivery.NONE;
    this.hold(state, ts, seq, data.slice(start, start + length));
    return TcpDelivery.NONE;
  }

  /** Whether the held segments of a stream passed a bound, so its first gap is skipped. */
  private overLimits(state: StreamState, ts: number): boolean {
    return (
      state.heldBytes > this.limits.maxHeldBytesPerStream ||
      state.held.length > this.limits.maxHeldSegmentsPerStream ||
      ts - state.gapSince > this.limits.gapTimeoutSeconds ||
      ackedPast(state, ts)
    );
  }

  private hold(state: StreamState, ts: number, seq: number, copy: Uint8Array): void {
    if (state.held.length === 0) this.openGap(state, ts);
    // Kept sorted by sequence number; held lists are short, so insertion is cheap.
    let k = state.held.length;
    while (k > 0 && seqDiff(state.held[k - 1]!.seq, seq) > 0) k--;
    state.held.splice(k, 0, { seq, data: copy });
    state.heldBytes += copy.length;
    this.heldBytes += copy.length;
    while (this.heldBytes > this.limits.maxHeldBytes && this.streams.size > 0) {
      const [oldestKey, oldest] = this.streams.entries().next().value as [string, StreamState];
      if (oldest === state) break;
      this.evict(oldestKey, oldest);
    }
  }

  /** The bytes between what the stream delivered and its first held segment. */
  private gapLength(state: StreamState): number {
    return seqDiff(state.held[0]!.seq, state.nextSeq);
  }

  /** Jumps the stream over its first gap to the lowest held sequence number, and delivers. */
  private skipGap(state: StreamState, ts: number): TcpDelivery {
    const first = state.held[0]!;
    this.stats.gaps++;
    this.stats.bytesDropped += this.gapLength(state);
    state.nextSeq = first.seq;
    const drained = this.drain(state, ts);
    return drained.length > 0 ? this.deliver(drained) : TcpDelivery.NONE;
  }

  /** Takes the held segments that now continue the stream, trimming overlaps, and joins them. */
  private drain(state: StreamState, ts: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (state.held.length > 0) {
      const h = state.held[0]!;
      const ahead = seqDiff(h.seq, state.nextSeq);
      if (ahead > 0) break;
      state.held.shift();
      state.heldBytes -= h.data.length;
      this.heldBytes -= h.data.length;
      const fresh = h.data.length + ahead;
      if (fresh <= 0) continue;
      parts.push(h.data.subarray(-ahead));
      total += fresh;
      state.nextSeq = (state.nextSeq + fresh) >>> 0;
    }
    // Whatever is still held sits behind a new gap, which opens now.
    if (state.held.length > 0) this.openGap(state, ts);
    return parts.length === 1 ? parts[0]! : joinBytes(parts, total);
  }

  private openGap(state: StreamState, ts: number): void {
    state.gapSince = ts;
    this.nextGapTimeout = Math.min(this.nextGapTimeout, ts + this.limits.gapTimeoutSeconds);
  }

  /**
   * What the peer acknowledged of direction `key`. Past a gap it holds segments behind, the peer
   * has the missing bytes, so they will not come again: the gap is skipped once the ACK has
   * passed it for ACK_GRACE_SECONDS (at once if it had already), not at the timeout — at once
   * too when the acknowledging segment carries data (`answering`: the peer answers what it
   * read, a 200 to the INVITE the capture missed, which the bytes held must come before). Only a gap
   * wholly acknowledged: bytes past the ACK may still be on their way. An ACK far past what the
   * stream holds is no honest one (a stray or forged segment's), as with RSTs.
   */
  private noteAck(key: string, ts: number, ack: number, answering: boolean): void {
    const state = this.streams.get(key);
    if (state === undefined || state.closed) return;
    const last = state.held.length > 0 ? state.held[state.held.length - 1]! : null;
    const end = last === null ? state.nextSeq : (last.seq + last.data.length) >>> 0;
    if (seqDiff(ack, state.nextSeq) <= 0 || seqDiff(ack, end) > RST_WINDOW) return;
    // (one the stream caught up with since says nothing of the bytes after it)
    if (!state.acked || seqDiff(state.ackedTo, state.nextSeq) <= 0) {
      state.acked = true;
      state.ackedSince = ts;
      state.ackedTo = ack;
    } else if (seqDiff(ack, state.ackedTo) > 0) state.ackedTo = ack;
    if (state.held.length === 0 || seqDiff(state.ackedTo, state.held[0]!.seq) < 0) return;
    while (answering && state.held.length > 0 && seqDiff(state.ackedTo, state.held[0]!.seq) >= 0) this.resume(key, state, ts);
    if (ackedPast(state, ts)) {
      while (state.held.length > 0 && ackedPast(state, ts)) this.resume(key, state, ts);
    } else if (state.held.length > 0) this.nextGapTimeout = Math.min(this.nextGapTimeout, state.ackedSince + ACK_GRACE_SECONDS);
  }

  /** Skips every gap past its timeout but the one of `key`, which add() looks at itself. */
  private skipTimedOutGaps(key: string, ts: number): void {
    let next = Infinity;
    for (const [k, state] of this.streams) {
      if (state.held.length === 0) continue;
      if (k !== key && (ts - state.gapSince > this.limits.gapTimeoutSeconds || ackedPast(state, ts))) this.resume(k, state, ts);
      if (state.held.length > 0) next = Math.min(next, state.gapSince + this.limits.gapTimeoutSeconds, state.acked ? state.ackedSince + ACK_GRACE_SECONDS : Infinity);
    }
    this.nextGapTimeout = next;
  }

  /** Skips the first gap of another direction than the segment's, its resumed bytes to `resumed`. */
  private resume(key: string, state: StreamState, ts: number): void {
    const lostBytes = this.gapLength(state);
    const delivered = this.skipGap(state, ts) === TcpDelivery.DATA;
    const bytes = delivered ? this.out.slice(this.outOffset, this.outOffset + this.outLength) : new Uint8Array(0);
    let ended = false;
    if (state.finSeq !== -1 && seqDiff(state.nextSeq, state.finSeq) >= 0) {
      this.release(state);
      state.closed = true;
      state.finSeq = -1;
      ended = true;
    }
    this.resumed.push({ key, bytes, lostBytes, ended });
  }

  private deliver(bytes: Uint8Array): TcpDelivery {
    this.out = bytes;
    this.outOffset = 0;
    this.outLength = bytes.length;
    return TcpDelivery.DATA;
  }

  private admit(key: string, state: StreamState): void {
    while (this.streams.size >= this.limits.maxStreams) {
      const [oldestKey, oldest] = this.streams.entries().next().value as [string, StreamState];
      this.evict(oldestKey, oldest);
    }
    this.streams.set(key, state);
  }

  private release(state: StreamState): void {
    this.stats.bytesDropped += state.heldBytes;
    this.heldBytes -= state.heldBytes;
    state.held = [];
    state.heldBytes = 0;
  }

  private forget(key: string, state: StreamState): void {
    this.release(state);
    this.streams.delete(key);
  }

  /**
   * Forgets a stream to make room (too many streams, too many bytes held): one that held bytes
   * behind a gap is remembered, so that its next segment is told as a GAP — what came before
   * the gap must not be read as continuing into it.
   */
  private evict(key: string, state: StreamState): void {
    this.stats.evictions++;
    if (state.heldBytes > 0) {
      this.evictedBehindGap.add(key);
      if (this.evictedBehindGap.size > EVICTED_REMEMBERED) this.evictedBehindGap.delete(this.evictedBehindGap.values().next().value!);
    }
    this.forget(key, state);
  }

  /** Drops the other direction of the connection (a new connection, an RST); only at those, so the per-segment path builds no key. */
  private forgetReverse(key: string): void {
    const reverse = reverseFlowKey(key);
    const state = this.streams.get(reverse);
    if (state !== undefined) this.forget(reverse, state);
  }

  /**
   * End of capture, before flush: what each stream still holds behind a gap that never filled,
   * as the gap's timeout would have delivered it had the capture gone on — one run per skipped
   * gap, in stream order. The lost bytes count as dropped; the streams hold nothing after.
   */
  drainHeld(): { key: string; bytes: Uint8Array; lostBytes: number }[] {
    const runs: { key: string; bytes: Uint8Array; lostBytes: number }[] = [];
    for (const [key, state] of this.streams) {
      let lostBytes = 0;
      while (state.held.length > 0) {
        lostBytes += this.gapLength(state);
        if (this.skipGap(state, state.gapSince) !== TcpDelivery.DATA) continue;
        runs.push({ key, bytes: this.out.slice(this.outOffset, this.outOffset + this.outLength), lostBytes });
        lostBytes = 0;
      }
    }
    return runs;
  }

  /** End of capture: held bytes of every stream are given up. Returns how many streams had any. */
  flush(): number {
    let withHeld = 0;
    for (const [key, state] of this.streams) {
      if (state.heldBytes > 0) withHeld++;
      this.forget(key, state);
    }
    return withHeld;
  }
}

/** Whether the peer's acknowledgment has passed the stream's first gap wholly, for ACK_GRACE_SECONDS. */
function ackedPast(state: StreamState, ts: number): boolean {
  return state.acked && state.held.length > 0 && seqDiff(state.ackedTo, state.held[0]!.seq) >= 0 && ts - state.ackedSince >= ACK_GRACE_SECONDS;
}
