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
  test('sections carry both sides transports, ssrcs, mids and the union of identifiers', () => {
    const answer = twoSections({ audio: ['a=aipref:mid apt-callee'] }).replace(/192\.0\.2\.1/g, '198.51.100.7');
    const scope = scopeOf(BASE, answer, ['apt-d;scope=dialog', 'apt-h;scope=media', 'apt-x']);
    expect(scope.sections.map((s) => [s.index, s.mid, s.kind, s.disabled, s.rtp, s.rtcp, s.ssrcs])).toEqual([
      [0, 'a', 'audio', false, [{ address: '192.0.2.1', port: 4000 }, { address: '198.51.100.7', port: 4000 }], [{ address: '192.0.2.1', port: 4001 }, { address: '198.51.100.7', port: 4001 }], [11]],
      [1, 'v', 'video', false, [{ address: '192.0.2.1', port: 4002 }, { address: '198.51.100.7', port: 4002 }], [{ address: '192.0.2.1', port: 4002 }, { address: '198.51.100.7', port: 4002 }], []],
    ]);
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
