/**
 * The offer/answer state of one dialog (RFC 3264, RFC 6337): the SDP each party last sent
 * in a completed exchange, the AI-Pref values each party last stated, the offer awaiting
 * its answer, and the scopes that follow. The dialog tracker decides which message is an
 * offer or an answer; this class keeps the state and computes what changed.
 */
import type { AiPrefValue } from './ai-pref-header.js';
import type { AiPrefChangedEvent, AnswerEvent, OfferEvent } from './dialog-events.js';
import { buildNegotiatedScope, type NegotiatedScope, type Party, type PartyHeaderValues, type PartySdp } from './negotiated-scope.js';
import { diffScopes } from './renegotiation.js';
import type { SessionDescription } from './sdp.js';

type Sides<T> = { caller: T | null; callee: T | null };

export interface PendingOffer {
  offerer: Party;
  method: string;
  cseq: number;
  frame: number;
  sdp: SessionDescription;
  sdpText: string;
  /** the same offer as media relays on the path rewrote it (see SdpViews) */
  copies: SessionDescription[];
  copyTexts: string[];
  /** the offer came in a response (INVITE without SDP): the answer comes in ACK or PRACK */
  inResponse: boolean;
  /** the parties' AI-Pref values as they will stand if the answer accepts the offer */
  headers: Sides<PartyHeaderValues>;
}

/**
 * An INVITE's offer answered in a provisional response (a 183): the exchange counts as done,
 * but the INVITE may still fail, and then what it changed is undone (RFC 3261 §14.1; SPEC §5,
 * a refusal discards the offer's changes). What stood before the answer, to go back to.
 */
interface Unconfirmed {
  before: { sdp: Sides<PartySdp>; headers: Sides<PartyHeaderValues>; offerer: Party; lastExchange: CompletedExchange | null; effective: NegotiatedScope | null };
}

/**
 * An INVITE whose offer was answered in a provisional response and which has had no final
 * response yet: its CSeq, its sender, its frame, and the AI-Pref values its sender had stated
 * before it — kept when an exchange built on that answer clears `unconfirmed`: its 2xx or
 * failure still settles what the INVITE itself stated (withoutValuesOf).
 */
interface OutstandingInvite {
  cseq: number;
  offerer: Party;
  frame: number;
  before: PartyHeaderValues | null;
  /**
   * an exchange had completed before it (a re-INVITE): what it states waits for its final
   * response; an initial INVITE's values are all there is (nothing stood before them)
   */
  renegotiates: boolean;
}

/** The last completed exchange, to recognise a repeated answer (183 then 200 with the same SDP). */
interface CompletedExchange {
  offer: PendingOffer;
  answerer: Party;
  /** the message the answer came in: a response to the offer's request, or an ACK or PRACK */
  answeredIn: { method: string; cseq: number };
  status: number;
  answer: SdpViews;
}

/**
 * One SDP and the copies of it that relays on the path rewrote. A media relay beside a proxy
 * (rtpproxy, rtpengine) keeps Call-ID, tags and CSeq but rewrites c= and the m-line ports, so
 * a capture taken on the proxy host sees the same offer twice with different addresses: both
 * legs' media belong to the dialog.
 */
interface SdpViews {
  sdp: SessionDescription;
  sdpText: string;
  copies: SessionDescription[];
  copyTexts: string[];
}

type Stamp = 'frame' | 'ts' | 'key' | 'dialog' | 'type';
export type OfferPayload = Omit<OfferEvent, Stamp>;
export type AnswerPayload = Omit<AnswerEvent, Stamp>;
export type AiPrefChangePayload = Omit<AiPrefChangedEvent, Stamp | 'midCall' | 'awaitsAnswer'>;

export interface MessageFacts {
  party: Party;
  method: string;
  cseq: number;
  status: number;
  frame: number;
  /** AI-Pref values of the message, or null when it has no AI-Pref header (nothing stated) */
  aiPref: AiPrefValue[] | null;
  /**
   * the stand-in for what its body, cut by the capture's snap length before any m-section, said:
   * added to the party's AI-Pref values (to the message's own where it has an AI-Pref header),
   * until the party's next SDP
   */
  cutStandIn?: AiPrefValue;
}

export class OfferAnswerState {
  private sdp: Sides<PartySdp> = { caller: null, callee: null };
  private headers: Sides<PartyHeaderValues> = { caller: null, callee: null };
  private offerer: Party = 'caller';
  pending: PendingOffer | null = null;
  private lastExchange: CompletedExchange | null = null;
  private unconfirmed: Unconfirmed | null = null;
  private outstanding: OutstandingInvite | null = null;
  effective: NegotiatedScope | null = null;

  /** An independent copy, for a forked INVITE: every fork answers the same offer. */
  clone(): OfferAnswerState {
    const copy = new OfferAnswerState();
    copy.sdp = { ...this.sdp };
    copy.headers = { ...this.headers };
    copy.offerer = this.offerer;
    copy.pending = this.pending ? { ...this.pending, headers: { ...this.pending.headers }, copies: [...this.pending.copies], copyTexts: [...this.pending.copyTexts] } : null;
    copy.lastExchange = this.lastExchange;
    copy.unconfirmed = this.unconfirmed;
    copy.outstanding = this.outstanding;
    copy.effective = this.effective;
    return copy;
  }

  /**
   * A new offer; null when it repeats the pending one (same party, transaction and SDP).
   * The same transaction's offer with a different SDP is a relay's copy of it (see SdpViews):
   * its addresses join the proposal.
   */
  offer(facts: MessageFacts, sdp: SessionDescription, sdpText: string, inResponse: boolean): OfferPayload | null {
    const p = this.pending;
    if (p && p.offerer === facts.party && p.cseq === facts.cseq && p.method === facts.method) {
      if (p.sdpText === sdpText || p.copyTexts.includes(sdpText)) {
        // a copy of the offer (a retransmission, a proxy's forwarded copy) is nothing new, unless
        // it carries AI-Pref values the offer did not (a domain's proxy inserted its preference):
        // they join the offer, in force as its other values are
        const added = newValues(p.headers[facts.party], facts.aiPref);
        if (added.length === 0) return null;
        p.headers = replaceSide(p.headers, facts.party, { party: facts.party, frame: facts.frame, values: [...(p.headers[facts.party]?.values ?? []), ...added] });
        return this.proposal(facts, sdp, p, false);
      }
      p.copies.push(sdp);
      p.copyTexts.push(sdpText);
      return this.proposal(facts, sdp, p, false);
    }
    // a new INVITE transaction: the one before it is over, its 2xx lost to the capture if it was not seen
    if (facts.method === 'INVITE' && this.outstanding !== null && this.outstanding.cseq !== facts.cseq) {
      this.unconfirmed = null;
      this.outstanding = null;
    }
    const headers = withHeaders(withoutCutStandIn(this.headers, facts), facts.party, facts.aiPref, facts.frame);
    const offer: PendingOffer = { offerer: facts.party, method: facts.method, cseq: facts.cseq, frame: facts.frame, sdp, sdpText, copies: [], copyTexts: [], inResponse, headers };
    this.pending = offer;
    return this.proposal(facts, sdp, offer, p !== null);
  }

  private proposal(facts: MessageFacts, sdp: SessionDescription, offer: PendingOffer, supersedes: boolean): OfferPayload {
    const proposed = this.proposedBy(offer);
    return {
      method: facts.method,
      cseq: facts.cseq,
      offerer: offer.offerer,
      sdp,
      aiPref: facts.aiPref ?? [],
      // (an INVITE's answer its 2xx has not confirmed yet is not in force: what stood before it
      // is — unless this offer is a new exchange that builds on that answer, a PRACK's or an UPDATE's)
      effective: this.inForce(),
      proposed,
      diff: diffScopes(this.effective, proposed),
      supersedes,
    };
  }

  /** The scopes if the answer accepts `offer`: the answerer's addresses and own identifiers from before, not those it echoed of the offerer. */
  private proposedBy(offer: PendingOffer): NegotiatedScope {
    const sides = withSdp(this.sdp, offer.offerer, offer.sdp, offer.frame, offer.copies);
    const answerer: Party = offer.offerer === 'caller' ? 'callee' : 'caller';
    return buildNegotiatedScope({ caller: sides.caller, callee: sides.callee, offerer: offer.offerer, headers: present(offer.headers), awaitingAnswerFrom: answerer, offererBefore: this.sdp[offer.offerer] });
  }

  /**
   * What restricts on top of what is in force: the offer awaiting its answer, or an INVITE's
   * early answer awaiting its 2xx; null when neither.
   */
  restricting(): NegotiatedScope | null {
    if (this.pending !== null) return this.proposedBy(this.pending);
    const inForce = this.inForce();
    return inForce !== this.effective ? this.effective : null;
  }

  /** The scopes if the offer awaiting its answer is accepted; null when none awaits. */
  private pendingProposal(): NegotiatedScope | null {
    return this.pending === null ? null : this.proposedBy(this.pending);
  }

  /** Whether an offer/answer exchange has completed (something negotiated is in force). */
  answered(): boolean {
    return this.lastExchange !== null;
  }

  /** Is this SDP, from this party in this transaction, the answer to the pending offer? */
  answers(party: Party, method: string, cseq: number): boolean {
    const p = this.pending;
    if (!p || p.offerer === party) return false;
    // an offer in a response is answered by the ACK or PRACK that follows, whatever its CSeq
    if (p.inResponse) return method === 'ACK' || method === 'PRACK';
    return p.method === method && p.cseq === cseq;
  }

  answer(facts: MessageFacts, sdp: SessionDescription, sdpText: string): AnswerPayload | null {
    const offer = this.pending;
    if (!offer) return null;
    this.pending = null;
    // An INVITE's offer answered in a provisional response: undone if the INVITE fails. An
    // exchange completed after it (a PRACK's or UPDATE's offer and answer, RFC 3262, RFC 3311)
    // builds on it and stands on its own: nothing is left to undo.
    // (A re-INVITE without SDP: its offer in a reliable 1xx, answered in the PRACK, the same.)
    const early = offer.method === 'INVITE' && (offer.inResponse ? facts.method === 'PRACK' : facts.status > 0 && facts.status < 200);
    this.unconfirmed = early
      ? (this.unconfirmed ?? { before: { sdp: this.sdp, headers: this.headers, offerer: this.offerer, lastExchange: this.lastExchange, effective: this.effective } })
      : null;
    if (early) {
      if (this.outstanding?.cseq !== offer.cseq) this.outstanding = { cseq: offer.cseq, offerer: offer.offerer, frame: offer.frame, before: this.headers[offer.offerer], renegotiates: this.unconfirmed!.before.lastExchange !== null };
    } else if (offer.method === 'INVITE') this.outstanding = null;
    return this.commit(offer, facts, { sdp, sdpText, copies: [], copyTexts: [] }, false);
  }

  /**
   * The INVITE's 2xx: an answer its provisional response gave is confirmed (what it changed
   * stays, relaxations included). Null when no such answer awaits confirmation.
   */
  confirm(cseq: number): { effective: NegotiatedScope; proposed: NegotiatedScope | null } | null {
    if (this.outstanding?.cseq !== cseq || this.effective === null) return null;
    this.outstanding = null;
    this.unconfirmed = null;
    return { effective: this.effective, proposed: this.pendingProposal() };
  }

  /**
   * An answer SDP in a later message of the transaction that answered (a response, or the
   * PRACK a relay copied): nothing when it is an SDP already seen; a relay's copy when the status is the same (its addresses join
   * the answer); a revised answer otherwise (a 200 after an early answer in a 183).
   */
  repeatedAnswer(facts: MessageFacts, sdp: SessionDescription, sdpText: string): AnswerPayload | null | 'not-a-repeat' {
    const last = this.lastExchange;
    if (!last || last.answerer !== facts.party || last.answeredIn.method !== facts.method || last.answeredIn.cseq !== facts.cseq) return 'not-a-repeat';
    const seen = last.answer.sdpText === sdpText || last.answer.copyTexts.includes(sdpText);
    if (seen) return facts.aiPref === null ? null : this.commit(last.offer, facts, last.answer, true);
    if (facts.status === last.status) {
      const answer = { ...last.answer, copies: [...last.answer.copies, sdp], copyTexts: [...last.answer.copyTexts, sdpText] };
      return { ...this.commit(last.offer, facts, answer, true), sdp };
    }
    return this.commit(last.offer, facts, { sdp, sdpText, copies: [], copyTexts: [] }, true);
  }

  /**
   * The offer failed (non-2xx final, CANCEL): the scopes before it stay in force. An INVITE
   * whose offer its provisional response answered is undone: back to what stood before.
   */
  reject(method: string, cseq: number, responder: Party): boolean {
    const p = this.pending;
    // a failure answers the offerer's request: the other side's responds to the other side
    // (each side numbers its own requests: crossing re-INVITEs may share a CSeq number)
    if (p && p.method === method && p.cseq === cseq && p.offerer !== responder) {
      this.pending = null;
      // nothing answered yet: what AI-Pref values alone stated (an INFO, a 180) is all that stands
      if (this.lastExchange === null) this.effective = this.headersOnly();
      return true;
    }
    const v = this.outstanding;
    if (method !== 'INVITE' || v?.cseq !== cseq || v.offerer === responder) return false;
    this.outstanding = null;
    const u = this.unconfirmed;
    this.unconfirmed = null;
    if (u !== null) ({ sdp: this.sdp, headers: this.headers, offerer: this.offerer, lastExchange: this.lastExchange, effective: this.effective } = u.before);
    // An exchange built on the early answer stands, but the AI-Pref values the INVITE itself
    // carried go — from what is in force and from an offer still awaiting its answer, which took
    // them over (its parts go in the front).
    this.headers = withoutValuesOf(this.headers, v);
    if (this.pending !== null) this.pending.headers = withoutValuesOf(this.pending.headers, v);
    if (this.lastExchange !== null) this.effective = scopeOf(this.sdp, this.offerer, this.headers);
    return true;
  }

  /** The scopes of AI-Pref values stated with no exchange completed: no m-section; null when none was stated. */
  private headersOnly(): NegotiatedScope | null {
    return headersOnlyScope(this.headers, this.offerer);
  }

  /**
   * What is in force: the scopes negotiated, unless an INVITE's answer in a provisional response
   * awaits its 2xx — then what stood before it (with what was stated since), its answer being a
   * proposal whose restrictions apply and whose relaxations wait. (Before any exchange, as in
   * early media on the initial INVITE, the early answer is all there is: in force.)
   */
  inForce(): NegotiatedScope | null {
    const u = this.unconfirmed;
    // a PRACK's or an UPDATE's offer builds on that answer (RFC 3262, RFC 3311): it counts as done
    const builtOn = this.pending !== null && this.pending.method !== 'INVITE';
    if (u !== null && u.before.lastExchange !== null && !builtOn) return u.before.effective;
    // An exchange built on the early answer completed (its snapshot gone): what it negotiated
    // stands, but the AI-Pref values a re-INVITE itself carried wait for its final response (an
    // initial INVITE's are what is in force: nothing stood before them)
    const v = this.outstanding;
    if (u === null && v !== null && v.renegotiates && this.lastExchange !== null && this.headers[v.offerer]?.frame === v.frame) {
      return scopeOf(this.sdp, this.offerer, withoutValuesOf(this.headers, v));
    }
    return this.effective;
  }

  /**
   * AI-Pref values stated outside an offer/answer; null when the message has no AI-Pref header.
   * Values that leave the scopes as they are still come back (scopesUnchanged): their
   * parameters (export=none, a version) are statement parts all the same.
   */
  statement(facts: MessageFacts): AiPrefChangePayload | null {
    if (facts.aiPref === null && facts.cutStandIn === undefined) return null;
    const echo = facts.status === 0 && (facts.method === 'ACK' || facts.method === 'PRACK');
    const stated = (sides: Sides<PartyHeaderValues>): Sides<PartyHeaderValues> => {
      const told = echo && facts.aiPref !== null ? withEcho(sides, facts.party, facts.aiPref, facts.frame) : withHeaders(sides, facts.party, facts.aiPref, facts.frame);
      return facts.cutStandIn === undefined ? told : withCutStandIn(told, facts.party, facts.cutStandIn, facts.frame);
    };
    const aiPref = facts.cutStandIn === undefined ? facts.aiPref! : [...(facts.aiPref ?? []), facts.cutStandIn];
    this.headers = stated(this.headers);
    if (this.pending) this.pending.headers = stated(this.pending.headers);
    // stated outside the INVITE whose early answer awaits its 2xx: it stays if that INVITE fails
    const u = this.unconfirmed;
    if (u !== null) {
      const headers = stated(u.before.headers);
      const { sdp, offerer, lastExchange } = u.before;
      const effective = lastExchange === null ? headersOnlyScope(headers, offerer) : scopeOf(sdp, offerer, headers);
      u.before = { ...u.before, headers, effective };
    }
    const previous = this.effective;
    // before the first answer the offer is all there is: its m-sections are what is in force
    const first = this.lastExchange === null ? this.pending : null;
    const sides = first ? withSdp(this.sdp, first.offerer, first.sdp, first.frame, first.copies) : this.sdp;
    const offerer = first ? first.offerer : this.offerer;
    const effective = scopeOf(sides, offerer, this.headers);
    const diff = diffScopes(previous, effective);
    // a renegotiation awaiting its answer stays proposed, with these values (its restrictions still apply)
    const proposed = first === null ? this.pendingProposal() : null;
    if (diff.unchanged && previous !== null) return { party: facts.party, aiPref, previous, effective: previous, diff, proposed, inForce: this.inForce(), scopesUnchanged: true };
    this.effective = effective;
    return { party: facts.party, aiPref, previous, effective, diff, proposed, inForce: this.inForce(), scopesUnchanged: false };
  }

  private commit(offer: PendingOffer, facts: MessageFacts, answer: SdpViews, repeat: boolean): AnswerPayload {
    const offered = withSdp(this.sdp, offer.offerer, offer.sdp, offer.frame, offer.copies);
    this.sdp = withSdp(offered, facts.party, answer.sdp, facts.frame, answer.copies);
    this.headers = withHeaders(withoutCutStandIn(offer.headers, facts), facts.party, facts.aiPref, facts.frame);
    this.offerer = offer.offerer;
    this.lastExchange = { offer, answerer: facts.party, answeredIn: { method: facts.method, cseq: facts.cseq }, status: facts.status, answer };
    const previous = this.effective;
    const effective = scopeOf(this.sdp, this.offerer, this.headers);
    this.effective = effective;
    // a repeat of an earlier exchange's answer while a newer offer awaits its own: that offer
    // stays proposed, with what the repeat states
    const waiting = this.pending;
    if (waiting !== null && facts.aiPref !== null) waiting.headers = withHeaders(waiting.headers, facts.party, facts.aiPref, facts.frame);
    return {
      method: facts.method,
      cseq: facts.cseq,
      status: facts.status,
      answerer: facts.party,
      early: facts.status > 0 && facts.status < 200,
      repeat,
      sdp: answer.sdp,
      aiPref: facts.aiPref ?? [],
      previous,
      effective,
      diff: diffScopes(previous, effective),
      proposed: this.pendingProposal(),
      inForce: this.inForce(),
      awaitsFinal: this.unconfirmed !== null,
      inviteOutstanding: this.outstanding !== null,
    };
  }
}

/** The scopes negotiated: both parties' SDP (the offerer's m-sections first) and their AI-Pref values. */
function scopeOf(sdp: Sides<PartySdp>, offerer: Party, headers: Sides<PartyHeaderValues>): NegotiatedScope {
  return buildNegotiatedScope({ caller: sdp.caller, callee: sdp.callee, offerer, headers: present(headers) });
}

/** The parties' AI-Pref values without those an INVITE carried (`v.frame`): its sender's from before it. */
function withoutValuesOf(sides: Sides<PartyHeaderValues>, v: OutstandingInvite): Sides<PartyHeaderValues> {
  if (sides[v.offerer]?.frame !== v.frame) return sides;
  return v.offerer === 'caller' ? { caller: v.before, callee: sides.callee } : { caller: sides.caller, callee: v.before };
}

/** The scopes of AI-Pref values alone (no m-section); null when none was stated. */
function headersOnlyScope(sides: Sides<PartyHeaderValues>, offerer: Party): NegotiatedScope | null {
  const headers = present(sides);
  return headers.length === 0 ? null : buildNegotiatedScope({ caller: null, callee: null, offerer, headers });
}

function withSdp(sides: Sides<PartySdp>, party: Party, sdp: SessionDescription, frame: number, copies: SessionDescription[] = []): Sides<PartySdp> {
  return replaceSide(sides, party, { party, frame, sdp, copies });
}

/**
 * A party's SDP read (an offer or an answer) takes the place of the stand-in its earlier message
 * cut before any m-section left among its AI-Pref values (dialogs.ts cutBodyValue): what that
 * body said is superseded, though no AI-Pref header of this message restates the others.
 */
function withoutCutStandIn(sides: Sides<PartyHeaderValues>, facts: MessageFacts): Sides<PartyHeaderValues> {
  const mine = sides[facts.party];
  if (facts.aiPref !== null || mine === null || !mine.values.some((v) => v.cut === true)) return sides;
  return replaceSide(sides, facts.party, { ...mine, values: mine.values.filter((v) => v.cut !== true) });
}

/** The party's values with the stand-in for a cut body's lines added (one: a later cut replaces an earlier). */
function withCutStandIn(sides: Sides<PartyHeaderValues>, party: Party, standIn: AiPrefValue, frame: number): Sides<PartyHeaderValues> {
  const mine = sides[party];
  return replaceSide(sides, party, { party, frame, values: [...(mine?.values ?? []).filter((v) => v.cut !== true), standIn] });
}

/** A message without an AI-Pref header (values null) states nothing: the party's values stand. */
function withHeaders(sides: Sides<PartyHeaderValues>, party: Party, values: AiPrefValue[] | null, frame: number): Sides<PartyHeaderValues> {
  return values === null ? sides : replaceSide(sides, party, { party, frame, values });
}

/**
 * An ACK's or PRACK's AI-Pref: seed 000 §5.1.1 has them "echo the latest accepted AI-Pref
 * identifiers" (and an ACK without one accepts the most recent set). An identifier either side
 * already states is accepted, not restated: its value stays as held, scope and parameters
 * (an echo without `;scope=media` re-scoped the value to the dialog, and the m-section's own
 * a=aipref took over). Nor does an echo leave anything out. Only an identifier neither side
 * states is new, and added to the party's values.
 */
function withEcho(sides: Sides<PartyHeaderValues>, party: Party, values: AiPrefValue[], frame: number): Sides<PartyHeaderValues> {
  const held = new Set(present(sides).flatMap((h) => h.values.map((v) => v.id)));
  const added = values.filter((v) => !held.has(v.id));
  if (added.length === 0) return sides;
  const mine = sides[party];
  return replaceSide(sides, party, { party, frame, values: [...(mine?.values ?? []), ...added] });
}

/** The values of `values` a side does not state already (compared as written: id and parameters). */
function newValues(side: PartyHeaderValues | null, values: AiPrefValue[] | null): AiPrefValue[] {
  if (values === null) return [];
  const held = new Set((side?.values ?? []).map(asWritten));
  return values.filter((v) => !held.has(asWritten(v)));
}

/** A value as written, wherever it stands in its header (a copy may list the same values in another order). */
function asWritten(v: AiPrefValue): string {
  const { column: _column, ...written } = v;
  return JSON.stringify(written);
}

function replaceSide<T>(sides: Sides<T>, party: Party, entry: T): Sides<T> {
  return party === 'caller' ? { caller: entry, callee: sides.callee } : { caller: sides.caller, callee: entry };
}

function present(headers: Sides<PartyHeaderValues>): PartyHeaderValues[] {
  return [headers.caller, headers.callee].filter((h): h is PartyHeaderValues => h !== null);
}
