/**
 * Fixed since: UnboundTags.event lets a pair go only once the capture clock at the event's record
 * has also passed its last stamp by the window's length; the notes' cap is a shard's stream table's
 * (200,000 per shard), never dropping the pair being noted.
 * Review of 497756b (UnboundTags: PairNotes.seen, the highest own stamp, never lowered; notedFrom),
 * round 27 (6): the danger direction — the main thread lets a note go while the shard still holds
 * the tagged stream. Sweeps run at an event's OWN time (ev.ts, the SIP record's stamp) in both the
 * core and UnboundTags.event, but the core's windows close by the CAPTURE CLOCK (passTo/closeDueAt),
 * which a lone record stamped > 900 s off does not move (CaptureClock). UnboundTags assumes a window
 * opened at or before `seen` is closed once ev.ts − seen ≥ goneAfter — true only if the clock has
 * reached ev.ts. SIP from an agent whose clock runs ahead, interleaved with media on the right
 * clock (a HEP capture merging two agents), breaks that.
 *
 * Input: A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-agg} on 10.0.0.1:4001 → 10.0.0.2:5001 at
 *   t=0 (frame 1: unbound, noted; its item opens a 10 s window at 0); c9's INVITE (10.0.0.7 ↔
 *   10.0.0.8) stamped t=2000 (frame 2: SIP clock 33 min ahead; an event: jump > 300, no sweep);
 *   A's SR(1111) at t=1 (frame 3: clock 1); c9's 200 OK stamped t=2100 (frame 4: an outlier again,
 *   the clock stays at 1; an event 100 s after the last: a sweep at 2100); A's SR(1111) at t=2
 *   (frame 5, unbound: the shard's view); c9's ACK at t=2100.02 (frame 6); call c1 (a=aipref:session
 *   apt-raw, A:4000 / B:5000) at t=3 (frames 7–9: no sweep, 3 − 2100 < 60); 1111's SR in c1 at t=4
 *   (frame 10). THREE, default window 10 s, 0 and 2 workers.
 * Was: at the sweep at t=2100 the core keeps the unbound session — its window (0..10) is still open,
 *   the capture clock is at 1 — so frame 5 is '5 1111 aggregate aggregated-only apt-agg'; the main
 *   thread's UnboundTags.event drops the note (2100 − seen 1 ≥ goneAfter 300), and frame 10 is
 *   '10 1111 export raw-allowed apt-raw': raw telemetry of a stream whose sender said apt-agg,
 *   while its shard still held the tag.
 * Correct: README (Binding): notes go where the shard lets the unbound session go, never before;
 *   "Known limits, the fail-safe way" only the other way round. SPEC §2.4 (a tag binds its SSRC;
 *   tags never relax signaling): frame 10 aggregated under apt-agg, nothing exported raw.
 * Fix: unbound-tags.ts event(): judge windows by the capture clock, not ev.ts — keep the pair while
 *   clockAtEvent < seen + windowSec (pass the clock at the event's record, clockOf(ev.frame), from
 *   mirrorEvents), i.e. drop only when ev.ts − seen ≥ 300 AND clock − seen ≥ windowSec.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, req, res, rtcpPkt, sdesTag, sdpAt, srIn, type Pkt } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const sipPkt = (ts: number, fromA: boolean, payload: Uint8Array): Pkt => ({ ts, src: fromA ? A : B, dst: fromA ? B : A, sport: 5060, dport: 5060, payload });

describe('SIP stamped ahead of the capture clock', () => {
  it('does not let a note go while its shard keeps the session for an open window', async () => {
    const o = await replay(ws, 'sip-ahead-window', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-agg')]), // 1: noted, window 0..10
      sipPkt(2000, true, req('c9', 'INVITE', 1, sdpAt('10.0.0.7', 8000, null), '')), // 2: SIP ahead
      rtcpPkt(1, A, 4001, B, 5001, [srIn(1111)]), // 3: clock 1
      sipPkt(2100, false, res('c9', '200 OK', 'INVITE', 1, sdpAt('10.0.0.8', 9000, null))), // 4: a sweep at 2100
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // 5: the shard's view
      sipPkt(2100.02, true, req('c9', 'ACK', 1, null)), // 6
      ...rawCall('c1', 3), // 7-9
      rtcpPkt(4, A, 4001, B, 5001, [srIn(1111)]), // 10
    ]);
    expect(o.d.filter((d) => d.startsWith('5 '))).toEqual(['5 1111 aggregate aggregated-only apt-agg']);
    const f10 = o.d.filter((d) => d.startsWith('10 '));
    expect(f10).toHaveLength(1);
    expect(f10[0]).toContain('apt-agg');
    expect(f10[0]).not.toContain('export raw');
    expect(o.exports.filter((e) => (e as { type: string }).type !== 'aggregate')).toEqual([]);
  });
});
