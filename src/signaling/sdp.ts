/**
 * SDP (RFC 8866) as the enforcer needs it: where each m-section's RTP and RTCP arrive, which
 * SSRCs and mid it declares, and the `a=aipref` attributes (seed §6.1) that govern it.
 *
 * One pass over the lines: each is numbered and checked (the lines this module relies on must
 * have their shape; broken ones are reported and skipped), a=aipref is read here, and the few
 * standard attributes the enforcer uses (o=, c=, a=rtcp, a=rtcp-mux, a=mid, a=extmap, a=ssrc,
 * a=ssrc-group, a=group, the direction) are read with sdp-transform's own grammar rules, with
 * its conversions (see SdpTransformRules). sdp-transform's `parse` itself is not called: it
 * tries every rule of its grammar on every line, most of which the enforcer never reads.
 */
import * as sdpTransform from 'sdp-transform';
import { parseAiPrefAttribute, type SdpAiPref } from './sdp-aipref.js';

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
  protocol: string;
  formats: string[];
  /** c= of the section, else of the session; null when neither gives one */
  address: string | null;
  rtcpPort: number;
  rtcpAddress: string | null;
  rtcpMux: boolean;
  mid: string | null;
  ssrcs: SdpSsrc[];
  ssrcGroups: { semantics: string; ssrcs: number[] }[];
  /** the a=extmap id of urn:ietf:params:rtp-hdrext:sdes:mid, or null */
  midExtId: number | null;
  aiprefs: SdpAiPref[];
  /** port 0: the stream is disabled or rejected (RFC 3264 §6, §8.2) */
  disabled: boolean;
  direction: MediaDirection;
  /** 1-based line number of the m-line */
  line: number;
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
const EXTMAP_SHAPE = /^a=extmap:\d{1,3}(?:\/\w+)? \S+(?: .*)?$/;

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
      if (!mLine) errors.push({ line, reason: 'bad-media-line', detail: raw.slice(0, 80) });
      continue;
    }
    const error = checkLine(raw);
    if (error) {
      errors.push({ line, reason: error, detail: raw.slice(0, 80) });
      continue;
    }
    // attribute names are matched without regard to case: senders write AIPref, aiPref, ...
    const third = raw.charCodeAt(2);
    if ((third === 0x61 || third === 0x41) && raw.length >= 9 && raw.slice(0, 9).toLowerCase() === 'a=aipref:') {
      const pref = readAiPref(raw, line, section === null ? null : sections.length - 1, errors);
      if (pref) (section === null ? sessionAiPrefs : section.aiprefs).push(pref);
    }
    readStandardLine(raw, section === null ? session : section.attributes);
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
  for (let index = 0; index < sections.length; index++) {
    sdp.media.push(readSection(sections[index]!, index, sdp, sessionDirection));
  }
  return { sdp, errors };
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
  mid: Value | undefined;
  direction: Value | undefined;
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
  return { origin: undefined, connection: undefined, rtcp: undefined, rtcpMux: false, mid: undefined, direction: undefined, ext: [], ssrcs: [], ssrcGroups: [], groups: [] };
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
 * earlier rule of the grammar can match, so trying only these (in grammar order) reads a line
 * exactly as the full parse would. A test compares the result with sdp-transform's `parse`.
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
const EXT_RULE = grammarRule('a', 'ext');
const MID_RULE = grammarRule('a', 'mid');
const DIRECTION_RULE = grammarRule('a', 'direction');
const SSRC_RULE = grammarRule('a', 'ssrcs');
const SSRC_GROUP_RULE = grammarRule('a', 'ssrcGroups');
const GROUP_RULE = grammarRule('a', 'groups');
const RTCP_MUX_RULE = grammarRule('a', 'rtcpMux');

/** sdp-transform's toIntIfInt */
function valueOf(text: string): Value {
  const n = Number(text);
  return String(n) === text ? n : text;
}

/** The rule's named groups that matched, converted; merged into `into` (sdp-transform's parseReg). */
function fieldsOf(match: RegExpExecArray, names: readonly string[], into: Fields = {}): Fields {
  for (let i = 0; i < names.length; i++) {
    const group = match[i + 1];
    if (group != null) into[names[i]!] = valueOf(group);
  }
  return into;
}

function readStandardLine(raw: string, at: Attributes): void {
  const content = raw.slice(2);
  let m: RegExpExecArray | null;
  switch (raw.charCodeAt(0)) {
    case 0x6f: // o=
      if ((m = ORIGIN_RULE.reg.exec(content))) at.origin = fieldsOf(m, ORIGIN_RULE.names, at.origin);
      return;
    case 0x63: // c=
      if ((m = CONNECTION_RULE.reg.exec(content))) at.connection = fieldsOf(m, CONNECTION_RULE.names, at.connection);
      return;
    case 0x61: // a=
      break;
    default:
      return;
  }
  // by the first letter of the attribute; each list in grammar order
  switch (content.charCodeAt(0)) {
    case 0x72: // r
      if ((m = RTCP_RULE.reg.exec(content))) at.rtcp = fieldsOf(m, RTCP_RULE.names, at.rtcp);
      else if ((m = DIRECTION_RULE.reg.exec(content))) at.direction = valueOf(m[1]!);
      else if (RTCP_MUX_RULE.reg.test(content)) at.rtcpMux = true;
      return;
    case 0x65: // e
      if ((m = EXT_RULE.reg.exec(content))) at.ext.push(fieldsOf(m, EXT_RULE.names));
      return;
    case 0x6d: // m
      if ((m = MID_RULE.reg.exec(content))) at.mid = valueOf(m[1]!);
      return;
    case 0x73: // s
      if ((m = DIRECTION_RULE.reg.exec(content))) at.direction = valueOf(m[1]!);
      else if ((m = SSRC_RULE.reg.exec(content))) at.ssrcs.push(fieldsOf(m, SSRC_RULE.names));
      else if ((m = SSRC_GROUP_RULE.reg.exec(content))) at.ssrcGroups.push(fieldsOf(m, SSRC_GROUP_RULE.names));
      return;
    case 0x69: // i
      if ((m = DIRECTION_RULE.reg.exec(content))) at.direction = valueOf(m[1]!);
      return;
    case 0x67: // g
      if ((m = GROUP_RULE.reg.exec(content))) at.groups.push(fieldsOf(m, GROUP_RULE.names));
      return;
  }
}

function readSection(draft: SectionDraft, index: number, sdp: SessionDescription, sessionDirection: Value): SdpMedia {
  const m = draft.mLine;
  const attributes = draft.attributes;
  const port = m ? Number(m[2]) : 0;
  const connection = attributes.connection ? connectionOf(attributes.connection) : null;
  const address = connection?.address ?? sdp.connection?.address ?? null;
  const rtcpMux = attributes.rtcpMux;
  const rtcp = attributes.rtcp;
  const rtcpPort = rtcpMux ? port : rtcp && typeof rtcp['port'] === 'number' ? rtcp['port'] : port + 1;
  const rtcpAddress = !rtcpMux && rtcp?.['address'] ? (rtcp['address'] as string) : address;
  const mid = attributes.mid !== undefined ? String(attributes.mid) : null;
  const midExt = attributes.ext.find((e) => e['uri'] === MID_HEADER_EXTENSION_URI);
  const media: SdpMedia = {
    index,
    kind: m ? m[1]! : (draft.text.slice(2).split(' ')[0] ?? ''),
    port,
    protocol: m ? m[4]! : '',
    formats: m && m[5] ? m[5].split(' ').filter((f) => f.length > 0) : [],
    address,
    rtcpPort,
    rtcpAddress,
    rtcpMux,
    mid,
    ssrcs: ssrcsOf(attributes.ssrcs),
    ssrcGroups: attributes.ssrcGroups.map((g) => ({ semantics: g['semantics'] as string, ssrcs: String(g['ssrcs']).split(' ').filter((s) => s.length > 0).map(Number) })),
    midExtId: midExt ? Number(midExt['value']) : null,
    aiprefs: draft.aiprefs,
    disabled: port === 0,
    direction: (attributes.direction ?? sessionDirection) as MediaDirection,
    line: draft.line,
  };
  return media;
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

function readAiPref(raw: string, line: number, mediaIndex: number | null, errors: SdpError[]): SdpAiPref | null {
  const parsed = parseAiPrefAttribute(raw.slice('a=aipref:'.length));
  if (!parsed.ok) {
    errors.push({ line, reason: 'bad-aipref', detail: `${parsed.reason}: ${parsed.detail}` });
    return null;
  }
  if (mediaIndex === null && parsed.scope === 'mid' && !parsed.params['mid']) {
    errors.push({ line, reason: 'mid-scope-at-session-level', detail: `${parsed.id} names no mid (add mid=<mid>)` });
    return null;
  }
  return { scope: parsed.scope, id: parsed.id, params: parsed.params, line, mediaIndex };
}
