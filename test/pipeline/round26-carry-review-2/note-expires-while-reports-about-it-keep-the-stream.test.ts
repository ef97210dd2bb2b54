/**
 * Input: SR + SDES{PRIV aipref=apt-none} of SSRC 1111 on A:4001 → B:5001 at t=0 (frame 1), then
 *   1111 sends nothing more; unrelated call c9 set up at t=100 (frames 2-4); B's SR (SSRC 2222,
 *   SDES apt-raw) with a report block about 1111 on B:5001 → A:4001 at t=200 (frame 5), and B's SRs
 *   about 1111 at t=350 (frame 6) and, after another unrelated call c8 at t=380 (frames 7-9,
 *   signaling events: the shards sweep idle unbound sessions), at t=390 (frame 10); then call c1
 *   (a=aipref:session apt-raw, A:4000 / B:5000) at t=400 (frames 11-13) and B's SR about 1111 at
 *   t=401 (frame 14). Replayed with 0 and 2 workers.
 * Was: up to frame 10 the shard keeps 1111's unbound stream (every report about it refreshes its
 *   lastSeen, StreamTable.stream) with its tag, and drops B's reports about it
 *   ('10 2222 drop export-none apt-none'); the main thread's note was refreshed only by 1111's own
 *   packets (refresh() reads the sender SSRC), so it is 401 s old at c1's first routed packet and
 *   not carried: '14 2222 export raw-allowed apt-raw' — B's loss and jitter about 1111 leave raw the
 *   moment signaling names the transport.
 * Correct: README (Binding): the tag is carried for an SSRC "as a shard keeps an idle unbound
 *   stream"; SPEC §2.4 (a tag binds its SSRC, never relaxed) and §4 (an item reporting on a source
 *   is governed by it too, most restrictive wins): frame 14 is dropped (export-none, apt-none) as
 *   frame 10 was.
 * Fix: src/pipeline/replay-engine.ts carryTags / unbound-tags.ts refresh(): an unbound RTCP
 *   compound between the pair's addresses also refreshes the notes of the SSRCs its report blocks
 *   (and other subjects) name, as the shard's stream table refreshes those streams.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a tagged SSRC gone silent that another sender keeps reporting on', () => {
  it('keeps its tag after signaling as long as the shard kept it before', async () => {
    const o = await replay(ws, 'reports-keep-stream', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      ...setup('c9', 100, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 8002, null)), // frames 2-4
      rtcpPkt(200, B, 5001, A, 4001, [srIn(2222, 1111), sdesTag(2222, 'apt-raw')]), // frame 5
      rtcpPkt(350, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 6
      ...setup('c8', 380, sdpAt('10.0.0.7', 8010, null), sdpAt('10.0.0.8', 8012, null)), // frames 7-9
      rtcpPkt(390, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 10
      ...rawCall('c1', 400), // frames 11-13
      rtcpPkt(401, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 14
    ]);
    // before signaling the shard still honours 1111's tag in B's report about it
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 2222 drop export-none apt-none']);
    expect(o.decisions.filter((d) => d.frame === 14).map((d) => [d.decision, d.reason])).toEqual([['drop', 'export-none']]);
    expect(o.exports.filter((e) => e.dialog !== null)).toEqual([]);
  });
});
