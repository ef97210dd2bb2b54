import type { StreamState } from './stream-table.js';
import type { TransportEntry } from './transport-map.js';

/**
 * The last answer of the (transport, SSRC) → stream route for IPv4 media: which negotiated
 * transport entry the packet's addresses matched and which stream of which session it is.
 * Nearly every RTP packet repeats the previous packet of its stream on these five fields, so
 * a hit replaces two transport lookups, a session lookup by dialog key and a stream lookup by
 * SSRC with one probe of typed arrays.
 *
 * The owner bumps `epoch` whenever anything could change the route (a signaling event, a
 * stream evicted): entries stamped with an older epoch miss. A slot holds one flow; another
 * flow hashing to it replaces it (a cache, not a table: a miss only costs the slow route).
 */
export class FlowCache {
  /** entries stamped with another epoch are stale */
  epoch = 1;
  private readonly mask: number;
  private readonly stamp: Uint32Array;
  private readonly src: Uint32Array;
  private readonly dst: Uint32Array;
  /** sport << 16 | dport */
  private readonly ports: Uint32Array;
  private readonly ssrc: Uint32Array;
  private readonly streams: (StreamState | null)[];
  private readonly entries: (TransportEntry | null)[];
  /** the slot of the last probe, for `store` after a miss */
  private slot = 0;

  /** `size` is rounded up to a power of two. */
  constructor(size = 4096) {
    let n = 1;
    while (n < size) n <<= 1;
    this.mask = n - 1;
    this.stamp = new Uint32Array(n);
    this.src = new Uint32Array(n);
    this.dst = new Uint32Array(n);
    this.ports = new Uint32Array(n);
    this.ssrc = new Uint32Array(n);
    this.streams = new Array<StreamState | null>(n).fill(null);
    this.entries = new Array<TransportEntry | null>(n).fill(null);
  }

  /** Everything cached so far goes stale. */
  invalidate(): void {
    // 0 is never a live stamp: fresh slots (stamp 0) can never hit
    this.epoch = this.epoch === 0xffffffff ? 1 : this.epoch + 1;
    if (this.epoch === 1) this.stamp.fill(0);
  }

  /** The cached stream of this flow and SSRC, or null (then `store` fills the same slot). */
  find(src4: number, dst4: number, sport: number, dport: number, ssrc: number): StreamState | null {
    const ports = ((sport << 16) | dport) >>> 0;
    let h = Math.imul(src4 ^ ssrc, 0x9e3779b1);
    h = Math.imul(h ^ dst4 ^ (h >>> 15), 0x85ebca77);
    h = Math.imul(h ^ ports ^ (h >>> 13), 0xc2b2ae3d);
    const slot = (h ^ (h >>> 16)) & this.mask;
    this.slot = slot;
    if (this.stamp[slot] !== this.epoch || this.ssrc[slot] !== ssrc >>> 0 || this.src[slot] !== src4 >>> 0 || this.dst[slot] !== dst4 >>> 0 || this.ports[slot] !== ports) return null;
    return this.streams[slot]!;
  }

  /** The transport entry cached with the stream `find` just returned (null: no negotiated transport). */
  entry(): TransportEntry | null {
    return this.entries[this.slot]!;
  }

  /** Fills the slot of the last `find` (which missed). */
  store(src4: number, dst4: number, sport: number, dport: number, ssrc: number, stream: StreamState, entry: TransportEntry | null): void {
    const slot = this.slot;
    this.stamp[slot] = this.epoch;
    this.src[slot] = src4;
    this.dst[slot] = dst4;
    this.ports[slot] = ((sport << 16) | dport) >>> 0;
    this.ssrc[slot] = ssrc;
    this.streams[slot] = stream;
    this.entries[slot] = entry;
  }
}
