/**
 * Found by a review of transport addresses reused across calls (a known limit until stop 40, as
 * sdes-tag-before-signaling.limit.ts), fixed since. A stream tagged by SDES PRIV before any
 * signaling names its transport lives in an unbound session on the shard of its transport pair;
 * once signaled, its packets go to the dialog's shard (by Call-ID), where the stream started
 * afresh and the tag was forgotten: an `apt-none` sender's RTCP was exported raw under the SDP's
 * `apt-raw`. The main thread now notes the tags of RTCP no dialog routes (src/pipeline/unbound-tags.ts)
 * and hands them to the dialog's shard at the first packet of that SSRC the dialog routes between
 * the same two addresses (a `carry` event, MediaCore.carryTags), with 0 workers as with 2.
 *
 * Input: an RTCP compound SR + SDES {CNAME, PRIV aipref=apt-none} of SSRC 1111 on A:4001 → B:5001
 *   before any signaling names the address; then INVITE/200/ACK with a=aipref:session apt-raw on
 *   A:4000 / B:5000 (no a=ssrc); then a plain SR of 1111 on the same transport.
 * Was: the SR after signaling exported raw under apt-raw alone.
 * Correct: SPEC §2.4, an SDES PRIV aipref item binds that SSRC, and media-plane tags never relax
 *   signaling (both apply, the most restrictive wins): the SR is dropped (export-none), with the
 *   binding-conflict report a tag repeated in the call's own RTCP gets.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const C = '10.0.0.3';

describe('a stream tagged apt-none on the media plane before its address is signaled', () => {
  // four Call-IDs: with two shards, the dialog's shard is the unbound pair's for some and not for others
  it.each(['c1', 'c2', 'c3', 'c4'])('keeps its tag once signaling binds it (call %s): the stricter apt-none wins over the SDP apt-raw', async (call) => {
    const o = await replay(ws, `sdes-before-signaling-${call}`, [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      ...rawCall(call, 1),
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 5
    ]);
    // before signaling the tag is honoured
    expect(o.d.slice(0, 2)).toEqual(['1 1111 drop export-none apt-none', '1 1111 drop export-none apt-none']);
    // after it too, as a tag the call's own compound repeated would be
    expect(o.d.slice(2)).toEqual(['5 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
    const conflicts = o.reports.filter((r) => r.type === 'binding-conflict');
    expect(conflicts.map((r) => [r.frame, r.ssrc, r.apt])).toEqual([[5, 1111, ['apt-raw', 'apt-none']]]);
    const row = o.bindings.find((b) => b.ssrc === 1111 && b.dialog?.callId === call);
    expect(row?.apt).toEqual(['apt-raw', 'apt-none']);
  });

  it("is carried at the SSRC's first routed packet, RTP on the other port pair too", async () => {
    const o = await replay(ws, 'sdes-before-signaling-rtp-first', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]),
      ...rawCall('c1', 1),
      rtp(2, A, 4000, B, 5000, 1111, 1), // frame 5: the dialog's first packet of 1111
      rtp(2.02, A, 4000, B, 5000, 1111, 2),
      rtcpPkt(3, A, 4001, B, 5001, [srIn(1111)]), // frame 7
    ]);
    expect(o.d.slice(2)).toEqual(['7 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });

  it('is not carried to a stream of another SSRC, nor from another pair of addresses', async () => {
    const o = await replay(ws, 'sdes-before-signaling-others', [
      rtcpPkt(0, C, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // C, not A: another source's
      rtcpPkt(0.5, A, 4001, B, 5001, [srIn(2222), sdesTag(2222, 'apt-none')]),
      ...rawCall('c1', 1),
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 6
    ]);
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 export raw-allowed apt-raw']);
    expect(o.exports).toHaveLength(1);
  });

  // an unrelated call between other media addresses: its 200 OK's event is a sweep of the shards'
  // idle unbound sessions (MediaCore.sweepUnbound), which the main thread runs on its notes too
  const otherCall = (t: number) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));

  it('is let go where its shard lets the unbound session go: at a sweep, once every stream of it was idle 300 s', async () => {
    const o = await replay(ws, 'sdes-before-signaling-stale', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      ...otherCall(350), // 2-4: the sweep at its 200 OK finds the pair idle 350 s
      ...rawCall('c1', 360), // 5-7
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 8
    ]);
    expect(o.d.slice(2)).toEqual(['8 1111 export raw-allowed apt-raw']);
    // the pair's other stream kept the session (B's SR at 200 s): the tag stands
    const kept = await replay(ws, 'sdes-before-signaling-kept', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]),
      rtcpPkt(200, B, 5001, A, 4001, [srIn(2222)]),
      ...otherCall(350),
      ...rawCall('c1', 360),
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 9
    ]);
    expect(kept.d.filter((d) => d.startsWith('9 '))).toEqual(['9 1111 drop export-none apt-none']);
    // with no sweep since (no signaling), 299 s is within the bound too
    const fresh = await replay(ws, 'sdes-before-signaling-fresh', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]),
      ...rawCall('c1', 299),
      rtcpPkt(299.9, A, 4001, B, 5001, [srIn(1111)]),
    ]);
    expect(fresh.d.slice(2)).toEqual(['5 1111 drop export-none apt-none']);
  });
});
