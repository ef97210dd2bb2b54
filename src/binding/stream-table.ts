import type { DialogRef } from '../report/report.js';
import type { TransportEntry } from './transport-map.js';
import type { BindingVia, DialogScope, SectionScope } from './types.js';

/** One RTP stream (an SSRC within an RTP session) and everything learned about it. */
export interface StreamState {
  ssrc: number;
  session: RtpSession;
  section: SectionScope | null;
  via: BindingVia | null;
  /**
   * The m-section of the offer awaiting its answer (the bound scope's `pending`) the stream is
   * bound to, by the same routes as `section` (null: none, or no offer pending). An m-section
   * only the offer has — one a re-INVITE adds, or the offer in the 200 of an INVITE sent
   * without SDP — binds the stream here alone: its identifiers apply restrictively from the
   * offer on (SPEC §5), while `section` waits for the answer.
   */
  pendingSection: SectionScope | null;
  /** how pendingSection was found (null with it) */
  pendingVia: BindingVia | null;
  /** the dialog scope the binding was last computed against (null: never bound) */
  boundScope: DialogScope | null;
  /** mid learned from the media plane (SDES MID or the RTP mid extension) and how. */
  learnedMid: string | null;
  learnedMidVia: 'sdes-mid' | 'rtp-mid' | null;
  /**
   * A mid read in the RTP extension only by the ids an offer awaiting its answer declares: it
   * binds the stream to that offer's m-section alone (its restrictions apply already, SPEC §5),
   * never to one in force — a refused offer's a=extmap relaxed nothing (null: none). Held for
   * that offer only (offeredMidIn): once it is answered with the extension id it was read by
   * (offeredMidId) in force, it is the stream's learned mid; refused or replaced, it is forgotten.
   */
  offeredMid: string | null;
  offeredMidIn: DialogScope | null;
  offeredMidId: number;
  /** APT identifiers carried in SDES PRIV `aipref` items. */
  sdesApts: string[];
  /** bumped whenever anything that decides its preferences changes (cache key). */
  generation: number;
  lastSeen: number;
  /**
   * Where RTP came from it after the answer disabled its m-section (null: not seen since): a
   * source that keeps sending on a transport the answer took its m-section off. A transport-wide
   * feedback there times its packets, so it stops that feedback as a disabled subject does
   * (MediaCore.transportWideGoverning): the transport's entry (its m-sections tell which
   * transport; a later scope's entries for it name the same ones), or 'unrouted' when the packet
   * reached the call by its SSRC alone. Set off the per-packet path (a scope change forgets the
   * dialog's cached flows, so its first packet after one takes rtpStream); forgotten once its
   * m-section is no longer disabled — a scope that keeps it disabled (a session refresh) does
   * not relax what its packets still make it.
   */
  sentWhileDisabled: TransportEntry | 'unrouted' | null;
  /** the payload type of its last RTP packet; -1 before any (its clock rate: RTCP jitter in time, windows.ts) */
  pt: number;
  /** ReportedFlag bits: what was already reported about this stream. */
  reported: number;
  /**
   * The identifiers already reported as conflicting with signaling ('c' + id), unresolved
   * ('u' + id) or failing integrity ('i' + id); null until one is: each new one is a new occurrence (a second SDES tag).
   */
  reportedApts: Set<string> | null;
  /** the preference lists last looked at for them (the same arrays: nothing new to look for) */
  seenConflicting: readonly string[] | null;
  seenUnresolved: readonly string[] | null;
  seenFailedIntegrity: readonly string[] | null;
}

/** Report-once flags on StreamState.reported. */
export const ReportedFlag = { UNBOUND: 1, IMPLICIT: 2, DISABLED: 16, ENCRYPTED: 32, SDES_LIMIT: 64 } as const;

/**
 * An RTP session: the SSRC space of one dialog, or of one transport pair when no dialog is
 * known. SSRCs are scoped by session because two calls may well pick the same random SSRC.
 */
export interface RtpSession {
  key: string;
  scope: DialogScope | null;
  streams: Map<number, StreamState>;
  /** of a session of media no dialog routes: the datagrams it saw (noteDatagram); null for a dialog's */
  seen: SeenDatagrams | null;
}

/** A datagram's two ends, exactly as sent (PacketAddress's fields; IPv4 ones as numbers too). */
export interface DatagramEnds {
  v6: boolean;
  src4: number;
  dst4: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/**
 * What a session of media no dialog routes was given: the distinct (datagram ends, sender SSRC)
 * pairs of its packets, the first MAX_SEEN_DATAGRAMS and past them the first of each new sender
 * only (at most MAX_SEEN_DATAGRAMS + its streams) — whether a scope now routes its media
 * is asked, pair by pair, of the packet path's own lookup (MediaCore.routesAny). A pair is noted
 * once the session holds a stream of its sender, and goes with that stream (evictOne).
 */
export interface SeenDatagrams {
  /** the pairs, in the order first seen */
  readonly datagrams: SeenDatagram[];
  /** the pair the last packet matched (or made) */
  last: SeenDatagram | null;
  /**
   * The senders noted (each with a kept pair: its first past the cap too), filed under
   * StreamTable.unboundWith: an RTP packet's SSRC, an RTCP compound's sender in bytes 4–7 —
   * not the SSRCs a compound only reports on or describes. One goes when its stream is evicted.
   */
  readonly senders: Set<number>;
}

/** A datagram's ends an unbound session saw, and an SSRC that sent a packet on them. */
export interface SeenDatagram extends DatagramEnds {
  /** in `senders` (NO_SENDER: the ends alone) */
  readonly sender: number;
}

/** SeenDatagram.sender of none (SSRCs are 0 … 2³²−1). */
export const NO_SENDER = -1;

/** Distinct (ends, sender) pairs kept per unbound session (RTP and RTCP, both ways, of a few sources each), besides each later sender's first. */
export const MAX_SEEN_DATAGRAMS = 16;

function sameEnds(a: DatagramEnds, b: DatagramEnds): boolean {
  if (a.sport !== b.sport || a.dport !== b.dport || a.v6 !== b.v6) return false;
  return a.v6 ? a.src === b.src && a.dst === b.dst : a.src4 === b.src4 && a.dst4 === b.dst4;
}

export interface StreamTableLimits {
  maxStreams: number;
  /** told of every eviction (the stream that went), so the owner can report the limit biting */
  onEvict?: (victim: StreamState, evictedSoFar: number) => void;
}

/**
 * Sessions and their streams, for one core. Bounded: past `maxStreams` the least recently
 * seen of a sample of streams is evicted and counted, so a scan or a broken peer cannot grow
 * state without bound.
 */
export class StreamTable {
  private readonly sessions = new Map<string, RtpSession>();
  /** the sessions of media no dialog routes (by transport pair), which evictOne takes from first */
  private readonly unbound = new Map<string, RtpSession>();
  /**
   * The same by each end of the datagrams they saw (SeenDatagrams), keyed as the transport map
   * keys a transport (IPv4: address × 65536 + port; IPv6: `[address]:port`): filed when a
   * pair is first noted, unfiled when the session goes or the last pair with the end does (its
   * sender's stream evicted); never per packet.
   */
  private readonly unboundByEnd = new Map<number | string, Set<RtpSession>>();
  /**
   * The same by the SSRC of each sender of the packets they were given (SeenDatagrams.senders:
   * what the packet path's a=ssrc route asks with; not a report subject's nor an SDES chunk's):
   * filed when noteDatagram first sees it send, unfiled when its stream or the session goes.
   */
  private readonly unboundBySsrc = new Map<number, Set<RtpSession>>();
  /** where evictOne's next sample starts, in `unbound` and in `sessions` */
  private unboundCursor: Iterator<RtpSession> | null = null;
  private cursor: Iterator<RtpSession> | null = null;
  private streamCount = 0;
  evicted = 0;

  constructor(private readonly limits: StreamTableLimits = { maxStreams: 200_000 }) {}

  get size(): number {
    return this.streamCount;
  }

  allSessions(): IterableIterator<RtpSession> {
    return this.sessions.values();
  }

  /** A dialog's session (keyed by its dialog key). */
  session(key: string, scope: DialogScope | null): RtpSession {
    let s = this.sessions.get(key);
    if (!s) {
      // Made unbound, then bound: from the first bound session on, V8 has seen the field
      // written twice and never takes it for a constant of its objects. Code compiled while it
      // still did (the packet loops read session.scope per packet) was thrown away at the first
      // renegotiation that rebound a session mid-capture, and the loops ran unoptimised until
      // compiled again: 50-60 ms of compiler time more per replay thread.
      s = { key, scope: null, streams: new Map(), seen: null };
      s.scope = scope;
      this.sessions.set(key, s);
    }
    return s;
  }

  /** The session of media no dialog routes at a transport pair (keyed by unboundSessionKey), made the first time. */
  unboundSession(key: string): RtpSession {
    let s = this.sessions.get(key);
    if (!s) {
      s = { key, scope: null, streams: new Map(), seen: { datagrams: [], last: null, senders: new Set() } };
      this.sessions.set(key, s);
      this.unbound.set(key, s);
    }
    return s;
  }

  /**
   * Notes that a packet of `addr` sent by `sender` (the SSRC the packet path's route was asked
   * with, of a stream the session holds; NO_SENDER: the ends alone) reached the unbound session
   * `s`. Per packet: compared with the pair the last one matched (numbers for IPv4); else, while
   * fewer than MAX_SEEN_DATAGRAMS are kept, with each kept one; a new one is copied and filed
   * under both its ends, a new sender filed by its SSRC. Nothing is allocated for a pair seen
   * before; once the list is full, a packet not of the last pair is noted by its sender alone —
   * a new sender's first pair still kept and filed (each sender noted has one kept: its a=ssrc
   * route is asked; they number at most the session's streams, and go with them, forgetSender).
   */
  noteDatagram(s: RtpSession, addr: DatagramEnds, sender: number = NO_SENDER): void {
    const seen = s.seen!;
    const last = seen.last;
    if (last !== null && last.sender === sender && sameEnds(last, addr)) return;
    const list = seen.datagrams;
    const within = list.length < MAX_SEEN_DATAGRAMS;
    if (within) {
      for (let i = 0; i < list.length; i++) {
        const d = list[i]!;
        if (d.sender === sender && sameEnds(d, addr)) {
          seen.last = d;
          return;
        }
      }
      this.keepPair(s, seen, addr, sender);
    }
    if (sender === NO_SENDER || seen.senders.has(sender)) return;
    // a new sender: past the cap its first pair is kept all the same, so that every sender noted
    // has a pair routesAny asks its a=ssrc route with (pairs ≤ MAX_SEEN_DATAGRAMS + senders)
    if (!within) this.keepPair(s, seen, addr, sender);
    seen.senders.add(sender);
    file(this.unboundBySsrc, sender, s);
  }

  /** Keeps a copy of the pair (`addr`, `sender`) the unbound session `s` had not kept, filed under both its ends. */
  private keepPair(s: RtpSession, seen: SeenDatagrams, addr: DatagramEnds, sender: number): void {
    const d: SeenDatagram = { v6: addr.v6, src4: addr.src4, dst4: addr.dst4, src: addr.src, dst: addr.dst, sport: addr.sport, dport: addr.dport, sender };
    seen.datagrams.push(d);
    seen.last = d;
    for (const key of endKeys(d)) file(this.unboundByEnd, key, s);
  }

  /** The sessions of media no dialog routes. */
  unboundSessions(): IterableIterator<RtpSession> {
    return this.unbound.values();
  }

  /**
   * The sessions of media no dialog routes that saw a datagram with an end at this transport,
   * keyed as the transport map keys it (TransportMap.set's newly live keys: IPv4 a number, IPv6 `[address]:port`).
   */
  unboundAt(key: number | string): ReadonlySet<RtpSession> | undefined {
    return this.unboundByEnd.get(key);
  }

  /** The sessions of media no dialog routes that were given a packet this SSRC sent (SeenDatagrams.senders). */
  unboundWith(ssrc: number): ReadonlySet<RtpSession> | undefined {
    return this.unboundBySsrc.get(ssrc);
  }

  existingSession(key: string): RtpSession | undefined {
    return this.sessions.get(key);
  }

  /** How many sessions of media no dialog routes there are. */
  get unboundCount(): number {
    return this.unbound.size;
  }

  stream(session: RtpSession, ssrc: number, ts: number): StreamState {
    let st = session.streams.get(ssrc);
    if (st) {
      st.lastSeen = ts;
      return st;
    }
    if (this.streamCount >= this.limits.maxStreams) this.evictOne(session);
    st = {
      ssrc,
      session,
      section: null,
      via: null,
      pendingSection: null,
      pendingVia: null,
      boundScope: null,
      learnedMid: null,
      learnedMidVia: null,
      offeredMid: null,
      offeredMidIn: null,
      offeredMidId: 0,
      sdesApts: [],
      generation: 0,
      lastSeen: ts,
      sentWhileDisabled: null,
      pt: -1,
      reported: 0,
      reportedApts: null,
      seenConflicting: null,
      seenUnresolved: null,
      seenFailedIntegrity: null,
    };
    session.streams.set(ssrc, st);
    this.streamCount++;
    return st;
  }

  /** Moves the streams of a dropped session into the session `key` (an early dialog confirmed). */
  adopt(old: RtpSession, key: string, scope: DialogScope | null): void {
    const target = this.session(key, scope);
    for (const [ssrc, stream] of old.streams) {
      if (target.streams.has(ssrc)) continue;
      stream.session = target;
      stream.boundScope = null;
      stream.generation++;
      target.streams.set(ssrc, stream);
      this.streamCount++;
    }
  }

  /** Forgets a session and its streams (BYE ends the dialog and its bindings). */
  dropSession(key: string): RtpSession | undefined {
    const s = this.sessions.get(key);
    if (!s) return undefined;
    this.sessions.delete(key);
    this.forgetUnbound(s);
    this.streamCount -= s.streams.size;
    return s;
  }

  /** A session gone from the table is no longer one of media no dialog routes (if it was). */
  private forgetUnbound(s: RtpSession): void {
    if (s.seen === null || !this.unbound.delete(s.key)) return;
    for (const ssrc of s.seen.senders) unfile(this.unboundBySsrc, ssrc, s);
    for (const d of s.seen.datagrams) for (const key of endKeys(d)) unfile(this.unboundByEnd, key, s);
  }

  /**
   * A stream of media no dialog routes if there is one (an unbound session is kept only while
   * it holds one, save the one a stream is being made in), else any: the least recently seen of 64
   * sampled where the last sample ended (a clock over the sessions: a Map's iterator goes on past
   * entries added or deleted since). Sampling always the first 64 of all took the oldest
   * sessions' streams, the calls still running, while stale unbound ones filled the table; and a
   * stream evicted loses what its SDES said (a caller's `apt-none` tag: its next SR exported raw).
   * `joining`, the session a stream is being made in, stays in the table (and its index) even
   * when its only stream is the one taken: the new stream was added to a session no longer in
   * the table, which no scope retired and the binding table did not list.
   */
  private evictOne(joining: RtpSession): void {
    // (an unbound session being made holds no stream yet: then, or with only such, any session's)
    const victim = (this.unbound.size > 0 ? this.sample(this.unbound, true) : undefined) ?? this.sample(this.sessions, false);
    if (victim) {
      victim.session.streams.delete(victim.ssrc);
      const seen = victim.session.seen;
      // (its next packet is noted, and filed, again)
      if (seen !== null && seen.senders.delete(victim.ssrc)) this.forgetSender(victim.session, seen, victim.ssrc);
      if (victim.session.streams.size === 0 && victim.session !== joining) {
        this.sessions.delete(victim.session.key);
        this.forgetUnbound(victim.session);
      }
      this.streamCount--;
      this.evicted++;
      this.limits.onEvict?.(victim, this.evicted);
    }
  }

  /** The sender `ssrc` of the unbound session `s` lost its stream: unfiled, its pairs dropped, the ends no other pair has unfiled. */
  private forgetSender(s: RtpSession, seen: SeenDatagrams, ssrc: number): void {
    unfile(this.unboundBySsrc, ssrc, s);
    const list = seen.datagrams;
    const gone = list.filter((d) => d.sender === ssrc);
    if (gone.length === 0) return;
    let n = 0;
    for (const d of list) if (d.sender !== ssrc) list[n++] = d;
    list.length = n;
    seen.last = null;
    const kept = new Set(list.flatMap(endKeys));
    for (const d of gone) for (const key of endKeys(d)) if (!kept.has(key)) unfile(this.unboundByEnd, key, s);
  }

  /** The least recently seen of (up to) 64 streams of `sessions`, from its cursor on, round once. */
  private sample(sessions: Map<string, RtpSession>, unbound: boolean): StreamState | undefined {
    let victim: StreamState | undefined;
    let n = 0;
    for (let pass = 0; pass < 2 && n < 64; pass++) {
      let cursor = (unbound ? this.unboundCursor : this.cursor) ?? sessions.values();
      for (let next = cursor.next(); ; next = cursor.next()) {
        if (next.done === true) {
          cursor = sessions.values();
          break;
        }
        for (const st of next.value.streams.values()) {
          if (!victim || st.lastSeen < victim.lastSeen) victim = st;
          if (++n >= 64) break;
        }
        if (n >= 64) break;
      }
      if (unbound) this.unboundCursor = cursor;
      else this.cursor = cursor;
    }
    return victim;
  }

}

/**
 * A datagram's two ends as the transport map keys a transport (IPv4: address × 65536 + port, a
 * number; IPv6: `[address]:port`, a string — one Map holds both without collision).
 */
function endKeys(d: DatagramEnds): [number | string, number | string] {
  return d.v6 ? [`[${d.src}]:${d.sport}`, `[${d.dst}]:${d.dport}`] : [d.src4 * 65536 + d.sport, d.dst4 * 65536 + d.dport];
}

function file<K>(index: Map<K, Set<RtpSession>>, key: K, s: RtpSession): void {
  let here = index.get(key);
  if (here === undefined) index.set(key, (here = new Set()));
  here.add(s);
}

function unfile<K>(index: Map<K, Set<RtpSession>>, key: K, s: RtpSession): void {
  const here = index.get(key);
  if (here !== undefined && here.delete(s) && here.size === 0) index.delete(key);
}

/**
 * Binds a stream to an m-section of its dialog by the best route available (SPEC §2): a=ssrc,
 * then the mid learned from the media plane, then a transport address only one m-section
 * uses; failing all, the stream belongs to the dialog only (the implicit §6.2 fallback).
 * `candidates` are the m-sections at the packet's transport address. While an offer awaits
 * its answer (scope.pending) the stream is bound to the offer's m-sections too, by the same
 * routes (pendingSection). Returns whether the binding changed.
 */
export function bindStream(stream: StreamState, scope: DialogScope, candidates: readonly number[]): boolean {
  if (stream.offeredMid !== null && stream.offeredMidIn !== scope.pending) settleOfferedMid(stream, scope);
  let { section, via } = sectionOf(stream, scope, candidates);
  if (!section && stream.section) {
    // A packet on a shared (BUNDLE) address says less than what was learned before.
    section = sectionAt(scope, stream.section.index);
    if (section) via = stream.via ?? via;
  }
  if (!section && stream.pendingSection && stream.pendingVia === 'transport') {
    // The offer that alone bound the stream, by its transport address, was answered: the
    // committed m-section keeps it, as a binding by address survives any other scope change.
    // (Bound by a=ssrc or mid, the committed section is found by them above. Were the offer
    // refused, what is in force has no m-section at that index the stream's address did not
    // already bind it to.)
    section = sectionAt(scope, stream.pendingSection.index);
    if (section) via = 'transport';
  }
  const next = section ?? null;
  let pendingSection: SectionScope | null = null;
  let pendingVia: BindingVia | null = null;
  if (scope.pending !== null) {
    const offered = stream.offeredMidIn === scope.pending ? stream.offeredMid : null;
    const found = sectionOf(stream, scope.pending, candidates, offered ?? stream.learnedMid, offered !== null ? 'rtp-mid' : stream.learnedMidVia);
    let proposed = found.section;
    pendingVia = found.via;
    if (!proposed && stream.pendingSection) {
      // as above: what was learned of the offer's m-sections before (a new scope while it still awaits its answer)
      proposed = sectionAt(scope.pending, stream.pendingSection.index);
      if (proposed) pendingVia = stream.pendingVia ?? pendingVia;
    }
    if (!proposed && next) {
      // the offer's m-section at the index of the one in force (offer/answer keeps m-lines in place)
      proposed = sectionAt(scope.pending, next.index);
      if (proposed) pendingVia = via;
    }
    pendingSection = proposed ?? null;
    if (!pendingSection) pendingVia = null;
  }
  stream.boundScope = scope;
  if (stream.section === next && stream.via === via && stream.pendingSection === pendingSection && stream.pendingVia === pendingVia) return false;
  stream.section = next;
  stream.via = via;
  stream.pendingSection = pendingSection;
  stream.pendingVia = pendingVia;
  stream.generation++;
  return true;
}

/**
 * The offer a stream's offeredMid was read under is no longer the one pending: answered with
 * the extension's id in force (the packets' mid is read by it from now on), the mid is the
 * stream's, from the answer on; refused, or replaced by another offer, it is forgotten.
 */
function settleOfferedMid(stream: StreamState, scope: DialogScope): void {
  if (scope.sections.some((s) => s.midExtIds.includes(stream.offeredMidId))) {
    stream.learnedMid = stream.offeredMid;
    stream.learnedMidVia = 'rtp-mid';
  }
  forgetOfferedMid(stream);
}

/** The stream holds no mid read under an offer's ids any more. */
export function forgetOfferedMid(stream: StreamState): void {
  stream.offeredMid = null;
  stream.offeredMidIn = null;
}

/**
 * The m-section of `scope` the stream's own identifiers bind it to, by the first route of
 * a=ssrc, the learned mid, a transport address only one m-section uses; or none, and how the
 * stream belongs to the dialog instead ('sdes-priv' when it carries an SDES PRIV tag).
 */
export function sectionOf(stream: StreamState, scope: DialogScope, candidates: readonly number[], mid = stream.learnedMid, midVia = stream.learnedMidVia): { section: SectionScope | undefined; via: BindingVia } {
  let section = scope.sections.find((s) => s.ssrcs.includes(stream.ssrc));
  if (section) return { section, via: 'a=ssrc' };
  if (mid !== null) {
    section = scope.sections.find((s) => s.mid === mid);
    if (section) return { section, via: midVia ?? 'sdes-mid' };
  }
  if (candidates.length === 1) {
    section = sectionAt(scope, candidates[0]!);
    if (section) return { section, via: 'transport' };
  }
  return { section: undefined, via: stream.sdesApts.length > 0 ? 'sdes-priv' : 'dialog' };
}

function sectionAt(scope: DialogScope, index: number): SectionScope | undefined {
  return scope.sections.find((s) => s.index === index);
}

export function dialogOf(stream: StreamState): DialogRef | null {
  return stream.session.scope?.dialog ?? null;
}

/**
 * How the binding table shows a stream was bound (SPEC §8 `via`): as bindStream found it, except
 * that a stream tied to its dialog only, whose identifiers the operator's repository supplies
 * (the dialog has no dialog-level AI-Pref value to fall back on), was bound through the
 * repository (§2.6). Null: nothing binds the stream (no dialog, no SDES PRIV tag).
 */
export function bindingVia(stream: StreamState): BindingVia | null {
  const scope = stream.session.scope;
  if (stream.via === 'dialog' && scope !== null && scope.dialogApts.length === 0 && scope.repositoryApts.length > 0) return 'repository';
  return stream.via;
}

/**
 * The mid a stream is named by in exports and the binding table: its m-section's; for a stream
 * no dialog holds, the one its packets say (RTP MID extension, SDES MID). A mid a dialog's
 * stream says that none of the dialog's m-sections has binds nothing (RFC 8843 §9.2) and names
 * nothing either: it was shown as the stream's mid, with no kind.
 */
export function streamMid(stream: StreamState): string | null {
  return stream.section?.mid ?? (stream.session.scope === null ? stream.learnedMid : null) ?? null;
}
