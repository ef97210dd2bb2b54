/**
 * Found by a review of what leaves the enforcer, fixed since: SSRC 0 is a source like any other in report blocks, XR blocks, SDES chunks and BYE lists (src/enforce/telemetry-items.ts, zeroIsNone): SSRC 0's SDES text and a BYE reason naming it follow its stream's APT.
 *
 * Input: A calls B with two m-sections: audio (mid a, `a=aipref:mid apt-a`, raw, every feature,
 *   A's SSRC 1111) and video (mid v, `a=aipref:mid apt-v`, A's video SSRC 0 by `a=ssrc:0`).
 *   A's audio RTCP then carries, as endpoints do, one SDES with a chunk for each of its SSRCs
 *   (the video chunk's NAME is marked), a BYE naming both SSRCs with a marked reason, and an RR
 *   whose report block is about SSRC 0. apt-v is `features: [media-metrics]` (no `sdes`), then
 *   `export: none`. The same capture with the video SSRC 3333 instead of 0 is the control.
 * Was: with SSRC 0 the video stream is bound and its own SR is decided by apt-v, but as the
 *   subject of another item SSRC 0 is skipped (telemetry-items.ts onlyOther / distinctOthers /
 *   reportSubjects treat 0 as "no source" for every kind): the SDES goes out raw with the video
 *   source's NAME text, the BYE with its reason, and the report block about the export=none
 *   video stream — all decided by apt-a alone. With SSRC 3333 all three are governed by apt-v too.
 * Correct: SPEC §4 — an item is governed by the sender's stream "and, where it reports on another
 *   source …, by that source's stream too: the most restrictive of both applies"; `sdes` text is
 *   identity/PII (§3), a BYE reason goes only where `sdes` is allowed (§4), export=none → drop.
 *   SSRC 0 is an ordinary SSRC (RFC 3550 §8 reserves no value); "0 = none" is a convention of
 *   feedback FCI / media-SSRC fields (RFC 4585 §6.1, RFC 5104), not of SDES chunks, BYE lists
 *   or report blocks.
 * Fix: src/enforce/telemetry-items.ts — skip SSRC 0 only for feedback's media SSRC (and FIR/TMMB
 *   entries), not in reportSubjects, the SDES chunk subjects, the BYE ssrcs or XR block subjects
 *   (or skip it only when no stream with SSRC 0 is known).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { parseLines, policyOf, Workspace } from '../e2e-helpers.js';
import { replayCall, request, response, sdpOf } from '../hand-built-calls.js';
import { MARK } from './privacy-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const SR = (ssrc: number, n = 0): RtcpPacketInput => ({ pt: 200, ssrc, ntpSec: 3976214400 + n, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] });
const withVideo = (party: 'a' | 'b', videoSsrc: number) =>
  sdpOf(party, ['a=aipref:mid apt-a']) + [`m=video ${party === 'a' ? 4002 : 5002} RTP/AVP 96`, 'a=mid:v', 'a=rtpmap:96 VP8/90000', `a=ssrc:${videoSsrc} cname:${party}`, 'a=aipref:mid apt-v', 'a=sendrecv', ''].join('\r\n');

async function run(videoSsrc: number, aptV: Record<string, unknown>) {
  const policy = policyOf({ apts: { 'apt-a': { type: 'user', export: 'raw', retention: '1h' }, 'apt-v': { type: 'user', retention: '1h', ...aptV } } });
  const lines = await replayCall(ws, `zero-${videoSsrc}-${String(aptV.export)}`, (at) => {
    at(0, request('INVITE', 1, withVideo('a', videoSsrc), [], ''), true);
    at(0.1, response('200 OK', 1, withVideo('b', 4444)), false);
    at(0.2, request('ACK', 1, null), true);
    at(0.5, encodeRtcpCompound([SR(videoSsrc)]), true, 4003, 5003); // the video stream's own RTCP
    at(1, encodeRtcpCompound([SR(1111), { pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'a-cname' }] }, { ssrc: videoSsrc, items: [{ type: 2, text: `${MARK}-video-name` }] }] }]), true, 4001, 5001);
    at(2, encodeRtcpCompound([SR(1111, 1), { pt: 203, ssrc: 1111, ssrcs: [1111, videoSsrc], reason: `${MARK}-bye` }]), true, 4001, 5001);
    at(3, encodeRtcpCompound([{ pt: 201, ssrc: 1111, reports: [{ ssrc: videoSsrc, fractionLost: 7, cumulativeLost: 77, highestSeq: 777, jitter: 7777, lsr: 0, dlsr: 0 }] }]), true, 4001, 5001);
  }, policy);
  const decided = parseLines<{ frame: number; pt: number; decision: string; reason: string; apt: string[] }>(lines.decisions).map((d) => `${d.frame} ${d.pt} ${d.decision} ${d.reason} ${d.apt.join('+')}`);
  return { lines, decided };
}

describe('SSRC 0 as the source an item is about (SPEC §4: its stream governs too)', () => {
  it('control: the video SSRC 3333 — the SDES about it is dropped, the BYE naming it goes without its reason', async () => {
    const { lines, decided } = await run(3333, { export: 'raw', features: ['media-metrics'] });
    expect(decided).toContain('5 202 drop feature-not-allowed apt-v');
    for (const l of lines.exports) expect(l).not.toContain(MARK);
  });

  it('the video SSRC 0 under features [media-metrics]: the same — no video-source SDES text, no BYE reason leaves', async () => {
    const { lines, decided } = await run(0, { export: 'raw', features: ['media-metrics'] });
    expect(decided[0]).toBe('4 200 export raw-allowed apt-v'); // SSRC 0 is a bound stream under apt-v
    expect(decided).toContain('5 202 drop feature-not-allowed apt-v');
    for (const l of lines.exports) expect(l).not.toContain(MARK);
  });

  it('the video SSRC 0 under export=none: the report block about it is dropped, as it is for 3333', async () => {
    const control = await run(3333, { export: 'none' });
    expect(control.decided).toContain('7 201 drop export-none apt-v');
    const { lines, decided } = await run(0, { export: 'none' });
    expect(decided).toContain('7 201 drop export-none apt-v');
    expect(lines.exports.filter((l) => l.includes('"cumulativeLost":77'))).toEqual([]);
  });
});
