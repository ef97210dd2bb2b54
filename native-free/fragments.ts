/**
 * IP fragment reassembly (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for IPv6), bounded in memory
 * (sets and bytes held) and in capture time. Overlapping fragments drop their whole set, as
 * RFC 5722 requires for IPv6 and as is safest for IPv4 too: overlaps are how evasion attacks
 * make two readers see different payloads. An exact duplicate (a retransmitted fragment) is
 * ignored instead, and an IPv4 fragment whose overlap agrees byte for byte with what is held (a
 * datagram captured on both sides of a router that fragmented it again) adds its new bytes. A
 * datagram is handed on only when every byte of [0, its end) has arrived.
 */

export interface FragmentLimits {
  /** datagrams being reassembled at once */
  maxSets: number;
  /** fragment payload bytes held over all sets */
  maxBytes: number;
  /** capture seconds an IPv4 set may wait for its missing fragments */
  timeoutSeconds: number;
  /** the same for an IPv6 set: RFC 8200 §4.5 abandons reassembly after 60 s (default: timeoutSeconds) */
  ipv6TimeoutSeconds?: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = { maxSets: 1024, maxBytes: 16 * 1024 * 1024, timeoutSeconds: 30, ipv6TimeoutSeconds: 60 };

/** The largest reassembled payload either IP version allows without jumbograms. */
const MAX_DATAGRAM_PAYLOAD = 65535;

export interface FragmentStats {
  held: number;
  reassembled: number;
  /** sets given up: timeouts, limits, overlaps, inconsistent lengths, end of capture */
  dropped: number;
  overlaps: number;
  timeouts: number;
}

interface FragmentSet {
  firstTs: number;
  /** the frame of the set's first fragment (0 where the caller gives none) */
  firstFrame: number;
  buffer: Uint8Array;
  /** received byte ranges as [start, end) pairs, unsorted */
  ranges: number[];
  received: number;
  /** the payload length, known once the last fragment (MF clear) has arrived */
  total: number;
  /** the upper-layer protocol the offset-0 fragment names (−1 until it arrives) */
  protocol: number;
}

export const FragmentOutcome = { HELD: 0, COMPLETE: 1, DROPPED: 2 } as const;

/**
 * A set given up before it completed (takeGivenUp): its key, first fragment, the bytes it held,
 * why, and where in the capture it was given up — the frame and time of the fragment whose
 * arrival did it (a later one's, past the timeout; a new set's, at the limit), or null at the
 * end of the capture.
 */
export interface GivenUpFragments {
  key: string;
  firstFrame: number;
  firstTs: number;
  received: number;
  why: 'timeout' | 'limit' | 'end-of-capture';
  atFrame: number | null;
  atTs: number;
}

/** Given-up sets kept until taken; past this many only counted (stats.dropped). */
const MAX_GIVEN_UP = 1024;
/** Reassembled datagrams remembered to absorb copies of their fragments. */
const RECENTLY_COMPLETED = 64;
export type FragmentOutcome = (typeof FragmentOutcome)[keyof typeof FragmentOutcome];

const NONE_GIVEN_UP: GivenUpFragments[] = [];

export class FragmentReassembler {
  private readonly sets = new Map<string, FragmentSet>();
  private bytesHeld = 0;
  readonly stats: FragmentStats = { held: 0, reassembled: 0, dropped: 0, overlaps: 0, timeouts: 0 };
  /** the reassembled payload after a COMPLETE outcome */
  completed: Uint8Array = new Uint8Array(0);
  /**
   * After a COMPLETE outcome, the protocol its offset-0 fragment gave: IPv6 fragments' headers
   * may name different next headers, and only the first's counts (RFC 8200 §4.5).
   */
  completedProtocol = -1;
  /** why the last DROPPED outcome happened */
  dropReason = '';
  private givenUp: GivenUpFragments[] = [];
  /** sets given up past MAX_GIVEN_UP since the last takeGivenUpPast: told as a count */
  private givenUpPast = 0;
  /** the last datagrams reassembled, by key: a later copy of one of their fragments is absorbed */
  private readonly recentlyCompleted = new Map<string, { ts: number; bytes: Uint8Array }>();

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  get pendingSets(): number {
    return this.sets.size;
  }

  /**
   * Takes the fragment carrying payload bytes data[start, start + length) at `offset` of the
   * datagram named `key`, whose header names `protocol` as what follows. On COMPLETE, `completed`
   * holds the whole payload and `completedProtocol` the offset-0 fragment's protocol.
   */
  add(key: string, ts: number, offset: number, moreFragments: boolean, data: Uint8Array, start: number, length: number, frame = 0, protocol = -1): FragmentOutcome {
    this.expire(ts, frame);
    const end = offset + length;
    let set = this.sets.get(key);
    if (end > MAX_DATAGRAM_PAYLOAD) {
      if (set !== undefined) this.drop(key, set);
      return this.rejected(`fragment ending at ${end} overruns the largest datagram`);
    }
    if (moreFragments && length % 8 !== 0) {
      if (set !== undefined) this.drop(key, set);
      return this.rejected(`non-final fragment of ${length} bytes is not a multiple of 8`);
    }
    if (set === undefined) {
      // a copy of a fragment of a datagram reassembled lately (a mirror of both ports of a link
      // captures every fragment twice): absorbed, not the start of a set that never completes
      const done = this.recentlyCompleted.get(key);
      if (done !== undefined && ts - done.ts <= this.limits.timeoutSeconds && end <= done.bytes.length && equalBytes(done.bytes, offset, data, start, length)) return FragmentOutcome.HELD;
      while (this.sets.size >= this.limits.maxSets || (this.sets.size > 0 && this.bytesHeld + length > this.limits.maxBytes)) {
        const [oldestKey, oldest] = this.sets.entries().next().value as [string, FragmentSet];
        this.giveUp(oldestKey, oldest, 'limit', frame, ts);
      }
      if (length > this.limits.maxBytes) return this.rejected('fragment larger than the reassembly limit');
      set = { firstTs: ts, firstFrame: frame, buffer: new Uint8Array(Math.max(end, 2048)), ranges: [], received: 0, total: -1, protocol: -1 };
      this.sets.set(key, set);
    }
    const ranges = set.ranges;
    let overlapping = false;
    for (let k = 0; k < ranges.length; k += 2) {
      const a = ranges[k]!;
      const b = ranges[k + 1]!;
      if (offset < b && a < end) {
        if (a === offset && b === end && equalBytes(set.buffer, a, data, start, length)) return FragmentOutcome.HELD;
        // An IPv4 datagram captured on both sides of a router that fragmented it again for a
        // smaller MTU overlaps itself with the same bytes: nothing any reader could see otherwise,
        // so the new bytes are taken. Bytes that disagree drop the set, and so does any IPv6
        // overlap (RFC 5722: routers never fragment IPv6, an overlap there is an attack's).
        const lo = Math.max(a, offset);
        const hi = Math.min(b, end);
        if (key.charCodeAt(0) !== IPV4_KEY || !equalBytes(set.buffer, lo, data, start + (lo - offset), hi - lo)) {
          this.stats.overlaps++;
          this.drop(key, set);
          return this.rejected(`fragment [${offset}, ${end}) overlaps [${a}, ${b})`);
        }
        overlapping = true;
      }
    }
    if (!moreFragments) {
      if (set.total >= 0 && set.total !== end) {
        this.drop(key, set);
        return this.rejected(`two last fragments end at ${set.total} and ${end}`);
      }
      // a fragment held before the end was known that lies past it: the set is inconsistent,
      // as when such a fragment comes after the last one (received === total no longer meant
      // [0, total) covered: a datagram with a hole of zeros was handed on)
      for (let k = 1; k < ranges.length; k += 2) {
        if (ranges[k]! > end) {
          this.drop(key, set);
          return this.rejected(`fragment [${ranges[k - 1]}, ${ranges[k]}) lies past the datagram's end ${end}`);
        }
      }
      set.total = end;
    }
    if (set.total >= 0 && end > set.total) {
      this.drop(key, set);
      return this.rejected(`fragment ending at ${end} lies past the datagram's end ${set.total}`);
    }
    if (end > set.buffer.length) {
      const grown = new Uint8Array(Math.min(MAX_DATAGRAM_PAYLOAD, Math.max(end, set.buffer.length * 2)));
      grown.set(set.buffer);
      set.buffer = grown;
    }
    if (offset === 0) set.protocol = protocol;
    const taken = overlapping ? this.takeGaps(set, offset, end, data, start) : this.take(set, offset, end, data, start);
    set.received += taken;
    this.bytesHeld += taken;
    this.stats.held++;
    if (set.total >= 0 && set.received === set.total) {
      // Disjoint ranges inside [0, total) summing to total cover it all.
      this.sets.delete(key);
      this.bytesHeld -= set.received;
      this.stats.reassembled++;
      this.completed = set.buffer.subarray(0, set.total);
      this.completedProtocol = set.protocol;
      if (this.recentlyCompleted.size >= RECENTLY_COMPLETED) this.recentlyCompleted.delete(this.recentlyCompleted.keys().next().value!);
      this.recentlyCompleted.set(key, { ts, bytes: this.completed.slice() });
      return FragmentOutcome.COMPLETE;
    }
    return FragmentOutcome.HELD;
  }

  /** Gives up on sets older than the timeout at capture time `now` (the time of frame `frame`). */
  expire(now: number, frame = 0): void {
    const v4Timeout = this.limits.timeoutSeconds;
    const v6Timeout = this.limits.ipv6TimeoutSeconds ?? v4Timeout;
    const cutoff = now - Math.min(v4Timeout, v6Timeout);
    // Sets are created in capture order, so the oldest come first: past the shorter timeout's
    // cutoff none is due; before it, a set of the family with the longer timeout may wait on.
    for (const [key, set] of this.sets) {
      if (set.firstTs >= cutoff) break;
      if (set.firstTs >= now - (key.charCodeAt(0) === IPV4_KEY ? v4Timeout : v6Timeout)) continue;
      this.stats.timeouts++;
      this.giveUp(key, set, 'timeout', frame, now);
    }
  }

  /** End of capture: every incomplete set is given up. Returns how many. */
  flush(): number {
    const n = this.sets.size;
    for (const [key, set] of this.sets) this.giveUp(key, set, 'end-of-capture', null, set.firstTs);
    return n;
  }

  /** Holds data[start…) as the set's bytes [offset, end): a new range. Returns the bytes taken. */
  private take(set: FragmentSet, offset: number, end: number, data: Uint8Array, start: number): number {
    set.buffer.set(data.subarray(start, start + end - offset), offset);
    set.ranges.push(offset, end);
    return end - offset;
  }

  /** take() for the parts of [offset, end) no held range covers (the rest agreed with them). */
  private takeGaps(set: FragmentSet, offset: number, end: number, data: Uint8Array, start: number): number {
    const held: [number, number][] = [];
    for (let k = 0; k < set.ranges.length; k += 2) {
      const a = set.ranges[k]!;
      const b = set.ranges[k + 1]!;
      if (offset < b && a < end) held.push([a, b]);
    }
    held.sort((x, y) => x[0] - y[0]);
    let taken = 0;
    let at = offset;
    for (const [a, b] of held) {
      if (a > at) taken += this.take(set, at, a, data, start + (at - offset));
      at = Math.max(at, b);
    }
    if (at < end) taken += this.take(set, at, end, data, start + (at - offset));
    return taken;
  }

  /** How many sets were given up past the ones takeGivenUp lists (MAX_GIVEN_UP at once), since the last call. */
  takeGivenUpPast(): number {
    const n = this.givenUpPast;
    this.givenUpPast = 0;
    return n;
  }

  /** The sets given up since the last call (timeout, limit, end of capture), oldest first. */
  takeGivenUp(): GivenUpFragments[] {
    if (this.givenUp.length === 0) return NONE_GIVEN_UP;
    const out = this.givenUp;
    this.givenUp = [];
    return out;
  }

  /** A set that never completed: dropped, and kept to be said (what a lost fragment costs). */
  private giveUp(key: string, set: FragmentSet, why: GivenUpFragments['why'], atFrame: number | null, atTs: number): void {
    if (this.givenUp.length < MAX_GIVEN_UP) this.givenUp.push({ key, firstFrame: set.firstFrame, firstTs: set.firstTs, received: set.received, why, atFrame, atTs });
    else this.givenUpPast++;
    this.drop(key, set);
  }

  private drop(key: string, set: FragmentSet): void {
    this.sets.delete(key);
    this.bytesHeld -= set.received;
    this.stats.dropped++;
  }

  private rejected(reason: string): FragmentOutcome {
    this.dropReason = reason;
    return FragmentOutcome.DROPPED;
  }
}

/** A fragment key's first character for IPv4 (`4 src dst protocol id`). */
const IPV4_KEY = 0x34;

function equalBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a[aAt + k] !== b[bAt + k]) return false;
  return true;
}
