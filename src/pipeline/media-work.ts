/**
 * A shard's share of one batch: the RTP/RTCP packets whose streams live in the shard, as
 * parallel typed arrays, plus every core event of the batch (all shards see all signaling).
 * Plain data with bytes of its own, so it crosses to a worker thread as is (its arrays are views
 * of one shared block, not copied) and the capture's chunks never leave the reader.
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
  /**
   * RTP_HEADER(_EXT) packets: the SSRC the feed read. RTP and RTCP packets (which carry their
   * bytes and have their SSRC in them): the bytes the capture's snap length cut off the end of
   * the payload (PacketView.payloadCut), so a cut compound is told apart from a broken one.
   */
  ssrc: Uint32Array;
  /** RTP_HEADER_EXT packets: the profile word of the extension block */
  extProfile: Uint16Array;
  /** RTP_HEADER(_EXT) packets: the sequence number (a source no signaling routes is on probation, RFC 3550 A.1) */
  seq: Uint16Array;
  /** RTP_HEADER(_EXT) packets: the payload type */
  pt: Uint8Array;
  src4: Uint32Array;
  dst4: Uint32Array;
  sport: Uint16Array;
  dport: Uint16Array;
  /** IPv6 addresses by packet index (src, dst), only for IPv6 packets */
  v6: Record<number, [string, string]>;
  /** whether `v6` holds anything (most work units carry IPv4 only: no lookup per packet) */
  hasV6: boolean;
  events: CoreEvent[];
  /**
   * The capture clock after each record of the batch, every record (the shard's or not), from
   * frame `firstFrame` on: where windows close (MediaCore.beginBatch). Empty for a unit of no
   * records (a live source's idle tick, the capture's end).
   */
  clocks: Float64Array;
  firstFrame: number;
  lastFrame: number;
  lastTs: number;
}

/**
 * Bytes per packet slot of a block: frame and ts (8 each), off, len, ssrc, src4, dst4 (4 each),
 * sport, dport, extProfile, seq (2 each), proto, pt (1 each).
 */
const SLOT_BYTES = 46;
/** Blocks a builder keeps for reuse once a shard has given them back. */
const SPARE_BLOCKS = 8;

/**
 * Collects one shard's packets of a batch, straight into the block the shard reads: every
 * array of the unit is a view of one SharedArrayBuffer (laid out for `capacity` packets, widest
 * arrays first so every view is aligned, then `byteCapacity` bytes), and take() hands the views
 * over as they are. Once the shard has answered, the engine gives the block back (recycle), so
 * a replay cycles a few blocks whose memory stays mapped: a fresh block per batch cost page
 * faults on every first touch, and copying arrays into it a second pass over them. (Shared
 * rather than moved: a moved block would have to come back inside the shard's answer, which
 * takes piscina's move() and ~10 ms more to start each worker.)
 */
export class MediaWorkBuilder {
  private n = 0;
  private bytesLen = 0;
  private v6: Record<number, [string, string]> = {};
  private hasV6 = false;
  private readonly spare: SharedArrayBuffer[] = [];
  private block!: SharedArrayBuffer;
  private frame!: Float64Array;
  private ts!: Float64Array;
  private off!: Uint32Array;
  private len!: Uint32Array;
  private ssrc!: Uint32Array;
  private src4!: Uint32Array;
  private dst4!: Uint32Array;
  private sport!: Uint16Array;
  private dport!: Uint16Array;
  private extProfile!: Uint16Array;
  private seq!: Uint16Array;
  private proto!: Uint8Array;
  private pt!: Uint8Array;
  private bytes!: Uint8Array;

  constructor(
    private capacity: number,
    private byteCapacity = 64 * 1024,
  ) {
    this.use(new SharedArrayBuffer(this.blockBytes()));
  }

  private blockBytes(): number {
    return this.capacity * SLOT_BYTES + this.byteCapacity;
  }

  /** Lays the views out over `block` (sized by blockBytes()). */
  private use(block: SharedArrayBuffer): void {
    const c = this.capacity;
    this.block = block;
    this.frame = new Float64Array(block, 0, c);
    this.ts = new Float64Array(block, 8 * c, c);
    this.off = new Uint32Array(block, 16 * c, c);
    this.len = new Uint32Array(block, 20 * c, c);
    this.ssrc = new Uint32Array(block, 24 * c, c);
    this.src4 = new Uint32Array(block, 28 * c, c);
    this.dst4 = new Uint32Array(block, 32 * c, c);
    this.sport = new Uint16Array(block, 36 * c, c);
    this.dport = new Uint16Array(block, 38 * c, c);
    this.extProfile = new Uint16Array(block, 40 * c, c);
    this.seq = new Uint16Array(block, 42 * c, c);
    this.proto = new Uint8Array(block, 44 * c, c);
    this.pt = new Uint8Array(block, 45 * c, c);
    this.bytes = new Uint8Array(block, SLOT_BYTES * c, this.byteCapacity);
  }

  /** An RTCP compound, or an RTP packet whose header did not decode: its payload is copied. */
  add(view: PacketView, proto: typeof Proto.RTP | typeof Proto.RTCP): void {
    const i = this.next(view, proto);
    // copied first: a copy that grows the block replaces the arrays (this.off included)
    const at = this.copy(view.bytes, view.payloadOffset, view.payloadLength);
    this.off[i] = at;
    this.len[i] = view.payloadLength;
    this.ssrc[i] = view.payloadCut;
  }

  /** An RTP packet whose header `header` is (decoded from the view's payload without error). */
  addRtpHeader(view: PacketView, header: RtpHeaderView): void {
    const i = this.next(view, header.extension ? Proto.RTP_HEADER_EXT : Proto.RTP_HEADER);
    this.ssrc[i] = header.ssrc;
    this.pt[i] = header.pt;
    this.seq[i] = header.seq;
    if (header.extension) {
      const at = this.copy(view.bytes, header.extOffset, header.extLength);
      this.off[i] = at;
      this.len[i] = header.extLength;
      this.extProfile[i] = header.extProfile;
    } else {
      this.off[i] = 0;
      this.len[i] = 0;
    }
  }

  private next(view: PacketView, proto: number): number {
    if (this.n === this.capacity) this.grow(this.capacity * 2, this.byteCapacity);
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
    if (at + n > this.byteCapacity) this.grow(this.capacity, Math.max(this.byteCapacity * 2, at + n));
    this.bytes.set(bytes.subarray(from, from + n), at);
    this.bytesLen = at + n;
    return at;
  }

  /** The slot arrays, in one fixed order (to copy them over together). */
  private slotArrays(): (Float64Array | Uint32Array | Uint16Array | Uint8Array)[] {
    return [this.frame, this.ts, this.off, this.len, this.ssrc, this.src4, this.dst4, this.sport, this.dport, this.extProfile, this.seq, this.proto, this.pt];
  }

  /** A bigger block for this batch on: what is in the current one moves over, spares of the old size go. */
  private grow(capacity: number, byteCapacity: number): void {
    const n = this.n;
    const before = this.slotArrays();
    const bytes = this.bytes.subarray(0, this.bytesLen);
    this.capacity = capacity;
    this.byteCapacity = byteCapacity;
    this.spare.length = 0;
    this.use(new SharedArrayBuffer(this.blockBytes()));
    this.slotArrays().forEach((a, k) => a.set(before[k]!.subarray(0, n)));
    this.bytes.set(bytes);
  }

  /** The work so far, as views of the current block, and a fresh start for the next batch in another block. */
  take(events: CoreEvent[], clocks: Float64Array, firstFrame: number, lastFrame: number, lastTs: number): MediaWork {
    const n = this.n;
    const work: MediaWork = {
      bytes: this.bytes.subarray(0, this.bytesLen),
      count: n,
      frame: this.frame.subarray(0, n),
      ts: this.ts.subarray(0, n),
      proto: this.proto.subarray(0, n),
      pt: this.pt.subarray(0, n),
      off: this.off.subarray(0, n),
      len: this.len.subarray(0, n),
      ssrc: this.ssrc.subarray(0, n),
      extProfile: this.extProfile.subarray(0, n),
      seq: this.seq.subarray(0, n),
      src4: this.src4.subarray(0, n),
      dst4: this.dst4.subarray(0, n),
      sport: this.sport.subarray(0, n),
      dport: this.dport.subarray(0, n),
      v6: this.v6,
      hasV6: this.hasV6,
      events,
      clocks,
      firstFrame,
      lastFrame,
      lastTs,
    };
    this.use(this.spare.pop() ?? new SharedArrayBuffer(this.blockBytes()));
    this.n = 0;
    this.v6 = {};
    this.hasV6 = false;
    this.bytesLen = 0;
    return work;
  }

  /**
   * The block of a work unit this builder made, once its shard has answered (nothing may read
   * the unit after this): kept for a later batch, unless the builder has grown since or keeps
   * enough already.
   */
  recycle(work: MediaWork): void {
    const block = work.frame.buffer;
    if (block instanceof SharedArrayBuffer && block.byteLength === this.blockBytes() && block !== this.block && this.spare.length < SPARE_BLOCKS) this.spare.push(block);
  }
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
  core.beginBatch(work.clocks, work.firstFrame);
  let e = 0;
  for (let i = 0; i < work.count; i++) {
    const frame = work.frame[i]!;
    while (e < events.length && events[e]!.frame <= frame) core.event(events[e++]!);
    const six = work.hasV6 ? work.v6[i] : undefined;
    addr.set(work.src4[i]!, work.dst4[i]!, work.sport[i]!, work.dport[i]!, six ? six[0] : null, six ? six[1] : null);
    const proto = work.proto[i]!;
    if (proto === Proto.RTP_HEADER) core.rtpDecoded(frame, work.ts[i]!, work.ssrc[i]!, work.pt[i]!, work.seq[i]!, null, bytes, addr);
    else if (proto === Proto.RTP_HEADER_EXT) {
      extension.extProfile = work.extProfile[i]!;
      extension.extOffset = work.off[i]!;
      extension.extLength = work.len[i]!;
      core.rtpDecoded(frame, work.ts[i]!, work.ssrc[i]!, work.pt[i]!, work.seq[i]!, extension, bytes, addr);
    } else if (proto === Proto.RTP) core.rtp(frame, work.ts[i]!, bytes, work.off[i]!, work.len[i]!, addr, work.ssrc[i]!);
    else core.rtcp(frame, work.ts[i]!, bytes, work.off[i]!, work.len[i]!, addr, work.ssrc[i]!);
  }
  while (e < events.length) core.event(events[e++]!);
  core.endBatch(work.lastFrame, work.lastTs);
}
