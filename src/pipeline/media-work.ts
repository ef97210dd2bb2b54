/**
 * A shard's share of one batch: the RTP/RTCP packets whose streams live in the shard, as
 * parallel typed arrays pointing into the batch's bytes, plus every core event of the batch
 * (all shards see all signaling). Plain data, so it crosses to a worker thread as is; the
 * bytes are shared (SharedArrayBuffer) when the capture was read into shared memory.
 */
import { formatIpv4 } from '../../native-free/ipv4.js';
import type { PacketView } from '../../native-free/types.js';
import type { CoreEvent, MediaCore, PacketAddress } from './media-core.js';

/**
 * What a packet of a work unit is. RTP_HEADER / RTP_HEADER_EXT: RTP whose header the feed
 * decoded without error, its SSRC in `ssrc` (with or without a header extension), so that the
 * shard reads its bytes only when it needs the extension; RTP: the shard decodes it (and reports
 * what is wrong with it).
 */
export const Proto = { RTP: 1, RTCP: 2, RTP_HEADER: 3, RTP_HEADER_EXT: 4 } as const;

export interface MediaWork {
  /**
   * the batch's bytes; packets reassembled elsewhere are appended to `extra`. Null when the
   * bytes are shared chunk number `chunk`, which the worker was given beforehand.
   */
  bytes: Uint8Array | null;
  chunk: number;
  extra: Uint8Array | null;
  count: number;
  frame: Float64Array;
  ts: Float64Array;
  proto: Uint8Array;
  /** 1 when the payload lies in `extra` */
  inExtra: Uint8Array;
  off: Uint32Array;
  len: Uint32Array;
  /** RTP_HEADER(_EXT) packets: the SSRC the feed read */
  ssrc: Uint32Array;
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
  private inExtra: Uint8Array;
  private off: Uint32Array;
  private len: Uint32Array;
  private ssrc: Uint32Array;
  private src4: Uint32Array;
  private dst4: Uint32Array;
  private sport: Uint16Array;
  private dport: Uint16Array;
  private v6: Record<number, [string, string]> = {};
  private extraParts: Uint8Array[] = [];
  private extraLen = 0;

  constructor(private capacity: number) {
    this.frame = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.inExtra = new Uint8Array(capacity);
    this.off = new Uint32Array(capacity);
    this.len = new Uint32Array(capacity);
    this.ssrc = new Uint32Array(capacity);
    this.src4 = new Uint32Array(capacity);
    this.dst4 = new Uint32Array(capacity);
    this.sport = new Uint16Array(capacity);
    this.dport = new Uint16Array(capacity);
  }

  add(view: PacketView, proto: number, batchBytes: Uint8Array, ssrc = 0): void {
    if (this.n === this.capacity) this.grow();
    const i = this.n++;
    this.frame[i] = view.frame;
    this.ts[i] = view.ts;
    this.proto[i] = proto;
    this.ssrc[i] = ssrc;
    if (view.bytes === batchBytes) {
      this.off[i] = view.payloadOffset;
      this.inExtra[i] = 0;
    } else {
      // reassembled from fragments: the payload is not in the batch's bytes
      this.extraParts.push(view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength));
      this.off[i] = this.extraLen;
      this.extraLen += view.payloadLength;
      this.inExtra[i] = 1;
    }
    this.len[i] = view.payloadLength;
    this.sport[i] = view.sport;
    this.dport[i] = view.dport;
    if (view.ipVersion === 4) {
      this.src4[i] = view.src4;
      this.dst4[i] = view.dst4;
    } else {
      this.v6[i] = [view.src, view.dst];
    }
  }

  /** The work so far, and a fresh start for the next batch. */
  take(bytes: Uint8Array | null, events: CoreEvent[], lastFrame: number, lastTs: number, chunk = -1): MediaWork {
    const n = this.n;
    let extra: Uint8Array | null = null;
    if (this.extraParts.length > 0) {
      extra = new Uint8Array(this.extraLen);
      let at = 0;
      for (const p of this.extraParts) {
        extra.set(p, at);
        at += p.length;
      }
    }
    // One buffer holds all eleven arrays (widest first, so every view is aligned): one allocation
    // per batch instead of eleven, and one buffer to clone or transfer to a worker thread.
    const block = new ArrayBuffer(n * 42);
    const frame = new Float64Array(block, 0, n);
    const ts = new Float64Array(block, 8 * n, n);
    const off = new Uint32Array(block, 16 * n, n);
    const len = new Uint32Array(block, 20 * n, n);
    const ssrc = new Uint32Array(block, 24 * n, n);
    const src4 = new Uint32Array(block, 28 * n, n);
    const dst4 = new Uint32Array(block, 32 * n, n);
    const sport = new Uint16Array(block, 36 * n, n);
    const dport = new Uint16Array(block, 38 * n, n);
    const proto = new Uint8Array(block, 40 * n, n);
    const inExtra = new Uint8Array(block, 41 * n, n);
    frame.set(this.frame.subarray(0, n));
    ts.set(this.ts.subarray(0, n));
    off.set(this.off.subarray(0, n));
    len.set(this.len.subarray(0, n));
    ssrc.set(this.ssrc.subarray(0, n));
    src4.set(this.src4.subarray(0, n));
    dst4.set(this.dst4.subarray(0, n));
    sport.set(this.sport.subarray(0, n));
    dport.set(this.dport.subarray(0, n));
    proto.set(this.proto.subarray(0, n));
    inExtra.set(this.inExtra.subarray(0, n));
    const work: MediaWork = {
      bytes,
      chunk,
      extra,
      count: n,
      frame,
      ts,
      proto,
      inExtra,
      off,
      len,
      ssrc,
      src4,
      dst4,
      sport,
      dport,
      v6: this.v6,
      hasV6: Object.keys(this.v6).length > 0,
      events,
      lastFrame,
      lastTs,
    };
    this.n = 0;
    this.v6 = {};
    this.extraParts = [];
    this.extraLen = 0;
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
    this.inExtra = grow(this.inExtra, (n) => new Uint8Array(n));
    this.off = grow(this.off, (n) => new Uint32Array(n));
    this.len = grow(this.len, (n) => new Uint32Array(n));
    this.ssrc = grow(this.ssrc, (n) => new Uint32Array(n));
    this.src4 = grow(this.src4, (n) => new Uint32Array(n));
    this.dst4 = grow(this.dst4, (n) => new Uint32Array(n));
    this.sport = grow(this.sport, (n) => new Uint16Array(n));
    this.dport = grow(this.dport, (n) => new Uint16Array(n));
  }
}

/** What can be moved rather than copied when a work unit goes to a worker thread: its arrays' one buffer. */
export function mediaWorkTransferList(work: MediaWork): ArrayBuffer[] {
  const buffer = work.frame.buffer;
  return buffer instanceof ArrayBuffer && buffer.byteLength > 0 ? [buffer] : [];
}

/** The address of packet i of a work unit, as a reusable view with lazily formatted text. */
class WorkAddress implements PacketAddress {
  v6 = false;
  src4 = 0;
  dst4 = 0;
  sport = 0;
  dport = 0;
  private srcText: string | null = null;
  private dstText: string | null = null;

  set(work: MediaWork, i: number): void {
    const six = work.hasV6 ? work.v6[i] : undefined;
    this.v6 = six !== undefined;
    this.src4 = work.src4[i]!;
    this.dst4 = work.dst4[i]!;
    this.sport = work.sport[i]!;
    this.dport = work.dport[i]!;
    this.srcText = six ? six[0] : null;
    this.dstText = six ? six[1] : null;
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
export function runMediaWork(core: MediaCore, work: MediaWork, chunks?: ReadonlyMap<number, Uint8Array>): void {
  const batchBytes = work.bytes ?? chunks?.get(work.chunk);
  if (batchBytes === undefined) throw new Error(`media work refers to shared chunk ${work.chunk}, which this shard was never given`);
  const addr = new WorkAddress();
  const events = work.events;
  let e = 0;
  for (let i = 0; i < work.count; i++) {
    const frame = work.frame[i]!;
    while (e < events.length && events[e]!.frame <= frame) core.event(events[e++]!);
    addr.set(work, i);
    const bytes = work.inExtra[i] === 1 ? work.extra! : batchBytes;
    const proto = work.proto[i]!;
    if (proto === Proto.RTP_HEADER || proto === Proto.RTP_HEADER_EXT) {
      core.rtpDecoded(frame, work.ts[i]!, work.ssrc[i]!, proto === Proto.RTP_HEADER_EXT, bytes, work.off[i]!, work.len[i]!, addr);
    } else if (proto === Proto.RTP) core.rtp(frame, work.ts[i]!, bytes, work.off[i]!, work.len[i]!, addr);
    else core.rtcp(frame, work.ts[i]!, bytes, work.off[i]!, work.len[i]!, addr);
  }
  while (e < events.length) core.event(events[e++]!);
  core.endBatch(work.lastFrame, work.lastTs);
}
