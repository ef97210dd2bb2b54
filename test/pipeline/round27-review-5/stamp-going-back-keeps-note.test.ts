/**
 * A known limit until stop 43 (it was a .limit.ts, the fail-safe way): a stream's stamp going back
 * after a record stamped hours ahead kept the note, and the next call on the pair dropped what the
 * shard would have exported. Mended by carrying the tags the pair's shard holds
 * (MediaCore.tagsHeld; asked across shards, replay-engine.ts askPairShards) rather than the main
 * thread's notes, which now say only whether to ask. (README, Binding.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, replayLines, Workspace, type DecisionLine } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, req, res, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn, T0, THREE } from '../../e2e/port-reuse-review/common.js';
import { sdp } from '../../e2e/calls-on-any-address.js';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const rrOn = (ssrc: number, on: number) => ({ pt: 201, ssrc, reports: [{ ssrc: on, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] }) as never;
const at = (d: string[], frame: number) => d.filter((x) => x.startsWith(`${frame} `));


describe('a stamp that goes back (round 27, fifth review): the note goes with the shard', () => {
  it("a stream's own packet stamped behind its last: the note goes at the same sweep as the shard's session", async () => {
    // hours ahead, then back: both sides judge 1111 by its last packet (t=5)
    const o = await replay(ws, 'back-from-ahead', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      rtcpPkt(10000, A, 4001, B, 5001, [srIn(1111)]), // 2: hours ahead
      rtcpPkt(5, A, 4001, B, 5001, [srIn(1111)]), // 3: back
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6: a sweep: both let go
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 7: the shard forgot the tag
      ...rawCall('c1', 360), // 8-10
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(at(o.d, 7).join()).not.toContain('apt-none');
    expect(at(o.d, 11)).toEqual(['11 1111 export raw-allowed apt-raw']);
    // in-clock out of order: 1111 at 200 then at 50; a sweep at 360 lets both go (310 s)
    const p = await replay(ws, 'back-in-clock', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtcpPkt(200, A, 4001, B, 5001, [srIn(1111)]), // 2
      rtcpPkt(50, A, 4001, B, 5001, [srIn(1111)]), // 3: back
      ...setup('c9', 360, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6
      rtcpPkt(365, A, 4001, B, 5001, [srIn(1111)]), // 7
      ...rawCall('c1', 370), // 8-10
      rtcpPkt(371, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(at(p.d, 7).join()).not.toContain('apt-none');
    expect(at(p.d, 11)).toEqual(['11 1111 export raw-allowed apt-raw']);
    // and the same without the packet back: both keep it (later sweep at 360: 1111 at 200)
    const q = await replay(ws, 'kept-in-clock', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]),
      rtcpPkt(200, A, 4001, B, 5001, [srIn(1111)]),
      rtcpPkt(201, '10.0.0.9', 4001, B, 5001, [srIn(9999)]),
      ...setup('c9', 360, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)),
      rtcpPkt(365, A, 4001, B, 5001, [srIn(1111)]),
      ...rawCall('c1', 370),
      rtcpPkt(371, A, 4001, B, 5001, [srIn(1111)]),
    ]);
    expect(at(q.d, 7)).toEqual(['7 1111 drop export-none apt-none']);
    expect(at(q.d, 11)).toEqual(['11 1111 drop export-none apt-none']);
  });

  it('an SSRC both RTP source and RTCP subject: one stamp, kept and let go with the shard', async () => {
    const run = (name: string, nextRtp: boolean) =>
      replay(ws, name, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
        rtp(1, B, 5000, A, 4000, 2222, 1), // 2: on probation
        rtp(2, B, 5000, A, 4000, 2222, 2), // 3: a valid source: 2222's stream
        rtcpPkt(10000, A, 4001, B, 5001, [rrOn(1111, 2222)]), // 4: hours ahead: 1111 and 2222
        rtcpPkt(5, A, 4001, B, 5001, [srIn(1111)]), // 5: 1111 back to 5
        nextRtp ? rtp(6, B, 5000, A, 4000, 2222, 3) : rtcpPkt(6, '10.0.0.9', 4001, B, 5001, [srIn(9999)]), // 6: 2222 back to 6, or not
        ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 7-9: a sweep
        rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 10: the shard's view
        ...rawCall('c1', 360), // 11-13
        rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 14
      ]);
    const kept = await run('rtp-and-subject-kept', false);
    expect(at(kept.d, 10)).toEqual(['10 1111 drop export-none apt-none']);
    expect(at(kept.d, 14)).toEqual(['14 1111 drop export-none apt-none']);
    const gone = await run('rtp-and-subject-gone', true);
    expect(at(gone.d, 10).join()).not.toContain('apt-none');
    expect(at(gone.d, 14)).toEqual(['14 1111 export raw-allowed apt-raw']);
  });

});
