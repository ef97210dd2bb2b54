/**
 * Found by a review of RTCP compound rules, fixed since: a header-only packet of an unknown type is its compound's sender's, and an IJ packet with no SR/RR before it is malformed (src/media/rtcp/compound.ts decodeRtcpCompound).
 */
// Input: (a) SR(1111) + an RTCP packet of unknown type 210 that is only its 4-byte header
//   (length 0); (b) a reduced-size compound that starts with an IJ packet (pt 195, RFC 5450: a
//   header and RC jitter words, no SSRC) holding the jitter value 77.
// Was: (a) the 210 item is attributed to SSRC 0; (b) the IJ item is attributed to "SSRC 77",
//   its jitter value read as an SSRC (decodeRtcpPacket reads bytes 4-7 as SSRC; the IJ fix-up in
//   decodeRtcpCompound applies only when a packet precedes). Both make phantom streams (0, 77)
//   that show in decisions, exports (`stream.ssrc`) and `bindings --json` ("via transport").
// Correct: a packet with no SSRC field is not a stream's: (a) RFC 3550 §6.1, the compound's first
//   SR/RR names the sender (1111), SPEC §4 governs the item by it; (b) RFC 5450 §3 an IJ packet has
//   no SSRC and belongs after an SR/RR — a value of its jitter list is never an SSRC (either judged
//   under a known sender or reported as malformed-input, never under SSRC 77).
// Fix: src/media/rtcp/compound.ts decodeRtcpCompound (IJ without preceding SR/RR) and
//   src/enforce/telemetry-items.ts appendItems (unknown packet without SSRC → compoundSender).
import { describe, expect, it } from 'vitest';
import { bytes, pkt, sr, u32 } from './vectors.js';
import { bindingsCli, replayBoth, writeCompounds } from './harness.js';

describe('RTCP packets that carry no SSRC', () => {
  it('a header-only packet of unknown type 210 after an SR is governed by the SR sender, no SSRC 0 stream', async () => {
    const file = await writeCompounds([bytes(sr(1111), pkt(210, 0, []))]);
    const run = replayBoth(file);
    expect(run.decisions.filter((d) => d.pt === 210).map((d) => [d.frame, d.ssrc])).toEqual([[4, 1111]]);
    expect(bindingsCli(file).map((b) => b.ssrc)).not.toContain(0);
  }, 60000);

  it('an IJ packet with no SR/RR before it is never attributed to its jitter value as an SSRC', async () => {
    const file = await writeCompounds([bytes(pkt(195, 1, [...u32(77)]))]);
    const run = replayBoth(file);
    expect(run.decisions.filter((d) => d.ssrc === 77)).toEqual([]);
    expect(run.exports.filter((e) => e.stream?.ssrc === 77)).toEqual([]);
    expect(bindingsCli(file).map((b) => b.ssrc)).not.toContain(77);
  }, 60000);
});
