/**
 * Found by a review of APT sources and precedence (SPEC §2, §3), fixed since (see Fix).
 *
 * Input: one call (hand-built: INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111,
 * frame 4), empty policy file. The INVITE says
 *   AI-Pref: apt-b;scope=session;type=user;export=raw;retention=1h;uri=<cid:s1@x>
 * i.e. "the statement of apt-b is the body part <s1@x>", and
 *   (a) its multipart body has that application/aipref+json part, but it is not JSON
 *       (`{"export": "none", ` — cut short), or
 *   (b) its body has no part <s1@x> at all (an SDP-only body: a proxy stripped the part).
 *
 * Was: the statement the value points at is ignored and the header's inline parameters alone
 * decide: decisions ["4 export raw-allowed [apt-b] single-statement"], one raw telemetry export;
 * (a) reports only `malformed-input … part <s1@x> is not JSON`, (b) reports nothing.
 *
 * Correct: SPEC §3 — an APT that cannot be resolved (unknown uri, …) counts as the most
 * restrictive statement and is reported `unresolved-apt`; the README's own rule for garbled
 * preferences: "a garbled preference is never read as no preference … what the value said cannot
 * be read, so the identifier counts as unresolved". Here the full statement (SPEC §2.2: the body
 * part referenced by Content-ID carries the full APT statement) cannot be read or is missing — in
 * (a) it even starts with export=none — so apt-b is unresolved: the SR is dropped (export-none,
 * rule unresolved-apt, apt [apt-b]) and `unresolved-apt` names apt-b. Live, a uri=<https:…> that
 * cannot be fetched is treated exactly so "whatever its other parts say" (README, live).
 *
 * Fix: src/pipeline/signaling-front.ts deliverParts()/deliverBodyParts(): for every AI-Pref value
 * whose uri is cid:<id>, when no body part of the message has that Content-ID or the part named
 * failed to decode (AiPrefBodyError with that contentId, reported by the tracker), mark the value's
 * identifier unreadable (this.unreadable(id, `uri=<cid:…> …`, offer)) instead of leaving its inline
 * parameters as the whole statement.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf } from '../hand-built-calls.js';
import { brief, multipartInvite, rtcpA, run } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const VALUE = 'AI-Pref: apt-b;scope=session;type=user;export=raw;retention=1h;uri=<cid:s1@x>';

async function call(name: string, parts: Parameters<typeof multipartInvite>[2]) {
  return run(ws, name, (at) => {
    at(0, multipartInvite([VALUE], sdpOf('a', []), parts), true);
    at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
    at(0.2, request('ACK', 1, null), true);
    rtcpA(at, 1);
  });
}

describe('an AI-Pref value whose statement is a body part by Content-ID that cannot be read', () => {
  it('control: the part read (export=none) decides with the inline parameters (most restrictive)', async () => {
    const r = await call('ok', [{ cid: 's1@x', type: 'application/aipref+json', body: '{"export": "none"}' }]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] single-statement']);
  });

  it('(a) the referenced part is not JSON: apt-b is unresolved, the SR dropped, unresolved-apt reported', async () => {
    const r = await call('bad-json', [{ cid: 's1@x', type: 'application/aipref+json', body: '{"export": "none", ' }]);
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] unresolved-apt']);
    expect(r.reports.some((x) => x.type === 'unresolved-apt' && JSON.stringify(x.apt) === '["apt-b"]')).toBe(true);
  });

  it('(b) the message has no part <s1@x>: apt-b is unresolved, the SR dropped, unresolved-apt reported', async () => {
    const r = await call('missing', []);
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] unresolved-apt']);
    expect(r.reports.some((x) => x.type === 'unresolved-apt' && JSON.stringify(x.apt) === '["apt-b"]')).toBe(true);
  });
});
