/**
 * The scopes of a dialog at one moment: per m-section, where its media arrives and which
 * APT identifiers govern it, built from both parties' latest SDP and AI-Pref header values.
 *
 * Both parties' preferences apply (strictest wins later, in the policy stage), so a
 * section's identifiers are the union of what the caller's and the callee's SDP say for it,
 * plus header values that name media scope. Header values with `scope=dialog` (or no scope,
 * or one this grammar does not know) are the dialog-level fallback (seed §6.2).
 * The shapes mirror the binding stage's SectionScope/DialogScope so they pass straight on.
 */
import type { AiPrefValue } from './ai-pref-header.js';
import { type ClockRate, mediaClockRate, sharedClockRate } from '../media/clock-rates.js';
import type { SrtcpKey } from '../media/srtcp.js';
import type { SdpCrypto, SdpMedia, SessionDescription } from './sdp.js';
import { scopesOfSdp, type SdpScopes } from './sdp-scopes.js';

export type Party = 'caller' | 'callee';

export type ScopeOrigin = 'session' | 'group' | 'mid' | 'header-media' | 'header-dialog';

/** Where an identifier was declared: an SDP line or an AI-Pref header value, in which frame, by whom. */
export interface AptSource {
  party: Party;
  frame: number;
  kind: 'sdp' | 'header';
  /** SDP line (1-based) for kind 'sdp'; column in the header value for kind 'header' */
  position: number;
}

export interface NegotiatedApt {
  id: string;
  origin: ScopeOrigin;
  source: AptSource;
  /** inline parameters (a=aipref params, or the header value's known and unknown params) */
  params: Record<string, string>;
}

export interface TransportAddress {
  address: string;
  port: number;
}

export interface NegotiatedSection {
  index: number;
  mid?: string;
  kind: string;
  disabled: boolean;
  /** RTP receive addresses of both sides */
  rtp: TransportAddress[];
  /** RTCP receive addresses (port+1, a=rtcp, or the RTP address with rtcp-mux in use: see rtcpMuxIn) */
  rtcp: TransportAddress[];
  ssrcs: number[];
  midExtIds: number[];
  /** payload type clock rates of both sides' a=rtpmap lines (the offer's first: RFC 3264 §6.1 keeps its numbers) */
  clockRates: ClockRate[];
  /** the clock rate every format of the section shares (the answer's m-line, else the offer's), or null (clock-rates.ts sharedClockRate) */
  sharedClockRate: number | null;
  /** the clock of its first format that is no DTMF event or comfort noise, or null (clock-rates.ts mediaClockRate) */
  mediaClockRate: number | null;
  /**
   * the m-line's profile is secure RTP (RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F), RFC 3711,
   * 5124, 5764), or the answer accepted best-effort SRTP (a=crypto on RTP/AVP in the offer and
   * in the answer, RFC 4568 §5.1.1): its RTCP is SRTCP, encrypted past each compound's first
   * eight bytes
   */
  srtp: boolean;
  /**
   * SDES-SRTP keys (a=crypto, RFC 4568) its SRTCP may be sent with: the answer's, and the
   * offer's under the tag the answer chose (each side's key is the one it sends with); before
   * an answer, the offer's. Never written to any output.
   */
  srtcpKeys: SrtcpKey[];
  /** identifiers governing this section; empty when it is disabled */
  apts: NegotiatedApt[];
}

export interface NegotiatedScope {
  sections: NegotiatedSection[];
  /** AI-Pref values with dialog scope: the implicit fallback */
  dialogApts: NegotiatedApt[];
  /** every AI-Pref header value in force (both parties, any scope): the dialog's effective AI-Pref values */
  headerApts: NegotiatedApt[];
}

/** One party's SDP as last sent, and the frame it came in. */
export interface PartySdp {
  party: Party;
  frame: number;
  sdp: SessionDescription;
  /** the same SDP as media relays on the path rewrote it: more addresses of the same streams */
  copies?: SessionDescription[];
}

/** One party's AI-Pref header values as last sent. */
export interface PartyHeaderValues {
  party: Party;
  frame: number;
  values: AiPrefValue[];
}

export interface NegotiatedScopeInput {
  caller: PartySdp | null;
  callee: PartySdp | null;
  /** whose SDP was the latest offer: its m-sections define the session's m-sections (RFC 3264 §8) */
  offerer: Party;
  headers: PartyHeaderValues[];
  /**
   * For a proposal: the answerer, whose SDP is from the previous exchange. Its addresses
   * still hold, and so do its own a=aipref lines: an offer speaks for its offerer only (RFC
   * 3264 §8), and what the answerer stated stands until its answer says otherwise (a session
   * refresh offered by the other side left the stream with no preference at all). But not its
   * lines naming an identifier the offerer's previous SDP stated for the same m-section
   * (`offererBefore`): those echoed the offerer, and an identifier the offer dropped must not
   * linger through them.
   */
  awaitingAnswerFrom?: Party;
  offererBefore?: PartySdp | null;
}

const MEDIA_HEADER_SCOPES: ReadonlySet<string> = new Set(['media', 'session']);

/** The secure RTP profiles' transport protocols: RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP, UDP/TLS/RTP/SAVPF. */
const SECURE_RTP_PROFILE = /(^|\/)SAVPF?$/i;

/**
 * The keys SRTCP of an m-section may use: the answer's, and the offer's of the tags the answer
 * chose; with no answer, the offer's. Every master key of a line (`;` between them, told apart
 * on the wire by their MKI) is one, with the line's session parameters.
 */
function keysOf(offered: readonly SdpCrypto[], answered: readonly SdpCrypto[]): SrtcpKey[] {
  const chosen = answered.length > 0 ? [...answered, ...offered.filter((o) => answered.some((a) => a.tag === o.tag))] : offered;
  // the line's session parameters (KDR: the rate its keys are derived again at) hold for each of its keys
  return chosen.flatMap((c) => c.keyParams.split(';').map((keyParams): SrtcpKey => (c.sessionParams === undefined ? { suite: c.suite, keyParams: keyParams.trim() } : { suite: c.suite, keyParams: keyParams.trim(), sessionParams: c.sessionParams })));
}

export function buildNegotiatedScope(input: NegotiatedScopeInput): NegotiatedScope {
  const offer = input.offerer === 'caller' ? input.caller : input.callee;
  const answer = input.offerer === 'caller' ? input.callee : input.caller;
  const sides = [offer, answer].filter((s): s is PartySdp => s !== null);
  const count = (offer ?? answer)?.sdp.media.length ?? 0;
  const scopesBySide = sides.flatMap((side) => [side.sdp, ...(side.copies ?? [])].map((sdp) => ({ side, sdp, scopes: scopesOf(sdp) })));
  const rtcpMux = rtcpMuxIn(offer, answer, input.awaitingAnswerFrom !== undefined);
  // per m-section: the answerer's line for an identifier the offerer named in that m-section echoed it
  const echoed = input.offererBefore ? scopesOf(input.offererBefore.sdp).sections.map((section) => new Set(section.map((s) => s.id))) : [];

  const headerMedia: NegotiatedApt[] = [];
  const dialogApts: NegotiatedApt[] = [];
  const headerApts: NegotiatedApt[] = [];
  for (const h of input.headers) {
    for (const v of h.values) {
      const mediaScoped = v.scope !== null && MEDIA_HEADER_SCOPES.has(v.scope);
      const apt: NegotiatedApt = {
        id: v.id,
        origin: mediaScoped ? 'header-media' : 'header-dialog',
        source: { party: h.party, frame: h.frame, kind: 'header', position: v.column },
        params: headerValueParams(v),
      };
      addUnique(mediaScoped ? headerMedia : dialogApts, apt);
      addUnique(headerApts, apt);
    }
  }

  const sections: NegotiatedSection[] = [];
  for (let index = 0; index < count; index++) {
    const section: NegotiatedSection = { index, kind: '', disabled: false, rtp: [], rtcp: [], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] };
    let formats: readonly string[] = [];
    for (const { side, sdp, scopes } of scopesBySide) {
      const m = sdp.media[index];
      if (!m) continue;
      if (section.kind === '') section.kind = m.kind;
      if (SECURE_RTP_PROFILE.test(m.protocol)) section.srtp = true;
      if (section.mid === undefined && m.mid !== null) section.mid = m.mid;
      // port 0 disables, but not a bundle-only m-section of a BUNDLE group (SdpMedia.disabled, RFC 8843 §7.2, §7.3)
      if (m.disabled) section.disabled = true;
      // port 0 (disabled, or bundle-only: see addBundleAddresses) has no RTCP of its own either, not port 0+1
      addTransports(section, m, rtcpMux(side, sdp, index));
      for (const s of m.ssrcs) if (!section.ssrcs.includes(s.id)) section.ssrcs.push(s.id);
      if (m.midExtId !== null && !section.midExtIds.includes(m.midExtId)) section.midExtIds.push(m.midExtId);
      for (const r of m.clockRates) {
        const held = section.clockRates.find((c) => c.pt === r.pt);
        if (held === undefined) section.clockRates.push({ ...r });
        // the two sides give one payload type number different clocks (legal, RFC 3264 §6.1's
        // SHOULD aside: each side's numbers are what it receives): which side's a stream's
        // packets follow is not known here, so its rate is unknown (0), not the offer's by chance
        else if (held.rate !== r.rate) held.rate = 0;
      }
      if (sdp === side.sdp && m.formats.length > 0) formats = m.formats;
      const answerer = side.party === input.awaitingAnswerFrom;
      for (const s of scopes.sections[index] ?? []) {
        if (answerer && echoed[index]?.has(s.id) === true) continue;
        addUnique(section.apts, { id: s.id, origin: s.origin, source: { party: side.party, frame: side.frame, kind: 'sdp', position: s.line }, params: s.params });
      }
    }
    const offered = offer?.sdp.media[index]?.crypto ?? [];
    const answered = input.awaitingAnswerFrom === undefined ? (answer?.sdp.media[index]?.crypto ?? []) : [];
    section.srtcpKeys = keysOf(offered, answered);
    if (offered.length > 0 && answered.length > 0) section.srtp = true;
    const pts = formats.map(Number);
    section.sharedClockRate = sharedClockRate(pts, section.clockRates) ?? null;
    section.mediaClockRate = mediaClockRate(pts, section.clockRates) ?? null;
    if (section.disabled) section.apts = [];
    else for (const apt of headerMedia) addUnique(section.apts, apt);
    sections.push(section);
  }
  if (offer !== null && answer !== null && input.awaitingAnswerFrom === undefined) addBundleAddresses(sections, offer, answer, rtcpMux);
  else if (offer !== null) addOfferedBundleOnlyAddresses(sections, offer, rtcpMux);
  return { sections, dialogApts, headerApts };
}

/**
 * RFC 8843 §7: once an answer accepts a BUNDLE group, each side receives the media of every
 * bundled m-section on one address, its own SDP's tagged m-section's (the group's first mid in
 * the answer), RTP and RTCP alike (BUNDLE requires rtcp-mux). The offer gave each m-section its
 * own port; the packets then come to the tagged one's, which is every bundled m-section's
 * address, not the first one's alone: a stream there is told apart by a=ssrc or its mid only.
 * (RTCP: where the tagged m-section's goes, multiplexed or not as rtcpMux finds.) A bundled
 * m-section with port 0 and a=bundle-only (the offer's, §7.2, or the answer's, §7.3) is not
 * disabled (SdpMedia.disabled) and has no address of its own: the tagged one's is its only one.
 */
function addBundleAddresses(sections: NegotiatedSection[], offer: PartySdp, answer: PartySdp, rtcpMux: RtcpMuxRule): void {
  for (const group of answer.sdp.groups) {
    if (group.semantics !== 'BUNDLE' || group.mids.length < 2) continue;
    const bundled = sections.filter((s) => !s.disabled && s.mid !== undefined && group.mids.includes(s.mid));
    for (const side of [offer, answer]) {
      for (const sdp of [side.sdp, ...(side.copies ?? [])]) addTaggedAddresses(bundled, side, sdp, group.mids[0]!, rtcpMux);
    }
  }
}

/** Whether one description's m-section `index` has its RTCP on its RTP port (rtcpMuxIn). */
type RtcpMuxRule = (side: PartySdp, sdp: SessionDescription, index: number) => boolean;

/**
 * Gives `targets` the transport addresses of the description's tagged m-section (the one with
 * mid `tagMid`): addTransports, its RTCP multiplexed or not as `rtcpMux` finds.
 */
function addTaggedAddresses(targets: readonly NegotiatedSection[], side: PartySdp, sdp: SessionDescription, tagMid: string, rtcpMux: RtcpMuxRule): void {
  const tagged = sdp.media.find((m) => m.mid === tagMid);
  if (tagged === undefined) return;
  const muxed = rtcpMux(side, sdp, tagged.index);
  for (const s of targets) addTransports(s, tagged, muxed);
}

/**
 * While only the offer is known (before any answer, or a new offer awaiting its answer), an
 * m-section it offers bundle-only (port 0 with a=bundle-only, its mid in the offer's BUNDLE
 * group) has no address of its own: RFC 8843 §7.2 makes it usable only through the BUNDLE
 * transport, so it is reached at the offerer's tagged m-section's address (the offer's group's
 * first mid, §7.2.1) — the only place its media can arrive if the answer accepts it, and an
 * answer that rejects it disables it then. The other bundled m-sections keep their own
 * addresses until the answer accepts the group (addBundleAddresses): the answerer may still
 * decline BUNDLE and take them one by one.
 */
function addOfferedBundleOnlyAddresses(sections: NegotiatedSection[], offer: PartySdp, rtcpMux: RtcpMuxRule): void {
  for (const sdp of [offer.sdp, ...(offer.copies ?? [])]) {
    for (const group of sdp.groups) {
      if (group.semantics !== 'BUNDLE' || group.mids.length < 2) continue;
      const bundleOnly = sdp.media
        .filter((m) => m.bundleOnly && m.port === 0 && m.mid !== null && group.mids.includes(m.mid))
        .map((m) => sections[m.index])
        .filter((s): s is NegotiatedSection => s !== undefined && !s.disabled);
      addTaggedAddresses(bundleOnly, offer, sdp, group.mids[0]!, rtcpMux);
    }
  }
}

/**
 * Whether RTCP of an m-section, as one description of one side gives it, is multiplexed on
 * its RTP port. RFC 5761 §5.1.1: only when the offer and the answer both carry a=rtcp-mux for
 * it; otherwise RTCP goes to port+1 or a=rtcp. A relay's copy of the other side's SDP
 * counts (a relay may multiplex one leg only: whichever copy went to this description's
 * sender agreed to it).
 *
 * With one SDP only — an offer before any answer — or an offer awaiting its answer (the
 * answerer's SDP is then from the previous exchange), each description follows what it
 * says itself, as its sender will if the answer agrees: the offer is all there is to go on,
 * and an answerer's earlier a=rtcp-mux was in use then (an answer carries it only when the
 * offer did).
 */
function rtcpMuxIn(offer: PartySdp | null, answer: PartySdp | null, awaitingAnswer: boolean): RtcpMuxRule {
  if (offer === null || answer === null || awaitingAnswer) return (_side, sdp, index) => carriesRtcpMux(sdp, index);
  const anyCarries = (side: PartySdp, index: number) => [side.sdp, ...(side.copies ?? [])].some((sdp) => carriesRtcpMux(sdp, index));
  return (side, sdp, index) => carriesRtcpMux(sdp, index) && anyCarries(side === offer ? answer : offer, index);
}

/**
 * Whether a description carries a=rtcp-mux for its m-section `index`: on the section itself,
 * or on the tagged m-section of its BUNDLE group (the group's first mid, RFC 8843 §7.2, §7.3).
 * BUNDLE requires rtcp-mux, and an answer or a later offer puts the attribute (IDENTICAL
 * category) on the tagged m-section only.
 */
function carriesRtcpMux(sdp: SessionDescription, index: number): boolean {
  const m = sdp.media[index];
  if (m === undefined) return false;
  if (m.rtcpMux) return true;
  const mid = m.mid;
  if (mid === null) return false;
  return sdp.groups.some((g) => g.semantics === 'BUNDLE' && g.mids.includes(mid) && sdp.media.some((tagged) => tagged.mid === g.mids[0] && tagged.rtcpMux));
}

/**
 * An SDP's scopes, worked out once per description: the same SDP takes part in the proposal,
 * the answer and every later statement of the dialog (descriptions are not changed once parsed).
 */
const SCOPES = new WeakMap<SessionDescription, SdpScopes>();

function scopesOf(sdp: SessionDescription): SdpScopes {
  let scopes = SCOPES.get(sdp);
  if (scopes === undefined) {
    scopes = scopesOfSdp(sdp);
    SCOPES.set(sdp, scopes);
  }
  return scopes;
}

/**
 * The transport addresses one description gives its m-section `m` (none with no address or
 * port 0): its RTP address, its RTCP one (multiplexed or not: `muxed`), and its ICE candidates
 * (RFC 8839 §5.1): the media of an ICE call flows on the pair ICE selected, which need not be
 * c=/m= (RFC 8445 no longer sends the updated offer that moved them there); component 1 is
 * RTP, and RTCP too when multiplexed, component 2 RTCP.
 */
function addTransports(section: NegotiatedSection, m: SdpMedia, muxed: boolean): void {
  if (m.address === null || m.port <= 0) return;
  addAddress(section.rtp, m.address, m.port);
  const [rtcpAddress, rtcpPort] = muxed ? [m.address, m.port] : [m.unmuxedRtcpAddress, m.unmuxedRtcpPort];
  if (rtcpAddress !== null && rtcpPort > 0) addAddress(section.rtcp, rtcpAddress, rtcpPort);
  for (const c of m.candidates) {
    if (c.component === 1) addAddress(section.rtp, c.address, c.port);
    if (c.component === 2 || muxed) addAddress(section.rtcp, c.address, c.port);
  }
  // the further port pairs of an m-line with a number of ports (RFC 8866 §5.14: layered
  // encodings, RTP on port+2k, its RTCP on port+2k+1); a few at most are kept
  const pairs = Math.min(m.portCount, MAX_PORT_PAIRS);
  for (let k = 1; k < pairs && m.port + 2 * k + 1 <= 65535; k++) {
    addAddress(section.rtp, m.address, m.port + 2 * k);
    addAddress(section.rtcp, m.address, muxed ? m.port + 2 * k : m.port + 2 * k + 1);
  }
}

/** Port pairs an m-line's number of ports registers at most (a `/65535` would register the whole range). */
const MAX_PORT_PAIRS = 16;

function addAddress(list: TransportAddress[], address: string, port: number): void {
  if (!list.some((a) => a.address === address && a.port === port)) list.push({ address, port });
}

/**
 * Identifiers one list of a scope keeps (a dialog's, an m-section's): an honest party names a
 * handful. Past it, one identifier nothing states stands for the rest, so that what they govern
 * counts as the most restrictive (SPEC §3; reported unresolved under this name) — a message of
 * thousands of AI-Pref values over thousands of m-lines made a copy of every value per m-section.
 */
const MAX_LIST_IDENTIFIERS = 64;
const TOO_MANY_IDENTIFIERS = '(too many AI-Pref or a=aipref identifiers)';

/** The first declaration of an (id, origin) pair is kept: repeating it changes nothing. */
function addUnique(list: NegotiatedApt[], apt: NegotiatedApt): void {
  if (list.some((a) => a.id === apt.id && a.origin === apt.origin)) return;
  if (list.length < MAX_LIST_IDENTIFIERS) list.push(apt);
  else if (!list.some((a) => a.id === TOO_MANY_IDENTIFIERS)) list.push({ id: TOO_MANY_IDENTIFIERS, origin: apt.origin, source: apt.source, params: {} });
}

function headerValueParams(v: AiPrefValue): Record<string, string> {
  const params: Record<string, string> = { ...v.params };
  if (v.scope !== null) params['scope'] = v.scope;
  if (v.type !== null) params['type'] = v.type;
  if (v.version !== null) params['version'] = String(v.version);
  if (v.integrity !== null) params['integrity'] = v.integrity;
  if (v.uri !== null) params['uri'] = v.uri;
  if (v.policy !== null) params['policy'] = v.policy;
  return params;
}

/** Identifiers of a scope, sorted and deduplicated: for reports and equality checks. */
export function aptIdsOf(apts: readonly NegotiatedApt[]): string[] {
  return [...new Set(apts.map((a) => a.id))].sort();
}
