import type { SessionKeys } from '../media/srtcp.js';

/** How long after its dialog ended a sender's SRTCP keys are still tried (capture time). */
export const ENDED_KEYS_SEC = 30;
/** Senders' addresses remembered at most (the oldest go first). */
const MAX_ENDED_KEYS = 4096;
/**
 * Ended dialogs remembered per address at most (the oldest go first): forks behind one relay
 * address (a ring-all group's losing forks end after the answered call, at its BYE), calls in turn.
 */
export const MAX_ENDINGS_PER_ADDRESS = 32;

interface Ending {
  keys: SessionKeys[];
  until: number;
  /** the transport was a secure profile (RTP/SAVP…), not a=crypto on a plain one */
  profile: boolean;
}

/**
 * The SRTCP keys of senders whose dialog ended, by the sender's transport address (IPv4:
 * address × 65536 + port; IPv6: `[address]:port`, as TransportMap keys them), for ENDED_KEYS_SEC
 * of capture time. A BYE ends the dialog's bindings, not the sender's crypto context (RFC 3711
 * §3.2): the RTCP BYE that follows a SIP BYE is routinely sent under it, and is telemetry to be
 * read and decided as its plain copy would be (off every transport, unbound). Kept by every
 * shard's core alike (signaling events reach every one at the same packet), so whichever shard
 * a late compound is routed to reads it; the main thread keeps the same (SrtcpKeyring).
 *
 * Each dialog that ends adds its keys to what the address holds, each for its own grace period:
 * two forks answering from one relay address, or two calls on one address ending in turn, each
 * keep their sender's keys (the later end replaced the earlier's: the confirmed call's own late
 * SRTCP found no key once the losing fork's early state ended after it).
 */
export class EndedSrtcpKeys {
  private readonly byAddress = new Map<number | string, Ending[]>();

  get size(): number {
    return this.byAddress.size;
  }

  keep(address: number | string, keys: SessionKeys[], ts: number, profile: boolean): void {
    // (none is let go for its age here either: a record stamped back in time still finds it)
    const endings = this.byAddress.get(address) ?? [];
    endings.push({ keys, until: ts + ENDED_KEYS_SEC, profile });
    if (endings.length > MAX_ENDINGS_PER_ADDRESS) endings.shift();
    this.byAddress.delete(address);
    this.byAddress.set(address, endings);
    if (this.byAddress.size > MAX_ENDED_KEYS) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  /**
   * The keys a compound from `address` at capture time `ts` may be under, the latest ending's
   * first; none past the grace period. `profileOnly`: those of secure profiles alone.
   */
  of(address: number | string, ts: number, profileOnly = false): SessionKeys[] | undefined {
    // (not deleted here once past: what a core holds depends on the signaling alone, not on
    // which packets its shard was given)
    const endings = this.byAddress.get(address);
    if (endings === undefined) return undefined;
    let keys: SessionKeys[] | undefined;
    for (let i = endings.length - 1; i >= 0; i--) {
      const e = endings[i]!;
      if (ts > e.until || (profileOnly && !e.profile)) continue;
      for (const k of e.keys) if (keys === undefined || !keys.includes(k)) (keys ??= []).push(k);
    }
    return keys;
  }
}
