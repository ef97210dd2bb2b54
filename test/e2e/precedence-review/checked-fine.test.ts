/**
 * From a review of APT sources and precedence (SPEC §2, §3): the checks that came out fine.
 *
 * Checks of SPEC §2/§3 (sources of APT identifiers, merging, precedence, versions) and the §6
 * reports they cause, in combinations, that turned out FINE on the current code. Each case is one
 * hand-built call (INVITE / 200 / ACK, then RTCP from A's audio stream, SSRC 1111; frame 4 is the
 * first RTCP), replayed with 0 and 2 workers (identical lines checked by replayCall).
 * Kept as regression tests.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { sdesPriv } from '../calls-on-any-address.js';
import { CALL, request, response, sdpOf } from '../hand-built-calls.js';
import { srFrom, T0 } from '../two-party-rtcp.js';
import { brief, multipartInvite, rtcpA, run, setup } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const types = (r: Awaited<ReturnType<typeof run>>) => r.reports.map((x) => `${x.type} [${(x.apt ?? []).join(',')}]`);
const expiry = (r: Awaited<ReturnType<typeof run>>) => r.exports.map((e) => (e.expiresAt === null ? null : Math.round(e.expiresAt - (e.type === 'telemetry' ? e.ts : e.window!.start))));

describe('precedence across sources (SPEC §3)', () => {
  it('user header value (scope=session) + repository domain + regulatory SDP: floor decides export and retention', async () => {
    const r = await run(ws, 'p1', (at) => {
      setup(at, { aHeaders: ['AI-Pref: apt-u;scope=session;type=user;export=raw;retention=1h'], aLines: ['a=aipref:session apt-r type=regulatory export=aggregated-only retention=15m'] });
      rtcpA(at, 1);
    }, { apts: { 'apt-d': { type: 'domain', export: 'none', retention: '24h' } }, dialogs: [{ callId: CALL, apt: ['apt-d'] }] });
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-r] regulatory-floor']);
    expect(r.exports.map((e) => e.apt)).toEqual([['apt-r']]);
    expect(expiry(r)).toEqual([900]);
  });

  it('several values, several header instances, names/params in any case, quoted pref-id, quoted feature list, unknown param', async () => {
    const r = await run(ws, 'p2', (at) => {
      setup(at, {
        aHeaders: [
          'ai-pref: apt-a;SCOPE=Session;Type=User;EXPORT=RAW;RETENTION=2H, "apt-b";scope=session;type=domain;export=none',
          'AI-PREF: apt-c;scope=session;x-foo=bar;type=regulatory;export=aggregated-only;features="media-metrics, rtcp-xr"',
        ],
      });
      rtcpA(at, 1);
    });
    // user apt-a overrides domain apt-b (raw, 2h); the regulatory floor apt-c makes it aggregated
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-a,apt-c] regulatory-floor']);
    expect(r.reports).toEqual([]);
    expect(expiry(r)).toEqual([7200]);
    expect(r.exports[0]!.extensions).toEqual({ 'apt-c': { 'x-foo': 'bar' } });
  });

  it('dialog-level fallback: caller user (scope=dialog) overrides callee domain (no scope); implicit-binding names both', async () => {
    const r = await run(ws, 'p3', (at) => {
      setup(at, { aHeaders: ['AI-Pref: apt-a;scope=dialog;type=user;export=raw;retention=2h'], bHeaders: ['AI-Pref: apt-b;type=domain;export=aggregated-only;retention=1h'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-a] user-overrides-domain']);
    expect(types(r)).toEqual(['implicit-binding [apt-a,apt-b]']);
  });

  it('user raw without retention over a domain stating 15m: key by key, expiresAt = ts + 900, both named', async () => {
    const r = await run(ws, 'p4', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-u type=user export=raw', 'a=aipref:session apt-d type=domain export=none retention=15m'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-u,apt-d] user-overrides-domain']);
    expect(expiry(r)).toEqual([900]);
  });

  it('regulatory retention=0 under a user raw: dropped retention-zero by the floor', async () => {
    const r = await run(ws, 'p5', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-u type=user export=raw retention=1h', 'a=aipref:session apt-r type=regulatory retention=0'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 drop retention-zero [apt-r] regulatory-floor']);
  });

  it('features: user overrides domain, regulatory intersects (lenient "media-metrics, feedback")', async () => {
    const r = await run(ws, 'p6', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-u type=user export=raw features=media-metrics,sdes retention=1h', 'a=aipref:session apt-d type=domain features=rtcp-xr', 'a=aipref:session apt-r type=regulatory features=media-metrics, feedback'] });
      rtcpA(at, 1, [srFrom(1111, T0 + 1), { pt: 202, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'c@x' }] }] } as never]);
    });
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-u,apt-r] single-statement', '4 drop feature-not-allowed [apt-u,apt-r] regulatory-floor']);
  });
});

describe('one statement per pref-id (SPEC §3 merging)', () => {
  it('header and SDP of one message disagree: most restrictive per key, inconsistent-signaling per key', async () => {
    const r = await run(ws, 'm1', (at) => {
      setup(at, { aHeaders: ['AI-Pref: apt-x;scope=session;type=user;export=raw;retention=1h'], aLines: ['a=aipref:session apt-x export=aggregated-only retention=2h features=media-metrics, rtcp-xr'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-x] single-statement']);
    expect(types(r)).toEqual(['inconsistent-signaling [apt-x]', 'inconsistent-signaling [apt-x]']);
    expect(expiry(r)).toEqual([3600]);
  });

  it('quoted pref-id in the header is the same identifier as the SDP token', async () => {
    const r = await run(ws, 'm2', (at) => {
      setup(at, { aHeaders: ['AI-Pref: "apt-q";scope=session;export=none'], aLines: ['a=aipref:session apt-q type=user export=raw retention=1h'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 drop export-none [apt-q] single-statement']);
    expect(types(r)).toEqual(['inconsistent-signaling [apt-q]']);
  });

  it('a body part by Content-ID saying none beside a header raw: none, inconsistent-signaling', async () => {
    const r = await run(ws, 'm3', (at) => {
      at(0, multipartInvite(['AI-Pref: apt-b;scope=session;type=user;export=raw;retention=1h;uri=<cid:s1@x>'], sdpOf('a', []), [{ cid: 's1@x', type: 'application/aipref+json', body: '{"export": "none"}' }]), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] single-statement']);
    expect(types(r)).toEqual(['inconsistent-signaling [apt-b]']);
  });

  it('header v1, body v2, SDP v3 of one id in one message: v3 alone (replaces v1, v2 stale)', async () => {
    const r = await run(ws, 'm4', (at) => {
      at(0, multipartInvite(['AI-Pref: apt-b;scope=session;type=user;version=1;export=none;uri=<cid:s1@x>'], sdpOf('a', ['a=aipref:session apt-b version=3 export=aggregated-only']), [{ cid: 's1@x', type: 'application/aipref+json', body: '{"version": 2, "export": "raw", "retention": "1h"}' }]), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-b] single-statement']);
    expect(expiry(r)).toEqual([null]);
  });
});

describe('versions (SPEC §3)', () => {
  it('re-INVITEs bring v1 (stale), v3 (replaces), v2 (stale): decisions follow v2, v2, v3, v3', async () => {
    const r = await run(ws, 'v1', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-v type=user version=2 export=none retention=1h'] });
      rtcpA(at, 1);
      const re = (t: number, cseq: number, line: string) => {
        at(t, request('INVITE', cseq, sdpOf('a', [line])), true);
        at(t + 0.1, response('200 OK', cseq, sdpOf('b', [])), false);
        at(t + 0.2, request('ACK', cseq, null), true);
        rtcpA(at, t + 1);
      };
      re(2, 2, 'a=aipref:session apt-v type=user version=1 export=raw retention=1h');
      re(4, 3, 'a=aipref:session apt-v type=user version=3 export=raw retention=1h');
      re(6, 4, 'a=aipref:session apt-v type=user version=2 export=none retention=1h');
    });
    expect(brief(r)).toEqual(['4 drop export-none [apt-v] single-statement', '8 drop export-none [apt-v] single-statement', '12 export raw-allowed [apt-v] single-statement', '16 export raw-allowed [apt-v] single-statement']);
  });

  it('offer v2 none, answer v1 raw (older, later): none', async () => {
    const r = await run(ws, 'v2', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-v type=user version=2 export=none'], bLines: ['a=aipref:session apt-v type=user version=1 export=raw retention=1h'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 drop export-none [apt-v] single-statement']);
  });

  it('a refused re-INVITE (488, Warning 399 aipref) with v3 leaves v2; a later v1 is stale', async () => {
    const r = await run(ws, 'v3', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-v type=user version=2 export=aggregated-only retention=1h'] });
      rtcpA(at, 1);
      at(2, request('INVITE', 2, sdpOf('a', ['a=aipref:session apt-v type=user version=3 export=raw retention=1h'])), true);
      rtcpA(at, 2.5);
      at(3, response('488 Not Acceptable Here', 2, null, ['Warning: 399 aipref "no"']), false);
      at(3.1, request('ACK', 2, null), true);
      rtcpA(at, 4);
      at(5, request('INVITE', 3, sdpOf('a', ['a=aipref:session apt-v type=user version=1 export=none'])), true);
      at(5.1, response('200 OK', 3, sdpOf('b', [])), false);
      at(5.2, request('ACK', 3, null), true);
      rtcpA(at, 6);
    });
    expect(r.decisions.map((d) => d.decision)).toEqual(['aggregate', 'aggregate', 'aggregate', 'aggregate']);
  });
});

describe('media-plane tags and unresolved / failed APTs', () => {
  it('an SDES PRIV regulatory tag beside a signaled user raw: binding-conflict, the floor applies', async () => {
    const r = await run(ws, 't1', (at) => {
      setup(at, { aLines: ['a=aipref:mid apt-u'] });
      rtcpA(at, 1, [srFrom(1111, T0 + 1), sdesPriv(1111, 'apt-r')]);
    }, { apts: { 'apt-u': { type: 'user', export: 'raw', retention: '1h' }, 'apt-r': { type: 'regulatory', export: 'aggregated-only', retention: '15m' } } });
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-r] regulatory-floor', '4 aggregate aggregated-only [apt-r] regulatory-floor']);
    expect(types(r)).toEqual(['binding-conflict [apt-u,apt-r]']);
  });

  it('an unknown SDES tag: binding-conflict and unresolved-apt, drop by unresolved-apt', async () => {
    const r = await run(ws, 't2', (at) => {
      setup(at, { aLines: ['a=aipref:mid apt-u'] });
      rtcpA(at, 1, [srFrom(1111, T0 + 1), sdesPriv(1111, 'apt-unknown')]);
    }, { apts: { 'apt-u': { type: 'user', export: 'raw', retention: '1h' } } });
    expect(brief(r)).toEqual(['4 drop export-none [apt-unknown] unresolved-apt', '4 drop export-none [apt-unknown] unresolved-apt']);
    expect(types(r)).toEqual(['binding-conflict [apt-u,apt-unknown]', 'unresolved-apt [apt-unknown]']);
  });

  it('a header integrity=jws with a bad token beside an unsigned SDP raw of the same id: integrity-failure wins', async () => {
    const r = await run(ws, 't3', (at) => {
      setup(at, { aHeaders: ['AI-Pref: apt-s;scope=session;integrity=jws;token=aaa.bbb.ccc'], aLines: ['a=aipref:session apt-s type=user export=raw retention=1h'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
    // under the INVITE, and again by the stream it governs (README)
    expect(types(r)).toEqual(['integrity-failure [apt-s]', 'integrity-failure [apt-s]']);
  });
});
