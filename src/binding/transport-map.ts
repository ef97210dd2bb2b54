import { parseIpv6 } from '../../native-free/frame-builder.js';
import { formatIpv6 } from '../../native-free/ipv6.js';
import type { DialogScope, TransportAddress } from './types.js';

/** A dialog's m-sections reachable at one transport address. */
/** When a dialog's media was last seen (capture time; −Infinity before its first packet). */
export interface MediaActivity {
  lastMedia: number;
  /** the source (a live service's capture agent, RecordBatch.source) of the record of its last media packet */
  lastMediaSource: number;
}

export interface TransportEntry {
  dialogKey: string;
  /** m-section indexes sharing the address (several under BUNDLE). */
  sections: number[];
  /**
   * Free for the map's user to file a number of its own under the entry: −1 when made. The
   * replay engine keeps the dialog's shard here, worked out at the entry's first packet, so a
   * media packet costs no lookup by dialog key. A dialog's new scope makes new entries.
   */
  tag: number;
  /**
   * Every live dialog's entry at this address, oldest first, this one last, when more than one
   * dialog names the address (the early dialogs of a forked INVITE all name the caller's; a
   * single-port media server is named by every call to it); null when this dialog alone does.
   * Kept on the address's newest entry only (the one a lookup finds first).
   */
  claims: TransportEntry[] | null;
  /**
   * The dialog's media activity, one object for all of its entries: the replay engine notes
   * the capture time of each media packet it routes here, and the dialog tracker asks it before
   * idling a dialog out (a call without SIP for hours whose media still flows is running).
   */
  activity: MediaActivity;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** IPv4 text → unsigned 32-bit number, or -1 when it is not a dotted quad. */
export function ipv4ToNumber(address: string): number {
  const m = IPV4.exec(address);
  if (!m) return -1;
  return ((+m[1]! << 24) >>> 0) + (+m[2]! << 16) + (+m[3]! << 8) + +m[4]!;
}

/**
 * IPv4 (address, port) → entry for the per-packet lookup: open addressing over typed arrays,
 * hashing two int32s. A Map keyed by address × 65536 + port (above the small-integer range)
 * boxed a heap number and hashed a double on every lookup, twice per packet. The Map stays the
 * source of truth; this index is rebuilt from it when deletions have left too many tombstones.
 */
class V4Index {
  private static readonly EMPTY = -1;
  private static readonly DELETED = -2;
  private addresses = new Int32Array(0);
  /** the port, or EMPTY / DELETED */
  private ports = new Int32Array(0);
  private values: (TransportEntry | undefined)[] = [];
  private mask = -1;
  /** 32 − log2(capacity): the hash's top bits pick the slot */
  private shift = 32;
  /** slots not EMPTY (live or DELETED): what the load factor counts */
  private used = 0;

  constructor(private readonly source: Map<number, TransportEntry>) {
    this.rebuild();
  }

  lookup(address: number, port: number): TransportEntry | undefined {
    const a = address | 0;
    const ports = this.ports;
    for (let i = slotOf(a, port, this.shift); ; i = (i + 1) & this.mask) {
      const p = ports[i]!;
      if (p === V4Index.EMPTY) return undefined;
      if (p === port && this.addresses[i] === a) return this.values[i];
    }
  }

  /** Sets (or replaces) the entry of a key of the source map; call after changing the map. */
  set(key: number, entry: TransportEntry): void {
    const a = Math.floor(key / 65536) | 0;
    const port = key % 65536;
    let free = -1;
    let i = slotOf(a, port, this.shift);
    for (; ; i = (i + 1) & this.mask) {
      const p = this.ports[i]!;
      if (p === V4Index.EMPTY) break;
      if (p === V4Index.DELETED) {
        if (free < 0) free = i;
      } else if (p === port && this.addresses[i] === a) {
        this.values[i] = entry;
        return;
      }
    }
    if (free < 0) {
      if ((this.used + 1) * 2 > this.ports.length) return this.rebuild();
      free = i;
      this.used++;
    }
    this.addresses[free] = a;
    this.ports[free] = port;
    this.values[free] = entry;
  }

  delete(key: number): void {
    const a = Math.floor(key / 65536) | 0;
    const port = key % 65536;
    for (let i = slotOf(a, port, this.shift); ; i = (i + 1) & this.mask) {
      const p = this.ports[i]!;
      if (p === V4Index.EMPTY) return;
      if (p === port && this.addresses[i] === a) {
        this.ports[i] = V4Index.DELETED;
        this.values[i] = undefined;
        return;
      }
    }
  }

  /** Sized for twice the live keys at least (load ≤ 1/2 keeps probe runs short). */
  private rebuild(): void {
    let capacity = 16;
    while (capacity < this.source.size * 4) capacity *= 2;
    this.addresses = new Int32Array(capacity);
    this.ports = new Int32Array(capacity).fill(V4Index.EMPTY);
    this.values = new Array<TransportEntry | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.used = 0;
    for (const [key, entry] of this.source) {
      const a = Math.floor(key / 65536) | 0;
      const port = key % 65536;
      let i = slotOf(a, port, this.shift);
      while (this.ports[i] !== V4Index.EMPTY) i = (i + 1) & this.mask;
      this.addresses[i] = a;
      this.ports[i] = port;
      this.values[i] = entry;
      this.used++;
    }
  }
}

/** A multiplicative (Fibonacci) mix of address and port; its top bits are the best mixed. */
function slotOf(address: number, port: number, shift: number): number {
  return Math.imul(address ^ Math.imul(port, 0x9e3779b1), 0x85ebca6b) >>> shift;
}

const NO_KEYS: readonly number[] = [];

/** An a=ssrc route: the entry, and the call whose dialog declared the SSRC. */
interface SsrcEntry extends TransportEntry {
  callId: string;
}

/** What one dialog registered: its IPv4 and IPv6 transport keys and its declared SSRCs. */
interface Owned {
  callId: string;
  v4: number[];
  v6: string[];
  ssrcs: number[];
  /** its entries' one activity record, carried over when a new scope replaces the old one */
  activity: MediaActivity;
}

/**
 * Transport address → the dialog m-sections that receive there. IPv4 keys are numbers
 * (address × 65536 + port, exact below 2^48), looked up per packet through an allocation-free
 * index; IPv6 keys are strings.
 */
export class TransportMap {
  private readonly v4 = new Map<number, TransportEntry>();
  private readonly v4Index = new V4Index(this.v4);
  private readonly v6 = new Map<string, TransportEntry>();
  /**
   * SSRC → the m-sections that declare it with a=ssrc, one entry per dialog declaring it: the
   * route for packets from addresses no SDP names (NAT on both sides, a relay's public side).
   */
  private readonly bySsrc = new Map<number, SsrcEntry[]>();
  /** what each dialog registered, so a new scope replaces the old one exactly. */
  private readonly byDialog = new Map<string, Owned>();
  /**
   * The transport addresses of dialogs that ended (end()), oldest first: a datagram from one of
   * them that no live dialog names is that dialog's late media, not a live dialog's, whatever
   * its destination (lookupDatagramV4/V6). Remembered until MAX_ENDED more have ended — not for
   * a time: a time would have to be looked at where every core and the main thread look at it
   * alike (a lookup's packet time is not: a flow cache answers most packets without one), and
   * at signaling events it would make a late packet's route depend on some other call's
   * signaling. A new dialog naming the address makes it live again.
   */
  private readonly endedV4 = new Set<number>();
  private readonly endedV6 = new Set<string>();
  /** the IPv4 keys end() let go of, the last time it did: flows cached as coming from them are stale */
  readonly forgottenV4: number[] = [];
  /** the same of IPv6 (`[address]:port`): an unbound session that saw a datagram with an end there may be routed now */
  readonly forgottenV6: string[] = [];

  /**
   * Registers every m-section address of the scope (and of its pending offer), replacing the
   * dialog's previous ones. Returns the transport keys it made live (IPv4 address × 65536 + port,
   * IPv6 `[address]:port`): those no dialog — this one's previous scope included — named before.
   * Only there can a datagram no dialog routed by its addresses be routed by them now: an address
   * a dialog already held answers as before (another dialog claiming it too never makes the
   * answer none), and the ended addresses do not change here (one a dialog names again is live).
   */
  set(scope: DialogScope): (number | string)[] {
    const before = this.byDialog.get(scope.key);
    const activity = before?.activity ?? { lastMedia: Number.NEGATIVE_INFINITY, lastMediaSource: 0 };
    this.remove(scope.key);
    const owned: Owned = { callId: scope.dialog.callId, v4: [], v6: [], ssrcs: [], activity };
    const fresh: (number | string)[] = [];
    const live = liveAddresses(scope);
    for (const s of [scope, scope.pending]) {
      for (const section of s?.sections ?? []) {
        for (const addr of [...section.rtp, ...section.rtcp]) {
          // Disabled sections are kept, their streams' last packets still belong to the dialog;
          // but not where a live section of the dialog receives: a rejected m-line has left
          // the BUNDLE (RFC 8843 §7.3.3), the address is the live section's alone (SPEC §2)
          if (section.disabled && live !== null && live.has(addressKey(addr))) continue;
          this.add(scope.key, section.index, addr, owned, before, fresh);
        }
        for (const ssrc of section.ssrcs) this.addSsrc(scope.key, scope.dialog.callId, section.index, ssrc, owned);
      }
    }
    this.byDialog.set(scope.key, owned);
    return fresh;
  }

  remove(dialogKey: string): void {
    const owned = this.byDialog.get(dialogKey);
    if (!owned) return;
    for (const k of owned.v4) {
      const next = dropClaim(this.v4, k, dialogKey);
      if (next === undefined) this.v4Index.delete(k);
      else this.v4Index.set(k, next);
    }
    for (const k of owned.v6) dropClaim(this.v6, k, dialogKey);
    for (const ssrc of owned.ssrcs) {
      const left = this.bySsrc.get(ssrc)?.filter((e) => e.dialogKey !== dialogKey) ?? [];
      if (left.length > 0) this.bySsrc.set(ssrc, left);
      else this.bySsrc.delete(ssrc);
    }
    this.byDialog.delete(dialogKey);
  }

  /**
   * The dialog ended (BYE, a failure, idle): its addresses go, and are remembered (at most
   * MAX_ENDED of each family). A fork's late RTCP to the caller, whose address the answered
   * fork still names, was exported under that other fork's preference by its destination alone
   * (SPEC §5: BYE ends the dialog and its bindings).
   */
  end(dialogKey: string): void {
    this.forgottenV4.length = 0;
    this.forgottenV6.length = 0;
    const owned = this.byDialog.get(dialogKey);
    if (owned !== undefined) {
      for (const k of owned.v4) {
        const forgotten = remember(this.endedV4, k);
        if (forgotten !== undefined) this.forgottenV4.push(forgotten);
      }
      for (const k of owned.v6) {
        const forgotten = remember(this.endedV6, k);
        if (forgotten !== undefined) this.forgottenV6.push(forgotten);
      }
    }
    this.remove(dialogKey);
  }

  /** The dialog's entry at each transport address it registered: IPv4 keys (address × 65536 + port), then IPv6 (`[address]:port`). */
  *ownedEntries(dialogKey: string): Generator<[number | string, TransportEntry]> {
    const owned = this.byDialog.get(dialogKey);
    if (owned === undefined) return;
    for (const k of owned.v4) {
      const entry = entryOf(this.v4.get(k), dialogKey);
      if (entry !== undefined) yield [k, entry];
    }
    for (const k of owned.v6) {
      const entry = entryOf(this.v6.get(k), dialogKey);
      if (entry !== undefined) yield [k, entry];
    }
  }

  /**
   * The m-sections that declare the SSRC with a=ssrc, when one call alone does: SPEC §2's first
   * route, for a packet whose addresses match no transport. Within one call (the early dialogs
   * of a forked INVITE all carry its offer's a=ssrc lines), the dialog whose scope came last
   * takes it, as with a transport address (the 2xx's confirmed dialog over its siblings). An
   * SSRC two live calls declare (32 random bits: a collision, or a copied SDP) routes nowhere.
   */
  lookupSsrc(ssrc: number): TransportEntry | undefined {
    const entries = this.bySsrc.get(ssrc);
    if (entries === undefined) return undefined;
    const last = entries[entries.length - 1]!;
    for (let i = 0; i < entries.length - 1; i++) if (entries[i]!.callId !== last.callId) return undefined;
    return last;
  }

  /**
   * RTCP whose transport entry is `byAddress`, sent by `ssrc`: the entry of the call that declares
   * the SSRC with `a=ssrc` when that is another call and the call at the address declares its own
   * SSRCs, not this one (SPEC §2: a=ssrc binds before the transport address — a port a relay
   * handed to a new call while the old one still runs carries the old one's late RTCP), else
   * `byAddress`: a call that declares no SSRC (an SBC's other leg relays the same SSRCs and
   * declares them) keeps what its addresses carry, the declaring call's word added by the
   * enforcer as a restriction (MediaCore.declaredElsewhere). A fork of the same call stays its own.
   */
  declaredOver(byAddress: TransportEntry, ssrc: number): TransportEntry {
    if (this.bySsrc.size === 0) return byAddress;
    const declared = this.lookupSsrc(ssrc);
    if (declared === undefined || declared.dialogKey === byAddress.dialogKey) return byAddress;
    const here = this.byDialog.get(byAddress.dialogKey);
    if (here === undefined || here.ssrcs.length === 0 || here.callId === this.byDialog.get(declared.dialogKey)?.callId) return byAddress;
    return declared;
  }

  /**
   * Whether an end of an IPv4 datagram that no live dialog names is an ended dialog's address:
   * its late media, which no SSRC a live call declares takes over (the other leg of an SBC
   * relays the same SSRCs).
   */
  endedEndV4(src4: number, dst4: number, sport: number, dport: number): boolean {
    return this.endedV4.size > 0 && (this.endedV4.has(src4 * 65536 + sport) || this.endedV4.has(dst4 * 65536 + dport));
  }

  /** endedEndV4 for IPv6 addresses. */
  endedEndV6(src: string, dst: string, sport: number, dport: number): boolean {
    return this.endedV6.size > 0 && (this.endedV6.has(`[${src}]:${sport}`) || this.endedV6.has(`[${dst}]:${dport}`));
  }

  /** When the replay engine last routed a media packet to the dialog (−Infinity: never, or not registered). */
  lastMediaOf(dialogKey: string): number {
    return this.byDialog.get(dialogKey)?.activity.lastMedia ?? Number.NEGATIVE_INFINITY;
  }

  /** The source of the record of the dialog's last media packet (lastMediaOf); 0 when none. */
  lastMediaSourceOf(dialogKey: string): number {
    return this.byDialog.get(dialogKey)?.activity.lastMediaSource ?? 0;
  }

  /** The IPv4 transport keys (address × 65536 + port) the dialog registered. */
  ownedV4(dialogKey: string): readonly number[] {
    return this.byDialog.get(dialogKey)?.v4 ?? NO_KEYS;
  }

  /**
   * The negotiated transport an IPv4 datagram between these ends belongs to: the one it is sent
   * to, else the one it comes from (a party's RTCP, or media sent from where it receives). The
   * one route the main thread's shard choice and each shard's core both follow, so that a
   * packet reaches the shard whose core binds it the same way. (Two methods, not one taking
   * both address forms: a packet view's text addresses are made when read.) A datagram to an
   * address only an ended dialog named is that dialog's late media, not the source's call: a
   * relay may have handed the source's port to a new call, which does not send there.
   */
  lookupDatagramV4(src4: number, dst4: number, sport: number, dport: number): TransportEntry | undefined {
    const to = this.v4Index.lookup(dst4, dport);
    if (to === undefined) return this.endedV4.size > 0 && this.endedV4.has(dst4 * 65536 + dport) ? undefined : this.v4Index.lookup(src4, sport);
    // (the source's own lookup first: it is the cheap one, and it settles most packets)
    if (this.endedV4.size > 0 && this.v4Index.lookup(src4, sport) === undefined && this.endedV4.has(src4 * 65536 + sport)) return undefined;
    return to.claims === null ? to : (claimingBoth(to.claims, this.v4Index.lookup(src4, sport)) ?? to);
  }

  /** lookupDatagramV4 for IPv6 addresses. */
  lookupDatagramV6(src: string, dst: string, sport: number, dport: number): TransportEntry | undefined {
    const to = this.lookupV6(dst, dport);
    if (to === undefined) return this.endedV6.size > 0 && this.endedV6.has(`[${dst}]:${dport}`) ? undefined : this.lookupV6(src, sport);
    if (this.endedV6.size > 0 && this.lookupV6(src, sport) === undefined && this.endedV6.has(`[${src}]:${sport}`)) return undefined;
    return to.claims === null ? to : (claimingBoth(to.claims, this.lookupV6(src, sport)) ?? to);
  }

  lookupV4(address: number, port: number): TransportEntry | undefined {
    return this.v4Index.lookup(address, port);
  }

  lookupV6(address: string, port: number): TransportEntry | undefined {
    return this.v6.get(`[${address}]:${port}`);
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  private addSsrc(dialogKey: string, callId: string, index: number, ssrc: number, owned: Owned): void {
    let entries = this.bySsrc.get(ssrc);
    if (entries === undefined) this.bySsrc.set(ssrc, (entries = []));
    const entry = entries.find((e) => e.dialogKey === dialogKey);
    if (entry === undefined) {
      entries.push({ dialogKey, callId, sections: [index], tag: -1, claims: null, activity: owned.activity });
      owned.ssrcs.push(ssrc);
    } else if (!entry.sections.includes(index)) entry.sections.push(index);
  }

  /** `before`: what the dialog held before this scope; a key neither it nor another dialog held goes into `fresh`. */
  private add(dialogKey: string, index: number, addr: TransportAddress, owned: Owned, before: Owned | undefined, fresh: (number | string)[]): void {
    if (addr.port <= 0) return;
    let n = ipv4ToNumber(addr.address);
    if (n < 0) {
      const text = canonicalIpv6(addr.address);
      const key = `[${text}]:${addr.port}`;
      // (after remove(): what is still here another dialog holds, or this scope added already)
      if (!this.v6.has(key) && before?.v6.includes(key) !== true) fresh.push(key);
      owned.v6.push(key);
      addSection(this.v6, key, dialogKey, index, owned.activity);
      // an IPv4-mapped address is how a dual-stack socket names an IPv4 peer: on the wire the
      // media comes over IPv4 (RFC 4291 §2.5.5.2), so it is reached at the IPv4 address too
      n = text.startsWith(MAPPED_PREFIX) ? ipv4ToNumber(text.slice(MAPPED_PREFIX.length)) : -1;
      if (n < 0) return;
    }
    const key = n * 65536 + addr.port;
    if (!this.v4.has(key) && before?.v4.includes(key) !== true) fresh.push(key);
    owned.v4.push(key);
    addSection(this.v4, key, dialogKey, index, owned.activity);
    this.v4Index.set(key, this.v4.get(key)!);
  }
}

const MAPPED_PREFIX = '::ffff:';

/**
 * The addresses the scope's (and its pending offer's) enabled m-sections receive on, as
 * addressKey spells them; null when no section is disabled (nothing to hold back then).
 */
function liveAddresses(scope: DialogScope): Set<string> | null {
  const scopes = scope.pending === null ? [scope] : [scope, scope.pending];
  if (!scopes.some((s) => s.sections.some((section) => section.disabled))) return null;
  const live = new Set<string>();
  for (const s of scopes) {
    for (const section of s.sections) {
      if (section.disabled) continue;
      for (const addr of section.rtp) live.add(addressKey(addr));
      for (const addr of section.rtcp) live.add(addressKey(addr));
    }
  }
  return live;
}

/** One spelling per transport address: IPv4 as its number (an IPv4-mapped IPv6 one too), IPv6 canonical. */
function addressKey(addr: TransportAddress): string {
  let n = ipv4ToNumber(addr.address);
  if (n >= 0) return `${n}:${addr.port}`;
  const text = canonicalIpv6(addr.address);
  n = text.startsWith(MAPPED_PREFIX) ? ipv4ToNumber(text.slice(MAPPED_PREFIX.length)) : -1;
  return n >= 0 ? `${n}:${addr.port}` : `[${text}]:${addr.port}`;
}

/** The dialog's own entry among the address's newest one and the claims it carries. */
function entryOf(newest: TransportEntry | undefined, dialogKey: string): TransportEntry | undefined {
  if (newest === undefined || newest.dialogKey === dialogKey) return newest;
  return newest.claims?.find((e) => e.dialogKey === dialogKey);
}

/** Ended addresses remembered at most, per address family (the oldest go first). */
const MAX_ENDED = 16_384;

/** Notes `key` as the newest; returns the oldest one it pushed out, if any. */
function remember<K>(ended: Set<K>, key: K): K | undefined {
  ended.delete(key);
  ended.add(key);
  if (ended.size <= MAX_ENDED) return undefined;
  const oldest = ended.values().next().value!;
  ended.delete(oldest);
  return oldest;
}

/**
 * RFC 5952 text as the packet layer prints it (formatIpv6: IPv4-mapped and -compatible
 * addresses end in a dotted quad, as tshark writes them), so SDP's spelling of an address
 * matches; text that is no IPv6 literal (a zone id, a name) in lower case.
 */
export function canonicalIpv6(address: string): string {
  try {
    return formatIpv6(parseIpv6(address), 0);
  } catch {
    return address.toLowerCase();
  }
}

/**
 * A later dialog naming an address is found there first (a relay reuses ports across calls);
 * the earlier ones' claims stay, for a datagram whose other end only one of them names
 * (claimingBoth) and for when the later dialog ends.
 */
function addSection<K>(map: Map<K, TransportEntry>, key: K, dialogKey: string, index: number, activity: MediaActivity): void {
  const newest = map.get(key);
  const own = newest === undefined ? undefined : (newest.claims ?? [newest]).find((e) => e.dialogKey === dialogKey);
  if (own !== undefined) {
    if (!own.sections.includes(index)) own.sections.push(index);
    return;
  }
  const entry: TransportEntry = { dialogKey, sections: [index], tag: -1, claims: null, activity };
  if (newest !== undefined) {
    entry.claims = [...(newest.claims ?? [newest]), entry];
    newest.claims = null;
  }
  map.set(key, entry);
}

/** The dialog's claim on the address goes; returns the address's newest entry left, if any. */
function dropClaim<K>(map: Map<K, TransportEntry>, key: K, dialogKey: string): TransportEntry | undefined {
  const newest = map.get(key);
  if (newest === undefined) return undefined;
  const left = (newest.claims ?? [newest]).filter((e) => e.dialogKey !== dialogKey);
  if (left.length === 0) {
    map.delete(key);
    return undefined;
  }
  const next = left[left.length - 1]!;
  if (next !== newest) newest.claims = null;
  next.claims = left.length > 1 ? left : null;
  map.set(key, next);
  return next;
}

/**
 * Of the dialogs naming a datagram's destination (`claims`, oldest first), the newest that
 * names its source too (`from`: the source's newest entry, with its own claims): a forked
 * INVITE's early dialogs all name the caller, but each phone's media comes from its own.
 */
function claimingBoth(claims: readonly TransportEntry[], from: TransportEntry | undefined): TransportEntry | undefined {
  if (from === undefined) return undefined;
  const senders = from.claims ?? [from];
  for (let i = claims.length - 1; i >= 0; i--) {
    const c = claims[i]!;
    for (let j = 0; j < senders.length; j++) if (senders[j]!.dialogKey === c.dialogKey) return c;
  }
  return undefined;
}
