/**
 * The media half of the enforcer, as one shard runs it: RTP and RTCP of the streams assigned
 * to this shard, bound through the dialog scopes the signaling front end sends, judged item
 * by item, folded into windows, written as output lines keyed for a deterministic merge.
 *
 * Every output line carries (frame, key): lines from all shards sorted by that pair come out
 * the same whatever the number of shards, because each stream lives in exactly one shard and
 * every key is derived from the capture, never from scheduling.
 */
import { readUint32 } from '../../native-free/big-endian.js';
import { FlowCache } from '../binding/flow-cache.js';
import { bindStream, type DatagramEnds, forgetOfferedMid, NO_SENDER, ReportedFlag, type RtpSession, type StreamState, streamMid, StreamTable } from '../binding/stream-table.js';
import { TransportMap, type TransportEntry } from '../binding/transport-map.js';
import type { DialogScope, SectionScope } from '../binding/types.js';
import { combineGoverning, decideGoverned, stoppedStreamDecision } from '../enforce/decide.js';
import { buildAggregateExport, buildDecisionLine, buildTelemetryExport, type StreamIdentity } from '../enforce/records.js';
import { governingOf, StatementTable, type StreamPreference, StreamPreferences } from '../enforce/stream-preferences.js';
import { splitTelemetry } from '../enforce/telemetry-items.js';
import { mayBeEncrypted, NO_KEYS, sectionAt, senderAddress, Srtcp, SrtcpKeyring } from './srtcp-keyring.js';
import { type ClosedWindow, type WindowCloseReason, WindowStore } from '../enforce/windows.js';
import { chainsAsRtcp, decodeRtcpCompound } from '../media/rtcp/compound.js';
import { besideTheCodec, type ClockRate, clockRateOfPt } from '../media/clock-rates.js';
import { isAiprefItem, type ReportBlock, type RtcpCompound, type SdesChunk, SdesItemType } from '../media/rtcp/types.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension, type RtpHeaderView } from '../media/rtp.js';
import { maybeSrtcp } from '../media/srtcp.js';
import type { ResolvedPreference } from '../policy/precedence.js';
import { resolvePreferences } from '../policy/precedence.js';
import { type AptStatement, mostRestrictiveStatement } from '../policy/statement.js';
import { type DialogRef, type Report, reportJson } from '../report/report.js';
import { prefIdOfText } from '../signaling/ai-pref-header.js';

/** One output line and where it sorts: by frame, then key. */
export interface OutputLine {
  frame: number;
  key: string;
  text: string;
}

export interface CoreOutputs {
  exports: OutputLine[];
  reports: OutputLine[];
  decisions: OutputLine[];
  /** answers to `ask` events, in their order (absent when none was asked) */
  answers?: TagsAnswer[];
}

/** What a shard answers an `ask`: the tags it holds for the SSRC on the transport pair (none: empty). */
export interface TagsAnswer {
  id: number;
  apts: string[];
}

/** What the signaling front end tells every shard, at the frame where it happened. */
export type CoreEvent =
  | { kind: 'scope'; frame: number; ts: number; scope: DialogScope }
  | { kind: 'dialog-ended'; frame: number; ts: number; key: string }
  /** an INVITE's early state became a dialog (the callee's tag is known): its streams move over */
  | { kind: 'rekey'; frame: number; ts: number; from: string; to: string; dialog: DialogRef }
  | { kind: 'statements'; frame: number; statements: AptStatement[] }
  /** a reloaded policy file's operator settings (live SIGHUP): the default APT, the window of windows opened from now on */
  | { kind: 'settings'; frame: number; defaultApt: string | null; windowSec: number }
  /** identifiers the signaling front forgot (its bound on identifiers): their statements go */
  | { kind: 'forget'; frame: number; ids: string[] }
  /**
   * SDES PRIV tags `ssrc` sent while no dialog routed it (unbound-tags.ts), for dialog `key`, whose
   * packet at `frame` is that SSRC's first it routes: to `shard` alone, the one that packet goes to.
   * With `pair` (the shard is the one of that transport pair's unbound session), the tags are the
   * ones this shard holds for the SSRC there (MediaCore.tagsHeld); with `apts`, they are what that
   * pair's shard answered an `ask`.
   */
  | ({ kind: 'carry'; frame: number; ts: number; key: string; ssrc: number; shard: number } & ({ pair: string } | { apts: string[] }))
  /**
   * The tags `shard` (the transport pair's) holds for `ssrc` on unbound session `pair` after every
   * event up to `frame` (MediaCore.tagsHeld), answered in CoreOutputs.answers under `id`: asked at
   * the end of a work unit cut just before the packet that carries them to another shard's dialog.
   */
  | { kind: 'ask'; frame: number; id: number; pair: string; ssrc: number; shard: number };

/** Where a media packet came from and went to (IPv4 addresses as numbers too, IPv6 as text): a datagram's ends. */
export type PacketAddress = DatagramEnds;

export interface MediaCoreOptions {
  windowSec: number;
  explain: boolean;
  /** the operator's default APT identifier (SPEC §9), or null: absence means drop */
  defaultApt: string | null;
  maxStreams?: number;
  /**
   * keep what the binding table needs (the bindings command): the streams of dialogs that
   * ended. Without it an ended dialog's streams are only counted, so a service that runs for
   * weeks holds the calls still running, not every call it saw.
   */
  bindings?: boolean;
}

export interface CoreCounters {
  rtp: number;
  rtcp: number;
  malformed: number;
  telemetry: { export: number; aggregate: number; drop: number };
}

const NO_CANDIDATES: readonly number[] = [];
const NO_SSRCS: readonly number[] = [];
const NO_CLOCKS = new Float64Array(0);

/** Frame key for lines made when a batch ends: after the batch's last packet, before the next. */
function afterFrame(frame: number): number {
  return frame + 0.5;
}

export class MediaCore {
  private readonly table: StreamTable;
  /** (IPv4 transport, SSRC) → stream, as the last RTP packet of the flow found it; stale after any event */
  private readonly flows = new FlowCache(4096);
  private readonly transports = new TransportMap();
  /**
   * SSRCs of packets no transport matched, whose flows the cache keeps as the a=ssrc route left
   * them (bound to the dialog that declared the SSRC, or unbound): an event that changes what a
   * declared SSRC routes to — a scope declaring it (first, or as a second call: ambiguous), the
   * end or rekey of a dialog declaring it — makes the cache forget, so the next packet takes
   * the route as it stands, as the main thread's shard choice does. Bounded: past the bound,
   * any such event does so.
   */
  private readonly bySsrcRoute = new Set<number>();
  private bySsrcRouteOverflow = false;
  /** whether the last lookup() found no transport (its entry, if any, came by the packet's SSRC) */
  private routedBySsrc = false;
  /** learnFromSdes's "before the first change", per compound (undefined: no change yet) */
  private sdesBefore: Map<StreamState, DecidingState> | null | undefined;
  /**
   * Unbound sessions holding SDES PRIV tags that a dialog's scope retired (retireUnboundOf), by
   * session key (a pair may have several: a new unbound session there, retired in turn): the tags
   * a `carry` takes to the dialog that routes the pair (tagsHeld), while one of the dialogs that
   * routed the session's datagrams since lives, or a dialog routes one now, and until the session
   * would have been swept (sweepUnbound); pairs least recently retired at first.
   */
  private readonly retiredTagged = new Map<string, RetiredTags[]>();
  private retiredCount = 0;
  /** capture time of the last sweepUnbound, and of the last event with a time */
  private lastUnboundSweep = -Infinity;
  private lastEventTs = -Infinity;
  /**
   * RTP sources no signaling routes, on probation (unroutedSourceValid): unbound pair and SSRC →
   * last sequence number and its capture time; in the order they were last held (oldest first)
   */
  private readonly probation = new Map<string, { seq: number; ts: number }>();
  private readonly scopes = new Map<string, DialogScope>();
  /** what the signaling says of SRTCP: secure transports, their keys, ended dialogs' senders' keys */
  private readonly keyring = new SrtcpKeyring((key) => this.scopes.get(key));
  private readonly statements = new StatementTable();
  private readonly preferences = new StreamPreferences(this.statements);
  private readonly windows: WindowStore;
  /** window key → the stream it belongs to, to name it in the aggregate */
  private readonly windowStreams = new Map<string, StreamState>();
  /**
   * The same open windows by their stream's session, for the events that close a session's
   * windows (a renegotiation, a dialog's end, a BYE) without going through every window of every
   * call. A stream changes session only once its windows are closed (a rekey closes the old
   * session's before its streams move), so a window stays filed under its stream's session.
   */
  private readonly sessionWindows = new Map<RtpSession, Map<string, StreamState>>();
  /** ended dialogs' sessions, kept for the binding table at the end of the capture (options.bindings) */
  private readonly endedSessions: RtpSession[] = [];
  /** the streams of ended dialogs not kept */
  private endedStreams = 0;
  private readonly rtpView = createRtpHeaderView();
  private defaultPreference: ResolvedPreference | null = null;
  /** the default APT's identifier while nothing states it (reported unresolved by each stream it stands in for), else none */
  private defaultUnresolved: readonly string[] = [];
  /** the operator's default APT identifier: the options' until a reloaded policy file names another */
  private defaultApt: string | null;
  /** the packet being handled, for reports made deep inside (a stream evicted) */
  private readonly now = { frame: 0, ts: 0 };
  /**
   * The batch's capture clock after each of its records, every record of the capture (this
   * core's or not), by frame − batchFirst (beginBatch); `passed`: how many of them windows have
   * been checked against (passTo).
   */
  private batchClocks: Float64Array = NO_CLOCKS;
  private batchFirst = 0;
  private passed = 0;
  private out: CoreOutputs = { exports: [], reports: [], decisions: [] };
  readonly counters: CoreCounters = { rtp: 0, rtcp: 0, malformed: 0, telemetry: { export: 0, aggregate: 0, drop: 0 } };

  constructor(private readonly options: MediaCoreOptions) {
    const maxStreams = options.maxStreams ?? 200_000;
    this.table = new StreamTable({
      maxStreams,
      // A flood of SSRCs (a scan, a broken peer) evicts the least recently seen streams; say so
      // the first time and at every tenfold after, not once per stream.
      onEvict: (victim, n) => {
        this.flows.invalidate();
        if (n !== 1 && Math.log10(n) % 1 !== 0) return;
        this.report({ type: 'state-limit', ts: this.now.ts, frame: this.now.frame, dialog: victim.session.scope?.dialog ?? null, ssrc: victim.ssrc, detail: `stream table full (${maxStreams} streams): ${n} least recently seen stream${n === 1 ? '' : 's'} evicted so far` });
      },
    });
    this.windows = new WindowStore({ windowSec: options.windowSec });
    this.defaultApt = options.defaultApt;
    this.refreshDefault();
  }

  /** Hands over the lines made since the last call. */
  drain(): CoreOutputs {
    const out = this.out;
    this.out = { exports: [], reports: [], decisions: [] };
    return out;
  }

  /**
   * A batch begins: `clocks`, the capture clock after each of its records (the main thread's
   * CaptureClock, record by record, whatever shard a record went to), from frame `firstFrame` on.
   */
  beginBatch(clocks: Float64Array, firstFrame: number): void {
    this.batchClocks = clocks;
    this.batchFirst = firstFrame;
    this.passed = 0;
  }

  /**
   * Closes, as it goes, the windows that the batch's records up to `frame` (included) reached the
   * end (or closeBy) of, each just before the first record whose clock reached it, and lets go of
   * remembered SRs and closed windows' bounds at the records whose clock outlived them: every
   * record of the capture is checked once, before its own lines, so where a window closes — and
   * what it holds, its requestId's repeat ordinal, the RTTs it finds — does not depend on where
   * batches were cut nor on which shard a record went to. Asked before whatever may fold into,
   * close or name a window (RTCP, signaling events, a mid an RTP packet moves its stream by) and
   * at the batch's end; other RTP touches none, so a run of it is checked at the next of those.
   */
  private passTo(frame: number): void {
    const clocks = this.batchClocks;
    const end = Math.min(frame - this.batchFirst + 1, clocks.length);
    let j = this.passed;
    if (j >= end) return;
    const windows = this.windows;
    let due = windows.nextDue;
    let forgetAt = windows.nextForget;
    for (; j < end; j++) {
      const clock = clocks[j]!;
      if (clock >= forgetAt) {
        windows.forget(clock);
        forgetAt = windows.nextForget;
      }
      if (clock < due) continue;
      this.emitDue(windows.closeDueAt(clock), afterFrame(this.batchFirst + j - 1));
      due = windows.nextDue;
    }
    this.passed = end;
  }

  event(ev: CoreEvent): void {
    // (an ask closes no window: it comes at the end of a unit cut before its packet, where the
    // other shards close theirs due at that packet in the next unit, as this one then does)
    if (ev.kind === 'ask') {
      (this.out.answers ??= []).push({ id: ev.id, apts: this.tagsHeld(ev.pair, ev.ssrc) });
      return;
    }
    this.passTo(ev.frame);
    if (ev.kind === 'statements' || ev.kind === 'settings' || ev.kind === 'forget') {
      this.applyEvent(ev);
      return;
    }
    // one shard's alone: nothing that every shard keeps alike (the event clock, the sweeps) moves
    if (ev.kind === 'carry') {
      const apts = 'pair' in ev ? this.tagsHeld(ev.pair, ev.ssrc) : ev.apts;
      if (apts.length > 0) this.carryTags(ev.key, ev.ssrc, apts, ev.frame, ev.ts);
      return;
    }
    // (not at an event further from the one before than the idle bound: one stamped hours ahead
    // would sweep everything and stop the sweeps until the capture's time caught up)
    const jump = ev.ts - this.lastEventTs;
    this.lastEventTs = ev.ts;
    if (jump <= UNBOUND_IDLE_SEC && ev.ts - this.lastUnboundSweep >= UNBOUND_SWEEP_SEC) this.sweepUnbound(ev.ts);
    // The dialogs' transports before and after, and their sessions: the flows whose cached
    // route the event may change. (Statements and settings change preferences, never routes.)
    const dialogs = ev.kind === 'rekey' ? [ev.from, ev.to] : [ev.kind === 'scope' ? ev.scope.key : ev.key];
    const touched: number[] = [];
    for (const d of dialogs) touched.push(...this.transports.ownedV4(d));
    const routes = this.ssrcRoutesBefore(dialogs, ev.kind === 'scope' ? ev.scope : null);
    this.applyEvent(ev);
    if (this.retiredCount > 0) this.forgetUnroutedRetired(ev.kind === 'rekey' ? ev : null);
    for (const d of dialogs) touched.push(...this.transports.ownedV4(d));
    // an ended address the map let go of routes again: flows cached as coming from it too
    if (ev.kind === 'dialog-ended') touched.push(...this.transports.forgottenV4);
    this.flows.forget(touched, dialogs);
    if (routes !== null) this.rerouteChanged(routes);
  }

  private applyEvent(ev: CoreEvent): void {
    switch (ev.kind) {
      case 'statements': {
        const before = this.statements.generation;
        for (const st of ev.statements) this.statements.set(st);
        // repeated statements change nothing: the default keeps its identity (and its memoised combinations)
        if (this.statements.generation !== before || this.defaultPreference === null) this.refreshDefault();
        return;
      }
      case 'forget': {
        for (const id of ev.ids) this.statements.delete(id);
        return;
      }
      case 'settings': {
        this.windows.setWindowSec(ev.windowSec);
        if (ev.defaultApt !== this.defaultApt) {
          this.defaultApt = ev.defaultApt;
          this.refreshDefault();
        }
        return;
      }
      case 'scope': {
        const previous = this.scopes.get(ev.scope.key);
        if (previous !== undefined) this.keyring.scopeChanged(ev.scope.key, previous, ev.scope);
        // the SSRCs whose a=ssrc route the scope may open (declared by it or by the scope it replaces)
        const ssrcs = this.table.unboundCount > 0 ? this.unroutedSsrcs(previous, ev.scope) : NO_SSRCS;
        this.scopes.set(ev.scope.key, ev.scope);
        const fresh = this.transports.set(ev.scope);
        if (this.table.unboundCount > 0) this.retireUnboundOf(fresh, ssrcs, ev.frame, ev.ts);
        const session = this.table.existingSession(ev.scope.key);
        if (session) {
          // what decided each stream's telemetry until now, when there are windows to keep or close
          const before = this.sessionWindows.has(session) ? this.decidingStates(session) : null;
          session.scope = ev.scope;
          // rebind now, so a dialog that ends before its streams speak again is shown as it stood
          for (const stream of session.streams.values()) {
            bindStream(stream, ev.scope, NO_CANDIDATES);
            if (stream.section === null || !stream.section.disabled) stream.sentWhileDisabled = null;
          }
          if (before !== null) this.closeChangedWindows(session, before, ev.frame, ev.ts);
        }
        return;
      }
      case 'rekey': {
        const scope = this.scopes.get(ev.from);
        this.scopes.delete(ev.from);
        this.keyring.rekeyed(ev.from, ev.to);
        this.transports.remove(ev.from);
        if (scope && !this.scopes.has(ev.to)) {
          const moved = rekeyedScope(scope, ev.to, ev.dialog);
          this.scopes.set(ev.to, moved);
          this.transports.set(moved);
        }
        const old = this.table.dropSession(ev.from);
        if (old) {
          this.closeSessionWindows(old, 'scope-change', ev.frame, ev.ts);
          this.table.adopt(old, ev.to, this.scopes.get(ev.to) ?? null);
        }
        return;
      }
      case 'dialog-ended': {
        this.keyring.dialogEnded(ev.key, ev.ts, this.transports);
        // an SSRC it declared beside another call (a collision: neither's) is that call's from now on
        const ssrcs = this.table.unboundCount > 0 ? this.unroutedSsrcs(this.scopes.get(ev.key), null) : NO_SSRCS;
        this.scopes.delete(ev.key);
        this.transports.end(ev.key);
        // (and an ended address the map let go of, of either family, no longer keeps a datagram from its route)
        const { forgottenV4, forgottenV6 } = this.transports;
        if (this.table.unboundCount > 0 && (ssrcs.length > 0 || forgottenV4.length > 0 || forgottenV6.length > 0)) {
          this.retireUnboundOf(forgottenV6.length === 0 ? forgottenV4 : [...forgottenV4, ...forgottenV6], ssrcs, ev.frame, ev.ts);
        }
        const session = this.table.dropSession(ev.key);
        if (session) {
          this.closeSessionWindows(session, 'dialog-end', ev.frame, ev.ts);
          this.retire(session);
        }
        return;
      }
    }
  }

  /** `cut`: bytes of the packet the capture's snap length cut off after `len` (0: captured whole). */
  rtp(frame: number, ts: number, bytes: Uint8Array, off: number, len: number, addr: PacketAddress, cut = 0): void {
    const err = decodeRtpHeader(bytes, off, len, this.rtpView, cut);
    // under SRTP the padding and its count are encrypted, the datagram's last byte is the tag's
    // (RFC 3711 §3.1): the count cannot be checked, and everything the header says was read
    if (err && !(err.code === 'bad-padding' && this.srtpAt(addr, this.rtpView.ssrc))) {
      // off every negotiated transport, a datagram whose first byte looks like RTP but whose
      // header does not hold (a DNS query in twenty) is someone else's, not broken media
      if (this.lookup(addr, len >= 12 ? readUint32(bytes, off + 8) : 0) === undefined) return;
      this.now.frame = frame;
      this.now.ts = ts;
      this.malformed(frame, ts, `rtp ${err.code} at byte ${err.offset}: ${err.message}`);
      return;
    }
    const view = this.rtpView;
    this.rtpDecoded(frame, ts, view.ssrc, view.pt, view.seq, view.extension ? view : null, bytes, addr);
  }

  /**
   * An RTP packet whose header the caller has decoded without error (decodeRtpHeader): its SSRC,
   * its payload type and, when it has one, where its header extension block lies in `extBytes` (extProfile,
   * extOffset, extLength of `extension`). The block is read only while a stream's mid may still
   * be learned from it.
   */
  rtpDecoded(frame: number, ts: number, ssrc: number, pt: number, seq: number, extension: RtpHeaderView | null, extBytes: Uint8Array, addr: PacketAddress): void {
    this.now.frame = frame;
    this.now.ts = ts;
    if (!addr.v6) {
      const stream = this.flows.find(addr.src4, addr.dst4, addr.sport, addr.dport, ssrc);
      if (stream !== null) {
        this.counters.rtp++;
        stream.lastSeen = ts;
        if (pt !== stream.pt) payloadTypeSeen(stream, pt);
        // Nearly every packet: a bound stream with no header extension to read a mid from. This
        // much stays small enough for the compiler to inline into the packet loop, so the
        // packet's time and SSRC are not boxed into heap numbers to cross a call.
        const scope = stream.session.scope;
        if (scope !== null && stream.boundScope === scope && extension === null) return;
        this.rtpStream(stream, this.flows.entry() ?? undefined, frame, ts, extension, extBytes);
        return;
      }
    }
    const entry = this.lookup(addr, ssrc);
    if (entry === undefined && !this.unroutedSourceValid(addr, ssrc, seq)) return;
    this.counters.rtp++;
    const session = this.sessionOf(entry, addr);
    const stream = this.table.stream(session, ssrc, ts);
    // (an IPv4 RTP flow the cache answers came here once: its ends and sender are noted already)
    if (session.seen !== null) this.table.noteDatagram(session, addr, ssrc);
    if (pt !== stream.pt) payloadTypeSeen(stream, pt);
    if (!addr.v6) this.flows.store(addr.src4, addr.dst4, addr.sport, addr.dport, ssrc, stream, entry ?? null);
    this.rtpStream(stream, entry, frame, ts, extension, extBytes);
  }

  /** The rest of an RTP packet's work on its stream: the unbound report, learning its mid, (re)binding. */
  private rtpStream(stream: StreamState, entry: TransportEntry | undefined, frame: number, ts: number, extension: RtpHeaderView | null, extBytes: Uint8Array): void {
    const scope = stream.session.scope;
    if (scope === null) {
      this.reportUnbound(stream, frame, ts);
      return;
    }
    if (extension !== null && entry) {
      // an m-section only an offer awaiting its answer has may declare the extension (SPEC §5: its
      // restrictions apply already). Read while packets carry it: a later mid moves the stream
      // (RFC 8843 §9.2; an SFU re-maps a source to another m-section), as an SDES MID does
      const mid = midFromExtension(scope, entry.sections, extBytes, extension);
      if (mid !== undefined) {
        if (mid !== stream.learnedMid) {
          // the windows due before this packet are named as the stream stood then
          this.passTo(frame);
          stream.learnedMid = mid;
          stream.learnedMidVia = 'rtp-mid';
          stream.boundScope = null;
        }
        // read by the ids in force: what an offer's ids said is outranked
        if (stream.offeredMid !== null) {
          this.passTo(frame);
          forgetOfferedMid(stream);
          stream.boundScope = null;
        }
      } else if (scope.pending !== null) {
        // read only by an id the offer declares: the offer's m-section alone (StreamState.offeredMid)
        const offered = midFromExtension(scope.pending, entry.sections, extBytes, extension);
        if (offered !== undefined && (offered !== stream.offeredMid || stream.offeredMidIn !== scope.pending)) {
          this.passTo(frame);
          stream.offeredMid = offered;
          stream.offeredMidIn = scope.pending;
          stream.offeredMidId = midExtensionId;
          stream.boundScope = null;
        }
      }
    }
    if (stream.boundScope !== scope) bindStream(stream, scope, entry?.sections ?? NO_CANDIDATES);
    if (stream.section !== null && stream.section.disabled) stream.sentWhileDisabled = entry ?? 'unrouted';
  }

  /**
   * Forgets the sessions of media no dialog routes whose streams have all been silent for
   * UNBOUND_IDLE_SEC of capture time and hold no open window: what a call's packets still in
   * flight after its BYE leave behind (a relay-side service grew by a session and two streams a
   * call until the stream table's limit). Run at signaling events, which every shard sees at the
   * same packet, so 0 and n workers forget alike; one that speaks again is a new source.
   */
  private sweepUnbound(now: number): void {
    this.lastUnboundSweep = now;
    if (this.retiredCount > 0) this.forgetRetired((r) => allIdle(r.session, now));
    const gone: RtpSession[] = [];
    for (const session of this.table.unboundSessions()) {
      if (this.sessionWindows.get(session)?.size) continue;
      if (allIdle(session, now)) gone.push(session);
    }
    if (gone.length === 0) return;
    for (const session of gone) {
      this.table.dropSession(session.key);
      this.retire(session);
    }
    this.flows.forget([], gone.map((s) => s.key));
  }

  /**
   * Retires the sessions of media no dialog routed that the event routes now: each given a
   * packet the packet path (lookup) now routes — asked with the exact (datagram ends, sender)
   * pairs it kept (SeenDatagrams, routesAny): by its addresses (either end, exact ports: a NAT'd
   * sender, an offer alone), else, where no end is an ended dialog's, by the a=ssrc of the SSRC
   * that sent it (both parties behind NAT). A datagram's address route changes only at the transports the event made live
   * (`fresh`: TransportMap.set; a shared port already live — a single-port media server — routes
   * nothing new, and its unbound sessions are not looked at), its SSRC route only for the SSRCs
   * whose route the event opened (`ssrcs`, those that routed nowhere before it): the sessions
   * that kept a pair with an end there (StreamTable.unboundAt), or were given a packet such an
   * SSRC sent (StreamTable.unboundWith: the SSRC the route was asked with for it — not one a
   * compound only reports on or describes), are the candidates. From this event on those packets
   * are a dialog's (SPEC §2), and what the unbound session held is history — an ended row in
   * `bindings`, its open windows closed here (a stream that loses its dialog again is a new
   * unbound stream, reported again: its UNBOUND flag went with it). One whose datagrams the
   * map still routes nowhere (RTCP sent to port+1 of an rtcp-mux call) is not the dialog's and
   * keeps running. Every shard sees the event at the same packet; the one holding the session
   * (its transport pair's) retires it. At signaling events only.
   */
  private retireUnboundOf(fresh: readonly (number | string)[], ssrcs: readonly number[], frame: number, ts: number): void {
    const gone = new Set<RtpSession>();
    const consider = (here: ReadonlySet<RtpSession> | undefined): void => {
      for (const session of here ?? []) if (!gone.has(session) && this.routesAny(session)) gone.add(session);
    };
    for (const key of fresh) consider(this.table.unboundAt(key));
    for (const ssrc of ssrcs) if (this.transports.lookupSsrc(ssrc) !== undefined) consider(this.table.unboundWith(ssrc));
    if (gone.size === 0) return;
    const keys: string[] = [];
    for (const session of gone) {
      this.closeSessionWindows(session, 'scope-change', frame, ts);
      this.table.dropSession(session.key);
      this.retire(session);
      keys.push(session.key);
      if (holdsTags(session)) this.keepRetiredTags(session);
    }
    this.flows.forget([], keys);
  }

  /**
   * A retired unbound session's tags stay for the dialog that now routes its pair (tagsHeld): the
   * session's packets are that dialog's from here on, and the first of an SSRC it routes takes the
   * SSRC's tags there (SPEC §2.4: a tag binds its SSRC). A memory guard as the main thread's notes
   * have (unbound-tags.ts MAX_NOTED_PER_SHARD): past it the oldest go.
   */
  private keepRetiredTags(session: RtpSession): void {
    const kept = this.retiredTagged.get(session.key) ?? [];
    const record: RetiredTags = { session, owners: new Set() };
    this.routesAny(session, record.owners);
    kept.push(record);
    this.retiredTagged.delete(session.key);
    this.retiredTagged.set(session.key, kept);
    this.retiredCount++;
    while (this.retiredCount > MAX_RETIRED_TAGGED) {
      const [key, oldest] = this.retiredTagged.entries().next().value!;
      oldest.shift();
      this.retiredCount--;
      if (oldest.length === 0) this.retiredTagged.delete(key);
    }
  }

  /**
   * After an event that changes routes: the dialogs routing a retired session's datagrams now
   * join those it may go to (a rekeyed dialog under its new key); one that no dialog routes, and
   * whose every such dialog has ended, has no dialog to give its tags to. (A call that moved its
   * media away keeps them while it lives: it may move back.)
   */
  private forgetUnroutedRetired(rekey: { from: string; to: string } | null): void {
    this.forgetRetired((r) => {
      if (rekey !== null && r.owners.delete(rekey.from)) r.owners.add(rekey.to);
      if (this.routesAny(r.session, r.owners)) return false;
      for (const key of r.owners) if (this.scopes.has(key)) return false;
      return true;
    });
  }

  /** The retired sessions' records `gone` says are gone, forgotten. */
  private forgetRetired(gone: (r: RetiredTags) => boolean): void {
    for (const [key, kept] of this.retiredTagged) {
      const left = kept.filter((r) => !gone(r));
      this.retiredCount -= kept.length - left.length;
      if (left.length === 0) this.retiredTagged.delete(key);
      else if (left.length < kept.length) this.retiredTagged.set(key, left);
    }
  }

  /**
   * The SDES PRIV tags this shard holds for `ssrc` on the transport pair of unbound session `pair`
   * (unboundSessionKey), for a dialog that routes a packet of it there now: its stream's in the
   * session a dialog's scope retired there (retiredTagged), then in the pair's unbound session
   * since — both, as a tag never relaxes another; none once the shard let them go (swept, or
   * retired and no longer routed). What the main thread noted (unbound-tags.ts) decides only
   * whether to ask.
   */
  private tagsHeld(pair: string, ssrc: number): string[] {
    const held: string[] = [];
    const add = (ids: readonly string[] | undefined): void => {
      if (ids !== undefined) for (const id of ids) if (!held.includes(id)) held.push(id);
    };
    for (const r of this.retiredTagged.get(pair) ?? []) add(r.session.streams.get(ssrc)?.sdesApts);
    const live = this.table.existingSession(pair);
    if (live !== undefined && live.scope === null) add(live.streams.get(ssrc)?.sdesApts);
    return held;
  }

  /**
   * Whether the packet path now routes a packet the unbound session was given: lookup()'s own
   * steps, without its side effects, for each kept (ends, sender) pair — by the datagram's
   * addresses, else, where no end is an ended dialog's, by the a=ssrc route of that pair's sender.
   * `owners`: the dialogs routing them are added there.
   */
  private routesAny(session: RtpSession, owners?: Set<string>): boolean {
    const t = this.transports;
    let routed = false;
    for (const d of session.seen!.datagrams) {
      let entry = d.v6 ? t.lookupDatagramV6(d.src, d.dst, d.sport, d.dport) : t.lookupDatagramV4(d.src4, d.dst4, d.sport, d.dport);
      if (entry === undefined && d.sender !== NO_SENDER && !(d.v6 ? t.endedEndV6(d.src, d.dst, d.sport, d.dport) : t.endedEndV4(d.src4, d.dst4, d.sport, d.dport))) entry = t.lookupSsrc(d.sender);
      if (entry === undefined) continue;
      if (owners === undefined) return true;
      owners.add(entry.dialogKey);
      routed = true;
    }
    return routed;
  }

  /**
   * Of the SSRCs the scopes (and their pending offers) declare, those that sent a packet an
   * unbound session was given that the a=ssrc route takes nowhere yet (asked before the event changes it).
   */
  private unroutedSsrcs(a: DialogScope | undefined, b: DialogScope | null): number[] {
    const out: number[] = [];
    for (const scope of [a, a?.pending, b, b?.pending]) {
      for (const section of scope?.sections ?? []) {
        for (const ssrc of section.ssrcs) {
          if (out.includes(ssrc) || this.table.unboundWith(ssrc) === undefined) continue;
          if (this.transports.lookupSsrc(ssrc) === undefined) out.push(ssrc);
        }
      }
    }
    return out;
  }

  /** A session gone from the table: kept for the binding table (`bindings`), else its streams counted. */
  private retire(session: RtpSession): void {
    if (this.options.bindings === true) this.endedSessions.push(session);
    else this.endedStreams += session.streams.size;
  }

  /**
   * Whether an RTP packet from addresses no signaling routes is of a valid source (RFC 3550 A.1,
   * MIN_SEQUENTIAL 2): one this core knows (its RTCP made it, or it passed), or the second of
   * two in sequence. The first is held (not counted, no stream made) until the second counts
   * it: a DNS query or other datagram whose first byte looks like RTP makes no stream and no
   * report (DNS queries repeat their flags where RTP's sequence number would be).
   */
  private unroutedSourceValid(addr: PacketAddress, ssrc: number, seq: number): boolean {
    const sessionKey = unboundSessionKey(addr);
    if (this.table.existingSession(sessionKey)?.streams.has(ssrc) === true) return true;
    const key = `${sessionKey}|${ssrc}`;
    const ts = this.now.ts;
    const held = this.probation.get(key);
    // A held packet counts for PROBATION_SEC of capture time, whatever else this core holds:
    // a bound by count made the answer depend on how many other strays shared the core (the
    // worker count). The count bound below is a memory guard, far past a real mirror's strays.
    if (held !== undefined && ts - held.ts <= PROBATION_SEC && ((held.seq + 1) & 0xffff) === seq) {
      this.probation.delete(key);
      this.counters.rtp++;
      return true;
    }
    if (held !== undefined) this.probation.delete(key);
    this.forgetStaleProbation(ts);
    if (this.probation.size >= MAX_PROBATION) this.probation.delete(this.probation.keys().next().value!);
    this.probation.set(key, { seq, ts });
    return false;
  }

  /** Lets go of held sources past PROBATION_SEC (oldest first: the map is in holding order). */
  private forgetStaleProbation(ts: number): void {
    for (const [key, held] of this.probation) {
      if (ts - held.ts <= PROBATION_SEC) break;
      this.probation.delete(key);
    }
  }

  /** `cut`: as for rtp(); the whole packets of a cut compound are judged, the cut is reported. */
  rtcp(frame: number, ts: number, bytes: Uint8Array, off: number, len: number, addr: PacketAddress, cut = 0): void {
    this.passTo(frame);
    this.now.frame = frame;
    this.now.ts = ts;
    // every RTCP packet type has its sender's SSRC in bytes 4–7 (an SDES its first chunk's), in clear under SRTCP too
    const senderSsrc = len >= 8 ? readUint32(bytes, off + 4) : 0;
    const entry = this.lookup(addr, senderSsrc, len >= 8);
    // Off every negotiated transport (where SRTCP cannot be, nor a call's broken RTCP), a
    // datagram is RTCP only if its packets chain to its end with RTCP's types (RFC 3550 A.2):
    // a DNS query whose id starts 0x80-0x81 is someone else's, not telemetry of SSRC 0
    if (entry === undefined && cut === 0 && !chainsAsRtcp(bytes, off, len)) {
      // unless it is SRTCP from the sender of a dialog that just ended, under its keys: read as
      // its plain copy would be, off every transport
      const plain = this.keyring.endedSenders > 0 ? this.keyring.afterEnd(senderAddress(addr.v6, addr.src, addr.src4, addr.sport), ts, bytes, off, len) : null;
      if (plain === null) return;
      this.counters.rtcp++;
      this.readRtcp(frame, ts, plain, 0, plain.length, addr, 0, senderSsrc, undefined, NO_CANDIDATES, false);
      return;
    }
    // (a copy of a compound just seen on the same transport never reaches here: RtcpCopies, on the main thread)
    this.counters.rtcp++;
    // cut by the snap length, from an ended dialog's sender on a secure profile: SRTCP not read,
    // as on the call's own transport (readRtcp) — read as plain, its encrypted rest is noise
    if (entry === undefined && cut > 0 && this.keyring.endedSenders > 0 && this.keyring.cutAfterEnd(senderAddress(addr.v6, addr.src, addr.src4, addr.sport), ts, bytes, off, len, cut)) {
      this.malformed(frame, ts, cutSrtcpDetail(len, cut));
      return;
    }
    // The m-sections the packet's transport names bind the compound's other SSRCs (report
    // subjects, SDES chunks, feedback targets) by transport; an entry the sender's a=ssrc found
    // names no transport of theirs (a forwarded participant reported on was bound to the
    // sender's m-section, its telemetry exported under the sender's APT)
    const candidates = entry !== undefined && !this.routedBySsrc ? entry.sections : NO_CANDIDATES;
    this.readRtcp(frame, ts, bytes, off, len, addr, cut, senderSsrc, entry, candidates, true);
  }

  /** `entry`: the packet's route (rtcp() looks it up once); `mayBeSrtcp`: the compound was not decrypted (it may be SRTCP still). */
  private readRtcp(frame: number, ts: number, bytes: Uint8Array, off: number, len: number, addr: PacketAddress, cut: number, senderSsrc: number, entry: TransportEntry | undefined, candidates: readonly number[], mayBeSrtcp: boolean): void {
    const compound = decodeRtcpCompound(bytes, off, len, cut);
    const errors = compound.errors;
    // A compound whose packets do not chain to the datagram's end (their headers: an error in
    // a packet's body leaves a plain compound plain), on an m-section that is secure RTP (or
    // best-effort SRTP the answer accepted) or carries a=crypto keys, may be SRTCP (encrypted
    // past its first eight bytes, an index and a tag after it): decrypted with a key whose tag
    // authenticates it (the previous exchange's too: a re-key's first packets). Else, on a
    // secure profile and of a length SRTCP can have, it is not read; otherwise it is malformed
    // plain RTCP, reported below. One that does chain is plain RTCP — a relay's decrypted copy
    // of the call (rtpengine forwarding) — and read as such, unless one of its packets has a
    // type outside RTCP's 192–223 (RFC 5761 §4): the E|index word after a one-packet SRTCP
    // compound reads as a header of type 0, and where its length field (the index) spans just
    // the MKI and the tag, the whole chains.
    if (mayBeSrtcp && entry !== undefined && mayBeEncrypted(compound, bytes, off, len, cut)) {
      const sections = this.keyring.sectionsOf(entry);
      const srtcp = this.keyring.on(entry, sections);
      // (on a plain transport too while an ended dialog's senders' keys are kept: the call before
      // on these addresses may have been SRTP, and its RTCP BYE comes after this one's set-up)
      if (srtcp !== Srtcp.NO || this.keyring.endedSenders > 0) {
        const keys = srtcp === Srtcp.NO ? NO_KEYS : this.keyring.keysOf(entry, sections);
        if (cut > 0) {
          // cut by the snap length: its tag, at the end, is not in the capture, so no key can
          // check it, and whether it would chain is unknown (read as plain, an SRTCP compound's
          // clear header and encrypted rest are noise): on a secure profile, at a length SRTCP
          // can have, not read and said so (from an ended dialog's sender on one too); else a
          // cut plain compound, read below
          if (srtcp === Srtcp.PROFILE && maybeSrtcp(len + cut, keys)) {
            if (keys.length === 0 && len >= 8) this.encryptedRtcp(this.sessionOf(entry, addr), entry, senderSsrc, frame, ts, this.keyring.noKeys(sections));
            else this.malformed(frame, ts, cutSrtcpDetail(len, cut));
            return;
          }
          if (this.keyring.endedSenders > 0 && this.keyring.cutAfterEnd(senderAddress(addr.v6, addr.src, addr.src4, addr.sport), ts, bytes, off, len, cut)) {
            this.malformed(frame, ts, cutSrtcpDetail(len, cut));
            return;
          }
        } else {
          const plain = this.keyring.decrypt(bytes, off, len, keys, ts, this.keyring.endedSenders > 0 ? senderAddress(addr.v6, addr.src, addr.src4, addr.sport) : 0);
          if (typeof plain !== 'string') {
            this.readRtcp(frame, ts, plain, 0, plain.length, addr, 0, senderSsrc, entry, candidates, false);
            return;
          }
          if (srtcp === Srtcp.PROFILE && maybeSrtcp(len, keys)) {
            this.encryptedRtcp(this.sessionOf(entry, addr), entry, senderSsrc, frame, ts, keys.length === 0 ? this.keyring.noKeys(sections) : plain);
            return;
          }
        }
      }
    }
    for (let i = 0; i < errors.length; i++) {
      const e = errors[i]!;
      this.malformed(frame, ts, `rtcp ${e.code} at byte ${e.offset}: ${e.message}`);
    }
    const session = this.sessionOf(entry, addr);
    let partition: string | undefined;
    const beforeSdes = this.learnFromSdes(session, compound, frame, ts);
    if (beforeSdes !== null) this.closeChangedWindows(session, beforeSdes, frame, ts);
    const items = splitTelemetry(compound);
    const fallback = this.defaultPreference;
    for (let keyIndex = 0; keyIndex < items.length; keyIndex++) {
      const item = items[keyIndex]!;
      const sender = this.streamFor(session, item.senderSsrc, ts, candidates);
      const senderPref = this.preferenceOf(sender, frame, ts);
      // decideItem's rules folded in place (no per-item arrays): a stopped stream — the sender
      // first, then the first stopped subject — decides; else the most restrictive of all.
      let stopped: StreamPreference | null = senderPref.disabled ? senderPref : null;
      let governing: ResolvedPreference | null = governingOf(senderPref, fallback);
      let absent = governing === null;
      // an item whose sender another call declares (a BYE an MCU sends for a contributor that
      // left, read in the session its compound was routed to): that call's word too
      const senderElsewhere = this.declaredElsewhere(session, item.senderSsrc);
      // a stream the other call stopped (port 0, removed) stops its items here too
      if (stopped === null && senderElsewhere?.disabled === true) stopped = senderElsewhere;
      if (senderElsewhere !== null && !absent) {
        const q = governingOf(senderElsewhere, fallback);
        if (q === null) absent = true;
        else governing = combineGoverning(governing!, q);
      }
      // indexed loops throughout: this path runs unoptimised in a replay (V8's budget is not
      // reached), where for-of makes an iterator and a result object per step
      const subjects = item.subjectSsrcs;
      for (let s = 0; s < subjects.length; s++) {
        // a source another live call declares (an SFU forwarding other calls' streams): that call's word too
        const elsewhere = this.declaredElsewhere(session, subjects[s]!);
        // every subject's preference is looked up (it may report how it was found), as before —
        // but in no call's session, a subject a call declares with a=ssrc is that call's stream:
        // no second, unbound one is made here for it (a plain mirror's receiver report about an
        // a=ssrc stream counted it twice and reported it unbound); one the payloads already made
        // here and tagged (an SDES chunk's PRIV tag) still governs (SPEC §2: tags never relax);
        // one that says nothing (made by an earlier report about it) does not overrule the call
        if (elsewhere === null || session.scope !== null || (session.streams.get(subjects[s]!)?.sdesApts.length ?? 0) > 0) {
          const pref = this.preferenceOf(this.streamFor(session, subjects[s]!, ts, candidates), frame, ts);
          if (stopped === null && pref.disabled) stopped = pref;
          if (!absent) {
            const p = governingOf(pref, fallback);
            if (p === null) absent = true;
            else governing = combineGoverning(governing!, p);
          }
        }
        if (elsewhere === null) continue;
        if (stopped === null && elsewhere.disabled === true) stopped = elsewhere;
        if (absent) continue;
        const q = governingOf(elsewhere, fallback);
        if (q === null) absent = true;
        else governing = combineGoverning(governing!, q);
      }
      if (item.kind === 'rtpfb' && item.fmt === 15 && entry !== undefined && stopped === null && !absent) {
        // TWCC's statuses and deltas time every packet the transport carried, whichever stream
        // sent it (one sequence counter for all of them, draft-holmer-rmcat-transport-wide-cc-extensions §2): every m-section on it governs too
        const tw = this.transportWideGoverning(session, entry, governing!, fallback);
        if (tw !== null && 'stoppedBy' in tw) stopped = tw.stoppedBy;
        else {
          governing = tw;
          absent = governing === null;
        }
      }
      const decision = stopped !== null ? stoppedStreamDecision() : decideGoverned(item, absent ? null : governing);
      // named fields, not counters.telemetry[kind]: a keyed store by a string costs per item
      const counts = this.counters.telemetry;
      if (decision.decision === 'export') counts.export++;
      else if (decision.decision === 'aggregate') counts.aggregate++;
      else counts.drop++;
      const key = itemKey(keyIndex);
      if (this.options.explain) {
        this.out.decisions.push({ frame, key, text: JSON.stringify(buildDecisionLine(frame, ts, item, decision)) });
      }
      if (item.kind === 'sr' && decision.decision === 'export') {
        // an SR that may be kept can anchor the RTT of the reports that answer it
        this.windows.noteSenderReport(item.senderSsrc, item.packet.ntpSec, item.packet.ntpFrac, ts, decision.retentionSec, (partition ??= this.srPartition(entry, addr)));
      }
      if (decision.decision === 'export') {
        const line = buildTelemetryExport({ frame, ts, item, decision, dialog: session.scope?.dialog ?? null, stream: identity(sender) });
        this.out.exports.push({ frame, key, text: JSON.stringify(line) });
      } else if (decision.decision === 'aggregate') {
        const wkey = windowKey(sender, decision.apt);
        const clockRates = item.kind === 'sr' || item.kind === 'rr' ? reportedClockRates(session, item.packet.reports) : undefined;
        const srPartition = item.kind === 'sr' || item.kind === 'rr' ? (partition ??= this.srPartition(entry, addr)) : '';
        const closed = this.windows.add(wkey, item, ts, { apt: decision.apt, retentionSec: decision.retentionSec, extensions: decision.extensions, clockRates, partition: srPartition });
        this.emitWindows(closed, frame, key);
        // after the closed ones are named: the window just opened under the same key needs its stream
        this.noteWindow(wkey, sender);
      }
      if (item.kind === 'bye') {
        // every source the BYE lists has left (RFC 3550 §6.6: an SFU's or mixer's BYE lists several)
        const left = item.packet.ssrcs;
        this.closeStreamWindows(sender.session, (s) => s === sender || left.includes(s.ssrc), 'bye', frame, ts, key + 'w');
      }
    }
    if (session.seen !== null) {
      // of no dialog: noted by its sender once the session holds the sender's stream; a session
      // the compound made no stream in (an SDES chunk without items, an RR whose body does not
      // decode) is not kept — it would hold nothing for the stream table's bound to evict
      if (session.streams.has(senderSsrc)) this.table.noteDatagram(session, addr, senderSsrc);
      else if (session.streams.size === 0) this.table.dropSession(session.key);
    }
  }

  /**
   * `governing` made stricter by what governs every stream of the session that may send on the
   * packet's transport (those a TWCC's timing can cover); null where one of them has no
   * preference (drop, no-preference). On the transport: a stream bound — by the scope in force
   * or by a pending offer — to an m-section there, and one bound to no m-section yet; every
   * stream of the call where the compound came by its sender's a=ssrc (from addresses no SDP
   * names: which m-sections share that transport is not known). A stream whose m-section the
   * answer disabled has left the transport and is passed over — unless it is seen sending RTP on
   * this transport since (StreamState.sentWhileDisabled; by its SSRC alone: anywhere): then the feedback times its packets, and it
   * stops the item as a disabled subject does (SPEC §5: disabling is never a relaxation; returned
   * as `stoppedBy`); one an unanswered offer disables
   * still counts (SPEC §5: the stricter of the old and the proposed scope until the answer). What
   * another live call declaring the stream says counts too (an SFU forwards other calls' streams
   * on this transport). Their preferences are not reported on here: their own telemetry does that.
   */
  private transportWideGoverning(session: RtpSession, entry: TransportEntry, governing: ResolvedPreference, fallback: ResolvedPreference | null): ResolvedPreference | { stoppedBy: StreamPreference } | null {
    const sections = entry.sections;
    const anywhere = this.routedBySsrc;
    for (const stream of session.streams.values()) {
      this.rebindIfStale(stream);
      const section = stream.section;
      const pending = stream.pendingSection;
      if (section?.disabled === true) {
        const sentOn = stream.sentWhileDisabled;
        if (sentOn !== null && (anywhere || sentOn === 'unrouted' || sentOn === entry || sharesSection(sentOn.sections, sections))) return { stoppedBy: this.preferences.of(stream) };
        continue;
      }
      if (!anywhere && (section !== null || pending !== null) && !(section !== null && sections.includes(section.index)) && !(pending !== null && sections.includes(pending.index))) continue;
      const p = governingOf(this.preferences.of(stream), fallback);
      if (p === null) return null;
      governing = combineGoverning(governing, p);
      const elsewhere = this.declaredElsewhere(session, stream.ssrc);
      if (elsewhere === null) continue;
      const q = governingOf(elsewhere, fallback);
      if (q === null) return null;
      governing = combineGoverning(governing, q);
    }
    return governing;
  }

  /**
   * End of a batch: windows whose end (or retention) the batch's records reached close where
   * the first of those records lies (passTo). A batch of no records (a live source's idle tick;
   * the capture's end) moves the clock to `lastTs` with no record to place it at: windows due by
   * then close after the last frame.
   */
  endBatch(lastFrame: number, lastTs: number): void {
    if (this.batchClocks.length > 0) this.passTo(lastFrame);
    else this.emitDue(this.windows.closeDue(lastTs), afterFrame(lastFrame));
    this.batchClocks = NO_CLOCKS;
  }

  /** End of the capture: every open window closes. */
  finish(lastFrame: number, lastTs: number): void {
    // (keyed `~~…`: after the windows closed on time at the same place, `~<end>~…`, whatever the keys)
    this.emitWindows(this.windows.closeAll('end-of-capture', lastTs), afterFrame(lastFrame), '~');
  }

  /**
   * Every stream this shard knows, ended dialogs included, for the binding table, with the
   * identifiers that govern it: its own, and the operator's default where that governs too (no
   * identifier of its own, or an m-section's absence beside them), as the decisions name them.
   */
  *streams(): Generator<{ stream: StreamState; preference: StreamPreference; apt: readonly string[]; ended: boolean }> {
    for (const session of this.endedSessions) {
      for (const stream of session.streams.values()) yield this.bindingRow(stream, true);
    }
    for (const session of this.table.allSessions()) {
      for (const stream of session.streams.values()) {
        this.rebindIfStale(stream);
        yield this.bindingRow(stream, false);
      }
    }
  }

  private bindingRow(stream: StreamState, ended: boolean): { stream: StreamState; preference: StreamPreference; apt: readonly string[]; ended: boolean } {
    const preference = this.preferences.of(stream);
    const id = this.defaultApt;
    const byDefault = id !== null && !preference.disabled && (preference.resolved === null || preference.withAbsence) && !preference.ids.includes(id);
    return { stream, preference, apt: byDefault ? [...preference.ids, id] : preference.ids, ended };
  }

  get streamCount(): number {
    let n = this.table.size + this.endedStreams;
    for (const s of this.endedSessions) n += s.streams.size;
    return n;
  }

  /**
   * The part of the capture an RTCP packet belongs to, as the replay engine shards it: its
   * dialog's Call-ID where signaling routes it, else its transport pair (unroutedPairV4). An RR's
   * round trip is measured against the SRs of its own part only, so that one core finds what
   * shards that split the parts between them find (a second call naming the same media
   * addresses moved one direction's RTCP to another shard, and the RTT differed).
   */
  private srPartition(entry: TransportEntry | undefined, addr: PacketAddress): string {
    if (entry !== undefined) return 'c' + (this.scopes.get(entry.dialogKey)?.dialog.callId ?? entry.dialogKey);
    return addr.v6 ? 'u' + unboundSessionKey(addr) : 'p' + unroutedPairV4(addr.src4, addr.sport, addr.dst4, addr.dport);
  }

  /**
   * The dialog m-sections a packet belongs to: by its transport addresses, else by its SSRC
   * where one dialog's SDP declares it with a=ssrc (packets from addresses no SDP names, none of
   * them an ended dialog's). `rtcp`: the SSRC is an RTCP sender's, which another call's a=ssrc
   * claims before the address (TransportMap.declaredOver).
   */
  private lookup(addr: PacketAddress, ssrc: number, rtcp = false): TransportEntry | undefined {
    const byAddress = addr.v6 ? this.transports.lookupDatagramV6(addr.src, addr.dst, addr.sport, addr.dport) : this.transports.lookupDatagramV4(addr.src4, addr.dst4, addr.sport, addr.dport);
    if (byAddress !== undefined) {
      const entry = rtcp ? this.transports.declaredOver(byAddress, ssrc) : byAddress;
      this.routedBySsrc = entry !== byAddress;
      return entry;
    }
    this.routedBySsrc = true;
    // an ended dialog's late media is not a live call's, whatever SSRC it declares
    if (addr.v6 ? this.transports.endedEndV6(addr.src, addr.dst, addr.sport, addr.dport) : this.transports.endedEndV4(addr.src4, addr.dst4, addr.sport, addr.dport)) return undefined;
    if (this.bySsrcRoute.size < 4096) this.bySsrcRoute.add(ssrc);
    else this.bySsrcRouteOverflow = true;
    return this.transports.lookupSsrc(ssrc);
  }

  /**
   * Where the SSRCs an event may reroute (those the dialogs declare now, and a new scope's)
   * route before it, for the ones the flow cache holds by that route; null when it holds none.
   */
  private ssrcRoutesBefore(dialogs: readonly string[], next: DialogScope | null): Map<number, string | null> | null {
    if (this.bySsrcRoute.size === 0 && !this.bySsrcRouteOverflow) return null;
    const routes = new Map<number, string | null>();
    const note = (scope: DialogScope | null | undefined) => {
      if (!scope) return;
      for (const s of [scope, scope.pending]) {
        for (const section of s?.sections ?? []) {
          for (const ssrc of section.ssrcs) {
            if (this.bySsrcRouteOverflow || this.bySsrcRoute.has(ssrc)) routes.set(ssrc, this.transports.lookupSsrc(ssrc)?.dialogKey ?? null);
          }
        }
      }
    };
    for (const d of dialogs) note(this.scopes.get(d));
    note(next);
    return routes.size > 0 ? routes : null;
  }

  /**
   * The flow cache forgets when an event changed where a declared SSRC it holds by that route
   * goes (another call declaring it, its dialog ending or confirmed under another key): a
   * re-INVITE restating it changes nothing, and costs the cache nothing.
   */
  private rerouteChanged(before: ReadonlyMap<number, string | null>): void {
    for (const [ssrc, dialogKey] of before) {
      if ((this.transports.lookupSsrc(ssrc)?.dialogKey ?? null) === dialogKey) continue;
      this.flows.invalidate();
      this.bySsrcRoute.clear();
      this.bySsrcRouteOverflow = false;
      return;
    }
  }

  /**
   * What another live call, which declares `ssrc` with a=ssrc, says of its stream (SPEC §2: a=ssrc
   * binds first; §4: a source an item reports on governs it too), when the item is read in
   * another call's (or no call's) session; null when no other call declares it alone.
   */
  private declaredElsewhere(session: RtpSession, ssrc: number): StreamPreference | null {
    const entry = this.transports.lookupSsrc(ssrc);
    if (entry === undefined) return null;
    const scope = this.scopes.get(entry.dialogKey);
    if (scope === undefined || scope.dialog.callId === session.scope?.dialog.callId) return null;
    return this.preferences.ofDeclared(scope, entry.sections[0]!);
  }

  /**
   * The packet's session: its dialog's, else that of its transport pair (an unbound session:
   * once a stream of the SSRC lookup() was asked with is made or found in it, the caller notes
   * the pair, StreamTable.noteDatagram).
   */
  private sessionOf(entry: TransportEntry | undefined, addr: PacketAddress): RtpSession {
    if (entry) return this.table.session(entry.dialogKey, this.scopes.get(entry.dialogKey) ?? null);
    return this.table.unboundSession(unboundSessionKey(addr));
  }

  private streamFor(session: RtpSession, ssrc: number, ts: number, candidates: readonly number[]): StreamState {
    const stream = this.table.stream(session, ssrc, ts);
    if (session.scope && stream.boundScope !== session.scope) bindStream(stream, session.scope, candidates);
    return stream;
  }

  private rebindIfStale(stream: StreamState): void {
    const scope = stream.session.scope;
    if (scope && stream.boundScope !== scope) bindStream(stream, scope, NO_CANDIDATES);
  }

  /**
   * What a compound's SDES items say that binds (MID, PRIV aipref). Returns what decided the
   * session's streams before the first change, when it has windows open: a tag or mid that
   * changes what decides a stream closes its windows there, as a scope change does (SPEC §5:
   * the change takes effect at the packet that brought it; the window open under the former
   * identifiers was held on and went on collecting).
   *
   * Of an SDES packet that broke (reported as malformed), the PRIV aipref tags read before the
   * break still bind a stream its call names an identifier for (signaling or the repository):
   * there a tag can only restrict (SPEC §2, "media-plane tags never relax signaling"), and a
   * restriction the sender stated is not lost to a later item it garbled. Its MIDs are not
   * taken, nor its tags for a stream nothing else names (there a garbled packet would give it
   * what to export under).
   */
  private learnFromSdes(session: RtpSession, compound: RtcpCompound, frame: number, ts: number): Map<StreamState, DecidingState> | null {
    this.sdesBefore = undefined;
    const packets = compound.packets;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (p.pt !== 202 || !('chunks' in p)) continue;
      for (let c = 0; c < p.chunks.length; c++) this.learnFromChunk(session, p.chunks[c]!, false, frame, ts);
    }
    const errors = compound.errors;
    if (session.scope !== null) {
      for (let i = 0; i < errors.length; i++) {
        const read = errors[i]!.sdesRead;
        if (read !== undefined) for (let c = 0; c < read.length; c++) this.learnFromChunk(session, read[c]!, true, frame, ts);
      }
    }
    const before = this.sdesBefore ?? null;
    this.sdesBefore = undefined;
    return before;
  }

  /** One SDES chunk's binding items (learnFromSdes); `tagsOnly`: a broken packet's, of which PRIV aipref alone is taken. */
  private learnFromChunk(session: RtpSession, chunk: SdesChunk, tagsOnly: boolean, frame: number, ts: number): void {
    for (let k = 0; k < chunk.items.length; k++) {
      const item = chunk.items[k]!;
      if (item.type === SdesItemType.MID && 'text' in item && !tagsOnly) {
        const stream = this.table.stream(session, chunk.ssrc, ts);
        if (stream.learnedMid !== item.text) {
          this.noteBeforeSdes(session);
          stream.learnedMid = item.text;
          stream.learnedMidVia = 'sdes-mid';
          stream.boundScope = null;
        }
        // newer than a mid read under a pending offer's extension ids, it outranks that one as a
        // mid read by the ids in force does (rtpStream): the later mid moves the stream (RFC 8843
        // §9.2, §15), in the offer's m-sections too, and is what the answer settles on
        if (stream.offeredMid !== null && stream.offeredMid !== item.text) {
          this.noteBeforeSdes(session);
          forgetOfferedMid(stream);
          stream.boundScope = null;
        }
      } else if (isAiprefItem(item)) {
        // a value that is no pref-id is text (never quoted: reports copy no SDES text) and binds nothing
        const id = prefIdOfText(item.value);
        if (id === null) {
          this.malformed(frame, ts, `rtcp SDES PRIV aipref item of SSRC ${chunk.ssrc}: its ${item.value.length}-character value is not a pref-id (a token or quoted-string), not taken as an identifier`);
          continue;
        }
        const stream = this.table.stream(session, chunk.ssrc, ts);
        if (tagsOnly) {
          // a broken packet's tag only where the call names something else for the stream: else
          // the tag would be its only word, and a garbled packet could relax it
          this.rebindIfStale(stream);
          if (!this.preferences.namesBesideTags(stream)) continue;
        }
        this.addSdesApt(session, stream, id, ts);
      }
    }
  }

  /** A PRIV aipref identifier the stream's SSRC sent (learnFromChunk, carryTags). */
  private addSdesApt(session: RtpSession, stream: StreamState, id: string, ts: number): void {
    if (stream.sdesApts.includes(id)) return;
    this.noteBeforeSdes(session);
    if (stream.sdesApts.length >= MAX_SDES_APTS) {
      this.sdesLimit(stream, ts);
      return;
    }
    stream.sdesApts.push(id);
    if (session.scope === null) stream.via ??= 'sdes-priv';
    else stream.boundScope = null;
    stream.generation++;
  }

  /**
   * The tags an SSRC sent before a dialog routed it (a `carry` event): they bind its stream in the
   * dialog's session from the packet that brought it there on, as if that packet had repeated
   * them (SPEC §2.4: a tag binds its SSRC; tags never relax signaling). Windows open under what
   * decided before close there, as at any SDES change.
   */
  private carryTags(key: string, ssrc: number, apts: readonly string[], frame: number, ts: number): void {
    this.now.frame = frame;
    this.now.ts = ts;
    const session = this.table.session(key, this.scopes.get(key) ?? null);
    const stream = this.table.stream(session, ssrc, ts);
    this.sdesBefore = undefined;
    for (let i = 0; i < apts.length; i++) this.addSdesApt(session, stream, apts[i]!, ts);
    const before = this.sdesBefore ?? null;
    this.sdesBefore = undefined;
    if (before !== null) this.closeChangedWindows(session, before, frame, ts);
  }

  /** What decided the session's streams, taken once per compound before its first SDES change (learnFromSdes). */
  private noteBeforeSdes(session: RtpSession): void {
    if (this.sdesBefore === undefined) this.sdesBefore = this.sessionWindows.has(session) ? this.decidingStates(session) : null;
  }

  /**
   * A stream that named more SDES PRIV identifiers than any endpoint does (an endpoint writes its
   * SDES, and so can anyone who reaches the call's RTCP port): the new ones are not kept — each
   * made the stream resolve all of them again and a report listing them all — and an identifier
   * nothing states stands for them, so that the stream is the most restrictive (SPEC §3: a tag
   * never relaxes). Reported once (`state-limit`).
   */
  private sdesLimit(stream: StreamState, ts: number): void {
    if (stream.reported & ReportedFlag.SDES_LIMIT) return;
    stream.reported |= ReportedFlag.SDES_LIMIT;
    stream.sdesApts.push(SDES_LIMIT_APT);
    if (stream.session.scope !== null) stream.boundScope = null;
    stream.generation++;
    const mid = stream.section?.mid;
    this.report({ type: 'state-limit', ts, frame: this.now.frame, dialog: stream.session.scope?.dialog ?? null, ...(mid ? { mid } : {}), ssrc: stream.ssrc, detail: `more than ${MAX_SDES_APTS} SDES PRIV aipref identifiers: the others are not kept, the stream counts as most restrictive` });
  }

  /** The stream's preference, reporting once what is worth reporting about how it was found. */
  private preferenceOf(stream: StreamState, frame: number, ts: number): StreamPreference {
    const pref = this.preferences.of(stream);
    const dialog = stream.session.scope?.dialog ?? null;
    const mid = stream.section?.mid;
    if (pref.implicit && !(stream.reported & ReportedFlag.IMPLICIT)) {
      stream.reported |= ReportedFlag.IMPLICIT;
      // bound to an m-section whose identifiers are none, or to none of the dialog's m-sections
      const why = stream.section !== null ? `its m-section${mid ? ` ${mid}` : ''} names no identifier` : 'stream not bound to an m-section';
      // the dialog-level values it fell back to, not the repository's identifiers beside them
      const scope = stream.session.scope;
      const dialogLevel = scope === null ? pref.ids : pref.ids.filter((id) => scope.dialogApts.includes(id) || scope.pending?.dialogApts.includes(id) === true);
      this.report({ type: 'implicit-binding', ts, frame, dialog, ...(mid ? { mid } : {}), ssrc: stream.ssrc, apt: dialogLevel, detail: `dialog-level AI-Pref applied: ${why}` });
    }
    // each identifier once per stream: a later SDES tag naming another is a new occurrence
    const conflicts = newlyNamed(stream, 'c', pref.conflicting);
    if (conflicts.length > 0) this.report({ type: 'binding-conflict', ts, frame, dialog, ...(mid ? { mid } : {}), ssrc: stream.ssrc, apt: pref.ids, detail: `SDES PRIV names ${conflicts.join(', ')}, which signaling does not: both apply` });
    const unresolved = newlyNamed(stream, 'u', pref.unresolved);
    if (unresolved.length > 0) this.report({ type: 'unresolved-apt', ts, frame, dialog, ...(mid ? { mid } : {}), ssrc: stream.ssrc, apt: [...unresolved], detail: 'no statement for the identifier: counted as most restrictive' });
    // the operator's default standing in for absence (SPEC §3), unresolved as any identifier can be
    if (this.defaultUnresolved.length > 0 && (pref.ids.length === 0 || pref.withAbsence)) {
      const fresh = newlyNamed(stream, 'u', this.defaultUnresolved);
      if (fresh.length > 0) this.report({ type: 'unresolved-apt', ts, frame, dialog, ...(mid ? { mid } : {}), ssrc: stream.ssrc, apt: [...fresh], detail: "the operator's default APT: no statement for the identifier: counted as most restrictive" });
    }
    // as an unresolved identifier is: again by each stream it governs, with its SSRC (README)
    const failed = newlyNamed(stream, 'i', pref.failedIntegrity);
    if (failed.length > 0) this.report({ type: 'integrity-failure', ts, frame, dialog, ...(mid ? { mid } : {}), ssrc: stream.ssrc, apt: [...failed], detail: 'its integrity could not be verified: counted as most restrictive' });
    if (stream.session.scope === null && pref.ids.length === 0) this.reportUnbound(stream, frame, ts);
    return pref;
  }

  /** Whether a packet between these addresses (of this SSRC) travels on an SRTP m-section. */
  private srtpAt(addr: PacketAddress, ssrc: number): boolean {
    const entry = this.lookup(addr, ssrc);
    return entry !== undefined && this.keyring.on(entry, this.keyring.sectionsOf(entry)) === Srtcp.PROFILE;
  }

  /**
   * An SRTCP compound (RFC 3711 §3.4) that could not be decrypted: past its first eight bytes —
   * the first packet's header and its sender's SSRC — it is encrypted, and read as RTCP it is
   * noise (report blocks of random losses and jitters, SSRCs nobody sends). Its telemetry cannot
   * be judged nor exported: the packet is counted (as RTCP), its sender's stream noted, and
   * reported once per stream with why (`why`: no key, or none that authenticates it).
   */
  private encryptedRtcp(session: RtpSession, entry: TransportEntry, senderSsrc: number, frame: number, ts: number, why: string): void {
    const stream = this.streamFor(session, senderSsrc, ts, entry.sections);
    stream.lastSeen = ts;
    if (stream.reported & ReportedFlag.ENCRYPTED) return;
    stream.reported |= ReportedFlag.ENCRYPTED;
    const mid = stream.section?.mid;
    this.report({
      type: 'encrypted-rtcp',
      ts,
      frame,
      dialog: session.scope?.dialog ?? null,
      ...(mid ? { mid } : {}),
      ssrc: senderSsrc,
      detail: `SRTCP (secure RTP: RTP/SAVP, SAVPF, or SDES keys the answer accepted) not decrypted, ${why}: none of its telemetry is read, decided or exported`,
    });
  }

  private reportUnbound(stream: StreamState, frame: number, ts: number): void {
    if (stream.reported & ReportedFlag.UNBOUND) return;
    stream.reported |= ReportedFlag.UNBOUND;
    this.report({ type: 'unbound-stream', ts, frame, dialog: null, ssrc: stream.ssrc, detail: 'no dialog binds this stream' });
  }

  private malformed(frame: number, ts: number, detail: string): void {
    this.counters.malformed++;
    this.report({ type: 'malformed-input', ts, frame, dialog: null, detail: `frame ${frame}: ${detail}` });
  }

  private report(r: Report): void {
    const n = this.out.reports.length;
    this.out.reports.push({ frame: r.frame, key: `m${String(n).padStart(6, '0')}`, text: reportJson(r) });
  }

  private refreshDefault(): void {
    const id = this.defaultApt;
    if (id === null) {
      this.defaultPreference = null;
      this.defaultUnresolved = [];
      return;
    }
    // a default nothing states (no policy-file entry, nothing signaled) is an APT that cannot be
    // resolved: the most restrictive statement (SPEC §3), named in the decisions, not an absence
    const st = this.statements.get(id) ?? mostRestrictiveStatement(id, 'unresolved', 'no statement for this identifier');
    this.defaultPreference = resolvePreferences([st]);
    this.defaultUnresolved = st.status === 'unresolved' ? [id] : [];
  }

  private noteWindow(key: string, stream: StreamState): void {
    // most items fold into a window already noted
    if (this.windowStreams.get(key) === stream) return;
    this.windowStreams.set(key, stream);
    let filed = this.sessionWindows.get(stream.session);
    if (filed === undefined) {
      filed = new Map();
      this.sessionWindows.set(stream.session, filed);
    }
    filed.set(key, stream);
  }

  /**
   * Per stream of the session that was judged before: what decided its telemetry (deciding
   * state) and the name its aggregates carry, as they stand now.
   */
  private decidingStates(session: RtpSession): Map<StreamState, DecidingState> {
    const states = new Map<StreamState, DecidingState>();
    for (const stream of session.streams.values()) {
      const pref = this.preferences.last(stream);
      if (pref !== undefined) states.set(stream, { state: decidingState(pref, stream), ids: pref.ids, identity: identity(stream) });
    }
    return states;
  }

  /**
   * After a new scope (SPEC §5): telemetry before the change is judged by the old scope, after
   * it by the new one, so the windows of a stream whose deciding state changed close here,
   * named as the stream was. So do the windows that folded in items about such a stream (a
   * report block's subject governs the item too: its identifiers are among the window's).
   * A scope that changes nothing for a stream — a session refresh repeating its SDP, an answer
   * seen again through a proxy, an offer identical to what is in force (seed §3) — leaves its
   * windows running.
   */
  private closeChangedWindows(session: RtpSession, before: ReadonlyMap<StreamState, DecidingState>, frame: number, ts: number): void {
    const filed = this.sessionWindows.get(session);
    if (filed === undefined) return;
    const changed = new Set<StreamState>();
    const changedIds = new Set<string>();
    for (const [stream, was] of before) {
      if (decidingState(this.preferences.of(stream), stream) === was.state) continue;
      changed.add(stream);
      for (const id of was.ids) changedIds.add(id);
    }
    if (changed.size === 0) return;
    const closed: ClosedWindow[] = [];
    for (const [key, stream] of filed) {
      if (!changed.has(stream) && !(this.windows.aptOf(key) ?? []).some((id) => changedIds.has(id))) continue;
      const w = this.windows.close(key, 'scope-change', ts);
      if (w) closed.push(w);
    }
    this.emitWindows(closed, frame, 'w', before);
  }

  private closeSessionWindows(session: RtpSession, reason: WindowCloseReason, frame: number, ts: number): void {
    this.closeStreamWindows(session, (s) => s.session === session, reason, frame, ts, 'w');
  }

  /**
   * Closes every open window of the streams of `session` that `which` selects (a stream has one
   * per set of deciding APTs). The lines are sorted by key later, so the order they close in is free.
   */
  private closeStreamWindows(session: RtpSession, which: (s: StreamState) => boolean, reason: WindowCloseReason, frame: number, ts: number, keyPrefix: string): void {
    const filed = this.sessionWindows.get(session);
    if (filed === undefined) return;
    const closed: ClosedWindow[] = [];
    for (const [key, stream] of filed) {
      if (!which(stream)) continue;
      const w = this.windows.close(key, reason, ts);
      if (w) closed.push(w);
    }
    this.emitWindows(closed, frame, keyPrefix);
  }

  /**
   * Windows closed on time, at `frame`: keyed by their end (the moment that closed them), then
   * their key — several closed before one record stand in the order a live feed's idle ticks,
   * moving the clock on bit by bit, close them in.
   */
  private emitDue(closed: ClosedWindow[], frame: number): void {
    if (closed.length > 0) this.emitWindows(closed, frame, '', undefined, true);
  }

  /** `named`: how streams rebound since their windows' items were judged were named then; `byEnd`: keyed by end first (emitDue). */
  private emitWindows(closed: ClosedWindow[], frame: number, keyPrefix: string, named?: ReadonlyMap<StreamState, { identity: StreamIdentity }>, byEnd = false): void {
    for (const window of closed) {
      const stream = this.windowStreams.get(window.key);
      if (!stream) throw new Error(`aggregation window ${window.key} closed with no stream to name`);
      this.windowStreams.delete(window.key);
      const filed = this.sessionWindows.get(stream.session);
      if (filed !== undefined && filed.delete(window.key) && filed.size === 0) this.sessionWindows.delete(stream.session);
      const line = buildAggregateExport({ window, dialog: stream.session.scope?.dialog ?? null, stream: named?.get(stream)?.identity ?? identity(stream) });
      this.out.exports.push({ frame, key: byEnd ? `~${endKey(window.end)}~${window.key}` : `${keyPrefix}~${window.key}`, text: JSON.stringify(line) });
    }
  }
}

/**
 * The mid an RTP packet carries in its sdes:mid header extension (SPEC §2.4), read by every id
 * that the m-sections at the packet's address declare: under BUNDLE any of them may carry the
 * a=extmap line, with one id or different ones, so the first section's alone is not enough.
 * The first mid found is taken, whether or not it names a section (bindStream ignores one that
 * names none, as for SDES MID). Runs per packet until a stream's mid is learned — for ever for
 * a stream whose packets carry no mid — so it allocates nothing: indexed loops, no closures,
 * and an id two sections share is read once.
 */
function midFromExtension(scope: DialogScope, candidates: readonly number[], bytes: Uint8Array, extension: RtpHeaderView): string | undefined {
  for (let c = 0; c < candidates.length; c++) {
    const ids = sectionAt(scope, candidates[c]!)?.midExtIds;
    if (ids === undefined) continue;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (declaredBefore(scope, candidates, c, id)) continue;
      const mid = readRtpExtension(bytes, extension, id);
      if (mid !== undefined) {
        midExtensionId = id;
        return mid;
      }
    }
  }
  return undefined;
}

/** The extension id the last mid midFromExtension found was read by (a module variable: nothing allocated per packet). */
let midExtensionId = 0;

/**
 * Per report block, the RTP clock rate of the source it reports on, 0 when not known: the rate
 * of the payload type last seen in the source's RTP, by its m-section's a=rtpmap lines (else, for
 * a stream tied to none, by those of the dialog's m-sections that map it, when they agree) or
 * RFC 3551's static table — the m-section's codec's when that was a DTMF event or comfort noise
 * packet; before any RTP of it, the rate its m-section's media formats share.
 */
/** Whether two transport entries' m-section lists meet: the same transport, under an earlier or a later scope. */
function sharesSection(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (b.includes(a[i]!)) return true;
  return false;
}

function reportedClockRates(session: RtpSession, reports: readonly ReportBlock[]): number[] | undefined {
  if (reports.length === 0) return undefined;
  const rates: number[] = [];
  for (let i = 0; i < reports.length; i++) {
    const stream = session.streams.get(reports[i]!.ssrc);
    rates.push(stream === undefined ? 0 : streamClockRate(stream));
  }
  return rates;
}

/**
 * A packet of another payload type than the stream's last: taken as its format unless its
 * m-section maps no such type (by a=rtpmap or RFC 3551's static table) — an RTP keep-alive
 * sent with an unused type (RFC 6263 §4.6), which a receiver ignores (RFC 3550 §5.1): the
 * jitter it reports stays in the clock of the media before.
 */
function payloadTypeSeen(stream: StreamState, pt: number): void {
  const section = stream.section ?? stream.pendingSection;
  if (section === null || clockRateOfPt(pt, section.clockRates) !== undefined) stream.pt = pt;
}

function streamClockRate(stream: StreamState): number {
  const section = stream.section ?? stream.pendingSection;
  if (stream.pt < 0) return section?.sharedClockRate ?? 0;
  if (section !== null) {
    // a DTMF event or comfort noise packet last: the jitter is still in the codec's clock
    if (besideTheCodec(stream.pt, section.clockRates)) return section.mediaClockRate ?? 0;
    return clockRateOfPt(stream.pt, section.clockRates) ?? 0;
  }
  // no m-section to say which codec it is beside: a DTMF event or comfort noise gives no clock
  if (besideTheCodec(stream.pt, NO_CLOCK_RATES)) return 0;
  let agreed: number | undefined;
  for (const s of stream.session.scope?.sections ?? []) {
    const mapped = s.clockRates.find((r) => r.pt === stream.pt);
    if (mapped === undefined) continue;
    if (besideTheCodec(stream.pt, s.clockRates) || (agreed !== undefined && agreed !== mapped.rate)) return 0;
    agreed = mapped.rate;
  }
  return agreed ?? clockRateOfPt(stream.pt, NO_CLOCK_RATES) ?? 0;
}

const NO_CLOCK_RATES: readonly ClockRate[] = [];

/** Whether a section before candidates[upTo] declares the mid extension under `id` (already read). */
function declaredBefore(scope: DialogScope, candidates: readonly number[], upTo: number, id: number): boolean {
  for (let c = 0; c < upTo; c++) {
    const ids = sectionAt(scope, candidates[c]!)?.midExtIds;
    if (ids !== undefined && ids.includes(id)) return true;
  }
  return false;
}

/** A stream as a scope event found it: what decided its telemetry (decidingState), its identifiers, its name in aggregates. */
interface DecidingState {
  state: string;
  ids: readonly string[];
  identity: StreamIdentity;
}

function identity(stream: StreamState): StreamIdentity {
  return { ssrc: stream.ssrc, mid: streamMid(stream), kind: stream.section?.kind ?? null };
}

/**
 * What decides a stream's telemetry and names its aggregates, as one comparable text: every
 * identifier that applies, what they resolve to (export, features, retention, the deciding
 * APTs), whether absence applies beside them (an offer pending), whether the stream stopped, and its m-section's mid and kind. Compared by content:
 * the same preference resolved again may be another object.
 */
function decidingState(pref: StreamPreference, stream: StreamState): string {
  return JSON.stringify([pref.ids, pref.resolved, pref.withAbsence, pref.disabled, identity(stream)]);
}

/**
 * A stream's items are aggregated per set of deciding APTs: items judged by different
 * statements (an SR governed by the peer's tag too, an XR block by the sender's alone) are
 * kept apart rather than closing each other's windows item after item.
 */
function windowKey(stream: StreamState, apt: readonly string[]): string {
  // a stream's items mostly come one after the other under the same (shared) APT list
  const last = lastWindowKey;
  if (last.stream === stream && last.apt === apt && last.session === stream.session.key) return last.key;
  const key = windowKeyOf(stream, apt);
  last.stream = stream;
  last.apt = apt;
  last.session = stream.session.key;
  last.key = key;
  return key;
}

const lastWindowKey: { stream: StreamState | null; apt: readonly string[] | null; session: string; key: string } = { stream: null, apt: null, session: '', key: '' };

function windowKeyOf(stream: StreamState, apt: readonly string[]): string {
  const aptKey = sortedAptKey(apt);
  let byApt = windowKeys.get(stream);
  if (byApt === undefined) {
    byApt = new Map();
    windowKeys.set(stream, byApt);
  }
  const known = byApt.get(aptKey);
  // a stream adopted by another session (an early dialog confirmed) gets keys of its new session
  if (known !== undefined && known.session === stream.session.key) return known.key;
  const key = `${stream.session.key}#${stream.ssrc}#${aptKey}`;
  byApt.set(aptKey, { session: stream.session.key, key });
  return key;
}

/**
 * Window keys made once per stream and set of APTs: a key built per item was a fresh string
 * the window maps had to flatten and hash again for every aggregated item.
 */
const windowKeys = new WeakMap<StreamState, Map<string, { session: string; key: string }>>();

/** Decisions are shared (decideGoverned), so their APT lists are few: each is sorted once. */
const aptKeys = new WeakMap<readonly string[], string>();

function sortedAptKey(apt: readonly string[]): string {
  let key = aptKeys.get(apt);
  if (key === undefined) {
    key = [...apt].sort().join(',');
    aptKeys.set(apt, key);
  }
  return key;
}

/** An item's sort key within its frame: its index, zero-padded (the first few made once). */
const ITEM_KEYS = Array.from({ length: 64 }, (_, i) => String(i).padStart(4, '0'));

const endBits = new DataView(new ArrayBuffer(8));

/**
 * A window's end as a key part that sorts as the number does, whatever its sign or size (a
 * pcapng interface's negative time offset; times past 1e13 s): its IEEE 754 bits, the sign bit
 * set for a positive number and every bit flipped for a negative one, as 16 hex digits.
 */
function endKey(end: number): string {
  endBits.setFloat64(0, end);
  let hi = endBits.getUint32(0);
  let lo = endBits.getUint32(4);
  if (hi >= 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else hi = (hi | 0x80000000) >>> 0;
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function itemKey(index: number): string {
  return index < ITEM_KEYS.length ? ITEM_KEYS[index]! : String(index).padStart(4, '0');
}

/**
 * An RTP session with no dialog: the transport pair, unordered, with ports rounded down to
 * even so that RTP (even port) and its RTCP (port+1) share it.
 */
/** A dialog's scope under the key an early dialog is confirmed as (a rekey event), its pending offer too. */
export function rekeyedScope(scope: DialogScope, key: string, dialog: DialogRef): DialogScope {
  return { ...scope, key, dialog, pending: scope.pending ? { ...scope.pending, key, dialog } : null };
}

/**
 * An IPv4 datagram's unordered transport pair, ports rounded down to even (RTP and RTCP
 * together), as one number: the engine's shard for media no signaling routes, and the part of
 * the capture a core keeps RTT memory by (MediaCore.srPartition).
 */
export function unroutedPairV4(src4: number, sport: number, dst4: number, dport: number): number {
  const a = src4 * 65536 + (sport & ~1);
  const b = dst4 * 65536 + (dport & ~1);
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return ((lo % 2147483629) * 31 + (hi % 2147483629)) >>> 0;
}

/** The transport pair's key: both ends' addresses as text and even ports (RTP and its RTCP on port+1 are one pair), unordered. */
export function unboundSessionKey(addr: Pick<PacketAddress, 'src' | 'dst' | 'sport' | 'dport'>): string {
  const a = `${addr.src}:${addr.sport & ~1}`;
  const b = `${addr.dst}:${addr.dport & ~1}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Where a stream keeps the preference list it last looked at, per kind of report. */
const SEEN = { c: 'seenConflicting', u: 'seenUnresolved', i: 'seenFailedIntegrity' } as const;
const NONE_NEW: readonly string[] = [];

/**
 * The identifiers of `ids` not yet reported for the stream under `kind` (conflicting, unresolved,
 * failing integrity), now noted as reported. The same list as the last time (a stream's
 * preference is kept until something about it changes) has nothing new: no look through it.
 */
function newlyNamed(stream: StreamState, kind: keyof typeof SEEN, ids: readonly string[]): readonly string[] {
  if (ids.length === 0 || stream[SEEN[kind]] === ids) return NONE_NEW;
  stream[SEEN[kind]] = ids;
  const reported = (stream.reportedApts ??= new Set());
  const fresh: string[] = [];
  for (const id of ids) {
    if (reported.has(kind + id)) continue;
    reported.add(kind + id);
    fresh.push(id);
  }
  return fresh;
}


/** A retired unbound session holding tags, and the dialogs that routed its datagrams since (MediaCore.retiredTagged). */
interface RetiredTags {
  session: RtpSession;
  owners: Set<string>;
}

/** Retired unbound sessions holding tags kept at most (MediaCore.keepRetiredTags). */
const MAX_RETIRED_TAGGED = 200_000;

/** Whether every stream of the session was last seen UNBOUND_IDLE_SEC or more before `now`. */
function allIdle(session: RtpSession, now: number): boolean {
  for (const stream of session.streams.values()) if (now - stream.lastSeen < UNBOUND_IDLE_SEC) return false;
  return true;
}

/** Whether a stream of the session holds an SDES PRIV tag. */
function holdsTags(session: RtpSession): boolean {
  for (const stream of session.streams.values()) if (stream.sdesApts.length > 0) return true;
  return false;
}

/** Capture seconds a session of media no dialog routes stays after its last packet (sweepUnbound), and how often they are looked at. */
export const UNBOUND_IDLE_SEC = 300;
export const UNBOUND_SWEEP_SEC = 60;

/** SDES PRIV identifiers kept per stream (sdesLimit); an honest endpoint names one or two. */
export const MAX_SDES_APTS = 16;
/** What stands for the identifiers past MAX_SDES_APTS: nothing states it, so it is the most restrictive. */
const SDES_LIMIT_APT = '(too many SDES PRIV identifiers)';

/** Capture seconds a source no signaling routes is held on probation for its next packet. */
const PROBATION_SEC = 30;
/**
 * Sources held at most per core, the oldest going first: a memory guard only (~100 bytes
 * each). Results across worker counts agree until one core holds this many within PROBATION_SEC.
 */
const MAX_PROBATION = 65_536;


/** The report of an SRTCP compound the snap length cut: not read, its tag not captured (nor its sender's SSRC, under 8 bytes). */
function cutSrtcpDetail(len: number, cut: number): string {
  return `rtcp snaplen-cut at byte 0: SRTCP of ${len + cut} bytes cut by the capture's snap length after ${len}: ${len < 8 ? "its sender's SSRC not captured, not read" : 'its tag not captured, not decrypted'}`;
}
