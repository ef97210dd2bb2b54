/**
 * What the dialog tracker tells the stages below it. Plain data, every event stamped with
 * the frame and capture time of the message that caused it, so a change can be applied
 * exactly at the packet where it was seen (SPEC §5).
 */
import type { AiPrefBody } from './ai-pref-body.js';
import type { AiPrefValue } from './ai-pref-header.js';
import type { SipWarning } from './aipref-refusal.js';
import type { NegotiatedScope, Party } from './negotiated-scope.js';
import type { ScopeDiff } from './renegotiation.js';
import type { SessionDescription } from './sdp.js';

/** Where a SIP message was seen. */
export interface SipContext {
  frame: number;
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | 'sctp';
  /**
   * The record's source (RecordBatch.source: a live service's capture agent), whose clock the
   * dialogs it refreshes are judged on (DialogTracker); 0 or absent: the one source of a capture file.
   */
  source?: number;
}

/** A dialog as reports name it: fromTag is the caller's tag, toTag the callee's ('' until known). */
export interface DialogId {
  callId: string;
  fromTag: string;
  toTag: string;
}

interface EventBase {
  frame: number;
  ts: number;
  /** stable key of the dialog (or of the INVITE that has no to-tag yet) */
  key: string;
  dialog: DialogId;
}

export interface DialogCreatedEvent extends EventBase {
  type: 'dialog-created';
  state: 'early' | 'confirmed';
  /** key of the initial INVITE this dialog grew from (offers made there apply to it), or null */
  fromInvite: string | null;
  /** the dialog was adopted mid-call (its INVITE was never seen) */
  adopted: boolean;
}

export interface DialogConfirmedEvent extends EventBase {
  type: 'dialog-confirmed';
}

export type DialogEndReason = 'bye' | 'cancelled' | 'rejected' | 'in-dialog-failure' | 'evicted' | 'idle-timeout';

export interface DialogEndedEvent extends EventBase {
  type: 'dialog-ended';
  reason: DialogEndReason;
  /** the final status that ended it, when a response did */
  status?: number;
  /**
   * the key of the INVITE the dialog grew from, when this was its last dialog and the INVITE
   * was answered: nothing refers to that key any more either
   */
  inviteOver?: string;
}

export interface OfferEvent extends EventBase {
  type: 'offer';
  method: string;
  cseq: number;
  offerer: Party;
  sdp: SessionDescription;
  /** AI-Pref values carried by this message */
  aiPref: AiPrefValue[];
  /** scopes confirmed so far (null before the first answer) */
  effective: NegotiatedScope | null;
  /**
   * scopes if the answer accepts the offer. Restrictions take effect from the offer: until
   * the answer, judge by the stricter of `effective` and `proposed` (an identifier the offer
   * dropped no longer grants anything).
   */
  proposed: NegotiatedScope;
  /** effective → proposed */
  diff: ScopeDiff;
  /**
   * this offer took the place of another still awaiting its answer (crossing re-INVITEs, or a
   * failure response the capture lost): that one will not be answered, and what it brought is void
   */
  supersedes: boolean;
}

export interface AnswerEvent extends EventBase {
  type: 'answer';
  method: string;
  cseq: number;
  status: number;
  answerer: Party;
  /** the answer came in a provisional response (early media) */
  early: boolean;
  /**
   * a later response of an exchange already answered (a 200 after the 183's answer, a relay's
   * copy, a retransmission): it answers no offer that is awaiting its answer
   */
  repeat: boolean;
  sdp: SessionDescription;
  aiPref: AiPrefValue[];
  previous: NegotiatedScope | null;
  /** the scopes now in force: relaxations apply from here */
  effective: NegotiatedScope;
  /** previous → effective: removals become scope-removed reports */
  diff: ScopeDiff;
  /**
   * another offer awaiting its answer (this is a repeat of an earlier exchange's answer): the
   * scopes if it is accepted — its restrictions still apply; null when none awaits
   */
  proposed: NegotiatedScope | null;
  /**
   * what is in force: `effective`, unless this answer is in an INVITE's provisional response
   * and the 2xx has not confirmed it (then what stood before, `effective` only restricting)
   */
  inForce: NegotiatedScope | null;
  /** the INVITE this answer belongs to has not had its 2xx: what the exchange brings is kept only then (answer-confirmed) */
  awaitsFinal: boolean;
  /** an INVITE answered in a provisional response has had no final response yet: what it stated awaits it */
  inviteOutstanding: boolean;
}

export interface OfferRejectedEvent extends EventBase {
  type: 'offer-rejected';
  status: number;
  /**
   * 'aipref-refused': a failure with Warning 399 aipref (the seed's 488, §5.1.3);
   * 'integrity-refused': 403 with Reason AI-Integrity-Failure (§5.1.3)
   */
  reason: 'aipref-refused' | 'integrity-refused' | 'rejected' | 'cancelled';
  warning: SipWarning | null;
  /** the Reason header value naming AI-Integrity-Failure, for 'integrity-refused' */
  integrityReason: string | null;
  /** the failed request's method and CSeq number: which offer failed */
  method: string;
  cseq: number;
  /** what stays in force: the scopes before the offer */
  effective: NegotiatedScope | null;
  /** another offer still awaiting its answer (an UPDATE's, when the INVITE failed): its restrictions still apply */
  proposed: NegotiatedScope | null;
  /** an exchange completed before the failed offer: `effective` is what it negotiated (else only AI-Pref values, or nothing) */
  answeredBefore: boolean;
  /** the failure ends the dialog (or the INVITE's early state): its end follows */
  ending: boolean;
}

/**
 * An INVITE's 2xx confirming the answer its provisional response gave: what that answer
 * changed stays (its relaxations apply from here); a failure would have undone it.
 */
export interface AnswerConfirmedEvent extends EventBase {
  type: 'answer-confirmed';
  cseq: number;
  /** the scopes in force */
  effective: NegotiatedScope;
  /** another offer awaiting its answer: the scopes if it is accepted; null when none awaits */
  proposed: NegotiatedScope | null;
}

/**
 * AI-Pref values stated outside an offer/answer (e.g. a 180 or an INFO carrying AI-Pref):
 * their parameters are statement parts whether or not the scopes change.
 */
export interface AiPrefChangedEvent extends EventBase {
  type: 'aipref-changed';
  party: Party;
  aiPref: AiPrefValue[];
  previous: NegotiatedScope | null;
  effective: NegotiatedScope;
  diff: ScopeDiff;
  /** an offer awaiting its answer: the scopes if it is accepted, with these values — its restrictions still apply; null when none awaits */
  proposed: NegotiatedScope | null;
  /** what is in force (see AnswerEvent.inForce): `effective` unless an INVITE's early answer awaits its 2xx */
  inForce: NegotiatedScope | null;
  /** the values name the identifiers already in force for the same scopes: only what they say may be new */
  scopesUnchanged: boolean;
  /**
   * stated after an offer/answer exchange completed, outside the initial INVITE's transaction
   * (an INFO, an UPDATE or re-INVITE without SDP, their responses, a re-INVITE's ACK): no answer
   * will confirm it. False at the call's set-up (before any answer, and in the initial INVITE's
   * responses, ACK and PRACKs), where what is stated is what is in force.
   */
  midCall: boolean;
  /**
   * stated in an initial INVITE without SDP: like an offer's, what it says awaits the answer
   * (the offer comes in a response, the answer in the ACK or PRACK); a failure discards it
   */
  awaitsAnswer: boolean;
}

/** APT statements in a body part of a dialog's message (seed §5.2), for the policy stage. */
export interface AiPrefBodyEvent extends EventBase {
  type: 'aipref-body';
  party: Party;
  body: AiPrefBody;
}

export interface ParseErrorEvent {
  type: 'parse-error';
  frame: number;
  ts: number;
  /** null when the message could not be tied to a dialog */
  key: string | null;
  dialog: DialogId | null;
  source: 'sip' | 'sdp' | 'ai-pref' | 'ai-pref-body';
  reason: string;
  /** byte offset in the message (sip), 1-based line (sdp), column in the header value (ai-pref), byte offset in the part (ai-pref-body; 0 for JSON) */
  where: number;
  detail?: string;
}

export interface StateLimitEvent extends EventBase {
  type: 'state-limit';
  limit: 'max-dialogs' | 'idle-timeout';
  /** the bound: the most dialogs kept, or the seconds of capture time a dialog may stay idle */
  bound: number;
}

export type SignalingEvent =
  | DialogCreatedEvent
  | DialogConfirmedEvent
  | DialogEndedEvent
  | OfferEvent
  | AnswerEvent
  | OfferRejectedEvent
  | AnswerConfirmedEvent
  | AiPrefChangedEvent
  | AiPrefBodyEvent
  | ParseErrorEvent
  | StateLimitEvent;
