/**
 * A known limit until stop 43 (it was a .limit.ts, the fail-safe way): a lone RTP packet on
 * probation, which the shard does not read into a stream, kept the note, and the next call on the
 * pair dropped what the shard would have exported. Mended by carrying the tags the pair's shard
 * holds (MediaCore.tagsHeld; asked across shards, replay-engine.ts askPairShards) rather than the
 * main thread's notes, which now say only whether to ask. (README, Binding.)
 */
/**
 * Input: SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on A:4001 → B:5001 at t=0 (frame 1,
 *   no signaling: unbound, noted); at t=200 ONE RTP packet of a new SSRC 3333 on B:5000 → A:4000
 *   (the same transport pair; frame 2) that nothing follows; an unrelated call c9 (10.0.0.7 ↔
 *   10.0.0.8) set up at t=350 (frames 3–5: its 200 OK is a sweep); a plain SR(1111) on A:4001 →
 *   B:5001 at t=355 (frame 6, unbound: the shard's own view of the tag); call c1 (apt-raw,
 *   A:4000 / B:5000) at t=360 (frames 7–9); 1111's SR at t=361 (frame 10). THREE, 0 and 2 workers.
 * Was: the shard never reads frame 2 into a stream (MediaCore.unroutedSourceValid: an unrouted
 *   source's first packet is held on probation, no stream made, nothing's lastSeen moved), so at
 *   the sweep at t=350.01 every stream of the pair's session is 350 s idle and it is dropped —
 *   frame 6 is a new source, untagged: '6 1111 drop no-preference', an unbound-stream report. But
 *   the main thread's refresh() counts every RTP datagram off the routes (replay-engine media():
 *   `proto === 'rtp'`), sets the pair's `seen` to 200 and keeps the note: frame 10 gets the tag
 *   the shard let go ('10 1111 drop export-none apt-none', a binding-conflict). Without frame 2:
 *   '… export raw-allowed apt-raw'. One stray datagram shaped like RTP (a DNS query, a scan) every
 *   few minutes keeps a note for ever. (A malformed RTP header off the routes, which MediaCore.rtp
 *   ignores, does the same.)
 * Correct: README (Binding): "Notes go where the shard lets the unbound session go: at the same
 *   sweeps …, once the pair's last packet a shard reads is 300 s old"; the shard read nothing of
 *   frame 2 (README: "The first is held (not counted, no stream made)"). Frame 10 is exported raw
 *   under apt-raw, as frame 6 shows the shard had no tag any more.
 * Fix: replay-engine.ts media(): refresh the pair's notes with RTP only where the core counts it —
 *   mirror unroutedSourceValid on the main thread for pairs with notes (a known SSRC of the pair,
 *   or the second in sequence within PROBATION_SEC), or refresh `seen` only from the second packet.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const otherCall = (t: number) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));

describe('a lone RTP packet on probation on a noted pair', () => {
  it('does not keep the note the shard let go', async () => {
    const o = await replay(ws, 'probation-keeps-note', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtp(200, B, 5000, A, 4000, 3333, 7), // 2: held on probation, never counted
      ...otherCall(350), // 3-5: the sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 6: the shard's view
      ...rawCall('c1', 360), // 7-9
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 10
    ]);
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop no-preference ']);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 export raw-allowed apt-raw']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict')).toEqual([]);
  });
});
