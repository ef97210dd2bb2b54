/**
 * A known limit until stop 43 (it was a .limit.ts, the fail-safe way): a report subject another
 * call declares (which the core does not touch) stamped hours ahead kept the note, and the next
 * call on the pair dropped what the shard would have exported. Mended by carrying the tags the
 * pair's shard holds (MediaCore.tagsHeld; asked across shards, replay-engine.ts askPairShards)
 * rather than the main thread's notes, which now say only whether to ask. (README, Binding.)
 */
/**
 * Review of e44b418 (UnboundTags: per-SSRC stamps), round 27 (5): the late direction, outside the
 * documented fail-safe cases — a report subject the core does NOT touch (another live call
 * declares it with a=ssrc, untagged here: MediaCore.readRtcp's subject condition) stamped hours
 * ahead keeps the note for hours after its shard let the session (and the tag) go.
 *
 * Input: A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on 10.0.0.1:4001 → 10.0.0.2:5001 at
 *   t=0 (frame 1: unbound, noted); call c2 (10.0.0.7:8000 ↔ 10.0.0.8:9000, B's side a=ssrc:2222)
 *   at t=1 (frames 2–4); B's RR(3333, report on 2222) on 10.0.0.2:5001 → 10.0.0.1:4001 stamped
 *   t=10000 (frame 5: a lone record hours ahead; the core touches 3333 only — 2222 is c2's and
 *   untagged); B's SR(3333) at t=5 (frame 6: 3333 last seen at 5, in both); call c9
 *   (10.0.0.5 ↔ 10.0.0.6) at t=350 (frames 7–9: a sweep — the core's session, 1111 at 0 and 3333
 *   at 5, goes with its tag); A's SR(1111) at t=355 (frame 10: the shard's view, a new unbound
 *   stream with no tag); call c1 (a=aipref:session apt-raw, A:4000 / B:5000) at t=360
 *   (frames 11–13); 1111's SR in c1 at t=361 (frame 14). THREE, 0 and 2 workers.
 * Was: touchedSsrcs() takes every subject ("the fail-safe way") and refresh() stamps 2222 = 10000
 *   for frame 5, so the note outlives the shard's session by hours and c1 gets 1111's apt-none
 *   carried: frame 14 '14 1111 drop export-none apt-none', where the shard alone — which forgot
 *   the tag at t=350.01 and at frame 10 already treats 1111 as untagged — gives c1 its apt-raw.
 * Correct: README (Binding): "Notes go where the shard lets the unbound session go"; the only
 *   documented cases of a note outliving its shard's session are a lone RTP packet on probation
 *   and a session retired by a scope: frame 14 '14 1111 export raw-allowed apt-raw' (c1's own
 *   a=aipref, SPEC §2 — the tag was let go with the session).
 * Fix: unbound-tags.ts touchedSsrcs()/refresh(): mirror readRtcp's subject condition — skip a
 *   subject another live call declares (routes.lookupSsrc, passed in from carryTags) unless the
 *   pair holds a note for it — or else document this as a further fail-safe limit in README.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const rrOn = (ssrc: number, on: number) => ({ pt: 201, ssrc, reports: [{ ssrc: on, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] }) as never;

describe('a subject another call declares, stamped hours ahead', () => {
  it('does not keep the note after the shard let the session go', async () => {
    const o = await replay(ws, 'untouched-subject-ahead', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      ...setup('c2', 1, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, 2222)), // 2-4
      rtcpPkt(10000, B, 5001, A, 4001, [rrOn(3333, 2222)]), // 5: hours ahead; 2222 untouched by the core
      rtcpPkt(5, B, 5001, A, 4001, [srIn(3333)]), // 6
      ...setup('c9', 350, sdpAt('10.0.0.5', 8000, null), sdpAt('10.0.0.6', 9000, null)), // 7-9: a sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 10: the shard's view
      ...rawCall('c1', 360), // 11-13
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 14
    ]);
    // the shard let the tag go: 1111 is a new, untagged unbound stream
    expect(o.d.filter((d) => d.startsWith('10 ')).join()).not.toContain('apt-none');
    expect(o.d.filter((d) => d.startsWith('14 '))).toEqual(['14 1111 export raw-allowed apt-raw']);
  });
});
