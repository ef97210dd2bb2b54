/**
 * SIP dialogs (RFC 3261 §12) followed through a capture, in capture order: which messages
 * belong to which dialog, which carry offers and answers, and when dialogs start and end.
 *
 * A dialog is Call-ID + the caller's tag + the callee's tag. Before any response carries a
 * to-tag, an initial INVITE is tracked on its own (key with an empty callee tag); each
 * response with a new to-tag forks a dialog from it (RFC 3261 §13.2.2.4), inheriting the
 * INVITE's offer. State is bounded: at most `maxDialogs` entries (least recently seen
 * evicted first) and none idle for longer than `idleTimeoutSec` of capture time; each
 * eviction is reported.
 */
import { hash } from 'node:crypto';
import { readAiPrefBodies } from './ai-pref-body.js';
import { aiPrefOfMessage, type AiPrefValue } from './ai-pref-header.js';
import { aiIntegrityFailureReason, aiPrefRefusalWarning } from './aipref-refusal.js';
import type { DialogEndReason, DialogId, SignalingEvent, SipContext } from './dialog-events.js';
import type { Party } from './negotiated-scope.js';
import { OfferAnswerState, type MessageFacts } from './offer-answer.js';
import { parseSdp, type SessionDescription } from './sdp.js';
import { CUT_SDP_ID } from './sdp-aipref.js';
import { sdpBodyOf, type SipMessage, type SipParseResult } from './sip-message.js';

export interface DialogTrackerLimits {
  maxDialogs: number;
  /** capture seconds without a message after which a dialog is dropped */
  idleTimeoutSec: number;
  /** recent messages kept to recognise retransmissions */
  maxRecentMessages: number;
  /** ended dialogs remembered so their late messages (200 to BYE) stay quiet */
  maxEndedRemembered: number;
}

export const DEFAULT_DIALOG_LIMITS: DialogTrackerLimits = {
  maxDialogs: 50_000,
  idleTimeoutSec: 4 * 3600,
  maxRecentMessages: 8192,
  maxEndedRemembered: 8192,
};

export interface DialogTrackerStats {
  messages: number;
  retransmissions: number;
  /** messages outside any dialog the tracker follows (REGISTER, OPTIONS, unknown dialogs) */
  ignored: number;
  evicted: number;
}

/** 64*T1 (T1 = 500 ms): an INVITE transaction is complete this long after its first 2xx (RFC 3261 §13.2.2.4). */
const INVITE_COMPLETE_SEC = 32;

/** 'invite': an initial INVITE no response has given a to-tag yet. */
export type DialogPhase = 'invite' | 'early' | 'confirmed';

interface DialogState {
  key: string;
  callId: string;
  callerTag: string;
  /** '' while this entry is an initial INVITE without a to-tag */
  calleeTag: string;
  state: DialogPhase;
  /** CSeq of the INVITE that created it */
  inviteCseq: number;
  /** for an INVITE entry: the dialogs forked from it */
  forks: string[];
  /** for an INVITE entry: one of its dialogs was confirmed by a 2xx */
  confirmedFork: boolean;
  fromInvite: string | null;
  negotiation: OfferAnswerState;
  /** CSeq of an INVITE sent without SDP: its 2xx (or reliable 1xx) carries the offer */
  offerExpectedInResponseTo: number | null;
  cancelled: boolean;
  /** made from a mid-call request (the capture began after the call was set up): no set-up of its own is seen */
  adopted: boolean;
  /** on its source's clock (`source`) */
  lastSeen: number;
  /** the source of the message that last refreshed it (SipContext.source): whose clock it is judged on */
  source: number;
}

/** What one message says, parsed once. */
interface Parsed {
  m: SipMessage;
  sdp: SessionDescription | null;
  sdpText: string;
  aiPref: AiPrefValue[] | null;
  /** its body, which may carry SDP, was cut by the snap length before any m-section (cutBodyValue) */
  cutBeforeMedia: boolean;
}

export function dialogKey(callId: string, callerTag: string, calleeTag: string): string {
  return `${callId}\n${callerTag.toLowerCase()}\n${calleeTag.toLowerCase()}`;
}

/**
 * Tags are tokens, and tokens compare without regard to case (RFC 3261 §7.3.1; a Call-ID
 * compares byte by byte, §8.1.1.4): a BYE whose To-tag a proxy or B2BUA wrote in another case
 * ends the dialog. The dialog keeps the tags as its creating message wrote them.
 */
export function sameTag(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

/**
 * Files `entry` by its time among `due` (earliest first): one 2xx stamped far ahead (a wrong
 * clock) went to the end of the queue and held every later call's timer behind it, their
 * forks' early dialogs kept to the 4 h idle-out. Entries come nearly in order: the search is
 * from the end.
 */
function dueInOrder(due: { inviteKey: string; at: number }[], entry: { inviteKey: string; at: number }): void {
  let i = due.length;
  while (i > 0 && due[i - 1]!.at > entry.at) i--;
  due.splice(i, 0, entry);
}

/** Sources whose last message's stamp is kept (expireIdle's jump rule), at most: the least recently heard go. */
const MAX_SOURCES_TIMED = 4096;

/** The party that sends a response: the side the request was sent to (the request's From is the other). */
function responderOf(m: SipMessage, d: DialogState): Party {
  return sameTag(m.fromTag!, d.callerTag) ? 'callee' : 'caller';
}

export class DialogTracker {
  private readonly limits: DialogTrackerLimits;
  private readonly dialogs = new Map<string, DialogState>();
  /**
   * The same dialogs by source (DialogState.source), each in order of refresh: a live service's
   * capture agents each have a clock of their own (two HEP agents hours apart, one in a wrong
   * time zone), and a dialog idles out on its own agent's clock, not on another's. One source
   * offline, and where records say none.
   */
  private readonly bySource = new Map<number, Map<string, DialogState>>();
  private readonly ended = new Map<string, true>();
  /** by source, the capture time of its message before (expireIdle) */
  private readonly lastMessageTs = new Map<number, number>();
  /**
   * The capture clock at the message being handled (handle's `clock`): the present that dialogs'
   * idleness is judged at — not the record's own stamp, which a lone record stamped hours ahead
   * has wrong. What happened is dated by its own stamp (lastSeen, the events): a message stamped
   * ahead looks fresh until the clock gets there, one stamped behind stale; and a jump the clock
   * confirms at the next record finds the first record's dialogs as fresh as it. (An INVITE
   * transaction's 32 s timers stay on the records' own stamps, set and judged alike.)
   */
  private now = 0;
  /**
   * INVITEs a 2xx answered, with when the transaction is complete (RFC 3261 §13.2.2.4: 64*T1
   * after the first 2xx), when the early dialogs of forks that never answered end, in order.
   */
  private readonly forksDue = new Map<number, { inviteKey: string; at: number }[]>();
  /**
   * INVITEs a final failure ended, as they stood before it (their offer), until the INVITE
   * transaction is over (64*T1): on a forking proxy one branch's failure (486, or 487 to a
   * CANCEL that crossed another's 200) comes before another branch's 2xx, which the proxy
   * forwards all the same (RFC 3261 §16.7) and which makes the dialog (§13.2.2.4). Oldest first.
   */
  private readonly failedInvites = new Map<string, { invite: DialogState; until: number; source: number }>();
  /** recent distinct messages by Call-ID and Via branch (see transactionKeyOf), each list oldest first */
  private readonly recent = new Map<string, ContentDigest[]>();
  /** the transaction keys of those messages in arrival order (a ring once full), for eviction */
  private readonly recentOrder: string[] = [];
  private recentOldest = 0;
  readonly stats: DialogTrackerStats = { messages: 0, retransmissions: 0, ignored: 0, evicted: 0 };
  /**
   * By dialog key, the capture time of its last media packet, where a caller notes media (the
   * replay engine); null: dialogs idle out by SIP alone.
   */
  mediaActivity: ((dialogKey: string) => number) | null = null;
  /** By dialog key, the source whose record its last media packet was (0: none told). */
  mediaSource: ((dialogKey: string) => number) | null = null;
  /**
   * A source's capture clock now (the replay engine's per-source clocks: moved on by a live
   * service's time while the source is silent); null: one clock for every source, `now`.
   */
  sourceNow: ((source: number) => number) | null = null;

  constructor(limits: Partial<DialogTrackerLimits> = {}) {
    this.limits = { ...DEFAULT_DIALOG_LIMITS, ...limits };
  }

  /** Dialogs and pending initial INVITEs currently held. */
  get size(): number {
    return this.dialogs.size;
  }

  /** The current state of a dialog, for tools that print it. */
  snapshot(key: string): { dialog: DialogId; state: DialogPhase; negotiation: OfferAnswerState } | null {
    const d = this.dialogs.get(key);
    return d ? { dialog: idOf(d), state: d.state, negotiation: d.negotiation } : null;
  }

  /** `clock`: the capture clock at the message's record (the replay engine's CaptureClock); its own time by default. */
  handle(result: SipParseResult, ctx: SipContext, clock = ctx.ts): SignalingEvent[] {
    const events: SignalingEvent[] = [];
    this.stats.messages++;
    this.now = clock;
    this.expireIdle(ctx, events);
    const m = result.message;
    if (m === null || m.callId === null || m.fromTag === null || m.cseq === null) {
      pushSipErrors(events, result, ctx, null, null);
      this.stats.ignored++;
      return events;
    }
    // A response whose body runs past its end (a datagram cut short) is discarded (RFC 3261 §18.3:
    // MUST): a cut answer must confirm nothing. A cut request is read as it is: its recipient,
    // which would answer 400, is seen to answer it (a final CRLF lost is common)
    if (m.kind === 'response' && result.errors.some((e) => e.reason === 'body-truncated')) {
      const known = this.dialogOf(m);
      pushSipErrors(events, result, ctx, known?.key ?? null, known ? idOf(known) : null);
      this.stats.ignored++;
      return events;
    }
    if (this.isRetransmission(m)) {
      this.stats.retransmissions++;
      // a copy the snap length cut changes nothing, but what the capture lost is still said
      if (m.bodyCut === true) {
        const known = this.dialogOf(m);
        pushSipErrors(events, { message: m, errors: result.errors.filter((e) => e.reason === 'snaplen-cut') }, ctx, known?.key ?? null, known ? idOf(known) : null);
      }
      return events;
    }
    const known = this.dialogOf(m);
    const stampKey = known?.key ?? null;
    const stampDialog = known ? idOf(known) : null;
    pushSipErrors(events, result, ctx, stampKey, stampDialog);
    const parsed = this.parseContent(m, ctx, stampKey, stampDialog, events);
    const errorsEnd = events.length;
    if (m.kind === 'request') this.onRequest(parsed, ctx, events);
    else this.onResponse(parsed, ctx, events);
    // the dialog the message made (an initial INVITE's, the fork a response creates) is the one
    // its errors are reported under; one it ended keeps the stamp it had
    const made = this.dialogOf(m);
    if (made !== undefined && made !== known) {
      const dialog = idOf(made);
      for (let i = 0; i < errorsEnd; i++) {
        const e = events[i]!;
        if (e.type === 'parse-error') {
          e.key = made.key;
          e.dialog = dialog;
        }
      }
    }
    if (m.parts.length > 0) this.reportBodies(parsed, ctx, events);
    return events;
  }

  /** Statement bodies of a message that belongs to a dialog (or to an initial INVITE). */
  private reportBodies(p: Parsed, ctx: SipContext, events: SignalingEvent[]): void {
    const m = p.m;
    const { bodies, errors } = readAiPrefBodies(m, p.aiPref ?? []);
    if (bodies.length === 0 && errors.length === 0) return;
    const d = this.dialogOf(m);
    const key = d?.key ?? null;
    const dialog = d ? idOf(d) : null;
    for (const e of errors) events.push({ type: 'parse-error', frame: ctx.frame, ts: ctx.ts, key, dialog, source: 'ai-pref-body', reason: e.reason, where: e.offset, detail: e.detail });
    if (!d) return;
    const sentByCaller = sameTag(m.fromTag!, d.callerTag);
    const party: Party = m.kind === 'request' ? (sentByCaller ? 'caller' : 'callee') : sentByCaller ? 'callee' : 'caller';
    for (const body of bodies) events.push({ type: 'aipref-body', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), party, body });
  }

  private parseContent(m: SipMessage, ctx: SipContext, key: string | null, dialog: DialogId | null, events: SignalingEvent[]): Parsed {
    const sdpText = sdpBodyOf(m);
    let sdp: SessionDescription | null = null;
    if (sdpText !== null && sdpText.trim().length > 0) {
      const r = parseSdp(sdpText);
      sdp = r.sdp;
      for (const e of r.errors) events.push({ type: 'parse-error', frame: ctx.frame, ts: ctx.ts, key, dialog, source: 'sdp', reason: e.reason, where: e.line, detail: e.detail });
      // lines the snap length cut off may have restricted any stream of it: they stand as an
      // unresolved identifier at session level, after every line read
      if (sdp !== null && sdp.media.length > 0 && m.bodyCut === true) sdp.aiprefs.push({ scope: 'session', id: CUT_SDP_ID, params: {}, line: sdpText.split(/\r\n|\r|\n/).length, mediaIndex: null, garbled: true, cut: true });
    }
    // A body cut before any m-section was captured (to nothing, inside its session lines, an SDP
    // part lost): no offer or answer can be read of it — the message is not taken for one
    // without SDP (a delayed offer) or with no m-section — and what it said stands as the same
    // unresolved identifier, an AI-Pref value of session scope beside the party's others, until
    // its next SDP (offer-answer.ts): it governs every m-section
    // (headers cut: a Content-Type not captured may have been there, in any message of an
    // exchange that can carry an offer or answer)
    const mayCarrySdp = m.contentType === 'application/sdp' || m.contentType?.startsWith('multipart/') === true || (m.headersCut === true && m.contentType === null && OFFER_ANSWER_METHODS.has(m.cseq?.method ?? ''));
    const cutWithoutMedia = m.bodyCut === true && mayCarrySdp && (sdp === null || sdp.media.length === 0);
    if (cutWithoutMedia) sdp = null;
    let aiPref: AiPrefValue[] | null = null;
    if (m.headers.some((h) => h.name === 'ai-pref')) {
      const r = aiPrefOfMessage(m);
      aiPref = r.values;
      for (const e of r.errors) {
        const detail = e.kept === undefined ? e.text : `${e.text} (${e.kept} kept, unresolved)`;
        events.push({ type: 'parse-error', frame: ctx.frame, ts: ctx.ts, key, dialog, source: 'ai-pref', reason: e.reason, where: e.column, detail });
      }
    }
    return { m, sdp, sdpText: sdpText ?? '', aiPref, cutBeforeMedia: cutWithoutMedia };
  }

  // ---- requests -------------------------------------------------------------------------

  private onRequest(p: Parsed, ctx: SipContext, events: SignalingEvent[]): void {
    const m = p.m;
    if (m.method === 'INVITE' && m.toTag === null) return this.onInitialInvite(p, ctx, events);
    if (m.method === 'CANCEL') {
      const invite = this.dialogs.get(dialogKey(m.callId!, m.fromTag!, ''));
      if (invite) invite.cancelled = true;
      else this.stats.ignored++;
      return;
    }
    let d = this.findDialog(m);
    if (!d && m.toTag !== null && (m.method === 'INVITE' || m.method === 'UPDATE') && !this.wasEnded(m)) {
      // a capture that starts mid-call: the re-INVITE is the first we hear of the dialog (an
      // UPDATE without a To tag names none: RFC 3311 §5.1, answered 481, not adopted)
      d = this.adopt(m.callId!, m.fromTag!, m.toTag, ctx, events);
    }
    if (!d) {
      this.stats.ignored++;
      return;
    }
    this.touch(d, ctx);
    const party: Party = sameTag(m.fromTag!, d.callerTag) ? 'caller' : 'callee';
    const facts = this.facts(p, party, ctx);
    switch (m.method) {
      case 'BYE':
        return this.end(d, 'bye', ctx, events);
      case 'INVITE':
      case 'UPDATE':
        if (p.sdp) this.offer(d, p, facts, false, ctx, events);
        else {
          if (m.method === 'INVITE') d.offerExpectedInResponseTo = m.cseq!.seq;
          this.statement(d, facts, ctx, events);
        }
        return;
      case 'ACK':
      case 'PRACK':
        if (p.sdp && d.negotiation.answers(party, m.method, m.cseq!.seq)) this.answer(d, p, facts, ctx, events);
        else if (p.sdp && m.method === 'PRACK') {
          // the PRACK that answered, again (a relay's copy with its own addresses): not a new offer
          const repeat = d.negotiation.repeatedAnswer(facts, p.sdp, p.sdpText);
          if (repeat === 'not-a-repeat') this.offer(d, p, facts, false, ctx, events);
          else if (repeat) events.push({ type: 'answer', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), ...repeat });
        } else this.statement(d, facts, ctx, events);
        return;
      default:
        this.statement(d, facts, ctx, events);
    }
  }

  private onInitialInvite(p: Parsed, ctx: SipContext, events: SignalingEvent[]): void {
    const m = p.m;
    const key = dialogKey(m.callId!, m.fromTag!, '');
    let invite = this.dialogs.get(key);
    if (invite && invite.inviteCseq === m.cseq!.seq) {
      // the same INVITE again with other bytes: another proxy hop (new Via), perhaps with the
      // SDP a media relay rewrote, which adds that leg's addresses to the offer
      this.touch(invite, ctx);
      if (p.sdp) this.offer(invite, p, this.facts(p, 'caller', ctx), false, ctx, events);
      return;
    }
    // the INVITE before it still awaited its answer: its challenge (401/407) or failure was not captured
    const superseded = invite !== undefined && invite.negotiation.pending !== null;
    if (invite) {
      // a new INVITE on the same call leg, typically after a 401/407 challenge
      invite.inviteCseq = m.cseq!.seq;
      invite.negotiation = new OfferAnswerState();
      invite.cancelled = false;
      invite.offerExpectedInResponseTo = null;
    } else {
      invite = newState(key, m.callId!, m.fromTag!, '', 'invite', m.cseq!.seq, null, new OfferAnswerState());
      this.insert(invite, ctx, events);
    }
    this.touch(invite, ctx);
    const facts = this.facts(p, 'caller', ctx);
    // (what the earlier INVITE offered goes, as for any offer a new one takes the place of)
    if (p.sdp) this.offer(invite, p, facts, false, ctx, events, superseded);
    else {
      invite.offerExpectedInResponseTo = m.cseq!.seq;
      this.statement(invite, facts, ctx, events);
    }
  }

  // ---- responses ------------------------------------------------------------------------

  private onResponse(p: Parsed, ctx: SipContext, events: SignalingEvent[]): void {
    const m = p.m;
    const method = m.cseq!.method;
    const seq = m.cseq!.seq;
    const inviteKey = dialogKey(m.callId!, m.fromTag!, '');
    const invite = this.dialogs.get(inviteKey);
    let d = this.findDialog(m);

    if (method === 'INVITE' && m.status >= 300) {
      // Another fork answered 2xx already: this failure (a forking proxy's 487 to the branches it
      // cancelled) ends its own early dialog only; the INVITE and its offer were answered.
      if (invite && invite.inviteCseq === seq && invite.confirmedFork) {
        if (d && d.state === 'early') this.end(d, m.status === 487 ? 'cancelled' : 'rejected', ctx, events, m.status);
        // (a branch the capture never saw a provisional from: nothing of it to end)
        return;
      }
      if (invite && invite.inviteCseq === seq && (!d || d.state === 'early')) return this.initialInviteFailed(invite, m, ctx, events);
      if (d && d.state === 'early' && d.inviteCseq === seq) {
        // the INVITE entry was evicted or never seen: end the early dialog on its own
        this.rejectPending(d, m, ctx, events, false, true);
        return this.end(d, m.status === 487 ? 'cancelled' : 'rejected', ctx, events, m.status);
      }
    }
    if (!d) {
      if (m.toTag === null || method !== 'INVITE' || m.status < 101 || m.status >= 300) {
        this.stats.ignored++;
        return;
      }
      // another branch's failure was not the INVITE's when a 2xx follows it (see failedInvites)
      const revived = !invite && m.status >= 200 && m.status < 300 ? this.failedInvite(inviteKey, seq, ctx) : undefined;
      if (invite && invite.inviteCseq === seq) d = this.fork(invite, m, ctx, events);
      else if (revived !== undefined) {
        this.failedInvites.delete(inviteKey);
        this.ended.delete(dialogKey(m.callId!, m.fromTag!, m.toTag));
        this.insert(revived, ctx, events);
        d = this.fork(revived, m, ctx, events);
      } else if (m.status >= 200 && !this.wasEnded(m)) d = this.adopt(m.callId!, m.fromTag!, m.toTag, ctx, events);
      else {
        this.stats.ignored++;
        return;
      }
    }
    this.touch(d, ctx);
    if (method === 'INVITE' && m.status >= 200 && m.status < 300) {
      if (d.state === 'early') {
        d.state = 'confirmed';
        events.push({ type: 'dialog-confirmed', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d) });
      }
      const parent = d.fromInvite === null ? undefined : this.dialogs.get(d.fromInvite);
      if (parent && !parent.confirmedFork) {
        parent.confirmedFork = true;
        const source = ctx.source ?? 0;
        let due = this.forksDue.get(source);
        if (due === undefined) this.forksDue.set(source, (due = []));
        dueInOrder(due, { inviteKey: parent.key, at: ctx.ts + INVITE_COMPLETE_SEC });
      }
    }
    const party = responderOf(m, d);
    const facts = this.facts(p, party, ctx);

    if (m.status >= 300) {
      // RFC 3261 §12.2.1.2: 481 and 408 to an in-dialog request end the dialog — not to a
      // CANCEL (matched to the INVITE's transaction, §9.2: it came too late) nor to a PRACK
      // (no reliable provisional it acknowledges, RFC 3262 §3: one that crossed the 2xx)
      const ends = (m.status === 481 || m.status === 408) && method !== 'CANCEL' && method !== 'PRACK';
      this.rejectPending(d, m, ctx, events, false, ends);
      if (ends) this.end(d, 'in-dialog-failure', ctx, events, m.status);
      return;
    }
    if (m.status < 101) return;
    if (method === 'INVITE' && m.status >= 200) {
      // the 2xx confirms the answer the INVITE's provisional response gave (SDP or not, in this one)
      const confirmed = d.negotiation.confirm(seq);
      if (confirmed) events.push({ type: 'answer-confirmed', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), cseq: seq, ...confirmed });
    }
    if (!p.sdp) return this.statement(d, facts, ctx, events);

    if (d.negotiation.answers(party, method, seq)) return this.answer(d, p, facts, ctx, events);
    const repeat = d.negotiation.repeatedAnswer(facts, p.sdp, p.sdpText);
    if (repeat !== 'not-a-repeat') {
      if (repeat) events.push({ type: 'answer', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), ...repeat });
      return;
    }
    if (method === 'INVITE' && d.offerExpectedInResponseTo === seq) return this.offer(d, p, facts, true, ctx, events);
    this.statement(d, facts, ctx, events);
  }

  private initialInviteFailed(invite: DialogState, m: SipMessage, ctx: SipContext, events: SignalingEvent[]): void {
    const cancelled = invite.cancelled || m.status === 487;
    this.failedInvites.delete(invite.key);
    this.failedInvites.set(invite.key, { invite: { ...invite, negotiation: invite.negotiation.clone(), forks: [] }, until: ctx.ts + INVITE_COMPLETE_SEC, source: ctx.source ?? 0 });
    for (const [key, failed] of this.failedInvites) {
      if (failed.until >= this.stampNow(failed.source, ctx) && this.failedInvites.size <= this.limits.maxDialogs) break;
      this.failedInvites.delete(key);
    }
    // the failure names the early dialog it ends (its To tag): the report is that dialog's
    const named = m.toTag === null ? undefined : this.dialogs.get(dialogKey(invite.callId, invite.callerTag, m.toTag));
    this.rejectPending(invite, m, ctx, events, cancelled, true, named);
    for (const forkKey of invite.forks) {
      const fork = this.dialogs.get(forkKey);
      if (fork && fork.state === 'early') this.end(fork, cancelled ? 'cancelled' : 'rejected', ctx, events, m.status);
    }
    this.drop(invite);
    // The INVITE's own early state (its offer's scope) ends with it, and is said to, so that
    // what was kept for it downstream goes too. Not remembered as ended: an INVITE sent again
    // after a 401/407 challenge takes the same key.
    events.push({ type: 'dialog-ended', frame: ctx.frame, ts: ctx.ts, key: invite.key, dialog: idOf(invite), reason: cancelled ? 'cancelled' : 'rejected', status: m.status });
  }

  /** The INVITE `inviteKey` with CSeq `seq`, as it stood before a failure ended it, while its transaction may still see a 2xx. */
  private failedInvite(inviteKey: string, seq: number, ctx: SipContext): DialogState | undefined {
    const failed = this.failedInvites.get(inviteKey);
    return failed !== undefined && failed.invite.inviteCseq === seq && this.stampNow(failed.source, ctx) <= failed.until ? failed.invite : undefined;
  }

  /** `named`: the dialog the failure names where it is not `d` (an initial INVITE's early dialog). */
  private rejectPending(d: DialogState, m: SipMessage, ctx: SipContext, events: SignalingEvent[], cancelled: boolean, ending: boolean, named?: DialogState): void {
    // two crossing re-INVITEs may carry the same CSeq number, one per side (RFC 3261 §14.1
    // glare): the failure settles the offer of the side whose request it answers
    if (!d.negotiation.reject(m.cseq!.method, m.cseq!.seq, responderOf(m, d))) return;
    const warning = aiPrefRefusalWarning(m);
    const integrityReason = aiIntegrityFailureReason(m);
    events.push({
      type: 'offer-rejected',
      frame: ctx.frame,
      ts: ctx.ts,
      key: d.key,
      dialog: idOf(named ?? d),
      status: m.status,
      reason: warning ? 'aipref-refused' : integrityReason ? 'integrity-refused' : cancelled ? 'cancelled' : 'rejected',
      warning,
      integrityReason,
      method: m.cseq!.method,
      cseq: m.cseq!.seq,
      effective: d.negotiation.inForce(),
      proposed: d.negotiation.restricting(),
      answeredBefore: d.negotiation.answered(),
      ending,
    });
  }

  // ---- negotiation ----------------------------------------------------------------------

  private facts(p: Parsed, party: Party, ctx: SipContext): MessageFacts {
    const m = p.m;
    return { party, method: m.kind === 'request' ? m.method : m.cseq!.method, cseq: m.cseq!.seq, status: m.status, frame: ctx.frame, aiPref: p.aiPref, ...(p.cutBeforeMedia && { cutStandIn: cutBodyValue() }) };
  }

  /** `supersedesEarlier`: it takes the place of an offer an earlier negotiation state still awaited (an INVITE sent again). */
  private offer(d: DialogState, p: Parsed, facts: MessageFacts, inResponse: boolean, ctx: SipContext, events: SignalingEvent[], supersedesEarlier = false): void {
    const payload = d.negotiation.offer(facts, p.sdp!, p.sdpText, inResponse);
    if (payload) events.push({ type: 'offer', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), ...payload, supersedes: payload.supersedes || supersedesEarlier });
  }

  private answer(d: DialogState, p: Parsed, facts: MessageFacts, ctx: SipContext, events: SignalingEvent[]): void {
    // An INVITE without SDP has one offer, in a response: once it is answered (in the PRACK of a
    // reliable 183, or the ACK), the 200 that repeats it is not a new offer awaiting an answer.
    if (d.negotiation.pending?.inResponse === true) d.offerExpectedInResponseTo = null;
    const payload = d.negotiation.answer(facts, p.sdp!, p.sdpText);
    if (payload) events.push({ type: 'answer', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), ...payload });
  }

  /**
   * AI-Pref stated outside an offer. `midCall` once an offer/answer exchange has completed,
   * except in the initial INVITE's own transaction (its responses, its ACK, the PRACKs of its
   * reliable provisionals): what those state is the call's set-up, in force as stated; anything
   * else (an INFO, an UPDATE or re-INVITE without SDP, their responses, a re-INVITE's ACK) no
   * answer will confirm.
   */
  private statement(d: DialogState, facts: MessageFacts, ctx: SipContext, events: SignalingEvent[]): void {
    // The initial INVITE's transaction is the caller's: its INVITE and ACK (and the PRACKs of its
    // reliable provisionals) come from the caller, its responses from the callee. The callee's own
    // requests number their CSeq apart, and may well reuse the INVITE's number.
    const request = facts.status === 0;
    const callersTransaction = request ? facts.party === 'caller' : facts.party === 'callee';
    const setUp =
      !d.adopted &&
      callersTransaction &&
      (((facts.method === 'INVITE' || facts.method === 'ACK') && facts.cseq === d.inviteCseq) || (facts.method === 'PRACK' && d.state !== 'confirmed'));
    // a dialog the capture joined mid-call has something in force already, answered or not
    const midCall = (d.negotiation.answered() || d.adopted) && !setUp;
    const awaitsAnswer = request && facts.method === 'INVITE' && d.state === 'invite';
    const payload = d.negotiation.statement(facts);
    if (payload) events.push({ type: 'aipref-changed', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), ...payload, midCall, awaitsAnswer });
  }

  // ---- dialog lifecycle -----------------------------------------------------------------

  /** The dialog a message belongs to: its own (both tags), else its INVITE's early state. */
  private dialogOf(m: SipMessage): DialogState | undefined {
    return this.findDialog(m) ?? this.dialogs.get(dialogKey(m.callId!, m.fromTag!, ''));
  }

  private findDialog(m: SipMessage): DialogState | undefined {
    if (m.toTag === null || m.callId === null || m.fromTag === null) return undefined;
    return this.dialogs.get(dialogKey(m.callId, m.fromTag, m.toTag)) ?? this.dialogs.get(dialogKey(m.callId, m.toTag, m.fromTag));
  }

  private wasEnded(m: SipMessage): boolean {
    if (m.toTag === null) return false;
    return this.ended.has(dialogKey(m.callId!, m.fromTag!, m.toTag)) || this.ended.has(dialogKey(m.callId!, m.toTag, m.fromTag!));
  }

  private fork(invite: DialogState, m: SipMessage, ctx: SipContext, events: SignalingEvent[]): DialogState {
    const key = dialogKey(invite.callId, invite.callerTag, m.toTag!);
    const state = m.status >= 200 ? 'confirmed' : 'early';
    const d = newState(key, invite.callId, invite.callerTag, m.toTag!, state, invite.inviteCseq, invite.key, invite.negotiation.clone());
    d.offerExpectedInResponseTo = invite.offerExpectedInResponseTo;
    d.cancelled = invite.cancelled;
    invite.forks.push(key);
    this.insert(d, ctx, events);
    events.push({ type: 'dialog-created', frame: ctx.frame, ts: ctx.ts, key, dialog: idOf(d), state, fromInvite: invite.key, adopted: false });
    return d;
  }

  private adopt(callId: string, callerTag: string, calleeTag: string, ctx: SipContext, events: SignalingEvent[]): DialogState {
    const key = dialogKey(callId, callerTag, calleeTag);
    const d = newState(key, callId, callerTag, calleeTag, 'confirmed', 0, null, new OfferAnswerState());
    d.adopted = true;
    this.insert(d, ctx, events);
    events.push({ type: 'dialog-created', frame: ctx.frame, ts: ctx.ts, key, dialog: idOf(d), state: 'confirmed', fromInvite: null, adopted: true });
    return d;
  }

  private end(d: DialogState, reason: DialogEndReason, ctx: SipContext, events: SignalingEvent[], status?: number): void {
    this.drop(d);
    this.remember(d.key);
    const invite = d.fromInvite === null ? undefined : this.dialogs.get(d.fromInvite);
    let inviteOver: string | undefined;
    if (invite) {
      invite.forks = invite.forks.filter((k) => k !== d.key);
      // the INVITE was answered and its last dialog is over: nothing can refer to it any more
      if (invite.forks.length === 0 && invite.confirmedFork) {
        this.drop(invite);
        this.remember(invite.key);
        inviteOver = invite.key;
      }
    }
    events.push({
      type: 'dialog-ended',
      frame: ctx.frame,
      ts: ctx.ts,
      key: d.key,
      dialog: idOf(d),
      reason,
      ...(status === undefined ? {} : { status }),
      ...(inviteOver === undefined ? {} : { inviteOver }),
    });
    // the call a forked INVITE established is over: its forks that never answered are too
    if (invite && invite.confirmedFork && d.state === 'confirmed') this.endEarlyForks(invite, ctx, events);
  }

  /**
   * The early dialogs of an answered INVITE's forks that never answered end (as cancelled: the
   * forking proxy cancels them at the 2xx, RFC 3261 §16.7, and the capture may not show their
   * 487): at the end of the INVITE transaction, or when the call it established ends. Left
   * open, the last of them took the ended call's media (it names the caller's address too).
   */
  private endEarlyForks(invite: DialogState, ctx: SipContext, events: SignalingEvent[]): void {
    for (const key of [...invite.forks]) {
      const fork = this.dialogs.get(key);
      if (fork && fork.state === 'early') this.end(fork, 'cancelled', ctx, events);
    }
  }

  private remember(key: string): void {
    this.ended.set(key, true);
    if (this.ended.size > this.limits.maxEndedRemembered) this.ended.delete(this.ended.keys().next().value!);
  }

  /**
   * Map order is least recently seen first: re-inserting on every message keeps it so. The
   * INVITE a dialog grew from lives as long as the dialog (it ends with the last of its
   * dialogs), so it is refreshed too rather than idling out under a live call.
   */
  private touch(d: DialogState, ctx: SipContext): void {
    const invite = d.fromInvite === null ? undefined : this.dialogs.get(d.fromInvite);
    if (invite) this.refresh(invite, ctx);
    this.refresh(d, ctx);
  }

  /**
   * `at`: when it was seen (a message's own stamp, or when media kept it: expireIdle), on the clock
   * of `source` (the message's, or the dialog's own when media kept it)
   */
  private refresh(d: DialogState, ctx: SipContext, at = ctx.ts, source = ctx.source ?? 0): void {
    d.lastSeen = at;
    this.dialogs.delete(d.key);
    this.dialogs.set(d.key, d);
    this.list(d, source);
  }

  /** Whether any dialog is judged on the source's clock (the message that last refreshed it was the source's). */
  holdsSource(source: number): boolean {
    return this.bySource.has(source);
  }

  /** Last in its source's order, moved there from another source's. */
  private list(d: DialogState, source: number): void {
    if (d.source !== source) this.unlist(d);
    d.source = source;
    let group = this.bySource.get(source);
    if (group === undefined) this.bySource.set(source, (group = new Map()));
    group.delete(d.key);
    group.set(d.key, d);
  }

  /** Out of its source's order; a source left with no dialog goes. */
  private unlist(d: DialogState): void {
    const group = this.bySource.get(d.source);
    if (group !== undefined && group.delete(d.key) && group.size === 0) this.bySource.delete(d.source);
  }

  /** Gone from the table (ended, evicted, its INVITE over). */
  private drop(d: DialogState): void {
    this.dialogs.delete(d.key);
    this.unlist(d);
  }

  private insert(d: DialogState, ctx: SipContext, events: SignalingEvent[]): void {
    d.lastSeen = ctx.ts;
    this.dialogs.set(d.key, d);
    this.list(d, ctx.source ?? 0);
    while (this.dialogs.size > this.limits.maxDialogs) {
      const oldest = this.dialogs.values().next().value!;
      this.evict(oldest, 'max-dialogs', ctx, events);
    }
  }

  /**
   * Source `source`'s time now on its records' own stamps, for an INVITE transaction's timers:
   * the message's own stamp where it is that source's, else that source's clock now.
   */
  private stampNow(source: number, ctx: SipContext): number {
    return this.sourceNow === null || source === (ctx.source ?? 0) ? ctx.ts : this.sourceNow(source);
  }

  private expireIdle(ctx: SipContext, events: SignalingEvent[]): void {
    // an INVITE transaction's timers on the records' own stamps, set and judged alike (a merged
    // capture's other source ahead moved the clock, and a 486's 32 s looked long gone), each
    // source's on its own (another agent's stamps, a clock minutes off, ended them at once)
    for (const [source, due] of this.forksDue) {
      const now = this.stampNow(source, ctx);
      let n = 0;
      while (n < due.length && now >= due[n]!.at) {
        const invite = this.dialogs.get(due[n++]!.inviteKey);
        if (invite) this.endEarlyForks(invite, ctx, events);
      }
      if (n === due.length) this.forksDue.delete(source);
      else if (n > 0) due.splice(0, n);
    }
    // One message further from the one before than the idle bound (a record stamped hours ahead,
    // a HEP agent with a wrong clock) moves no dialog out: the next message, if the capture really
    // went on that far, does (a single outlier ended every call in the capture)
    // (by the records' own stamps: the capture clock has its own such rule, and a jump it confirmed is not swallowed twice)
    // (each source's on its own stamps: two agents hours apart take turns)
    const source = ctx.source ?? 0;
    const jump = ctx.ts - (this.lastMessageTs.get(source) ?? Number.NEGATIVE_INFINITY);
    // (least recently heard first: the sources a live service forgets are never heard again)
    this.lastMessageTs.delete(source);
    this.lastMessageTs.set(source, ctx.ts);
    if (this.lastMessageTs.size > MAX_SOURCES_TIMED) this.lastMessageTs.delete(this.lastMessageTs.keys().next().value!);
    if (jump > this.limits.idleTimeoutSec) return;
    for (const [s, group] of this.bySource) {
      // each source's dialogs on its own clock (at the message, for the message's source); one clock, `now`, where sources are not told apart
      const now = this.sourceNow === null ? this.now : this.sourceNow(s);
      this.expireIdleOf(group, now, s === source ? ctx.ts : now, ctx, events);
    }
  }

  /**
   * One source's dialogs, judged at `now` on its clock; `dated`: when media keeps one, no earlier
   * than (the message's own stamp, where the message is this source's).
   */
  private expireIdleOf(group: Map<string, DialogState>, now: number, dated: number, ctx: SipContext, events: SignalingEvent[]): void {
    for (const d of group.values()) {
      if (now - d.lastSeen <= this.limits.idleTimeoutSec) {
        // (the map is in order of refresh: one dated ahead of the clock — its message a lone
        // record stamped hours ahead — is passed over, not the walk's end, or every dialog
        // refreshed after it hid behind it until the clock reached its stamp)
        if (d.lastSeen > now) continue;
        break;
      }
      // a call whose media still flows is running, SIP or not (no session timers: nothing
      // refreshes it for hours): refreshed as by a message now (the map stays in order of
      // lastSeen), its media looked at again when it is found idle again — so a call idles
      // out between one and two idle bounds after its last packet
      // (dated no earlier than the clock the walk judges by: one dated by a message stamped hours
      // behind it — a merged capture's other source, the clock confirmed ahead — came round again
      // at the walk's end, idle again, and the walk never ended)
      if (this.mediaAgeOf(d, now) <= this.limits.idleTimeoutSec) {
        this.refresh(d, ctx, Math.max(dated, now), d.source);
        continue;
      }
      this.evict(d, 'idle-timeout', ctx, events);
    }
  }

  /**
   * Where media is noted (the replay engine routes it), how long ago the dialog's was last seen
   * (an answered INVITE's entry: its dialogs' media), each packet on its own source's clock: `now`
   * for the dialog's own source, the source's clock now for another's (Infinity: none seen).
   */
  private mediaAgeOf(d: DialogState, now: number): number {
    const of = this.mediaActivity;
    if (of === null) return Number.POSITIVE_INFINITY;
    let age = this.mediaAgeOfKey(d.key, d.source, now, of);
    for (const key of d.forks) age = Math.min(age, this.mediaAgeOfKey(key, d.source, now, of));
    return age;
  }

  private mediaAgeOfKey(key: string, source: number, now: number, of: (dialogKey: string) => number): number {
    const last = of(key);
    if (last === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const from = this.sourceNow === null || this.mediaSource === null ? source : this.mediaSource(key);
    return (from === source ? now : this.sourceNow!(from)) - last;
  }

  private evict(d: DialogState, limit: 'max-dialogs' | 'idle-timeout', ctx: SipContext, events: SignalingEvent[]): void {
    if (d.confirmedFork && d.forks.length > 0) {
      // an answered INVITE's entry is touched with its dialogs and goes with the last of them
      // (end: inviteOver): they are what is evicted and said to be, not the entry beside them
      // (a call that idled out was reported twice, once with an empty To tag)
      for (const key of [...d.forks]) {
        const fork = this.dialogs.get(key);
        if (fork) this.evict(fork, limit, ctx, events);
      }
      if (!this.dialogs.has(d.key)) return;
    }
    this.stats.evicted++;
    const bound = limit === 'max-dialogs' ? this.limits.maxDialogs : this.limits.idleTimeoutSec;
    events.push({ type: 'state-limit', frame: ctx.frame, ts: ctx.ts, key: d.key, dialog: idOf(d), limit, bound });
    this.end(d, limit === 'max-dialogs' ? 'evicted' : 'idle-timeout', ctx, events);
  }

  private isRetransmission(m: SipMessage): boolean {
    const key = transactionKeyOf(m);
    const recent = contentDigestOf(m);
    const seen = this.recent.get(key);
    if (seen?.includes(recent)) return true;
    // a copy the capture's snap length cut: its headers say which message it is (its body,
    // shorter, cannot), so a cut copy of a message seen whole — or cut elsewhere — is a repeat
    if (m.bodyCut === true && seen !== undefined) {
      // (its header section cut too, not even its headers can be compared: a message of the
      // transaction seen before is taken for the one it is a copy of)
      const startLine = recent.slice(0, recent.indexOf('|') + 1);
      if (m.headersCut === true && seen.some((d) => d.startsWith(startLine))) return true;
      const headers = recent.slice(0, startLine.length + HEADERS_DIGEST_LENGTH);
      if (seen.some((d) => d.startsWith(headers))) return true;
    }
    const max = this.limits.maxRecentMessages;
    if (max <= 0) return false;
    if (this.recentOrder.length === max) {
      // the oldest message goes: it is the first under its key
      const oldestKey = this.recentOrder[this.recentOldest]!;
      const list = this.recent.get(oldestKey)!;
      list.shift();
      if (list.length === 0) this.recent.delete(oldestKey);
      this.recentOrder[this.recentOldest] = key;
      this.recentOldest = (this.recentOldest + 1) % max;
    } else this.recentOrder.push(key);
    // looked up again: the eviction may have emptied this very key
    const list = this.recent.get(key);
    if (list) list.push(recent);
    else this.recent.set(key, [recent]);
    return false;
  }
}

function newState(
  key: string,
  callId: string,
  callerTag: string,
  calleeTag: string,
  state: DialogPhase,
  inviteCseq: number,
  fromInvite: string | null,
  negotiation: OfferAnswerState,
): DialogState {
  return { key, callId, callerTag, calleeTag, state, inviteCseq, forks: [], confirmedFork: false, fromInvite, negotiation, offerExpectedInResponseTo: null, cancelled: false, adopted: false, lastSeen: 0, source: 0 };
}

/** A message's SIP parse errors as events, under the dialog (`key`, `dialog`) they are reported in. */
function pushSipErrors(events: SignalingEvent[], result: SipParseResult, ctx: SipContext, key: string | null, dialog: DialogId | null): void {
  for (const e of result.errors) events.push({ type: 'parse-error', frame: ctx.frame, ts: ctx.ts, key, dialog, source: 'sip', reason: e.reason, where: e.offset, ...(e.detail === undefined ? {} : { detail: e.detail }) });
}

function idOf(d: DialogState): DialogId {
  return { callId: d.callId, fromTag: d.callerTag, toTag: d.calleeTag };
}

/**
 * A retransmission repeats the transaction (Via branch, CSeq), the dialog (Call-ID, tags),
 * the status and every header value and body byte. Call-ID and Via branch are the key; the
 * rest is compared only with the few earlier messages under the same key (the transaction's).
 */
function transactionKeyOf(m: SipMessage): string {
  return m.viaBranch === null ? m.callId! : m.callId + '\n' + m.viaBranch;
}

/**
 * What is kept of a recent message: a digest of everything a retransmission repeats, the
 * start-line fields, every header name and value and the body. The text and body themselves,
 * 8192 messages of them, were a fifth of a long-running service's heap (test/pipeline/soak:
 * 20 MB, 16 MB with digests); SHA-256, not a faster hash, so that no sender can make a new
 * message pass for a repeat.
 */
type ContentDigest = string;

/** The stand-in for what a body cut before its m-sections said (CUT_SDP_ID, unresolved): session scope, so that it governs every m-section of the call, not only where nothing else does as a dialog-level value. */
function cutBodyValue(): AiPrefValue {
  return { id: CUT_SDP_ID, idQuoted: false, scope: 'session', type: null, version: null, integrity: null, uri: null, policy: null, params: {}, column: 0, garbled: true, cut: true };
}

/** Methods whose requests or responses may carry an offer or an answer (RFC 3261 §13, RFC 3262, RFC 3311). */
const OFFER_ANSWER_METHODS: ReadonlySet<string> = new Set(['INVITE', 'ACK', 'PRACK', 'UPDATE']);

/** The length of the headers' digest after the start line of a ContentDigest (SHA-256 in base64). */
const HEADERS_DIGEST_LENGTH = 44;

/** Call-ID, tags, CSeq and branch all come from the headers: equal texts, equal transaction and dialog. */
function contentDigestOf(m: SipMessage): ContentDigest {
  const lines = [m.kind, m.method, String(m.status)];
  // names are tokens (no ':') and values hold no line break (folding is undone): the text reads back one way
  for (const h of m.headers) lines.push(h.name + ':' + h.value);
  // the start line in clear (a copy whose headers the snap length cut is known by it and its
  // transaction alone), then two digests of fixed length: the text's, then the body's
  const text = `${m.kind} ${m.method} ${m.status}|` + hash('sha256', lines.join('\n'), 'base64');
  return m.body.length === 0 ? text : text + hash('sha256', m.body, 'base64');
}
