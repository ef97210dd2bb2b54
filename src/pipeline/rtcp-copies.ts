/**
 * Copies of RTCP compounds in the capture: the same datagram twice on the same transport within
 * RTCP_COPY_SEC, as a switch's mirror of both ports of a link (or two taps) captures it. A
 * sender never repeats a compound byte for byte so soon (an SR carries its NTP time); deciding
 * the copy again exported the same telemetry twice, under two request ids, and counted it twice
 * in aggregates. Judged on the main thread, in capture order, before a packet goes to a shard:
 * the first copy may be routed by its transport pair and the second by its dialog (a SIP
 * message between them), and one memory per shard missed such copies with some worker counts.
 */

/** How close in capture time a byte-identical RTCP compound on the same transport is a copy. */
export const RTCP_COPY_SEC = 0.05;

/** Compounds remembered at most: past it the oldest goes, whatever its time (a flood of distinct ones). */
const MAX_REMEMBERED = 16_384;

export class RtcpCopies {
  /** by transport, length and digest → capture time */
  private readonly seen = new Map<string, number>();
  /** the same, in the order seen: the oldest are let go first */
  private order: { key: string; ts: number }[] = [];
  private head = 0;
  /** copies found */
  count = 0;

  /** Whether the compound is a copy of one seen on the same transport within RTCP_COPY_SEC (counted); else it is remembered. */
  isCopy(ts: number, bytes: Uint8Array, off: number, len: number, transport: string): boolean {
    let h = 0x811c9dc5;
    for (let i = off, end = off + len; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const key = `${transport} ${len} ${h >>> 0}`;
    const at = this.seen.get(key);
    if (at !== undefined && ts - at >= 0 && ts - at <= RTCP_COPY_SEC) {
      this.count++;
      return true;
    }
    this.forget(ts);
    this.seen.set(key, ts);
    this.order.push({ key, ts });
    return false;
  }

  /** Lets go of what is older than the copy window at `ts` (in the order seen), and of the oldest past the limit. */
  private forget(ts: number): void {
    const order = this.order;
    while (this.head < order.length) {
      const oldest = order[this.head]!;
      if (order.length - this.head < MAX_REMEMBERED && ts - oldest.ts <= RTCP_COPY_SEC) break;
      if (this.seen.get(oldest.key) === oldest.ts) this.seen.delete(oldest.key);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > order.length) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
  }
}
