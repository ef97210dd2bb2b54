/**
 * Found by a review of RTCP compound rules, fixed since: a BYE listing no source is its compound's sender's, not SSRC 0's (src/enforce/telemetry-items.ts appendItems).
 */
// Input: a compound SR(SSRC 1111) + BYE with source count 0 (with and without a reason), sent on
//   A's RTCP transport of a bound call (policy: the dialog's APT, export=raw).
// Was: the BYE item is attributed to SSRC 0 — decisions.ndjson `ssrc: 0`, the export's
//   `stream.ssrc: 0`, and `bindings --json` lists a stream of SSRC 0 "via transport" that never
//   existed (a BYE with SC=0 names no source: decodeGoodbye sets ssrc 0 and splitTelemetry uses it).
// Correct: RFC 3550 §6.6 "A count value of zero is valid, but useless": the packet names no
//   source, so (SPEC §4, "governed by the stream of the SSRC that sent it") it is the compound's
//   sender's (RFC 3550 §6.1: the first SR/RR names it), as splitTelemetry already does for an SDES;
//   no SSRC 0 stream is made.
// Fix: src/enforce/telemetry-items.ts appendItems, case BYE: when packet.ssrcs is empty use
//   compoundSender (as the SDES case does); likewise for an unknown type too short to hold an SSRC.
import { describe, expect, it } from 'vitest';
import { bytes, pkt, sr } from './vectors.js';
import { bindingsCli, replayBoth, writeCompounds } from './harness.js';

describe('BYE with source count 0 inside a compound', () => {
  it('is governed by the compound sender (1111), and makes no SSRC 0 stream', async () => {
    const file = await writeCompounds([bytes(sr(1111), pkt(203, 0, [3, 0x61, 0x62, 0x63])), bytes(sr(1111), pkt(203, 0, []))]);
    const run = replayBoth(file);
    const byes = run.decisions.filter((d) => d.pt === 203);
    expect(byes.map((d) => [d.frame, d.ssrc, d.decision])).toEqual([
      [4, 1111, 'export'],
      [5, 1111, 'export'],
    ]);
    expect(run.exports.filter((e) => e.item?.pt === 203).map((e) => e.stream.ssrc)).toEqual([1111, 1111]);
    expect(bindingsCli(file).map((b) => b.ssrc)).not.toContain(0);
  }, 60000);
});
