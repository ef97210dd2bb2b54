/**
 * Input: SR+SDES{PRIV aipref=apt-none} of SSRC 1111 on A:4001 → B:5001 at t=0, before any
 *   signaling; plain SRs of 1111 on the same transport every 60 s up to t=300 (the stream never
 *   idles); INVITE/200/ACK at t=320 (a=aipref:session apt-raw, A:4000 / B:5000); a plain SR of
 *   1111 at t=330 (frame 10). (A capture that starts mid-call, or signaling late: PRIV items
 *   are not repeated in every compound, RFC 3550 §6.5, only CNAME is.)
 * Was: the unbound session honours the tag through t=300 (frames 2–6 dropped, apt-none), but
 *   the main thread's note expires 300 s after the last *tagged* compound (UnboundTags.take:
 *   `clock - noted.seen`, seen moved only by a tag): at t=330 nothing is carried and frame 10
 *   is exported raw under apt-raw.
 * Correct: SPEC §2.4 (a tag binds its SSRC; tags never relax signaling); the note is meant to
 *   live "as an idle unbound stream is kept" (a0f35dd; UNBOUND_IDLE_SEC counts from the
 *   stream's last packet): the stream was live with its tag at signaling, so frame 10 is dropped
 *   (export-none) and nothing is exported.
 * Fix: src/pipeline/replay-engine.ts media(): for media no dialog routes, refresh the note of
 *   its SSRC on that address pair (an UnboundTags.touch(view, ssrc, clock)), so `seen` is the
 *   stream's last packet, not its last tag.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, type Pkt, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a tag sent once, its stream kept alive unbound for more than 300 s', () => {
  it('is still carried when signaling binds the live stream', async () => {
    const pkts: Pkt[] = [rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')])]; // frame 1
    for (let t = 60; t <= 300; t += 60) pkts.push(rtcpPkt(t, A, 4001, B, 5001, [srIn(1111)])); // frames 2-6
    const o = await replay(ws, 'tag-once-stream-alive', [...pkts, ...rawCall('c1', 320), rtcpPkt(330, A, 4001, B, 5001, [srIn(1111)])]);
    // the unbound session honoured the tag until signaling
    expect(o.d.slice(0, 7)).toEqual(['1 1111 drop export-none apt-none', '1 1111 drop export-none apt-none', ...[2, 3, 4, 5, 6].map((f) => `${f} 1111 drop export-none apt-none`)]);
    const at10 = o.decisions.filter((d) => d.frame === 10);
    expect(at10.map((d) => [d.decision, d.reason])).toEqual([['drop', 'export-none']]);
    expect(o.exports).toEqual([]);
  });
});
