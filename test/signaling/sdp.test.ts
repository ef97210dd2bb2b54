import { describe, expect, test } from 'vitest';
import { parseAiPrefAttribute } from '../../src/signaling/sdp-aipref.js';
import { parseSdp } from '../../src/signaling/sdp.js';
import { scopesOfSdp } from '../../src/signaling/sdp-scopes.js';
import { sdpText } from './sip-fixtures.js';

describe('a=aipref attribute (seed §6.1)', () => {
  const valid: Array<[name: string, value: string, scope: string, id: string, params: Record<string, string>]> = [
    ['identifier only', 'session apt-1', 'session', 'apt-1', {}],
    ['seed example params', 'mid apt-2 features=media-metrics,rtcp-xr retention=24h export=aggregated-only', 'mid', 'apt-2', { features: 'media-metrics,rtcp-xr', retention: '24h', export: 'aggregated-only' }],
    ['seed list with a space after the comma is ONE list', 'session apt-1 features=media-metrics, rtcp-xr retention=24h', 'session', 'apt-1', { features: 'media-metrics,rtcp-xr', retention: '24h' }],
    ['space before the comma too', 'group apt-3 features=media-metrics , rtcp-xr ,feedback export=raw', 'group', 'apt-3', { features: 'media-metrics,rtcp-xr,feedback', export: 'raw' }],
    ['a dangling comma does not swallow the next parameter', 'session apt-1 features=sdes, export=none', 'session', 'apt-1', { features: 'sdes', export: 'none' }],
    ['quoted values keep spaces and commas', 'session apt-1 note="a, b c" export=raw', 'session', 'apt-1', { note: 'a, b c', export: 'raw' }],
    ['quoted value after a spaced equal sign', 'session apt-1 note= "x y"', 'session', 'apt-1', { note: 'x y' }],
    ['quoted identifier', 'session "apt with space" export=none', 'session', 'apt with space', { export: 'none' }],
    ['scope and param names case-insensitive', 'SESSION apt-1 Export=none', 'session', 'apt-1', { export: 'none' }],
    ['bare flag kept', 'mid apt-1 experimental', 'mid', 'apt-1', { experimental: '' }],
    ['tabs and repeated spaces', 'mid\tapt-1   export=raw', 'mid', 'apt-1', { export: 'raw' }],
  ];
  test.each(valid)('%s', (_name, value, scope, id, params) => {
    expect(parseAiPrefAttribute(value)).toEqual({ ok: true, scope, id, params });
  });

  // `kept`: scope and identifier read before a broken parameter, kept bare (SPEC §3: the most restrictive for its scope)
  const invalid: Array<[string, string, { scope: string; id: string } | undefined]> = [
    ['', 'missing-scope', undefined],
    ['session', 'missing-identifier', undefined],
    ['media apt-1', 'unknown-scope', undefined],
    ['session "apt-1', 'unterminated-quoted-string', undefined],
    ['session apt-1 note="x', 'unterminated-quoted-string', { scope: 'session', id: 'apt-1' }],
    ['MID apt-1 export=raw =x', 'bad-param', { scope: 'mid', id: 'apt-1' }],
    ['group apt-1 note= "x', 'unterminated-quoted-string', { scope: 'group', id: 'apt-1' }],
  ];
  test.each(invalid)('%j → %s', (value, reason, kept) => {
    const r = parseAiPrefAttribute(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.reason, r.kept]).toEqual([reason, kept]);
  });

  test('an unknown scope keeps the identifier after it for the SDP reader to place where the line stands, unresolved', () => {
    expect(parseAiPrefAttribute('media apt-1 export=raw')).toEqual({ ok: false, reason: 'unknown-scope', detail: 'media', unplacedId: 'apt-1' });
    const { sdp, errors } = parseSdp(
      ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'a=aipref:call apt-s export=raw', 'm=audio 4000 RTP/AVP 0', 'a=aipref:media apt-m export=raw', ''].join('\r\n'),
    );
    // not dropped (its export=raw would then be as if never said): the most restrictive where it stands
    expect(sdp.aiprefs).toEqual([{ scope: 'session', id: 'apt-s', params: {}, line: 6, mediaIndex: null, garbled: true }]);
    expect(sdp.media[0]!.aiprefs).toEqual([{ scope: 'mid', id: 'apt-m', params: {}, line: 8, mediaIndex: 0, garbled: true }]);
    expect(errors.map((e) => e.detail)).toEqual(['unknown-scope: call (apt-s kept for its session scope, unresolved)', 'unknown-scope: media (apt-m kept for its mid scope, unresolved)']);
  });
});

const WEBRTC = sdpText([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 198.51.100.1',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=aipref:session apt-session export=aggregated-only features=media-metrics, rtcp-xr',
  'm=audio 9000 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=rtcp-mux',
  'a=sendrecv',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=ssrc:1001 cname:abc',
  'a=ssrc:1001 msid:s t',
  'a=aipref:mid apt-audio export=raw',
  'm=video 9000 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 198.51.100.2/127',
  'a=mid:1',
  'a=rtcp-mux',
  'a=recvonly',
  'a=extmap:5/sendrecv urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=ssrc-group:FID 2001 2002',
  'a=ssrc:2001 cname:abc',
  'a=ssrc:2002 cname:abc',
  'a=aipref:group apt-grp retention=90s',
  'm=application 5000 RTP/AVP 100',
  'a=mid:data',
  'a=rtcp:6001 IN IP4 203.0.113.9',
  'm=audio 0 RTP/AVP 0',
  'a=mid:3',
]);

describe('parseSdp', () => {
  const { sdp, errors } = parseSdp(WEBRTC);

  test('no errors on a well-formed description', () => expect(errors).toEqual([]));

  test('session level', () => {
    expect(sdp.origin).toEqual({ username: '-', sessionId: '4611731400430051336', sessionVersion: '2', address: '127.0.0.1' });
    expect(sdp.connection).toEqual({ addressType: 'IP4', address: '198.51.100.1' });
    expect(sdp.groups).toEqual([{ semantics: 'BUNDLE', mids: ['0', '1'] }]);
    expect(sdp.aiprefs).toEqual([{ scope: 'session', id: 'apt-session', params: { export: 'aggregated-only', features: 'media-metrics,rtcp-xr' }, line: 7, mediaIndex: null }]);
  });

  test('m-sections', () => {
    expect(sdp.media.map((m) => [m.index, m.kind, m.port, m.rtcpPort, m.address, m.rtcpAddress, m.rtcpMux, m.mid, m.midExtId, m.disabled, m.direction, m.line])).toEqual([
      [0, 'audio', 9000, 9000, '198.51.100.1', '198.51.100.1', true, '0', 4, false, 'sendrecv', 8],
      [1, 'video', 9000, 9000, '198.51.100.2', '198.51.100.2', true, '1', 5, false, 'recvonly', 16],
      [2, 'application', 5000, 6001, '198.51.100.1', '203.0.113.9', false, 'data', null, false, 'sendrecv', 26],
      [3, 'audio', 0, 1, '198.51.100.1', '198.51.100.1', false, '3', null, true, 'sendrecv', 29],
    ]);
    expect(sdp.media[0]!.ssrcs).toEqual([{ id: 1001, cname: 'abc', attributes: { cname: 'abc', msid: 's t' } }]);
    expect(sdp.media[1]!.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: [2001, 2002] }]);
    expect(sdp.media[1]!.ssrcs.map((s) => s.id)).toEqual([2001, 2002]);
    expect(sdp.media[1]!.formats).toEqual(['96', '97']);
  });

  test('RTCP on port+1 by default (RFC 3605 absent), a real capture SDP', () => {
    const r = parseSdp(
      'v=0\r\no=IPP 1589356486 1589356361 IN IP4 10.33.6.100\r\ns=Phone-Call\r\nc=IN IP4 10.33.6.100\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 13 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15,16\r\na=ptime:20\r\na=sendrecv\r\n',
    );
    expect(r.errors).toEqual([]);
    expect(r.sdp.media[0]).toMatchObject({ kind: 'audio', port: 6000, rtcpPort: 6001, address: '10.33.6.100', rtcpAddress: '10.33.6.100', mid: null, aiprefs: [] });
  });

  test('broken lines are reported with their number and skipped; the rest is kept', () => {
    const r = parseSdp(
      sdpText([
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4',
        't=0 0',
        'this is not sdp',
        'a=aipref:galaxy apt-x',
        'a=aipref:mid apt-nowhere',
        'm=audio 70000 RTP/AVP 0',
        'a=rtcp:abc',
        'a=mid:',
        'a=ssrc:notanumber cname:x',
        'a=aipref:mid apt-kept',
        'm=video 5004 RTP/AVP 96',
        'c=IN IP4 192.0.2.7',
        'a=extmap:x urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=group:',
        'a=ssrc-group:FID a b',
        'a=mid:v',
      ]),
    );
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [4, 'bad-connection'],
      [6, 'not-a-type-value-line'],
      [7, 'bad-aipref'],
      [8, 'mid-scope-at-session-level'],
      [9, 'bad-media-line'],
      [10, 'bad-rtcp'],
      [11, 'bad-mid'],
      [12, 'bad-ssrc'],
      [16, 'bad-extmap'],
      [17, 'bad-group'],
      [18, 'bad-ssrc-group'],
    ]);
    expect(r.sdp.connection).toBeNull();
    expect(r.sdp.media).toHaveLength(2);
    expect(r.sdp.media[0]).toMatchObject({ index: 0, kind: 'audio', port: 0, disabled: true, address: null });
    expect(r.sdp.media[0]!.aiprefs.map((a) => a.id)).toEqual(['apt-kept']);
    expect(r.sdp.media[1]).toMatchObject({ index: 1, kind: 'video', port: 5004, address: '192.0.2.7', mid: 'v', midExtId: null });
  });

  test('a=aipref broken after its identifier: the identifier governs its scope, bare; the error says so', () => {
    const r = parseSdp(
      sdpText([
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'a=aipref:session apt-s export=raw note="x',
        'a=aipref:mid apt-nowhere =x',
        'm=audio 4000 RTP/AVP 0',
        'a=mid:a',
        'a=aipref:mid apt-m export=raw =x',
      ]),
    );
    expect(r.errors.map((e) => [e.line, e.detail])).toEqual([
      [6, 'unterminated-quoted-string: session apt-s export=raw note="x (apt-s kept for its session scope, unresolved)'],
      [7, 'bad-param: =x'],
      [10, 'bad-param: =x (apt-m kept for its mid scope, unresolved)'],
    ]);
    expect(r.sdp.aiprefs).toEqual([{ scope: 'session', id: 'apt-s', params: {}, line: 6, mediaIndex: null, garbled: true }]);
    expect(r.sdp.media[0]!.aiprefs).toEqual([{ scope: 'mid', id: 'apt-m', params: {}, line: 10, mediaIndex: 0, garbled: true }]);
    expect(scopesOfSdp(r.sdp).sections.map((s) => s.map((a) => a.id))).toEqual([['apt-s', 'apt-m']]);
  });

  test('IPv6 connection and session-level direction', () => {
    const r = parseSdp(sdpText(['v=0', 'o=- 1 1 IN IP6 2001:db8::1', 's=-', 'c=IN IP6 2001:db8::1', 't=0 0', 'a=sendonly', 'm=audio 4000 RTP/AVP 0', 'm=audio 4002 RTP/AVP 0', 'a=inactive']));
    expect(r.errors).toEqual([]);
    expect(r.sdp.connection).toEqual({ addressType: 'IP6', address: '2001:db8::1' });
    expect(r.sdp.media.map((m) => m.direction)).toEqual(['sendonly', 'inactive']);
  });

  test('garbage never throws', () => {
    for (const text of ['', '\n\n', 'm=', 'a=aipref:', '=x\r\nm=audio', 'm=audio 1 RTP/AVP\r\na=ssrc:1\r\na=ssrc-group:FID']) {
      expect(() => parseSdp(text)).not.toThrow();
    }
  });

  test('the mid header extension declared at session level applies to every m-section that does not map it itself (RFC 8285 §5)', () => {
    const r = parseSdp(
      sdpText([
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid',
        'm=audio 4000 RTP/AVP 0',
        'a=mid:a',
        'm=video 4002 RTP/AVP 96',
        'a=mid:v',
        'a=extmap:7 urn:ietf:params:rtp-hdrext:sdes:mid',
        // id 3 is another extension here: the session's mapping does not apply to this section
        'm=video 4004 RTP/AVP 96',
        'a=mid:w',
        'a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(r.sdp.media.map((m) => m.midExtId)).toEqual([3, 7, null]);
  });

  test('where RTCP goes without multiplexing is kept beside a=rtcp-mux (the answer may not accept it)', () => {
    const r = parseSdp(sdpText(['v=0', 'c=IN IP4 192.0.2.1', 'm=audio 4000 RTP/AVP 0', 'a=rtcp-mux', 'm=audio 4002 RTP/AVP 0', 'a=rtcp-mux', 'a=rtcp:4009 IN IP4 192.0.2.9', 'm=audio 4004 RTP/AVP 0']));
    expect(r.sdp.media.map((m) => [m.rtcpMux, m.rtcpPort, m.rtcpAddress, m.unmuxedRtcpPort, m.unmuxedRtcpAddress])).toEqual([
      [true, 4000, '192.0.2.1', 4001, '192.0.2.1'],
      [true, 4002, '192.0.2.1', 4009, '192.0.2.9'],
      [false, 4005, '192.0.2.1', 4005, '192.0.2.1'],
    ]);
  });
});

describe('a=bundle-only (RFC 8843 §6, §7)', () => {
  const text = (group: string, video: string[]) =>
    sdpText(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', group, 'm=audio 4000 RTP/AVP 0', 'a=mid:a', 'm=video 0 RTP/AVP 96', 'a=mid:v', ...video]);

  test('port 0 with a=bundle-only, its mid in the BUNDLE group: bundled, not disabled', () => {
    const r = parseSdp(text('a=group:BUNDLE a v', ['a=bundle-only']));
    expect(r.errors).toEqual([]);
    expect(r.sdp.media.map((m) => [m.mid, m.port, m.bundleOnly, m.disabled])).toEqual([
      ['a', 4000, false, false],
      ['v', 0, true, false],
    ]);
  });

  test('port 0 without a=bundle-only, or with it but outside any BUNDLE group: disabled (RFC 3264 §6)', () => {
    expect(parseSdp(text('a=group:BUNDLE a v', [])).sdp.media[1]).toMatchObject({ bundleOnly: false, disabled: true });
    expect(parseSdp(text('a=group:BUNDLE a', ['a=bundle-only'])).sdp.media[1]).toMatchObject({ bundleOnly: true, disabled: true });
    expect(parseSdp(text('a=group:LS a v', ['a=bundle-only'])).sdp.media[1]).toMatchObject({ bundleOnly: true, disabled: true });
  });
});

describe('scopesOfSdp', () => {
  test('session → all, group → BUNDLE members, mid → its own section', () => {
    const { sections, unapplied } = scopesOfSdp(parseSdp(WEBRTC).sdp);
    expect(unapplied).toEqual([]);
    expect(sections.map((list) => list.map((s) => `${s.id}/${s.origin}@${s.line}`))).toEqual([
      ['apt-session/session@7', 'apt-audio/mid@15', 'apt-grp/group@25'],
      ['apt-session/session@7', 'apt-grp/group@25'],
      ['apt-session/session@7'],
      ['apt-session/session@7'],
    ]);
    expect(sections[0]![2]).toMatchObject({ declaredIn: 1, params: { retention: '90s' } });
  });

  test('session-level group scope: every m-section named by any a=group', () => {
    const sdp = parseSdp(
      sdpText(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'a=group:LS a v', 'a=group:BUNDLE v x', 'a=aipref:group apt-g', 'a=aipref:mid apt-m mid=x', 'm=audio 1 RTP/AVP 0', 'a=mid:a', 'm=video 2 RTP/AVP 96', 'a=mid:v', 'm=audio 3 RTP/AVP 0', 'a=mid:other', 'm=audio 4 RTP/AVP 0', 'a=mid:x']),
    ).sdp;
    const { sections } = scopesOfSdp(sdp);
    expect(sections.map((l) => l.map((s) => s.id))).toEqual([['apt-g'], ['apt-g'], [], ['apt-g', 'apt-m']]);
  });

  test('group scope in an ungrouped section governs that section only; unmatched scopes are listed', () => {
    const sdp = parseSdp(
      sdpText(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'a=aipref:group apt-nogroups', 'a=aipref:mid apt-ghost mid=zz', 'm=audio 1 RTP/AVP 0', 'a=aipref:group apt-local', 'm=audio 3 RTP/AVP 0']),
    ).sdp;
    const { sections, unapplied } = scopesOfSdp(sdp);
    expect(sections.map((l) => l.map((s) => s.id))).toEqual([['apt-local'], []]);
    expect(unapplied.map((u) => u.id)).toEqual(['apt-nogroups', 'apt-ghost']);
  });
});

describe('c= addresses', () => {
  const cases: Array<[string, boolean]> = [
    ['c=IN IP4 192.0.2.1', true],
    ['c=IN IP4 224.2.1.1/127/3', true],
    ['c=IN IP4 media.example.com', true],
    ['c=IN IP6 fe80:0:0:0:21a:a0ff:fe07:32e0', true],
    ['c=IN IP6 ::1', true],
    ['c=IN IP6 FF15::101/3', true],
    ["c=IN IP4 '/**/OR/**/'1'/**/=/**/'1'--", false],
    ['c=IN IP4 300.1.1.1', false],
    ['c=IN IP6 not-hex!', false],
    ['c=IN IP4', false],
    ['c=ATM NSAP 47.0091', false],
  ];
  test.each(cases)('%s → %s', (line, ok) => {
    const r = parseSdp(sdpText(['v=0', line, 'm=audio 1 RTP/AVP 0']));
    expect(r.errors.map((e) => e.reason)).toEqual(ok ? [] : ['bad-connection']);
  });
});
