import type { SessionKeys } from '../media/srtcp.js';

/** How long after its dialog ended a sender's SRTCP keys are still tried (capture time). */
export const ENDED_KEYS_SEC = 30;
/** Senders' addresses remembered at most (the oldest go first). */
const MAX_ENDED_KEYS = 4096;

/**
 * The SRTCP keys of senders whose dialog ended, by the sender's transport address (IPv4:
 * address × 65536 + port; IPv6: `[address]:port`, as TransportMap keys them), for ENDED_KEYS_SEC
 * of capture time. A BYE ends the dialog's bindings, not the sender's crypto context (RFC 3711
 * §3.2): the RTCP BYE that follows a SIP BYE is routinely sent under it, and is telemetry to be
 * read and decided as its plain copy would be (off every transport, unbound). Kept by every
 * shard's core alike (signaling events reach every one at the same packet), so whichever shard
 * a late compound is routed to reads it.
 */
export class EndedSrtcpKeys {
  private readonly byAddress = new Map<number | string, { keys: SessionKeys[]; until: number }>();

  get size(): number {
    return this.byAddress.size;
  }

  keep(address: number | string, keys: SessionKeys[], ts: number): void {
    this.byAddress.delete(address);
    this.byAddress.set(address, { keys, until: ts + ENDED_KEYS_SEC });
    if (this.byAddress.size > MAX_ENDED_KEYS) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  /** The keys a compound from `address` at capture time `ts` may be under; none past the grace period. */
  of(address: number | string, ts: number): SessionKeys[] | undefined {
    // (not deleted here once past: what a core holds depends on the signaling alone, not on
    // which packets its shard was given)
    const kept = this.byAddress.get(address);
    return kept !== undefined && ts <= kept.until ? kept.keys : undefined;
  }
}
