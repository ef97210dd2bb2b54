/**
 * The SDP parser as it was before parseSdp read the standard attributes itself: every line
 * checked and numbered, then the session and each m-section handed whole to sdp-transform's
 * `parse`. Kept as the oracle parseSdp must agree with (sdp-equivalence.test.ts).
 */
import { parse as parseWithSdpTransform } from 'sdp-transform';
import type { MediaDescription as SdpTransformMedia } from 'sdp-transform';
import { clockRatesOf } from '../../src/media/clock-rates.js';
import { parseAiPrefAttribute } from '../../src/signaling/sdp-aipref.js';
import { ACAP_CRYPTO, candidatesOf, MID_HEADER_EXTENSION_URI, sdpLineName, type MediaDirection, type SdpAiPref, type SdpError, type SdpErrorReason, type SdpMedia, type SdpParseResult, type SdpSsrc, type SessionDescription } from '../../src/signaling/sdp.js';

interface NumberedLine {
  line: number;
  text: string;
}

const MEDIA_LINE = /^m=(\S+) (\d+)(?:\/(\d+))? (\S+)(?: (.*))?$/;
const CONNECTION_LINE = /^c=IN (IP4|IP6) (\S+)$/;
const ORIGIN_LINE = /^o=\S+ \S+ \S+ IN IP[46] \S+$/;
/** the a= lines this module relies on, each with the shape it must have */
const ATTRIBUTE_CHECKS: ReadonlyArray<[prefix: string, shape: RegExp, reason: SdpErrorReason]> = [
  ['a=rtcp:', /^a=rtcp:(\d{1,5})(?: IN IP[46] [0-9A-Za-z:.\-]+)?$/, 'bad-rtcp'],
  ['a=mid:', /^a=mid:\S+$/, 'bad-mid'],
  ['a=ssrc:', /^a=ssrc:\d{1,10}(?: \S.*)?$/, 'bad-ssrc'],
  ['a=ssrc-group:', /^a=ssrc-group:\S+(?: \d{1,10})*$/, 'bad-ssrc-group'],
  ['a=group:', /^a=group:\S+(?: \S+)*$/, 'bad-group'],
  ['a=extmap:', /^a=extmap:\d{1,3}(?:\/\w+)? \S+(?: .*)?$/, 'bad-extmap'],
];

export function parseSdpWithSdpTransform(text: string): SdpParseResult {
  const errors: SdpError[] = [];
  const session: NumberedLine[] = [];
  const sections: NumberedLine[][] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trimEnd();
    if (raw.length === 0) continue;
    const numbered = { line: i + 1, text: raw };
    const error = checkLine(raw);
    if (raw.startsWith('m=')) {
      // a broken m-line still opens a section, so later sections keep their index
      sections.push([numbered]);
      if (error) errors.push({ line: i + 1, reason: error, detail: sdpLineName(raw) });
      continue;
    }
    if (error) {
      errors.push({ line: i + 1, reason: error, detail: sdpLineName(raw) });
      continue;
    }
    (sections.length === 0 ? session : sections[sections.length - 1]!).push(numbered);
  }

  const sessionAttributes = parseWithSdpTransform(session.map((l) => l.text).join('\r\n') + '\r\n');
  const sdp: SessionDescription = {
    origin: sessionAttributes.origin
      ? {
          username: String(sessionAttributes.origin.username),
          sessionId: String(sessionAttributes.origin.sessionId),
          sessionVersion: String(sessionAttributes.origin.sessionVersion),
          address: sessionAttributes.origin.address,
        }
      : null,
    connection: sessionAttributes.connection ? connectionOf(sessionAttributes.connection) : null,
    aiprefs: readAiPrefs(session, null, errors),
    groups: (sessionAttributes.groups ?? []).map((g) => ({ semantics: g.type, mids: String(g.mids).split(' ').filter((m) => m.length > 0) })),
    media: [],
  };
  const sessionDirection = sessionAttributes.direction ?? 'sendrecv';
  const sessionMidExt = (sessionAttributes.ext ?? []).find((e) => e.uri === MID_HEADER_EXTENSION_URI);
  for (let index = 0; index < sections.length; index++) {
    sdp.media.push(readSection(sections[index]!, index, sdp, sessionDirection, sessionMidExt ? Number(sessionMidExt.value) : null, errors));
  }
  errors.sort((a, b) => a.line - b.line);
  return { sdp, errors };
}

function checkLine(raw: string): SdpErrorReason | null {
  if (!/^[a-z]=/.test(raw)) return 'not-a-type-value-line';
  switch (raw[0]) {
    case 'm':
      return readMediaLine(raw) ? null : 'bad-media-line';
    case 'c': {
      const c = CONNECTION_LINE.exec(raw);
      return c && isConnectionAddress(c[1]!, c[2]!) ? null : 'bad-connection';
    }
    case 'o':
      return ORIGIN_LINE.test(raw) ? null : 'bad-origin';
    case 'a':
      for (const [prefix, shape, reason] of ATTRIBUTE_CHECKS) {
        if (raw.startsWith(prefix)) return shape.test(raw) ? null : reason;
      }
      return null;
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

function connectionOf(c: { version: number; ip: string }): { addressType: 'IP4' | 'IP6'; address: string } {
  // multicast c= carries /ttl[/count] after the address; the address alone is what binds
  return { addressType: c.version === 6 ? 'IP6' : 'IP4', address: c.ip.split('/')[0]! };
}

function readSection(lines: NumberedLine[], index: number, sdp: SessionDescription, sessionDirection: string, sessionMidExt: number | null, errors: SdpError[]): SdpMedia {
  const mLine = lines[0]!;
  const m = readMediaLine(mLine.text);
  // sdp-transform opens a section for any m= line; a broken one is replaced by a disabled placeholder
  const body = lines.slice(1).map((l) => l.text);
  const parsed: SdpTransformMedia | undefined = parseWithSdpTransform(['m=x 0 x 0', ...body].join('\r\n') + '\r\n').media[0];
  const attributes = parsed ?? ({} as SdpTransformMedia);
  const port = m ? Number(m[2]) : 0;
  const connection = attributes.connection ? connectionOf(attributes.connection) : null;
  const address = connection?.address ?? sdp.connection?.address ?? null;
  const rtcpMux = attributes.rtcpMux !== undefined;
  const rtcp = attributes.rtcp;
  const unmuxedRtcpPort = rtcp && typeof rtcp.port === 'number' ? rtcp.port : port + 1;
  const unmuxedRtcpAddress = rtcp?.address ? rtcp.address : address;
  const mid = attributes.mid !== undefined ? String(attributes.mid) : null;
  const bundleOnly = attributes.bundleOnly !== undefined;
  // port 0 with a=bundle-only, its mid in this description's BUNDLE group: bundled, not disabled (RFC 8843 §7.2, §7.3)
  const bundled = mid !== null && sdp.groups.some((g) => g.semantics === 'BUNDLE' && g.mids.includes(mid));
  // (an encrypted mid element, RFC 6904, is no mid)
  const midExt = (attributes.ext ?? []).find((e) => e.uri === MID_HEADER_EXTENSION_URI && e['encrypt-uri'] === undefined);
  // a session-level mapping applies unless the section maps that id itself (RFC 8285 §5)
  const inherited = sessionMidExt !== null && !(attributes.ext ?? []).some((e) => Number(e.value) === sessionMidExt) ? sessionMidExt : null;
  const media: SdpMedia = {
    index,
    kind: m ? m[1]! : (mLine.text.slice(2).split(' ')[0] ?? ''),
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
    ssrcs: ssrcsOf(attributes),
    ssrcGroups: (attributes.ssrcGroups ?? []).map((g) => ({ semantics: g.semantics, ssrcs: String(g.ssrcs).split(' ').filter((s) => s.length > 0).map(Number) })),
    midExtId: midExt ? Number(midExt.value) : inherited,
    clockRates: clockRatesOf(attributes.rtp ?? []),
    aiprefs: readAiPrefs(lines, index, errors),
    bundleOnly,
    crypto: [
      ...(attributes.crypto ?? []),
      // sdp-transform keeps a=acap lines as invalid ones
      ...(attributes.invalid ?? []).flatMap((l) => {
        const a = ACAP_CRYPTO.exec(l.value);
        // as sdp-transform converts a field: a number only where it is one's canonical text
        return a && String(Number(a[1])) === a[1] ? [{ id: Number(a[1]), suite: a[2]!, config: a[3]! }] : [];
      }),
    ].flatMap((c) => (typeof c.id === 'number' ? [{ tag: c.id, suite: c.suite, keyParams: String(c.config) }] : [])),
    candidates: candidatesOf((attributes.candidates ?? []) as unknown as Record<string, unknown>[]),
    disabled: port === 0 && !(bundleOnly && bundled),
    direction: (attributes.direction ?? sessionDirection) as MediaDirection,
    line: mLine.line,
  };
  return media;
}

function ssrcsOf(attributes: SdpTransformMedia): SdpSsrc[] {
  const byId = new Map<number, SdpSsrc>();
  for (const line of attributes.ssrcs ?? []) {
    const id = Number(line.id);
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) continue;
    let ssrc = byId.get(id);
    if (!ssrc) {
      ssrc = { id, cname: null, attributes: {} };
      byId.set(id, ssrc);
    }
    if (!line.attribute) continue;
    const value = line.value === undefined ? '' : String(line.value);
    if (!(line.attribute in ssrc.attributes)) ssrc.attributes[line.attribute] = value;
    if (line.attribute === 'cname' && ssrc.cname === null) ssrc.cname = value;
  }
  return [...byId.values()];
}

function readAiPrefs(lines: NumberedLine[], mediaIndex: number | null, errors: SdpError[]): SdpAiPref[] {
  const out: SdpAiPref[] = [];
  for (const l of lines) {
    // attribute names are matched without regard to case: senders write AIPref, aiPref, ...
    if (l.text.slice(0, 9).toLowerCase() !== 'a=aipref:') continue;
    const parsed = parseAiPrefAttribute(l.text.slice('a=aipref:'.length));
    if (!parsed.ok) {
      // the identifier read before a broken parameter is kept for its scope, bare (a session-level mid scope cannot be placed);
      // after an unknown scope, for where the line stands
      const read = parsed.kept ?? (parsed.unplacedId !== undefined ? { scope: mediaIndex === null ? ('session' as const) : ('mid' as const), id: parsed.unplacedId } : undefined);
      const kept = read !== undefined && (mediaIndex !== null || read.scope !== 'mid') ? read : null;
      errors.push({ line: l.line, reason: 'bad-aipref', detail: `${parsed.reason}: ${parsed.detail}${kept ? ` (${kept.id} kept for its ${kept.scope} scope, unresolved)` : ''}` });
      if (kept) out.push({ scope: kept.scope, id: kept.id, params: {}, line: l.line, mediaIndex, garbled: true });
      continue;
    }
    if (mediaIndex === null && parsed.scope === 'mid' && !parsed.params['mid']) {
      errors.push({ line: l.line, reason: 'mid-scope-at-session-level', detail: `${parsed.id} names no mid (add mid=<mid>)` });
      continue;
    }
    out.push({ scope: parsed.scope, id: parsed.id, params: parsed.params, line: l.line, mediaIndex });
  }
  return out;
}

