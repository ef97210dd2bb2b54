import { describe, expect, test } from 'vitest';
import { parseAiPrefHeader } from '../../src/signaling/ai-pref-header.js';
import { buildNegotiatedScope, type NegotiatedScope } from '../../src/signaling/negotiated-scope.js';
import { diffScopes } from '../../src/signaling/renegotiation.js';
import { parseSdp } from '../../src/signaling/sdp.js';
import { sdpText } from './sip-fixtures.js';

function twoSections(opts: { session?: string[]; audio?: string[]; videoPort?: number; video?: string[]; withVideo?: boolean } = {}): string {
  return sdpText([
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'a=group:BUNDLE a v',
    ...(opts.session ?? []),
    'm=audio 4000 RTP/AVP 0',
    'a=mid:a',
    'a=ssrc:11 cname:x',
    ...(opts.audio ?? []),
    ...(opts.withVideo === false ? [] : [`m=video ${opts.videoPort ?? 4002} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux', ...(opts.video ?? [])]),
  ]);
}

function scopeOf(callerSdp: string, calleeSdp: string | null = null, headers: string[] = []): NegotiatedScope {
  return buildNegotiatedScope({
    caller: { party: 'caller', frame: 1, sdp: parseSdp(callerSdp).sdp },
    callee: calleeSdp === null ? null : { party: 'callee', frame: 2, sdp: parseSdp(calleeSdp).sdp },
    offerer: 'caller',
    headers: headers.length ? [{ party: 'caller', frame: 1, values: headers.flatMap((h) => parseAiPrefHeader(h).values) }] : [],
  });
}

const BASE = twoSections({ session: ['a=aipref:session apt-s export=aggregated-only'], audio: ['a=aipref:mid apt-a export=raw'], video: ['a=aipref:mid apt-v export=none'] });

describe('buildNegotiatedScope', () => {
  test('sections carry both sides transports, ssrcs, mids and the union of identifiers; a BUNDLE answer adds the tagged address to every bundled section', () => {
    const answer = twoSections({ audio: ['a=aipref:mid apt-callee'] }).replace(/192\.0\.2\.1/g, '198.51.100.7');
    const scope = scopeOf(BASE, answer, ['apt-d;scope=dialog', 'apt-h;scope=media', 'apt-x']);
    const audioRtp = [{ address: '192.0.2.1', port: 4000 }, { address: '198.51.100.7', port: 4000 }];
    // the audio m-section (the BUNDLE tag) has no a=rtcp-mux here: its RTCP on port+1, the video's beside it
    const audioRtcp = [{ address: '192.0.2.1', port: 4001 }, { address: '198.51.100.7', port: 4001 }];
    const videoOwn = [{ address: '192.0.2.1', port: 4002 }, { address: '198.51.100.7', port: 4002 }];
    expect(scope.sections.map((s) => [s.index, s.mid, s.kind, s.disabled, s.rtp, s.rtcp, s.ssrcs])).toEqual([
      [0, 'a', 'audio', false, audioRtp, audioRtcp, [11]],
      [1, 'v', 'video', false, [...videoOwn, ...audioRtp], [...videoOwn, ...audioRtcp], []],
    ]);
    // offered alone, each m-section has its own address until the answer accepts the group
    expect(scopeOf(BASE).sections.map((s) => s.rtp)).toEqual([[{ address: '192.0.2.1', port: 4000 }], [{ address: '192.0.2.1', port: 4002 }]]);
    expect(scope.sections[0]!.apts.map((a) => `${a.id}/${a.origin}/${a.source.party}`)).toEqual([
      'apt-s/session/caller',
      'apt-a/mid/caller',
      'apt-callee/mid/callee',
      'apt-h/header-media/caller',
    ]);
    expect(scope.dialogApts.map((a) => a.id)).toEqual(['apt-d', 'apt-x']);
    expect(scope.dialogApts[0]!.params).toEqual({ scope: 'dialog' });
  });

  test('a section disabled by either side is governed by nothing', () => {
    const answer = twoSections({ videoPort: 0 });
    const scope = scopeOf(BASE, answer);
    expect(scope.sections[1]).toMatchObject({ disabled: true, apts: [] });
  });
});

describe('diffScopes (SPEC §5)', () => {
  test('identical SDP twice: no change (idempotent)', () => {
    const diff = diffScopes(scopeOf(BASE, BASE), scopeOf(BASE, BASE));
    expect(diff).toEqual({ removed: [], added: [], unchanged: true });
  });

  test('first negotiation: everything is added', () => {
    const diff = diffScopes(null, scopeOf(BASE));
    expect(diff.removed).toEqual([]);
    expect(diff.added.map((a) => `${a.index}:${a.id}`)).toEqual(['0:apt-a', '0:apt-s', '1:apt-s', '1:apt-v']);
  });

  const cases: Array<[name: string, next: string, headers: string[], removed: string[]]> = [
    [
      'a=aipref removed: falls back to the session-level APT',
      twoSections({ session: ['a=aipref:session apt-s'], audio: [], video: ['a=aipref:mid apt-v'] }),
      [],
      ['0/a apt-a attribute-removed → section[apt-s]'],
    ],
    [
      'session-level APT removed too: mid scope remains for video, audio falls to the dialog value',
      twoSections({ video: ['a=aipref:mid apt-v'] }),
      ['apt-d;scope=dialog'],
      ['0/a apt-a attribute-removed → dialog[apt-d]', '0/a apt-s attribute-removed → dialog[apt-d]', '1/v apt-s attribute-removed → section[apt-v]'],
    ],
    [
      'm-section disabled with port 0',
      twoSections({ session: ['a=aipref:session apt-s'], audio: ['a=aipref:mid apt-a'], videoPort: 0, video: ['a=aipref:mid apt-v'] }),
      [],
      ['1/v apt-s section-disabled → none[]', '1/v apt-v section-disabled → none[]'],
    ],
    [
      'm-section removed',
      twoSections({ session: ['a=aipref:session apt-s'], audio: ['a=aipref:mid apt-a'], withVideo: false }),
      [],
      ['1/v apt-s section-removed → none[]', '1/v apt-v section-removed → none[]'],
    ],
  ];
  test.each(cases)('%s', (_name, next, headers, removed) => {
    const diff = diffScopes(scopeOf(BASE), scopeOf(next, null, headers));
    expect(diff.removed.map((r) => `${r.index}/${r.mid} ${r.id} ${r.cause} → ${r.fallbackKind}[${r.fallback.join(',')}]`)).toEqual(removed);
    expect(diff.unchanged).toBe(false);
  });

  test('AI-Pref values dropped: media-scoped per section, dialog-scoped once', () => {
    const before = scopeOf(BASE, null, ['apt-d;scope=dialog, apt-e', 'apt-h;scope=media']);
    const after = scopeOf(BASE, null, ['apt-e']);
    const diff = diffScopes(before, after);
    expect(diff.removed.map((r) => `${r.index} ${r.id} ${r.origin} ${r.cause} → ${r.fallback.join(',')}`)).toEqual([
      '0 apt-h header-media header-value-dropped → apt-a,apt-s',
      '1 apt-h header-media header-value-dropped → apt-s,apt-v',
      'null apt-d header-dialog header-value-dropped → apt-e',
    ]);
  });

  test('an identifier moving from mid scope to session scope is not a removal', () => {
    const before = scopeOf(twoSections({ audio: ['a=aipref:mid apt-1'] }));
    const after = scopeOf(twoSections({ session: ['a=aipref:session apt-1'] }));
    const diff = diffScopes(before, after);
    expect(diff.removed).toEqual([]);
    expect(diff.added.map((a) => `${a.index}:${a.id}`)).toEqual(['1:apt-1']);
  });
});

describe('RTCP multiplexing is in use only when the offer and the answer both carry a=rtcp-mux (RFC 5761 §5.1.1)', () => {
  const audio = (ip: string, port: number, lines: string[] = []) => sdpText(['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', ...lines]);
  const side = (party: 'caller' | 'callee', text: string, copies: string[] = []) => ({ party, frame: party === 'caller' ? 1 : 2, sdp: parseSdp(text).sdp, copies: copies.map((c) => parseSdp(c).sdp) });
  const rtcpOf = (scope: NegotiatedScope) => scope.sections.map((s) => s.rtcp.map((a) => `${a.address}:${a.port}`));

  test('offered, not answered: RTCP on port+1 (or a=rtcp) on both sides', () => {
    const scope = buildNegotiatedScope({ caller: side('caller', audio('10.0.0.1', 4000, ['a=rtcp-mux', 'a=rtcp:4010'])), callee: side('callee', audio('10.0.0.2', 5000)), offerer: 'caller', headers: [] });
    expect(rtcpOf(scope)).toEqual([['10.0.0.1:4010', '10.0.0.2:5001']]);
  });

  test('offered and answered: RTCP on the RTP ports', () => {
    const scope = buildNegotiatedScope({ caller: side('caller', audio('10.0.0.1', 4000, ['a=rtcp-mux'])), callee: side('callee', audio('10.0.0.2', 5000, ['a=rtcp-mux'])), offerer: 'caller', headers: [] });
    expect(rtcpOf(scope)).toEqual([['10.0.0.1:4000', '10.0.0.2:5000']]);
  });

  test('the callee offered (a re-INVITE the caller answered without a=rtcp-mux): the pairing follows the offerer', () => {
    const scope = buildNegotiatedScope({ caller: side('caller', audio('10.0.0.1', 4000)), callee: side('callee', audio('10.0.0.2', 5000, ['a=rtcp-mux'])), offerer: 'callee', headers: [] });
    expect(rtcpOf(scope)).toEqual([['10.0.0.2:5001', '10.0.0.1:4001']]);
  });

  test('an offer alone, or awaiting its answer: each SDP follows what it says itself', () => {
    const offer = side('caller', audio('10.0.0.1', 4000, ['a=rtcp-mux']));
    expect(rtcpOf(buildNegotiatedScope({ caller: offer, callee: null, offerer: 'caller', headers: [] }))).toEqual([['10.0.0.1:4000']]);
    // the callee's SDP is from the previous exchange: its RTCP stays where it was
    const previous = side('callee', audio('10.0.0.2', 5000));
    expect(rtcpOf(buildNegotiatedScope({ caller: offer, callee: previous, offerer: 'caller', headers: [], awaitingAnswerFrom: 'callee' }))).toEqual([['10.0.0.1:4000', '10.0.0.2:5001']]);
  });

  test("a relay's copy of the answer that carries a=rtcp-mux: the leg it went to multiplexes", () => {
    // the relay multiplexes towards the caller only: its copy of the answer (to the caller) carries a=rtcp-mux
    const scope = buildNegotiatedScope({
      caller: side('caller', audio('10.0.0.1', 4000, ['a=rtcp-mux']), [audio('10.9.9.9', 30000)]),
      callee: side('callee', audio('10.0.0.2', 5000), [audio('10.9.9.9', 30002, ['a=rtcp-mux'])]),
      offerer: 'caller',
      headers: [],
    });
    expect(rtcpOf(scope)).toEqual([['10.0.0.1:4000', '10.9.9.9:30001', '10.0.0.2:5001', '10.9.9.9:30002']]);
  });

  test('BUNDLE: a=rtcp-mux on the tagged m-section only (RFC 8843 §7) multiplexes every bundled m-section', () => {
    const bundle = (ip: string, port: number, videoMux: boolean) =>
      sdpText(['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=group:BUNDLE a v', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', `m=video ${port} RTP/AVP 96`, 'a=mid:v', ...(videoMux ? ['a=rtcp-mux'] : [])]);
    const scope = buildNegotiatedScope({ caller: side('caller', bundle('10.0.0.1', 4000, true)), callee: side('callee', bundle('10.0.0.2', 5000, false)), offerer: 'caller', headers: [] });
    expect(rtcpOf(scope)).toEqual([
      ['10.0.0.1:4000', '10.0.0.2:5000'],
      ['10.0.0.1:4000', '10.0.0.2:5000'],
    ]);
  });
});

describe('bundle-only m-sections (RFC 8843 §7.2, §7.3): port 0 with a=bundle-only is bundled, not disabled', () => {
  /** audio (the tagged m-section) on `port`, video per `video`, BUNDLE group `group` */
  const bundled = (ip: string, port: number, video: string[], group = 'a=group:BUNDLE a v') =>
    sdpText(['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', group, `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a', ...video]);
  const OFFER = bundled('10.0.0.1', 4000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only', 'a=aipref:mid apt-v']);
  const side = (party: 'caller' | 'callee', text: string) => ({ party, frame: party === 'caller' ? 1 : 2, sdp: parseSdp(text).sdp });
  const video = (scope: NegotiatedScope) => {
    const s = scope.sections[1]!;
    return { disabled: s.disabled, rtp: s.rtp.map((a) => `${a.address}:${a.port}`), rtcp: s.rtcp.map((a) => `${a.address}:${a.port}`), apts: s.apts.map((a) => a.id) };
  };

  test('offered alone: reached at the offerer tagged m-section address, governed by its identifiers', () => {
    const scope = buildNegotiatedScope({ caller: side('caller', OFFER), callee: null, offerer: 'caller', headers: [] });
    expect(video(scope)).toEqual({ disabled: false, rtp: ['10.0.0.1:4000'], rtcp: ['10.0.0.1:4000'], apts: ['apt-v'] });
  });

  test('answered bundle-only too (port 0, a=bundle-only, §7.3): reached at both BUNDLE addresses', () => {
    const answer = bundled('10.0.0.2', 5000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only']);
    const scope = buildNegotiatedScope({ caller: side('caller', OFFER), callee: side('callee', answer), offerer: 'caller', headers: [] });
    expect(video(scope)).toEqual({ disabled: false, rtp: ['10.0.0.1:4000', '10.0.0.2:5000'], rtcp: ['10.0.0.1:4000', '10.0.0.2:5000'], apts: ['apt-v'] });
  });

  test('rejected by the answer (port 0 without a=bundle-only, out of the group, §7.3.3): disabled as before', () => {
    const answer = bundled('10.0.0.2', 5000, ['m=video 0 RTP/AVP 96', 'a=mid:v'], 'a=group:BUNDLE a');
    const scope = buildNegotiatedScope({ caller: side('caller', OFFER), callee: side('callee', answer), offerer: 'caller', headers: [] });
    expect(video(scope)).toMatchObject({ disabled: true, apts: [] });
  });

  test('port 0 without a=bundle-only, or a=bundle-only with its mid in no BUNDLE group: disabled', () => {
    const noAttribute = bundled('10.0.0.1', 4000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=aipref:mid apt-v']);
    const outOfGroup = bundled('10.0.0.1', 4000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only', 'a=aipref:mid apt-v'], 'a=group:BUNDLE a x');
    for (const offer of [noAttribute, outOfGroup]) {
      expect(video(buildNegotiatedScope({ caller: side('caller', offer), callee: null, offerer: 'caller', headers: [] }))).toEqual({ disabled: true, rtp: [], rtcp: [], apts: [] });
    }
  });

  test('a new offer awaiting its answer: its bundle-only m-section is reached at the offerer tagged address', () => {
    const previous = bundled('10.0.0.2', 5000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only']);
    const scope = buildNegotiatedScope({ caller: side('caller', OFFER), callee: side('callee', previous), offerer: 'caller', headers: [], awaitingAnswerFrom: 'callee' });
    expect(video(scope)).toEqual({ disabled: false, rtp: ['10.0.0.1:4000'], rtcp: ['10.0.0.1:4000'], apts: ['apt-v'] });
  });

  test('re-offered with port 0 and no a=bundle-only: the section is disabled (section-disabled)', () => {
    const answer = bundled('10.0.0.2', 5000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only']);
    const before = buildNegotiatedScope({ caller: side('caller', OFFER), callee: side('callee', answer), offerer: 'caller', headers: [] });
    const reoffer = bundled('10.0.0.1', 4000, ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=aipref:mid apt-v'], 'a=group:BUNDLE a');
    const rejected = bundled('10.0.0.2', 5000, ['m=video 0 RTP/AVP 96', 'a=mid:v'], 'a=group:BUNDLE a');
    const after = buildNegotiatedScope({ caller: side('caller', reoffer), callee: side('callee', rejected), offerer: 'caller', headers: [] });
    expect(diffScopes(before, after).removed.map((r) => `${r.index}:${r.id} ${r.cause}`)).toEqual(['1:apt-v section-disabled']);
  });
});
