/**
 * Found by a review of the bindings and inspect commands, fixed since: an IJ packet takes the
 * SSRC of the SR/RR it follows (src/media/rtcp/compound.ts decodeRtcpCompound).
 *
 * Input: samples/call-small.pcap with one RTCP compound inserted after frame 54 on call 1's
 * BUNDLE transport (10.1.0.1:21106 → 10.2.0.1:10694, new frame 55): an RR of SSRC 1078747615
 * (0x404c61df, the caller's audio, bound by a=ssrc) followed by an RFC 5450 Extended Jitter
 * Report (IJ, PT 195) with one inter-arrival jitter value, 0x12345678 (305419896):
 *   80 c9 00 01 404c61df | 81 c3 00 01 12345678
 *
 * Was: `inspect --json` frame 55 reads the jitter value as the IJ packet's SSRC:
 *   {"pt":195,"ssrc":305419896,"offset":8,"length":8,"unknown":true}
 * and `bindings --json` lists a stream that does not exist:
 *   {"ssrc":305419896,"dialog":{"callId":"ffd04841f5f3b3dc-0@10.1.0.1",...},"mid":null,"kind":null,
 *    "apt":["apt-dom-1","apt-repo-1"],"via":"dialog","ended":true}
 * (replay counts it in `streams`, 13 instead of 12, and decides the IJ item under it:
 *   {"frame":55,...,"ssrc":305419896,"pt":195,"feature":"app",...,"apt":["apt-repo-1"]}) — judged
 * by the dialog-level fallback rather than by its sender's own identifiers (apt-user-1 for mid a).
 *
 * Correct: RFC 5450 §3: an IJ packet is the header followed by RC inter-arrival jitter values —
 * it carries no SSRC — and "MUST be placed in a compound RTCP packet immediately after the SR
 * or RR"; its values are about the sources of that SR/RR and are sent by its sender. So no
 * stream 305419896 exists (bindings lists every stream, SPEC §8; `ssrc` is "the sender's SSRC",
 * src/media/rtcp/types.ts), and the item belongs to 1078747615.
 *
 * Fix: src/media/rtcp/compound.ts `decodeRtcpPacket` default branch reads bytes 4–7 of every
 * unknown type as its SSRC. For PT 195 (IJ) take the SSRC of the SR/RR it follows (the
 * compound's first packet; `decodeRtcpCompound` knows it), or decode IJ as its own type
 * (`jitters: number[]`); src/enforce/telemetry-items.ts then governs the item by that sender.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';
import { editSample } from '../../e2e/sample-edits.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const COMPOUND = Uint8Array.from(Buffer.from('80c90001404c61df81c3000112345678', 'hex'));

describe('RFC 5450 IJ packet after an RR', () => {
  it('names no SSRC of its own: inspect gives it its sender, bindings lists no stream 305419896', async () => {
    const capture = await editSample(ws, 'ij.pcap', {
      after: (frame) => (frame === 54 ? [{ src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: COMPOUND }] : []),
    });
    const inspected = await cli('inspect', capture, '--json');
    expect(inspected.code).toBe(0);
    const line = JSON.parse(inspected.stdout.split('\n')[54]!) as { frame: number; packets: { pt: number; ssrc: number }[] };
    expect(line.frame).toBe(55);
    expect(line.packets.map((p) => [p.pt, p.ssrc])).toEqual([
      [201, 1078747615],
      [195, 1078747615],
    ]);

    const b = await cli('bindings', capture, '--policy', SMALL_POLICY, '--json');
    expect(b.code).toBe(0);
    const ssrcs = (JSON.parse(b.stdout) as { ssrc: number }[]).map((r) => r.ssrc).sort((x, y) => x - y);
    // the sample's twelve streams (tshark -o rtp.heuristic_rtp:TRUE: twelve RTP SSRCs), nothing more
    expect(ssrcs).toEqual([449395149, 488716880, 806401321, 1078747615, 1572334951, 2120508720, 2436217407, 2718689825, 2984632639, 3102667785, 3221548532, 4074765181]);
  });
});
