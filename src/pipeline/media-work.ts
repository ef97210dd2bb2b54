/**
 * A shard's share of one batch: the RTP/RTCP packets whose streams live in the shard, as
 * parallel typed arrays, plus every core event of the batch (all shards see all signaling).
 * Plain data with bytes of its own, so it crosses to a worker thread as is (its buffers moved,
 * not copied) and the capture's chunks never leave the reader.
 *
 * Only what a shard reads is copied into the unit's bytes: an RTCP compound whole, the header
 * extension block of an RTP packet (where a mid may be learned), an RTP packet whose header
 * the shard must report on. Most RTP packets need no bytes at all: the feed decoded their
 * header (it had just touched it) and the unit carries the SSRC.
 */
import { formatIpv4 } from '../../native-free/ipv4.js';
import type { PacketView } from '../../native-free/types.js';
import { createRtpHeaderView, type RtpHeaderView } from '../media/rtp.js';
import type { CoreEvent, MediaCore, PacketAddress } from './media-core.js';

/**
 * What a packet of a work unit is. RTP_HEADER / RTP_HEADER_EXT: RTP whose header the feed
 * decoded without error, its SSRC in `ssrc`; with _EXT, `off`/`len` hold its header extension
 * block and `extProfile` the block's profile. RTP: a packet whose header did not decode, whole,
 * for the shard to report. RTCP: the compound, whole.
 */
export const Proto = { RTP: 1, RTCP: 2, RTP_HEADER: 3, RTP_HEADER_EXT: 4 } as const;

export interface MediaWork {
  /** the bytes `off`/`len` point into */
  bytes: Uint8Array;
  count: number;
  frame: Float64Array;
  ts: Float64Array;
  proto: Uint8Array;
  off: Uint32Array;
  len: Uint32Array;
  /** RTP_HEADER(_EXT) packets: the SSRC the feed read */
  ssrc: Uint32Array;
  /** RTP_HEADER_EXT packets: the profile word of the extension block */
  extProfile: Uint16Array;
  src4: Uint32Array;
  dst4: Uint32Array;
  sport: Uint16Array;
  dport: Uint16Array;
  /** IPv6 addresses by packet index (src, dst), only for IPv6 packets */
  v6: Record<number, [string, string]>;
  /** whether `v6` holds anything (most work units carry IPv4 only: no lookup per packet) */
  hasV6: boolean;
  events: CoreEvent[];
  lastFrame: number;
  lastTs: number;
}

/** Collects one shard's packets of a batch. */
export class MediaWorkBuilder {
  private n = 0;
  private frame: Float64Array;
  private ts: Float64Array;
  private proto: Uint8Array;
  private off: Uint32Array;
  private len: Uint32Array;
  private ssrc: Uint32Array;
  private extProfile: Uint16Array;
  private src4: Uint32Array;
  private dst4: Uint32Array;
  private sport: Uint16Array;
  private dport: Uint16Array;
  private v6: Record<number, [string, string]> = {};
  private hasV6 = false;
  private bytes: Uint8Array;
  private bytesLen = 0;

  constructor(private capacity: number) {
    this.frame = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.off = new Uint32Array(capacity);
    this.len = new Uint32Array(capacity);
    this.ssrc = new Uint32Array(capacity);
    this.extProfile = new Uint16Array(capacity);
    this.src4 = new Uint32Array(capacity);
    this.dst4 = new Uint32Array(capacity);
    this.sport = new Uint16Array(capacity);
    this.dport = new Uint16Array(capacity);
    this.bytes = new Uint8Array(64 * 1024);
  }

  /** An RTCP compound, or an RTP packet whose header did not decode: its payload is copied. */
  add(view: PacketView, proto: typeof Proto.RTP | typeof Proto.RTCP): void {
    const i = this.next(view, proto);
    this.off[i] = this.copy(view.bytes, view.payloadOffset, view.payloadLength);
    this.len[i] = view.payloadLength;
  }

  /** An RTP packet whose header `header` is (decoded from the view's payload without error). */
  addRtpHeader(view: PacketView, header: RtpHeaderView): void {
    const i = this.next(view, header.extension ? Proto.RTP_HEADER_EXT : Proto.RTP_HEADER);
    this.ssrc[i] = header.ssrc;
    if (header.extension) {
      this.off[i] = this.copy(view.bytes, header.extOffset, header.extLength);
      this.len[i] = header.extLength;
      this.extProfile[i] = header.extProfile;
    } else {
      this.off[i] = 0;
      this.len[i] = 0;
    }
  }

  private next(view: PacketView, proto: number): number {
    if (this.n === this.capacity) this.grow();
    const i = this.n++;
    this.frame[i] = view.frame;
    this.ts[i] = view.ts;
    this.proto[i] = proto;
    this.sport[i] = view.sport;
    this.dport[i] = view.dport;
    if (view.ipVersion === 4) {
      this.src4[i] = view.src4;
      this.dst4[i] = view.dst4;
    } else {
      this.src4[i] = 0;
      this.dst4[i] = 0;
      this.v6[i] = [view.src, view.dst];
      this.hasV6 = true;
    }
    return i;
  }

  /** Appends bytes[from, from + n) to the unit's bytes; returns where they start there. */
  private copy(bytes: Uint8Array, from: number, n: number): number {
    const at = this.bytesLen;
    if (at + n > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
      bigger.set(this.bytes.subarray(0, at));
      this.bytes = bigger;
    }
    this.bytes.set(bytes.subarray(from, from + n), at);
    this.bytesLen = at + n;
    return at;
  }

  /** The work so far, and a fresh start for the next batch. */
  take(events: CoreEvent[], lastFrame: number, lastTs: number): MediaWork {
    const n = this.n;
    const nb = this.bytesLen;
    // One buffer holds every array (widest first, so every view is aligned) and then the bytes:
    // one allocation per batch, and one buffer to move to a worker thread.
    const block = new ArrayBuffer(n * 44 + nb);
    const frame = new Float64Array(block, 0, n);
    const ts = new Float64Array(block, 8 * n, n);
    const off = new Uint32Array(block, 16 * n, n);
    const len = new Uint32Array(block, 20 * n, n);
    const ssrc = new Uint32Array(block, 24 * n, n);
    const src4 = new Uint32Array(block, 28 * n, n);
    const dst4 = new Uint32Array(block, 32 * n, n);
    const sport = new Uint16Array(block, 36 * n, n);
    const dport = new Uint16Array(block, 38 * n, n);
    const extProfile = new Uint16Array(block, 40 * n, n);
    const proto = new Uint8Array(block, 42 * n, n);
    const bytes = new Uint8Array(block, 44 * n, nb);
    frame.set(this.frame.subarray(0, n));
    ts.set(this.ts.subarray(0, n));
    off.set(this.off.subarray(0, n));
    len.set(this.len.subarray(0, n));
    ssrc.set(this.ssrc.subarray(0, n));
    src4.set(this.src4.subarray(0, n));
    dst4.set(this.dst4.subarray(0, n));
    sport.set(this.sport.subarray(0, n));
    dport.set(this.dport.subarray(0, n));
    extProfile.set(this.extProfile.subarray(0, n));
    proto.set(this.proto.subarray(0, n));
    bytes.set(this.bytes.subarray(0, nb));
    const work: MediaWork = { bytes, count: n, frame, ts, proto, off, len, ssrc, extProfile, src4, dst4, sport, dport, v6: this.v6, hasV6: this.hasV6, events, lastFrame, lastTs };
    this.n = 0;
    this.v6 = {};
    this.hasV6 = false;
    this.bytesLen = 0;
    return work;
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.capacity);
      b.set(a);
      return b;
    };
    this.frame = grow(this.frame, (n) => new Float64Array(n));
    this.ts = grow(this.ts, (n) => new Float64Array(n));
    this.proto = grow(this.proto, (n) => new Uint8Array(n));
    this.off = grow(this.off, (n) => new Uint32Array(n));
    this.len = grow(this.len, (n) => new Uint32Array(n));
    this.ssrc = grow(this.ssrc, (n) => new Uint32Array(n));
    this.extProfile = grow(this.extProfile, (n) => new Uint16Array(n));
    this.src4 = grow(this.src4, (n) => new Uint32Array(n));
    this.dst4 = grow(this.dst4, (n) => new Uint32Array(n));
    this.sport = grow(this.sport, (n) => new Uint16Array(n));
    this.dport = grow(this.dport, (n) => new Uint16Array(n));
  }
}

/** What can be moved rather than copied when a work unit goes to a worker thread: its one buffer. */
export function mediaWorkTransferList(work: MediaWork): ArrayBuffer[] {
  const buffer = work.frame.buffer;
  return buffer instanceof ArrayBuffer && buffer.byteLength > 0 ? [buffer] : [];
}

/**
 * A packet's address as a core reads it, reused packet after packet (by a work unit's loop and
 * by the in-thread feed): IPv4 text is formatted only when asked for, IPv6 text is given.
 */
export class ReusableAddress implements PacketAddress {
  v6 = false;
  src4 = 0;
  dst4 = 0;
  sport = 0;
  dport = 0;
  private srcText: string | null = null;
  private dstText: string | null = null;

  /** `v6Src`/`v6Dst`: the IPv6 addresses as text, or null for IPv4 */
  set(src4: number, dst4: number, sport: number, dport: number, v6Src: string | null, v6Dst: string | null): void {
    this.v6 = v6Src !== null;
    this.src4 = src4;
    this.dst4 = dst4;
    this.sport = sport;
    this.dport = dport;
    this.srcText = v6Src;
    this.dstText = v6Dst;
  }

  get src(): string {
    return (this.srcText ??= formatIpv4(this.src4));
  }

  get dst(): string {
    return (this.dstText ??= formatIpv4(this.dst4));
  }
}

/**
 * Runs a work unit through a core: events and packets in frame order (an event happens at
 * its SIP message's frame, which no media packet shares), then the batch's end.
 */
export function runMediaWork(core: MediaCore, work: MediaWork): void {
  const addr = new ReusableAddress();
  // an RTP packet's extension block as the core reads it: where it lies in the unit's bytes
  const extension = createRtpHeaderView();
  extension.extension = true;
  const bytes = work.bytes;
  const events = work.events;
  let e = 0;
  for (let i = 0; i < work.count; i++) {
    const frame = work.frame[i]!;
    while (e < events.length && events[e]!.frame <= frame) core.event(events[e++]!);
    const six = work.hasV6 ? work.v6[i] : undefined;
    addr.set(work.src4[i]!, work.dst4[i]!, work.sport[i]!, work.dport[i]!, six ? six[0] : null, six ? six[1] : null);
    const proto = work.proto[i]!;
    if (proto === Proto.RTP_HEADER) core.rtpDecoded(frame, work.ts[i]!, work.ssrc[i]!, null, bytes, addr);
    else if (proto === Proto.RTP_HEADER_EXT) {
      extension.extProfile = work.extProfile[i]!;
      extension.extOffset = work.off[i]!;
      extension.extLength = work.len[i]!;
      core.rtpDecoded(frame, work.ts[i]!, work.ssrc[i]!, extension, bytes, addr);
    } else if (proto === Proto.RTP) core.rtp(frame, work.ts[i]!, bytes, work.off[i]!, work.len[i]!, addr);
    else core.rtcp(frame, work.ts[i]!, bytes, work.off[i]!, work.len[i]!, addr);
  }
  while (e < events.length) core.event(events[e++]!);
  core.endBatch(work.lastFrame, work.lastTs);
}
