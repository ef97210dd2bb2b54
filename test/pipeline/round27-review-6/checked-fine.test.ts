/**
 * Checks of 497756b (UnboundTags: PairNotes.seen, notedFrom) that came out fine, the danger
 * direction (the main thread letting a note go while the shard still holds the tagged stream).
 * Replays run 0 and 2 workers and compare exports, decisions and reports (common.ts replay).
 *  - RTP on the even port keeps a note made by RTCP on port+1 (one pair), across a sweep at which
 *    only the RTP is recent: the shard's view and the call's both keep the tag.
 *  - A pair whose notes were all taken by a call, the call ended, then noted again: the new note
 *    is kept while the shard holds the new tag (a sweep in between at which the new stream is fresh).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, bye, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const at = (d: string[], f: number) => d.filter((x) => x.startsWith(`${f} `));

describe('UnboundTags (round 27, sixth review): checked fine', () => {
  it('RTP on the even port keeps the RTCP-port note with the shard', async () => {
    const o = await replay(ws, 'rtp-keeps', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtp(200, A, 4000, B, 5000, 1111, 1), // 2
      rtp(201, A, 4000, B, 5000, 1111, 2), // 3
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6: sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 7: shard's view
      ...rawCall('c1', 360), // 8-10
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(at(o.d, 7)).toEqual(['7 1111 drop export-none apt-none']);
    expect(at(o.d, 11)).toEqual(['11 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });

  it('notes taken, call ended, noted again: kept with the shard', async () => {
    const o = await replay(ws, 'renoted', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      ...rawCall('c1', 10), // 2-4
      rtcpPkt(11, A, 4001, B, 5001, [srIn(1111)]), // 5: taken
      ...bye('c1', 20, 2), // 6-7
      rtcpPkt(100, A, 4001, B, 5001, [srIn(2222), sdesTag(2222, 'apt-none')]), // 8: noted again
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 9-11: sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(2222)]), // 12: shard's view
      ...rawCall('c2', 360), // 13-15
      rtcpPkt(361, A, 4001, B, 5001, [srIn(2222)]), // 16
    ]);
    expect(at(o.d, 5)).toEqual(['5 1111 drop export-none apt-none']);
    expect(at(o.d, 12)).toEqual(['12 2222 drop export-none apt-none']);
    expect(at(o.d, 16)).toEqual(['16 2222 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
