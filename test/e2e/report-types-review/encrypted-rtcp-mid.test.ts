/**
 * Found by a review of the report types (SPEC §6), fixed since: encrypted-rtcp (and the SDES state-limit) name the stream's mid.
 *
 * Report review (SPEC §8 report line `{…, mid?, ssrc?, …}`; §6).
 *
 * Input: hand-built call: offer and answer on RTP/SAVP with a=crypto (SDES-SRTP) keys, audio
 * m-section mid "a", A's `a=ssrc:1111` and `a=aipref:mid apt-raw`; frame 4 is A's RTCP (an SR
 * followed by 14 bytes that are no SRTCP trailer the key authenticates), to B's RTCP port.
 *
 * Was: {"type":"encrypted-rtcp","ts":1767225600.4,"frame":4,"dialog":{"callId":"rb-call@10.0.0.1",
 *   "fromTag":"ftag","toTag":"ttag"},"ssrc":1111,"detail":"SRTCP (…) not decrypted, no a=crypto
 *   key authenticates it: …"} — no `mid`, though the stream is bound to m-section "a" (bindings:
 *   ssrc 1111, mid "a", via a=ssrc) and every other stream report (implicit-binding,
 *   binding-conflict, unresolved-apt) names the mid of the stream it is about.
 * Correct: the same line with "mid":"a" (SPEC §8: `mid?` is present where the report concerns a
 *   stream bound to an m-section with a mid, as for the other stream reports). Nor does the line
 *   say which APTs govern the stream whose telemetry is lost (apt ["apt-raw"] would tell the
 *   operator what could not be enforced) — only the mid is asserted here.
 * Fix: src/pipeline/media-core.ts encryptedRtcp: add `...(stream.section?.mid ? { mid:
 *   stream.section.mid } : {})` as preferenceOf does (the same for sdesLimit's state-limit).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { countsOf, dialog, policy } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const KEY = 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
const savp = (port: number, ssrc: number, extra: string[] = []) => [`m=audio ${port} RTP/SAVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:x`, ...extra, KEY];

describe('encrypted-rtcp names the mid of its stream', () => {
  it('mid "a" for SSRC 1111', async () => {
    const sr1 = rtcp(A, B, 4001, 5001, [sr(1111)]);
    const payload = new Uint8Array(sr1.payload.length + 14);
    payload.set(sr1.payload);
    payload[sr1.payload.length] = 0x80;
    payload[sr1.payload.length + 3] = 1;
    const r = await replay(ws, [...callSetup({ offer: sdp(A, [savp(4000, 1111, ['a=aipref:mid apt-raw'])]), answer: sdp(B, [savp(5000, 2222)]) }), { ...sr1, payload }, { ...sr1, payload }], policy);
    expect(r.bindings.filter((b) => b.ssrc === 1111).map((b) => [b.mid, b.via])).toEqual([['a', 'a=ssrc']]);
    expect(r.reports.map(({ detail: _d, ...x }) => x)).toEqual([{ type: 'encrypted-rtcp', ts: 1767225600.4, frame: 4, dialog, mid: 'a', ssrc: 1111 }]);
    expect(r.summary.reports).toEqual(countsOf(r.reports));
  });
});
