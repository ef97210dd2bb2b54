/**
 * Fixed since: notes are seen at the highest own stamp of the packets that touched the pair, never
 * lowered, and a new note starts from the highest the capture clock or an unbound packet's stamp
 * had been (replay-engine.ts notedFrom).
 * Review of e44b418 (UnboundTags: per-SSRC stamps), round 27 (5): the danger direction — a window
 * opened by a record stamped hours ahead keeps the shard's unbound session (MediaCore.sweepUnbound
 * passes over a session with an open window) after a later packet of the same stream stamped
 * behind it moved its lastSeen back; the main thread judges by the stamps alone.
 *
 * Input: A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-agg} on 10.0.0.1:4001 → 10.0.0.2:5001 at
 *   t=0 (frame 1: unbound, noted; aggregated); A's SR(1111) stamped t=10000 (frame 2: a lone record
 *   hours ahead: its item opens a window at 10000, which the capture clock does not reach for
 *   hours); RTP of SSRC 1111 on 10.0.0.1:4000 → 10.0.0.2:5000 at t=5 (frame 3: the same unbound
 *   session, a known source: lastSeen 5 in the core, stamp 5 on the main thread); call c9
 *   (10.0.0.7 ↔ 10.0.0.8) at t=350 (frames 4–6: a sweep); A's SR(1111) at t=355 (frame 7, unbound:
 *   the shard's view); call c1 (a=aipref:session apt-raw, A:4000 / B:5000) at t=360 (frames 8–10);
 *   1111's SR in c1 at t=361 (frame 11). THREE, 0 and 2 workers.
 * Was: the core keeps the session at the sweep at t=350.01 (its window opened at 10000 is open),
 *   frame 7 is '7 1111 aggregate aggregated-only apt-agg'; the main thread's latest stamp for the
 *   pair is 5 (1111's, assigned back from 10000 by frame 3), so it lets the note go at that sweep
 *   and frame 11 is '11 1111 export raw-allowed apt-raw': raw telemetry of a stream whose sender
 *   said aggregated-only.
 * Correct: README (Binding): a note goes where the shard lets the unbound session go, never before
 *   (the shard keeps a session holding an open window); SPEC §2.4 (tags never relax signaling):
 *   frame 11 aggregated under apt-agg (with apt-raw), nothing exported raw.
 * Fix: unbound-tags.ts: keep, per pair, the latest end of a window an item of the pair may have
 *   opened (the own stamp of the last aggregated-eligible item + window length: for simplicity
 *   the highest own stamp of any touching compound + goneAfter) and judge the pair by it as well
 *   — or have MediaCore open windows from the capture clock, not a lone outlier's own stamp.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a window opened by a record stamped hours ahead', () => {
  it('keeps the note while it keeps the shard session', async () => {
    const o = await replay(ws, 'window-ahead', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-agg')]), // 1: noted
      rtcpPkt(10000, A, 4001, B, 5001, [srIn(1111)]), // 2: a window opened at 10000
      rtp(5, A, 4000, B, 5000, 1111, 1), // 3: 1111's stream last seen at 5
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6: a sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 7: the shard's view
      ...rawCall('c1', 360), // 8-10
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(o.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 aggregate aggregated-only apt-agg']);
    const f11 = o.d.filter((d) => d.startsWith('11 '));
    expect(f11).toHaveLength(1);
    expect(f11[0]).toContain('apt-agg');
    expect(f11[0]).not.toContain('export raw');
    // only aggregates: no raw telemetry line
    expect(o.exports.filter((e) => (e as { type: string }).type !== 'aggregate')).toEqual([]);
  });
});
