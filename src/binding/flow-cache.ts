import type { StreamState } from './stream-table.js';
import type { TransportEntry } from './transport-map.js';

/** slots per set: flows whose hashes collide share a set instead of evicting each other */
const WAYS = 4;

/** slots at most: the cache doubles while its live flows fill half of it, up to this (~9 MB) */
const MAX_SLOTS = 1 << 18;

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
 * cache, not a table: a miss only costs the slow route). The cache doubles (its flows placed
 * again) while they fill half of it, so thousands of concurrent calls do not push each other out.
 *
 * `forget` looks only at the slots filed under the transports and sessions it is given (an
 * index kept as flows are stored), not at every live flow: with thousands of calls, scanning
 * every flow at every signaling event made replay quadratic in the number of calls.
 */
export class FlowCache {
  /** entries stamped with another epoch are stale */
  epoch = 1;
  private setMask = 0;
  /** per set: the way to replace next when none is stale */
  private victim = new Uint8Array(0);
  private stamp = new Uint32Array(0);
  private src = new Uint32Array(0);
  private dst = new Uint32Array(0);
  /** sport << 16 | dport */
  private ports = new Uint32Array(0);
  private ssrc = new Uint32Array(0);
  private streams: (StreamState | null)[] = [];
  private entries: (TransportEntry | null)[] = [];
  private slots = 0;
  /** slots stamped with this epoch */
  private liveCount = 0;
  /**
   * Slots by the transport key (address × 65536 + port) of either end, and by the key of their
   * stream's session, as they were when stored. An entry may have gone stale since (the slot
   * forgotten or refilled): forget checks each slot it finds against the flow in it.
   */
  private byTransport = new Map<number, number[]>();
  private bySession = new Map<string, number[]>();
  /** entries in the two indexes, stale ones included (rebuilt from the live slots past a bound) */
  private indexed = 0;
  /** the slot of the last probe, for `store` after a miss */
  private slot = 0;

  /** `size` and `maxSize` are rounded up to a power of two (at least one set). */
  constructor(
    size = 4096,
    private readonly maxSize = MAX_SLOTS,
  ) {
    this.allocate(slotsFor(size));
  }

  /** Fresh, empty arrays of `n` slots. */
  private allocate(n: number): void {
    this.slots = n;
    this.setMask = n / WAYS - 1;
    this.victim = new Uint8Array(n / WAYS);
    this.stamp = new Uint32Array(n);
    this.src = new Uint32Array(n);
    this.dst = new Uint32Array(n);
    this.ports = new Uint32Array(n);
    this.ssrc = new Uint32Array(n);
    this.streams = new Array<StreamState | null>(n).fill(null);
    this.entries = new Array<TransportEntry | null>(n).fill(null);
    this.clearLive();
  }

  /** No slot live, nothing indexed (the arrays themselves are left as they are). */
  private clearLive(): void {
    this.liveCount = 0;
    this.byTransport.clear();
    this.bySession.clear();
    this.indexed = 0;
  }

  /** Everything cached so far goes stale. */
  invalidate(): void {
    // 0 is never a live stamp: fresh slots (stamp 0) can never hit
    this.epoch = this.epoch === 0xffffffff ? 1 : this.epoch + 1;
    if (this.epoch === 1) this.stamp.fill(0);
    this.clearLive();
  }

  /**
   * Forgets the flows whose source or destination transport key (address × 65536 + port) is
   * in `transports`, or whose stream's RTP session is one of `sessions`: what a signaling event
   * about those dialogs may have changed. The other flows keep their routes.
   */
  forget(transports: Iterable<number>, sessions: readonly string[]): void {
    const stamp = this.stamp;
    const epoch = this.epoch;
    for (const key of transports) {
      const list = this.byTransport.get(key);
      if (list === undefined) continue;
      // every live flow at this transport goes, so the list goes (what else it held was stale)
      this.byTransport.delete(key);
      this.indexed -= list.length;
      const address = Math.floor(key / 65536);
      const port = key % 65536;
      for (const slot of list) {
        if (stamp[slot] !== epoch) continue;
        const ports = this.ports[slot]!;
        if ((ports >>> 16 === port && this.src[slot] === address) || ((ports & 0xffff) === port && this.dst[slot] === address)) this.drop(slot);
      }
    }
    for (const key of sessions) {
      const list = this.bySession.get(key);
      if (list === undefined) continue;
      this.indexed -= list.length;
      // A stream moves to another session only when an event names both (an early dialog
      // confirmed): a flow filed under a session is found through it while it may matter.
      const kept: number[] = [];
      for (const slot of list) {
        if (stamp[slot] !== epoch) continue;
        if (sessions.includes(this.streams[slot]!.session.key)) this.drop(slot);
        else kept.push(slot);
      }
      if (kept.length > 0) {
        this.bySession.set(key, kept);
        this.indexed += kept.length;
      } else this.bySession.delete(key);
    }
  }

  private drop(slot: number): void {
    this.stamp[slot] = 0;
    this.liveCount--;
    // a forgotten flow's stream belongs to a dialog that changed or ended: not kept alive here
    // (with its session and scope) until the slot is filled again
    this.streams[slot] = null;
    this.entries[slot] = null;
  }

  private file(slot: number): void {
    const ports = this.ports[slot]!;
    fileUnder(this.byTransport, this.src[slot]! * 65536 + (ports >>> 16), slot);
    fileUnder(this.byTransport, this.dst[slot]! * 65536 + (ports & 0xffff), slot);
    fileUnder(this.bySession, this.streams[slot]!.session.key, slot);
    this.indexed += 3;
  }

  /** The indexes anew from the live slots, once stale entries outnumber them. */
  private reindex(): void {
    this.byTransport.clear();
    this.bySession.clear();
    this.indexed = 0;
    for (let slot = 0; slot < this.slots; slot++) if (this.stamp[slot] === this.epoch) this.file(slot);
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
    this.put(src4, dst4, sport, dport, ssrc, stream, entry);
    if (this.liveCount > this.slots >> 1 && this.slots < this.maxSize) this.grow();
    else if (this.indexed > 8 * this.slots) this.reindex();
  }

  private put(src4: number, dst4: number, sport: number, dport: number, ssrc: number, stream: StreamState, entry: TransportEntry | null): void {
    const slot = this.slot;
    if (this.stamp[slot] !== this.epoch) this.liveCount++;
    this.stamp[slot] = this.epoch;
    this.src[slot] = src4;
    this.dst[slot] = dst4;
    this.ports[slot] = ((sport << 16) | dport) >>> 0;
    this.ssrc[slot] = ssrc;
    this.streams[slot] = stream;
    this.entries[slot] = entry;
    this.file(slot);
  }

  /** Twice the slots, the live flows placed again in them. */
  private grow(): void {
    const { slots, epoch, stamp, src, dst, ports, ssrc, streams, entries } = this;
    this.allocate(slots * 2);
    for (let i = 0; i < slots; i++) {
      if (stamp[i] !== epoch) continue;
      const sport = ports[i]! >>> 16;
      const dport = ports[i]! & 0xffff;
      if (this.find(src[i]!, dst[i]!, sport, dport, ssrc[i]!) === null) this.put(src[i]!, dst[i]!, sport, dport, ssrc[i]!, streams[i]!, entries[i]!);
    }
  }
}

function slotsFor(size: number): number {
  let n = WAYS;
  while (n < size) n <<= 1;
  return n;
}

function fileUnder<K>(index: Map<K, number[]>, key: K, slot: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [slot]);
  else list.push(slot);
}
