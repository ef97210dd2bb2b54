/**
 * When the tokens of verified signed statements expire (SPEC §3: an APT whose token expired
 * fails integrity). A token is verified at the capture time it arrives; its `exp` claim then
 * falls due later in the capture, and from the first packet at or past it the statement it
 * vouched for no longer stands — unless a fresh token of the same identifier is in force.
 *
 * Tokens are known by what they sign for (the identifier and the part's key, partKey): a token
 * refreshed with the same statement (a re-INVITE carrying a new token, say) extends the
 * validity of the part already in force.
 */

/** A token with no `exp` claim never expires. */
const NEVER = Infinity;

export class TokenExpiries {
  /** The earliest capture time (seconds) at which a known token expires; Infinity when none does. */
  next = NEVER;
  /** per identifier, per part key, the capture time from which its latest token is expired */
  private readonly expiresAt = new Map<string, Map<string, number>>();
  /** what falls due, soonest first (a refreshed token leaves its older entry, found stale when due) */
  private due: { at: number; prefId: string; key: string }[] = [];

  /**
   * A verified token of part `key` of `prefId`, with its `exp` claim as the token carried it: it
   * is expired from exp itself on (RFC 7519 §4.1.4: the current time must be before it; a
   * NumericDate may have a fraction).
   */
  add(prefId: string, key: string, exp: unknown): void {
    const at = typeof exp === 'number' && Number.isFinite(exp) ? exp : NEVER;
    let parts = this.expiresAt.get(prefId);
    if (parts === undefined) this.expiresAt.set(prefId, (parts = new Map()));
    const known = parts.get(key);
    if (known !== undefined && known >= at) return;
    parts.set(key, at);
    if (at === NEVER) return;
    // signaling rate, and few waiting: a sorted insert keeps the soonest first without a heap
    let lo = 0;
    let hi = this.due.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.due[mid]!.at <= at) lo = mid + 1;
      else hi = mid;
    }
    this.due.splice(lo, 0, { at, prefId, key });
    this.next = this.due[0]!.at;
  }

  /** The tokens expired by capture time `ts` (each part once; a part refreshed since is not among them). */
  takeDue(ts: number): { prefId: string; key: string }[] {
    let n = 0;
    while (n < this.due.length && this.due[n]!.at <= ts) n++;
    const taken = this.due.splice(0, n);
    this.next = this.due.length > 0 ? this.due[0]!.at : NEVER;
    return taken.filter((d) => this.expiresAt.get(d.prefId)?.get(d.key) === d.at).map(({ prefId, key }) => ({ prefId, key }));
  }

  /** Whether a token of the identifier is still valid at `ts` among the parts `inForce` accepts. */
  validAt(prefId: string, ts: number, inForce: (key: string) => boolean): boolean {
    for (const [key, at] of this.expiresAt.get(prefId) ?? []) if (at > ts && inForce(key)) return true;
    return false;
  }

  /** Whether the part's latest token is valid at `ts`. */
  partValidAt(prefId: string, key: string, ts: number): boolean {
    const at = this.expiresAt.get(prefId)?.get(key);
    return at !== undefined && at > ts;
  }

  /** The identifiers are forgotten (the signaling front's bound): nothing of theirs falls due. */
  forget(prefIds: ReadonlySet<string>): void {
    let dropped = false;
    for (const id of prefIds) dropped = this.expiresAt.delete(id) || dropped;
    if (!dropped) return;
    this.due = this.due.filter((d) => !prefIds.has(d.prefId));
    this.next = this.due.length > 0 ? this.due[0]!.at : NEVER;
  }
}
