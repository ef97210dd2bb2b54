/**
 * SDP (RFC 8866) as the enforcer needs it: where each m-section's RTP and RTCP arrive, which
 * SSRCs and mid it declares, and the `a=aipref` attributes (seed §6.1) that govern it.
 *
 * One pass over the lines: each is numbered and checked (the lines this module relies on must
 * have their shape; broken ones are reported and skipped), a=aipref is read here, and the few
 * standard attributes the enforcer uses (o=, c=, a=rtcp, a=rtcp-mux, a=rtpmap, a=mid, a=extmap, a=ssrc,
 * a=ssrc-group, a=group, a=bundle-only, the direction) are read with sdp-transform's own grammar rules, with
 * its conversions (see SdpTransformRules). sdp-transform's `parse` itself is not called: it
 * tries every rule of its grammar on every line, most of which the enforcer never reads.
 */
import * as sdpTransform from 'sdp-transform';
import { type ClockRate, clockRatesOf } from '../media/clock-rates.js';
import { parseAiPrefAttribute, type AiPrefAttributeResult, type SdpAiPref } from './sdp-aipref.js';

export type { SdpAiPref, AiPrefScopeKind } from './sdp-aipref.js';

export const MID_HEADER_EXTENSION_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpSsrc {
  id: number;
  cname: string | null;
  /** every `a=ssrc:<id> <attribute>[:<value>]` of this SSRC, attribute → value ('' when valueless) */
  attributes: Record<string, string>;
}

export interface SdpMedia {
  index: number;
  /** media type of the m-line: audio, video, application, ... */
  kind: string;
  port: number;
  /**
   * the m-line's number of ports (`m=audio 49170/2 RTP/AVP 0`, RFC 8866 §5.14): under RTP, that
   * many RTP/RTCP port pairs from `port` up (port+2k, port+2k+1); 1 when it gives none
   */
  portCount: number;
  protocol: string;
  formats: string[];
  /** c= of the section, else of the session; null when neither gives one */
  address: string | null;
  /** where RTCP arrives as this SDP alone says: the RTP port with its own a=rtcp-mux, else as unmuxedRtcpPort */
  rtcpPort: number;
  rtcpAddress: string | null;
  /** the section carries a=rtcp-mux (in use only when the offer and the answer both do, RFC 5761 §5.1.1) */
  rtcpMux: boolean;
  /** where RTCP arrives when it is not multiplexed: a=rtcp's port (and address), else port+1 */
  unmuxedRtcpPort: number;
  unmuxedRtcpAddress: string | null;
  mid: string | null;
  ssrcs: SdpSsrc[];
  ssrcGroups: { semantics: string; ssrcs: number[] }[];
  /** the a=extmap id of urn:ietf:params:rtp-hdrext:sdes:mid (the section's own, else the session's), or null */
  midExtId: number | null;
  /** the section's a=rtpmap clock rates (RFC 8866 §6.6), the first line of a payload type winning */
  clockRates: ClockRate[];
  aiprefs: SdpAiPref[];
  /** the section carries a=bundle-only (RFC 8843 §6) */
  bundleOnly: boolean;
  /** SDES-SRTP keys (RFC 4568 a=crypto, then RFC 5939 a=acap crypto): the keys this side may send with, one line per tag */
  crypto: SdpCrypto[];
  /** ICE candidates over UDP at an IP address (RFC 8839 §5.1; not an mDNS name), in the order given */
  candidates: SdpCandidate[];
  /**
   * port 0: the stream is disabled or rejected (RFC 3264 §6, §8.2) — unless the section is
   * bundle-only (a=bundle-only, its mid in this SDP's BUNDLE group): then port 0 only says it
   * has no transport of its own, its media uses the BUNDLE group's (RFC 8843 §7.2, §7.3). An
   * answerer rejects a bundled m-section with port 0 without a=bundle-only (RFC 8843 §7.3.3).
   */
  disabled: boolean;
  direction: MediaDirection;
  /** 1-based line number of the m-line */
  line: number;
}

/** An ICE candidate: a transport address of the m-section, component 1 its RTP, 2 its RTCP. */
export interface SdpCandidate {
  component: number;
  address: string;
  port: number;
}

/**
 * The candidates of an m-section that media can arrive at in a UDP capture, from a=candidate
 * lines as sdp-transform's rule reads them: UDP (ICE-TCP's framing, RFC 6544, is not read), at
 * an IP address (an mDNS `.local` name, RFC 8839 §5.1, says nothing), a port, component 1 or 2.
 */
export function candidatesOf(lines: readonly Record<string, unknown>[]): SdpCandidate[] {
  const out: SdpCandidate[] = [];
  for (const c of lines) {
    const { component, transport, ip, port } = c;
    if (typeof transport !== 'string' || transport.toLowerCase() !== 'udp' || typeof ip !== 'string' || typeof port !== 'number') continue;
    if ((component !== 1 && component !== 2) || port <= 0 || port > 65535 || !/^[\d.]+$|:/.test(ip)) continue;
    out.push({ component, address: ip, port });
  }
  return out;
}

export interface SdpCrypto {
  tag: number;
  suite: string;
  /** the key-params, `;` between several: `inline:<base64 key||salt>[|lifetime][|MKI:length]` each (RFC 4568 §6.1) */
  keyParams: string;
  /** the session parameters after them, as written (RFC 4568 §6.3: `KDR=n`, `UNENCRYPTED_SRTCP`, …); absent: none */
  sessionParams?: string[];
}

export interface SessionDescription {
  origin: { username: string; sessionId: string; sessionVersion: string; address: string } | null;
  connection: { addressType: 'IP4' | 'IP6'; address: string } | null;
  aiprefs: SdpAiPref[];
  groups: { semantics: string; mids: string[] }[];
  media: SdpMedia[];
}

export type SdpErrorReason =
  | 'not-a-type-value-line'
  | 'bad-media-line'
  | 'bad-connection'
  | 'bad-origin'
  | 'bad-rtcp'
  | 'bad-mid'
  | 'bad-ssrc'
  | 'bad-ssrc-group'
  | 'bad-group'
  | 'bad-extmap'
  | 'bad-aipref'
  | 'mid-scope-at-session-level';

export interface SdpError {
  /** 1-based line number */
  line: number;
  reason: SdpErrorReason;
  detail: string;
}

export interface SdpParseResult {
  sdp: SessionDescription;
  errors: SdpError[];
}

const MEDIA_LINE = /^m=(\S+) (\d+)(?:\/(\d+))? (\S+)(?: (.*))?$/;
const CONNECTION_LINE = /^c=IN (IP4|IP6) (\S+)$/;
const ORIGIN_LINE = /^o=\S+ \S+ \S+ IN IP[46] \S+$/;
/** the a= lines this module relies on, each with the shape it must have */
const RTCP_SHAPE = /^a=rtcp:(\d{1,5})(?: IN IP[46] [0-9A-Za-z:.\-]+)?$/;
const MID_SHAPE = /^a=mid:\S+$/;
const SSRC_SHAPE = /^a=ssrc:\d{1,10}(?: \S.*)?$/;
const SSRC_GROUP_SHAPE = /^a=ssrc-group:\S+(?: \d{1,10})*$/;
const GROUP_SHAPE = /^a=group:\S+(?: \S+)*$/;
// (RFC 8285 §7's grammar: 1*5DIGIT; an offer may use 4096–4351, for the answer to map)
const EXTMAP_SHAPE = /^a=extmap:\d{1,5}(?:\/\w+)? \S+(?: .*)?$/;

export function parseSdp(text: string): SdpParseResult {
  const errors: SdpError[] = [];
  const session = newAttributes();
  const sessionAiPrefs: SdpAiPref[] = [];
  const sections: SectionDraft[] = [];
  let section: SectionDraft | null = null;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trimEnd();
    if (raw.length === 0) continue;
    const line = i + 1;
    if (raw.charCodeAt(0) === 0x6d /* m */ && raw.charCodeAt(1) === 0x3d /* = */) {
      // a broken m-line still opens a section, so later sections keep their index
      const mLine = readMediaLine(raw);
      section = { line, text: raw, mLine, attributes: newAttributes(), aiprefs: [] };
      sections.push(section);
      if (!mLine) errors.push({ line, reason: 'bad-media-line', detail: sdpLineName(raw) });
      continue;
    }
    const effect = effectOf(raw);
    switch (effect.kind) {
      case 'none':
        continue;
      case 'error':
        errors.push({ line, reason: effect.reason, detail: sdpLineName(raw) });
        continue;
      case 'aipref': {
        const pref = readAiPref(raw, line, section === null ? null : sections.length - 1, errors);
        if (pref) (section === null ? sessionAiPrefs : section.aiprefs).push(pref);
        continue;
      }
      default:
        applyEffect(effect, section === null ? session : section.attributes);
    }
  }

  const sdp: SessionDescription = {
    origin: session.origin
      ? {
          username: String(session.origin['username']),
          sessionId: String(session.origin['sessionId']),
          sessionVersion: String(session.origin['sessionVersion']),
          address: session.origin['address'] as string,
        }
      : null,
    connection: session.connection ? connectionOf(session.connection) : null,
    aiprefs: sessionAiPrefs,
    groups: session.groups.map((g) => ({ semantics: g['type'] as string, mids: String(g['mids']).split(' ').filter((m) => m.length > 0) })),
    media: [],
  };
  const sessionDirection = session.direction ?? 'sendrecv';
  const sessionMidExt = midExtOf(session.ext);
  for (let index = 0; index < sections.length; index++) {
    sdp.media.push(readSection(sections[index]!, index, sdp, sessionDirection, sessionMidExt));
  }
  return { sdp, errors };
}

/**
 * What a broken line is, for its report: its type and attribute name (`a=ssrc`, `c=`), never its
 * value — an a=ssrc line carries the SDES CNAME (RFC 5576 §6.1), and reports never copy SDES
 * text (SPEC §6). The line number says where the rest is.
 */
export function sdpLineName(raw: string): string {
  const m = /^([a-z])=([A-Za-z0-9_.-]{0,40})/.exec(raw);
  if (m === null) return 'not a type=value line';
  return m[1] === 'a' ? `a=${m[2]}` : `${m[1]}=`;
}

function checkLine(raw: string): SdpErrorReason | null {
  const type = raw.charCodeAt(0);
  if (type < 0x61 || type > 0x7a || raw.charCodeAt(1) !== 0x3d) return 'not-a-type-value-line';
  switch (type) {
    case 0x63: {
      // c=
      const c = CONNECTION_LINE.exec(raw);
      return c && isConnectionAddress(c[1]!, c[2]!) ? null : 'bad-connection';
    }
    case 0x6f: // o=
      return ORIGIN_LINE.test(raw) ? null : 'bad-origin';
    case 0x61: // a=
      switch (raw.charCodeAt(2)) {
        case 0x72: // r
          return raw.startsWith('a=rtcp:') && !RTCP_SHAPE.test(raw) ? 'bad-rtcp' : null;
        case 0x6d: // m
          return raw.startsWith('a=mid:') && !MID_SHAPE.test(raw) ? 'bad-mid' : null;
        case 0x73: // s
          if (raw.startsWith('a=ssrc:')) return SSRC_SHAPE.test(raw) ? null : 'bad-ssrc';
          return raw.startsWith('a=ssrc-group:') && !SSRC_GROUP_SHAPE.test(raw) ? 'bad-ssrc-group' : null;
        case 0x67: // g
          return raw.startsWith('a=group:') && !GROUP_SHAPE.test(raw) ? 'bad-group' : null;
        case 0x65: // e
          return raw.startsWith('a=extmap:') && !EXTMAP_SHAPE.test(raw) ? 'bad-extmap' : null;
        default:
          return null;
      }
    default:
      return null;
  }
}

/**
 * c= addresses (RFC 8866 §5.7): a dotted quad or an IPv6 literal, optionally with the
 * multicast /ttl[/count] suffix, or a domain name. Anything else (scanners put SQL there)
 * would become a bogus transport binding.
 */
const IPV4_CONNECTION = /^(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,3}){0,2}$/;
const IPV6_CONNECTION = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:\/\d{1,3})?$/;
const DOMAIN_NAME = /^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

function isConnectionAddress(addressType: string, address: string): boolean {
  if (addressType === 'IP4') {
    if (IPV4_CONNECTION.test(address)) return address.split('/')[0]!.split('.').every((octet) => Number(octet) <= 255);
    return DOMAIN_NAME.test(address);
  }
  return IPV6_CONNECTION.test(address) || DOMAIN_NAME.test(address);
}

/** The fields of a well-formed m-line, or null. */
function readMediaLine(raw: string): RegExpExecArray | null {
  const m = MEDIA_LINE.exec(raw);
  return m && Number(m[2]) <= 65535 ? m : null;
}

function connectionOf(c: Fields): { addressType: 'IP4' | 'IP6'; address: string } {
  // multicast c= carries /ttl[/count] after the address; the address alone is what binds
  return { addressType: c['version'] === 6 ? 'IP6' : 'IP4', address: String(c['ip']).split('/')[0]! };
}

// ---- the standard attributes, as sdp-transform reads them ---------------------------------

/** A value as sdp-transform stores it: text that is exactly a number's canonical form becomes that number. */
type Value = string | number;
type Fields = Record<string, Value>;

/** What sdp-transform would have made of one level (the session, or one m-section) — the parts read here. */
interface Attributes {
  origin: Fields | undefined;
  connection: Fields | undefined;
  rtcp: Fields | undefined;
  rtcpMux: boolean;
  bundleOnly: boolean;
  crypto: Fields[];
  acapCrypto: Fields[];
  candidates: Fields[];
  mid: Value | undefined;
  direction: Value | undefined;
  rtp: Fields[];
  ext: Fields[];
  ssrcs: Fields[];
  ssrcGroups: Fields[];
  groups: Fields[];
}

interface SectionDraft {
  line: number;
  text: string;
  mLine: RegExpExecArray | null;
  attributes: Attributes;
  aiprefs: SdpAiPref[];
}

function newAttributes(): Attributes {
  return { origin: undefined, connection: undefined, rtcp: undefined, rtcpMux: false, bundleOnly: false, crypto: [], acapCrypto: [], candidates: [], mid: undefined, direction: undefined, rtp: [], ext: [], ssrcs: [], ssrcGroups: [], groups: [] };
}

interface GrammarRule {
  name?: string;
  push?: string;
  reg?: RegExp;
  names?: string[];
}

/**
 * The rules of sdp-transform's grammar this module reads. sdp-transform gives a line to the
 * first rule of its type whose pattern matches; every rule here starts with a literal that no
 * earlier rule of the grammar can match (nor any other rule here), so trying only the rule
 * whose literal starts the line reads it exactly as the full parse would. A test compares
 * the result with sdp-transform's `parse`.
 */
const GRAMMAR = (sdpTransform as unknown as { grammar: Record<string, GrammarRule[]> }).grammar;

function grammarRule(type: string, key: string): { reg: RegExp; names: string[] } {
  const rule = GRAMMAR[type]?.find((r) => (r.push ?? r.name) === key);
  if (!rule?.reg) throw new Error(`sdp-transform has no grammar rule ${type}=${key}`);
  return { reg: rule.reg, names: rule.names ?? [] };
}

const ORIGIN_RULE = grammarRule('o', 'origin');
const CONNECTION_RULE = grammarRule('c', 'connection');
const RTCP_RULE = grammarRule('a', 'rtcp');
const RTPMAP_RULE = grammarRule('a', 'rtp');
const EXT_RULE = grammarRule('a', 'ext');
const MID_RULE = grammarRule('a', 'mid');
const DIRECTION_RULE = grammarRule('a', 'direction');
const SSRC_RULE = grammarRule('a', 'ssrcs');
const SSRC_GROUP_RULE = grammarRule('a', 'ssrcGroups');
const GROUP_RULE = grammarRule('a', 'groups');
const RTCP_MUX_RULE = grammarRule('a', 'rtcpMux');
const BUNDLE_ONLY_RULE = grammarRule('a', 'bundleOnly');
const CRYPTO_RULE = grammarRule('a', 'crypto');
/**
 * sdp-transform's crypto rule keeps the first session parameter only: this one keeps them all
 * (its fields named as the rule's), with spaces or tabs between fields (RFC 4568 §9.1: 1*WSP)
 */
const CRYPTO_LINE = /^crypto:(\d*)[ \t]+([\w_]*)[ \t]+(\S*)(?:[ \t]+(.*))?/;
const CANDIDATE_RULE = grammarRule('a', 'candidates');
/**
 * An SDES key offered as a potential configuration (SDP capability negotiation, RFC 5939 §3.4.1:
 * `a=acap:<n> crypto:…` with `a=tcap` RTP/SAVP on an RTP/AVP m-line); sdp-transform has no rule
 * for it, and this module reads it as the crypto rule reads an a=crypto line (the SRTCP keys of
 * an m-section are candidates: the one whose tag authenticates a packet is taken).
 */
export const ACAP_CRYPTO = /^acap:\d+[ \t]+crypto:(\d*)[ \t]+([\w_]*)[ \t]+(\S*)(?:[ \t]+(.*))?/;

/** sdp-transform's toIntIfInt */
function valueOf(text: string): Value {
  const n = Number(text);
  return String(n) === text ? n : text;
}

/** The rule's named groups that matched, converted (sdp-transform's parseReg). */
function fieldsOf(match: RegExpExecArray, names: readonly string[]): Fields {
  const fields: Fields = {};
  for (let i = 0; i < names.length; i++) {
    const group = match[i + 1];
    if (group != null) fields[names[i]!] = valueOf(group);
  }
  return fields;
}

/**
 * What one line (not an m-line) means here: an error, an a=aipref, one of the standard
 * attributes with its fields as sdp-transform reads them, or nothing. A function of the
 * line's text alone, so it is worked out once per distinct line (most lines repeat from one
 * description to the next: rtpmap, rtcp-mux, mid, extmap, aipref, ...).
 */
type LineEffect =
  | { kind: 'none' }
  | { kind: 'error'; reason: SdpErrorReason }
  | { kind: 'aipref' }
  /** merged into the level's object of that name, field by field */
  | { kind: 'origin' | 'connection' | 'rtcp'; fields: Fields }
  /** appended to the level's list */
  | { kind: 'rtp' | 'ext' | 'ssrcs' | 'ssrcGroups' | 'groups' | 'crypto' | 'acapCrypto' | 'candidates'; fields: Fields }
  | { kind: 'mid' | 'direction'; value: Value }
  | { kind: 'rtcpMux' }
  | { kind: 'bundleOnly' };

const NONE: LineEffect = { kind: 'none' };
const AIPREF: LineEffect = { kind: 'aipref' };
const RTCP_MUX: LineEffect = { kind: 'rtcpMux' };
const BUNDLE_ONLY: LineEffect = { kind: 'bundleOnly' };

/** distinct lines seen lately and what they mean; emptied when full (unique lines like a=ssrc keep arriving) */
const LINE_EFFECTS = new Map<string, LineEffect>();
const MAX_LINE_EFFECTS = 4096;

function effectOf(raw: string): LineEffect {
  let effect = LINE_EFFECTS.get(raw);
  if (effect === undefined) {
    const error = checkLine(raw);
    effect = error ? { kind: 'error', reason: error } : isAiPrefLine(raw) ? AIPREF : standardEffect(raw);
    if (LINE_EFFECTS.size >= MAX_LINE_EFFECTS) LINE_EFFECTS.clear();
    LINE_EFFECTS.set(raw, effect);
  }
  return effect;
}

/** attribute names are matched without regard to case: senders write AIPref, aiPref, ... */
function isAiPrefLine(raw: string): boolean {
  const third = raw.charCodeAt(2);
  return (third === 0x61 || third === 0x41) && raw.length >= 9 && raw.slice(0, 9).toLowerCase() === 'a=aipref:';
}

function applyEffect(effect: LineEffect, at: Attributes): void {
  switch (effect.kind) {
    case 'origin':
    case 'connection':
    case 'rtcp': {
      // the effect is shared by every line with this text: merge into the level's own object
      const into = at[effect.kind];
      at[effect.kind] = into ? Object.assign(into, effect.fields) : { ...effect.fields };
      return;
    }
    case 'rtp':
    case 'ext':
    case 'ssrcs':
    case 'ssrcGroups':
    case 'groups':
    case 'crypto':
    case 'acapCrypto':
    case 'candidates':
      // read, never changed, and never part of the result
      at[effect.kind].push(effect.fields);
      return;
    case 'mid':
      at.mid = effect.value;
      return;
    case 'direction':
      at.direction = effect.value;
      return;
    case 'rtcpMux':
      at.rtcpMux = true;
      return;
    case 'bundleOnly':
      at.bundleOnly = true;
      return;
  }
}

function standardEffect(raw: string): LineEffect {
  let m: RegExpExecArray | null;
  switch (raw.charCodeAt(0)) {
    case 0x6f: // o=
      return (m = ORIGIN_RULE.reg.exec(raw.slice(2))) ? { kind: 'origin', fields: fieldsOf(m, ORIGIN_RULE.names) } : NONE;
    case 0x63: // c=
      return (m = CONNECTION_RULE.reg.exec(raw.slice(2))) ? { kind: 'connection', fields: fieldsOf(m, CONNECTION_RULE.names) } : NONE;
    case 0x61: // a=
      break;
    default:
      return NONE;
  }
  // Each rule's pattern starts with a literal: only a line that starts with it can match.
  // The literals exclude one another, so their order does not matter.
  switch (raw.charCodeAt(2)) {
    case 0x72: // r
      if (raw.startsWith('rtcp:', 2)) return (m = RTCP_RULE.reg.exec(raw.slice(2))) ? { kind: 'rtcp', fields: fieldsOf(m, RTCP_RULE.names) } : NONE;
      if (raw.startsWith('rtcp-mux', 2)) return RTCP_MUX_RULE.reg.test(raw.slice(2)) ? RTCP_MUX : NONE;
      if (raw.startsWith('rtpmap:', 2)) return (m = RTPMAP_RULE.reg.exec(raw.slice(2))) ? { kind: 'rtp', fields: fieldsOf(m, RTPMAP_RULE.names) } : NONE;
      return raw.startsWith('recvonly', 2) ? directionEffect(raw) : NONE;
    case 0x65: // e
      return raw.startsWith('extmap:', 2) && (m = EXT_RULE.reg.exec(raw.slice(2))) ? { kind: 'ext', fields: fieldsOf(m, EXT_RULE.names) } : NONE;
    case 0x6d: // m
      return raw.startsWith('mid:', 2) && (m = MID_RULE.reg.exec(raw.slice(2))) ? { kind: 'mid', value: valueOf(m[1]!) } : NONE;
    case 0x73: // s
      if (raw.startsWith('ssrc:', 2)) return (m = SSRC_RULE.reg.exec(raw.slice(2))) ? { kind: 'ssrcs', fields: fieldsOf(m, SSRC_RULE.names) } : NONE;
      if (raw.startsWith('ssrc-group:', 2)) return (m = SSRC_GROUP_RULE.reg.exec(raw.slice(2))) ? { kind: 'ssrcGroups', fields: fieldsOf(m, SSRC_GROUP_RULE.names) } : NONE;
      return raw.startsWith('sendrecv', 2) || raw.startsWith('sendonly', 2) ? directionEffect(raw) : NONE;
    case 0x69: // i
      return raw.startsWith('inactive', 2) ? directionEffect(raw) : NONE;
    case 0x63: // c
      if (raw.startsWith('candidate:', 2)) return (m = CANDIDATE_RULE.reg.exec(raw.slice(2))) ? { kind: 'candidates', fields: fieldsOf(m, CANDIDATE_RULE.names) } : NONE;
      return raw.startsWith('crypto:', 2) && (m = CRYPTO_LINE.exec(raw.slice(2))) ? { kind: 'crypto', fields: fieldsOf(m, CRYPTO_RULE.names) } : NONE;
    case 0x61: // a
      return raw.startsWith('acap:', 2) && (m = ACAP_CRYPTO.exec(raw.slice(2))) ? { kind: 'acapCrypto', fields: fieldsOf(m, CRYPTO_RULE.names) } : NONE;
    case 0x67: // g
      return raw.startsWith('group:', 2) && (m = GROUP_RULE.reg.exec(raw.slice(2))) ? { kind: 'groups', fields: fieldsOf(m, GROUP_RULE.names) } : NONE;
    case 0x62: // b
      return raw.startsWith('bundle-only', 2) && BUNDLE_ONLY_RULE.reg.test(raw.slice(2)) ? BUNDLE_ONLY : NONE;
    default:
      return NONE;
  }
}

function directionEffect(raw: string): LineEffect {
  const m = DIRECTION_RULE.reg.exec(raw.slice(2));
  return m ? { kind: 'direction', value: valueOf(m[1]!) } : NONE;
}

function readSection(draft: SectionDraft, index: number, sdp: SessionDescription, sessionDirection: Value, sessionMidExt: number | null): SdpMedia {
  const m = draft.mLine;
  const attributes = draft.attributes;
  const port = m ? Number(m[2]) : 0;
  const connection = attributes.connection ? connectionOf(attributes.connection) : null;
  const address = connection?.address ?? sdp.connection?.address ?? null;
  const rtcpMux = attributes.rtcpMux;
  const rtcp = attributes.rtcp;
  const unmuxedRtcpPort = rtcp && typeof rtcp['port'] === 'number' ? rtcp['port'] : port + 1;
  const unmuxedRtcpAddress = rtcp?.['address'] ? (rtcp['address'] as string) : address;
  const mid = attributes.mid !== undefined ? String(attributes.mid) : null;
  const bundleOnly = attributes.bundleOnly;
  const media: SdpMedia = {
    index,
    kind: m ? m[1]! : (draft.text.slice(2).split(' ')[0] ?? ''),
    port,
    portCount: m && m[3] !== undefined ? Number(m[3]) : 1,
    protocol: m ? m[4]! : '',
    formats: m && m[5] ? m[5].split(' ').filter((f) => f.length > 0) : [],
    address,
    rtcpPort: rtcpMux ? port : unmuxedRtcpPort,
    rtcpAddress: rtcpMux ? address : unmuxedRtcpAddress,
    rtcpMux,
    unmuxedRtcpPort,
    unmuxedRtcpAddress,
    mid,
    ssrcs: ssrcsOf(attributes.ssrcs),
    ssrcGroups: attributes.ssrcGroups.map((g) => ({ semantics: g['semantics'] as string, ssrcs: String(g['ssrcs']).split(' ').filter((s) => s.length > 0).map(Number) })),
    midExtId: sectionMidExt(attributes.ext, sessionMidExt),
    // a=crypto lines, then keys offered as capabilities (a=acap … crypto:)
    crypto: [...attributes.crypto, ...attributes.acapCrypto].flatMap((c): SdpCrypto[] => {
      if (typeof c['id'] !== 'number' || typeof c['suite'] !== 'string') return [];
      const crypto: SdpCrypto = { tag: c['id'], suite: c['suite'], keyParams: String(c['config'] ?? '') };
      const sessionParams = String(c['sessionConfig'] ?? '').split(/\s+/).filter((p) => p.length > 0);
      // (no field where the line has none: a line is what sdp-transform reads it to be)
      if (sessionParams.length > 0) crypto.sessionParams = sessionParams;
      return [crypto];
    }),
    candidates: candidatesOf(attributes.candidates),
    clockRates: clockRatesOf(attributes.rtp),
    aiprefs: draft.aiprefs,
    bundleOnly,
    disabled: port === 0 && !(bundleOnly && inBundleGroup(sdp, mid)),
    direction: (attributes.direction ?? sessionDirection) as MediaDirection,
    line: draft.line,
  };
  return media;
}

/** Whether `mid` is in one of the description's BUNDLE groups (RFC 8843 §7.1). */
function inBundleGroup(sdp: SessionDescription, mid: string | null): boolean {
  return mid !== null && sdp.groups.some((g) => g.semantics === 'BUNDLE' && g.mids.includes(mid));
}

/** The id a level's a=extmap lines give the RTP mid header extension, or null. */
function midExtOf(ext: readonly Fields[]): number | null {
  // an encrypted mid element (RFC 6904: `a=extmap:1 urn:ietf:params:rtp-hdrext:encrypt <uri>`)
  // is ciphertext: read as a mid it named random m-sections
  const midExt = ext.find((e) => e['uri'] === MID_HEADER_EXTENSION_URI && e['encrypt-uri'] === undefined);
  return midExt ? Number(midExt['value']) : null;
}

/**
 * The mid extension's id in one m-section. An a=extmap at session level applies to every
 * m-section (RFC 8285 §5); a section's own declarations take precedence: its own mid mapping,
 * and an id it gives to another extension is not the mid (one id, one extension per section).
 */
function sectionMidExt(ext: readonly Fields[], sessionMidExt: number | null): number | null {
  const own = midExtOf(ext);
  if (own !== null || sessionMidExt === null) return own;
  return ext.some((e) => Number(e['value']) === sessionMidExt) ? null : sessionMidExt;
}

function ssrcsOf(lines: readonly Fields[]): SdpSsrc[] {
  const byId = new Map<number, SdpSsrc>();
  for (const line of lines) {
    const id = Number(line['id']);
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) continue;
    let ssrc = byId.get(id);
    if (!ssrc) {
      ssrc = { id, cname: null, attributes: {} };
      byId.set(id, ssrc);
    }
    const attribute = line['attribute'];
    if (!attribute) continue;
    const value = line['value'] === undefined ? '' : String(line['value']);
    if (!(attribute in ssrc.attributes)) ssrc.attributes[attribute] = value;
    if (attribute === 'cname' && ssrc.cname === null) ssrc.cname = value;
  }
  return [...byId.values()];
}

/** a=aipref values repeat from message to message: each distinct text is parsed once (bounded) */
const AIPREF_VALUES = new Map<string, AiPrefAttributeResult>();
const MAX_AIPREF_VALUES = 2048;

function aiPrefAttributeOf(value: string): AiPrefAttributeResult {
  const known = AIPREF_VALUES.get(value);
  // every caller gets parameters of its own
  if (known) return known.ok ? { ...known, params: { ...known.params } } : known;
  const parsed = parseAiPrefAttribute(value);
  if (AIPREF_VALUES.size >= MAX_AIPREF_VALUES) AIPREF_VALUES.clear();
  AIPREF_VALUES.set(value, parsed.ok ? { ...parsed, params: { ...parsed.params } } : parsed);
  return parsed;
}

function readAiPref(raw: string, line: number, mediaIndex: number | null, errors: SdpError[]): SdpAiPref | null {
  const parsed = aiPrefAttributeOf(raw.slice('a=aipref:'.length));
  if (!parsed.ok) {
    // an unknown scope: the identifier governs where the line stands (the session, or its own
    // m-section), unresolved — what it meant to say cannot be read, so it is not simply dropped
    const kept = parsed.kept ?? (parsed.unplacedId !== undefined ? { scope: mediaIndex === null ? ('session' as const) : ('mid' as const), id: parsed.unplacedId } : undefined);
    // a mid-scope line at session level names its m-section by a parameter, which is not kept
    const placed = kept !== undefined && !(mediaIndex === null && kept.scope === 'mid');
    errors.push({ line, reason: 'bad-aipref', detail: `${parsed.reason}: ${parsed.detail}${placed ? ` (${kept.id} kept for its ${kept.scope} scope, unresolved)` : ''}` });
    return placed ? { scope: kept.scope, id: kept.id, params: {}, line, mediaIndex, garbled: true } : null;
  }
  if (mediaIndex === null && parsed.scope === 'mid' && !parsed.params['mid']) {
    errors.push({ line, reason: 'mid-scope-at-session-level', detail: `${parsed.id} names no mid (add mid=<mid>)` });
    return null;
  }
  return { scope: parsed.scope, id: parsed.id, params: parsed.params, line, mediaIndex };
}
