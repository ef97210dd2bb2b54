/**
 * Fixed since: notes are seen at the highest own stamp of the packets that touched the pair, never
 * lowered, and a new note starts from the highest the capture clock or an unbound packet's stamp
 * had been (replay-engine.ts notedFrom).
 * Review of e44b418 (UnboundTags: per-SSRC stamps), round 27 (5): the danger direction — an RTP
 * datagram no dialog routes that the core does not read (its header does not decode: MediaCore.rtp
 * returns off every route before any stream) is still stamped by refresh(), by ASSIGNMENT, and a
 * stamp behind its stream's lastSeen in the core brings the note forward of the shard.
 *
 * Input: A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on 10.0.0.1:4001 → 10.0.0.2:5001 at
 *   t=0 (frame 1: unbound, noted); A's SR(1111) stamped t=10000 (frame 2: a lone record hours
 *   ahead; the core's 1111 lastSeen = 10000); a 32-byte RTP datagram of SSRC 1111 on
 *   10.0.0.1:4000 → 10.0.0.2:5000 (the same unbound session) at t=5 with the padding bit set and a
 *   padding count of 200 (frame 3: decodeRtpHeader bad-padding; not read by the core); call c9
 *   (10.0.0.7 ↔ 10.0.0.8) at t=350 (frames 4–6: a sweep); A's SR(1111) at t=355 (frame 7,
 *   unbound: the shard's view); call c1 (apt-raw, A:4000 / B:5000) at t=360 (frames 8–10);
 *   1111's SR in c1 at t=361 (frame 11). THREE, 0 and 2 workers.
 * Was: the shard keeps the session at the sweep (1111 last seen at 10000): frame 7 is '7 1111 drop
 *   export-none apt-none'. refresh() of frame 3 sets stamps 1111 = 5 (any proto 'rtp' datagram of
 *   12 bytes or more), the note goes at the sweep at t=350.01, and frame 11 is '11 1111 export
 *   raw-allowed apt-raw' — exported raw what the tag forbids while its shard held it.
 * Correct: README (Binding): a note goes where the shard lets the unbound session go, never before;
 *   SPEC §2.4: '11 1111 drop export-none apt-none', no export.
 * Also (second case, no outlier — a regression of e44b418, whose pair stamp never went back): the
 *   note at t=0, A's SR(1111) at t=200, the broken RTP of 1111 stamped t=50 (records out of order),
 *   c9 at t=360 (a sweep: the core keeps 1111, 160 s idle; the main thread drops it, 310 s), then
 *   as above.
 * Fix: unbound-tags.ts refresh() (or replay-engine.ts carryTags): stamp an RTP datagram only
 *   upward (max) unless the core surely reads it — at least skip one whose header does not decode
 *   (decodeRtpHeader, as media() already does for the builder), and use max for a source on probation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an RTP datagram the core does not read, stamped behind its stream', () => {
  it('does not bring the note forward of the shard', async () => {
    const broken = rtp(5, A, 4000, B, 5000, 1111, 1);
    broken.payload[0] = 0xa0; // padding bit
    broken.payload[broken.payload.length - 1] = 200; // padding count past the packet
    const o = await replay(ws, 'unread-rtp', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      rtcpPkt(10000, A, 4001, B, 5001, [srIn(1111)]), // 2: hours ahead
      broken, // 3: not read by the core
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6: a sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 7: the shard's view
      ...rawCall('c1', 360), // 8-10
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(o.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('11 '))).toEqual(['11 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });

  it('nor with records out of order within the clock (before e44b418 the note was kept)', async () => {
    const broken = rtp(50, A, 4000, B, 5000, 1111, 1);
    broken.payload[0] = 0xa0;
    broken.payload[broken.payload.length - 1] = 200;
    const o = await replay(ws, 'unread-rtp-in-clock', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      rtcpPkt(200, A, 4001, B, 5001, [srIn(1111)]), // 2
      broken, // 3: out of order, not read by the core
      ...setup('c9', 360, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6: a sweep
      rtcpPkt(365, A, 4001, B, 5001, [srIn(1111)]), // 7: the shard's view
      ...rawCall('c1', 370), // 8-10
      rtcpPkt(371, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(o.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('11 '))).toEqual(['11 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
