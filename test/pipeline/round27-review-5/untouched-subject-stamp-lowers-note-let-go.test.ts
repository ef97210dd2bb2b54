/**
 * Fixed since: notes are seen at the highest own stamp of the packets that touched the pair, never
 * lowered, and a new note starts from the highest the capture clock or an unbound packet's stamp
 * had been (replay-engine.ts notedFrom).
 * Review of e44b418 (UnboundTags: per-SSRC stamps), round 27 (5): the danger direction — a report
 * subject the core does NOT touch (another live call declares it with a=ssrc, untagged:
 * MediaCore.readRtcp's subject condition) is still stamped by touchedSsrcs "the fail-safe way", but
 * by ASSIGNMENT: a stamp behind the one its stream has in the core lowers the main thread's.
 *
 * Input: A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on 10.0.0.1:4001 → 10.0.0.2:5001 at
 *   t=0 (frame 1: unbound, noted); A's RR(1111, report on 2222) on the same transport stamped
 *   t=10000 (frame 2: a lone record hours ahead; the core makes 2222's stream, lastSeen 10000);
 *   call c2 (10.0.0.7:8000 ↔ 10.0.0.8:9000, B's side declares a=ssrc:2222) at t=2 (frames 3–5);
 *   A's RR(1111, report on 2222) at t=5 (frame 6: the core touches 1111 only — 2222 is declared by
 *   c2 and untagged here); call c9 (10.0.0.5 ↔ 10.0.0.6) at t=350 (frames 7–9: a sweep); A's
 *   SR(1111) at t=355 (frame 10, unbound: the shard's view); call c1 (apt-raw, A:4000 / B:5000)
 *   at t=360 (frames 11–13); 1111's SR in c1 at t=361 (frame 14). THREE, 0 and 2 workers.
 * Was: the core keeps the unbound session at the sweep at t=350.01 (2222 last seen at 10000), so
 *   frame 10 is '10 1111 drop export-none apt-none'. The main thread's refresh() of frame 6 sets
 *   stamps 2222 = 5 (touchedSsrcs takes every subject), the pair's latest is 5, the note goes at
 *   that sweep, and frame 14 is '14 1111 export raw-allowed apt-raw': exported raw what the tag
 *   forbids while its shard still held it.
 * Correct: README (Binding): a note goes where the shard lets the unbound session go, never before;
 *   SPEC §2.4 (tags never relax signaling): '14 1111 drop export-none apt-none', no export.
 * Also (second case, no outlier — a regression of e44b418, whose pair stamp max(seen, min(ts,
 *   clockHigh)) never went back): the note at t=0, A's RR(1111 → 2222) at t=200 (the core makes
 *   2222, lastSeen 200), c2 declaring 2222 at t=201, A's RR(1111 → 2222) stamped t=50 (records out
 *   of order: 1111 back to 50 in both, 2222 untouched by the core, set to 50 here), c9 at t=360 (a
 *   sweep: the core keeps 2222, 160 s idle; the main thread drops, 310 s), then as above.
 * Fix: unbound-tags.ts refresh(): stamp an SSRC the core may leave untouched (a subject another
 *   live call declares and the pair did not tag) only upward — stamps.set(s, max(old, ts)) — and
 *   assign only for the SSRCs the core surely stamps (senders, SDES MID/PRIV chunks, RTP sources
 *   whose stream exists); or mirror readRtcp's subject condition exactly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const rrOn = (ssrc: number, on: number) => ({ pt: 201, ssrc, reports: [{ ssrc: on, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] }) as never;

describe('a subject another call declares, reported on behind its stamp', () => {
  it('does not bring the note forward of the shard', async () => {
    const o = await replay(ws, 'untouched-subject', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      rtcpPkt(10000, A, 4001, B, 5001, [rrOn(1111, 2222)]), // 2: hours ahead, 2222 made
      ...setup('c2', 2, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, 2222)), // 3-5: 2222 declared by c2
      rtcpPkt(5, A, 4001, B, 5001, [rrOn(1111, 2222)]), // 6: 2222 not touched by the core
      ...setup('c9', 350, sdpAt('10.0.0.5', 8000, null), sdpAt('10.0.0.6', 9000, null)), // 7-9: a sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 10: the shard's view
      ...rawCall('c1', 360), // 11-13
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 14
    ]);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('14 '))).toEqual(['14 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });

  it('nor with records out of order within the clock (before e44b418 the note was kept)', async () => {
    const o = await replay(ws, 'untouched-subject-in-clock', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      rtcpPkt(200, A, 4001, B, 5001, [rrOn(1111, 2222)]), // 2: 2222 made, last seen 200
      ...setup('c2', 201, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, 2222)), // 3-5
      rtcpPkt(50, A, 4001, B, 5001, [rrOn(1111, 2222)]), // 6: out of order; 2222 untouched by the core
      ...setup('c9', 360, sdpAt('10.0.0.5', 8000, null), sdpAt('10.0.0.6', 9000, null)), // 7-9: a sweep
      rtcpPkt(365, A, 4001, B, 5001, [srIn(1111)]), // 10: the shard's view
      ...rawCall('c1', 370), // 11-13
      rtcpPkt(371, A, 4001, B, 5001, [srIn(1111)]), // 14
    ]);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('14 '))).toEqual(['14 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
