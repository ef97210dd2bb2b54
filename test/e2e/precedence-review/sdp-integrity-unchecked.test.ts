/**
 * Found by a review of APT sources and precedence (SPEC §2, §3), fixed since (see Fix).
 *
 * Input: one call (hand-built: INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111,
 * frame 4), empty policy file. A's SDP says
 *   a=aipref:session apt-s type=user export=raw retention=1h integrity=jws token=aaa.bbb.ccc
 * — an APT that claims to be signed (integrity=jws) with a token that is no JWS at all.
 * (Second case: the same claim in an application/aipref+json body part referenced by Content-ID.)
 *
 * Was: the SDP line's (and the body's) integrity claim is never checked: the statement is taken
 * as an unsigned one and the SR leaves raw —
 *   decisions: ["4 export raw-allowed [apt-s] single-statement"], one telemetry export, no report
 * (the body case also passes the token on as an unknown key: extensions {"apt-s":{"token":"aaa.bbb.ccc"}}).
 * The very same value in the AI-Pref header (`AI-Pref: apt-s;…;integrity=jws;token=aaa.bbb.ccc`)
 * gives "4 drop export-none [apt-s] integrity-failure" and an integrity-failure report.
 *
 * Correct: SPEC §3 — an APT that fails integrity (integrity= names the method, e.g. jws) counts as
 * the most restrictive statement for its scope and is reported (`integrity-failure`); §2 lists
 * the SDP attribute and body statements as sources of the same APT statements as the header
 * (seed §6.1 a=aipref carries the same parameters). A failed signature must not be read as an
 * unsigned statement because it arrived through the SDP or a body: the SR is dropped
 * (export-none, rule integrity-failure, apt [apt-s]) and integrity-failure is reported.
 *
 * Fix: src/pipeline/signaling-front.ts, deliverBodyParts(): an a=aipref whose params carry
 * `integrity` (and a body statement carrying `integrity`/`token`) must go through verify() as a
 * header value does (deliverHeaderValuesInTurn: integrity !== null → verify, never deliver the
 * inline params unverified); deliverParts() must then take the async path when any SDP line or
 * body part carries integrity, not only header values.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf } from '../hand-built-calls.js';
import { brief, multipartInvite, rtcpA, run, setup } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a signed APT whose signature is garbage, carried outside the AI-Pref header', () => {
  it('control: in the AI-Pref header it fails integrity and is the most restrictive statement', async () => {
    const r = await run(ws, 'hdr', (at) => {
      setup(at, { aHeaders: ['AI-Pref: apt-s;scope=session;type=user;export=raw;retention=1h;integrity=jws;token=aaa.bbb.ccc'] });
      rtcpA(at, 1);
    });
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
    expect(r.reports.filter((x) => x.type === 'integrity-failure').map((x) => [x.apt, x.ssrc ?? null])).toEqual([[['apt-s'], null], [['apt-s'], 1111]]);
  });

  it('in an SDP a=aipref line (integrity=jws token=…): the same — drop, integrity-failure reported', async () => {
    const r = await run(ws, 'sdp', (at) => {
      setup(at, { aLines: ['a=aipref:session apt-s type=user export=raw retention=1h integrity=jws token=aaa.bbb.ccc'] });
      rtcpA(at, 1);
    });
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
    expect(r.reports.filter((x) => x.type === 'integrity-failure').map((x) => [x.apt, x.ssrc ?? null])).toEqual([[['apt-s'], null], [['apt-s'], 1111]]);
  });

  it('in an application/aipref+json body part the AI-Pref value references by Content-ID: the same', async () => {
    const r = await run(ws, 'body', (at) => {
      at(0, multipartInvite(['AI-Pref: apt-s;scope=session;uri=<cid:s1@x>'], sdpOf('a', []), [
        { cid: 's1@x', type: 'application/aipref+json', body: JSON.stringify({ type: 'user', export: 'raw', retention: '1h', integrity: 'jws', token: 'aaa.bbb.ccc' }) },
      ]), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      rtcpA(at, 1);
    });
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
    expect(r.reports.filter((x) => x.type === 'integrity-failure').map((x) => [x.apt, x.ssrc ?? null])).toEqual([[['apt-s'], null], [['apt-s'], 1111]]);
  });
});
