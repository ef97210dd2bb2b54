/**
 * Found by a review of RTCP compound rules, fixed since: an IJ packet is governed by the sources of the report blocks before it too (src/media/rtcp/compound.ts about; src/enforce/telemetry-items.ts).
 */
// Input: A's offer: audio (mid a, SSRC 1111, a=aipref:mid apt-raw) and video (mid v, SSRC 3333,
//   a=aipref:mid apt-none); B answers both. A sends on its audio RTCP port RR(1111, one report
//   block on 3333) + IJ (RFC 5450 pt 195, one extended jitter value, which is
//   about 3333: IJ's values are the jitter of the sources of the SR/RR it follows).
// Was: the RR is dropped (its subject 3333 is export=none: most restrictive applies), but the IJ
//   item is exported raw under A's APT alone: splitTelemetry gives unknown packet types no subjects.
// Correct: SPEC §4 "where it reports on another source (report blocks …) by that source's stream
//   too: the most restrictive of both applies"; RFC 5450 §3: the IJ's jitter values are, in order,
//   those of the report blocks of the SR/RR it follows — so the IJ item is governed by 3333 too and
//   dropped, like the RR it extends.
// Fix: src/enforce/telemetry-items.ts appendItems (unknown branch): for pt 195 take the subjects of
//   the preceding SR/RR (or src/media/rtcp/compound.ts decodeRtcpCompound: record them on the IJ packet).
import { describe, expect, it } from 'vitest';
import { block, bytes, pkt, rr, u32 } from './vectors.js';
import { withVideo } from '../../e2e/hand-built-calls.js';
import { replayBoth, SPLIT_POLICY, writeCompounds } from './harness.js';

const OFFER = withVideo('a', ['a=aipref:mid apt-none']).replace('a=ssrc:1111 cname:a\r\n', 'a=ssrc:1111 cname:a\r\na=aipref:mid apt-raw\r\n');

describe('IJ (RFC 5450) after an RR reports on the RR sources', () => {
  it('is dropped when the reported source is export=none, as the RR is', async () => {
    const file = await writeCompounds([bytes(rr(1111, [block(3333)]), pkt(195, 1, [...u32(20)]))], OFFER, withVideo('b', []));
    const run = replayBoth(file, SPLIT_POLICY);
    expect(run.decisions.map((d) => [d.pt, d.ssrc, d.decision])).toEqual([
      [201, 1111, 'drop'],
      [195, 1111, 'drop'],
    ]);
    expect(run.exports).toEqual([]);
  }, 60000);
});
