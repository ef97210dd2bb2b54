import type { StreamState } from './stream-table.js';
import type { TransportEntry } from './transport-map.js';

/** slots per set: flows whose hashes collide share a set instead of evicting each other */
const WAYS = 4;

/**
 * The last answer of the (transport, SSRC) → stream route for IPv4 media: which negotiated
 * transport entry the packet's addresses matched and which stream of which session it is.
 * Nearly every RTP packet repeats the previous packet of its stream on these five fields, so
 * a hit replaces two transport lookups, a session lookup by dialog key and a stream lookup by
 * SSRC with one probe of typed arrays.
 *
 * The owner forgets the flows a signaling event may have rerouted (`forget`), and everything
 * (`invalidate`) when a stream is evicted: entries stamped with an older epoch miss. Flows
 * hashing to the same set of four slots share it; a fifth replaces one of them in turn (a
 * cache, not a table: a miss only costs the slow route).
 */
export class FlowCache {
  /** entries stamped with another epoch are stale */
  epoch = 1;
  private readonly setMask: number;
  /** per set: the way to replace next when none is stale */
  private readonly victim: Uint8Array;
  private readonly stamp: Uint32Array;
  private readonly src: Uint32Array;
  private readonly dst: Uint32Array;
  /** sport << 16 | dport */
  private readonly ports: Uint32Array;
  private readonly ssrc: Uint32Array;
  private readonly streams: (StreamState | null)[];
  private readonly entries: (TransportEntry | null)[];
  /** the slots filled in this epoch, each once (some may have been forgotten since) */
  private live: number[] = [];
  /** the slot of the last probe, for `store` after a miss */
  private slot = 0;
  /** forget's transports as (address, port) pairs, reused */
  private forgetAddresses = new Int32Array(8);
  private forgetPorts = new Int32Array(8);

  /** `size` is rounded up to a power of two (at least one set). */
  constructor(size = 4096) {
    let n = WAYS;
    while (n < size) n <<= 1;
    this.setMask = n / WAYS - 1;
    this.victim = new Uint8Array(n / WAYS);
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
    this.live = [];
  }

  /**
   * Forgets the flows whose source or destination transport key (address × 65536 + port) is
   * in `transports`, or whose stream's RTP session is one of `sessions`: what a signaling event
   * about those dialogs may have changed. The other flows keep their routes.
   */
  forget(transports: Iterable<number>, sessions: readonly string[]): void {
    // The transports as (address, port) pairs of int32s, duplicates dropped, compared with each
    // flow's ends as integers: a Set of keys above the small-integer range boxed and hashed a
    // double twice per live flow, per signaling event.
    let n = 0;
    for (const key of transports) {
      const address = Math.floor(key / 65536) | 0;
      const port = key % 65536;
      let seen = false;
      for (let j = 0; j < n && !seen; j++) seen = this.forgetPorts[j] === port && this.forgetAddresses[j] === address;
      if (seen) continue;
      if (n === this.forgetPorts.length) this.growForgetPairs();
      this.forgetAddresses[n] = address;
      this.forgetPorts[n] = port;
      n++;
    }
    const addresses = this.forgetAddresses;
    const portsOf = this.forgetPorts;
    const stamp = this.stamp;
    const epoch = this.epoch;
    // only the live slots are looked at (a signaling event comes every few thousand packets)
    const kept: number[] = [];
    for (const i of this.live) {
      if (stamp[i] !== epoch) continue;
      const src = this.src[i]! | 0;
      const dst = this.dst[i]! | 0;
      const ports = this.ports[i]!;
      const sport = ports >>> 16;
      const dport = ports & 0xffff;
      let hit = false;
      for (let j = 0; j < n; j++) {
        const port = portsOf[j]!;
        if ((port === sport && addresses[j] === src) || (port === dport && addresses[j] === dst)) {
          hit = true;
          break;
        }
      }
      if (hit || sessions.includes(this.streams[i]!.session.key)) stamp[i] = 0;
      else kept.push(i);
    }
    this.live = kept;
  }

  private growForgetPairs(): void {
    const size = Math.max(8, this.forgetPorts.length * 2);
    const addresses = new Int32Array(size);
    const ports = new Int32Array(size);
    addresses.set(this.forgetAddresses);
    ports.set(this.forgetPorts);
    this.forgetAddresses = addresses;
    this.forgetPorts = ports;
  }

  /** The cached stream of this flow and SSRC, or null (then `store` fills a slot of its set). */
  find(src4: number, dst4: number, sport: number, dport: number, ssrc: number): StreamState | null {
    const ports = ((sport << 16) | dport) >>> 0;
    const u = ssrc >>> 0;
    const s = src4 >>> 0;
    const d = dst4 >>> 0;
    let h = Math.imul(src4 ^ ssrc, 0x9e3779b1);
    h = Math.imul(h ^ dst4 ^ (h >>> 15), 0x85ebca77);
    h = Math.imul(h ^ ports ^ (h >>> 13), 0xc2b2ae3d);
    const set = ((h ^ (h >>> 16)) & this.setMask) * WAYS;
    const epoch = this.epoch;
    let free = -1;
    for (let slot = set; slot < set + WAYS; slot++) {
      if (this.stamp[slot] !== epoch) {
        if (free < 0) free = slot;
        continue;
      }
      if (this.ssrc[slot] === u && this.src[slot] === s && this.dst[slot] === d && this.ports[slot] === ports) {
        this.slot = slot;
        return this.streams[slot]!;
      }
    }
    // a miss: the first stale slot of the set, else its ways in turn
    if (free < 0) {
      const set4 = set / WAYS;
      free = set + this.victim[set4]!;
      this.victim[set4] = (this.victim[set4]! + 1) % WAYS;
    }
    this.slot = free;
    return null;
  }

  /** The transport entry cached with the stream `find` just returned (null: no negotiated transport). */
  entry(): TransportEntry | null {
    return this.entries[this.slot]!;
  }

  /** Fills the slot `find` chose when it missed. */
  store(src4: number, dst4: number, sport: number, dport: number, ssrc: number, stream: StreamState, entry: TransportEntry | null): void {
    const slot = this.slot;
    // a slot replacing a live one is on the list already
    if (this.stamp[slot] !== this.epoch) this.live.push(slot);
    this.stamp[slot] = this.epoch;
    this.src[slot] = src4;
    this.dst[slot] = dst4;
    this.ports[slot] = ((sport << 16) | dport) >>> 0;
    this.ssrc[slot] = ssrc;
    this.streams[slot] = stream;
    this.entries[slot] = entry;
  }
}
