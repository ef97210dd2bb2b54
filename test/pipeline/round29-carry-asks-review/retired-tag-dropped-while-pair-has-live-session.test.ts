/**
 * Input: (0 and 2 workers alike) frame 1: RTCP A:4000->B:5001 [SR 1111, SDES 1111 PRIV aipref apt-none],
 * no call yet (unbound session of pair A:4000|B:5000). Frames 2-4: call `mux-call` (apt-raw,
 * a=rtcp-mux, A:4000 / B:5000): it routes frame 1's datagram (its source end A:4000), so the
 * scope retires the tagged session, kept for the call (retiredTagged). Frame 5: RTCP
 * A:4001->B:5001 [SR 1111, SDES 1111 apt-raw]: neither end is the muxed call's, so it starts a
 * new unbound session on the same pair. Frame 6: RTCP A:4000->B:5000 [SR 1111]: the call's first
 * packet of 1111.
 * Was: decision at frame 6 is `export raw-allowed [apt-raw]`: MediaCore.tagsHeld returns the live
 * unbound session's tags ([apt-raw]) and looks at the retired record only when the live one has
 * none, so the apt-none the shard still holds for 1111 (retired record, the call still routes its
 * datagram) is never carried. (Before 33ba62b the main thread's note, [apt-none, apt-raw], was
 * carried: drop.)
 * Correct: README Binding: the tags carried are those the pair's shard holds for the SSRC, in the
 * pair's unbound session or in the one a scope retired while a dialog still routes one of its
 * datagrams; tags never relax (SPEC §3, a stream's SDES tags accumulate): the call must get
 * apt-none too -> `drop export-none`.
 * Fix: MediaCore.tagsHeld: return the union of the live unbound stream's sdesApts and the retired
 * record's (deduplicated, as addSdesApt would), not the live one's alone.
 */
import { afterAll, expect, it } from 'vitest';
import { parseLines, replayLines, Workspace, type DecisionLine } from '../../e2e/e2e-helpers.js';
import { A, B, rtcpPkt, sdesTag, setup, sdpAt, srIn, THREE, writeCapture } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const mux = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw'], ['a=rtcp-mux']);

it('the call gets the tag of the retired session even while a new unbound session on the pair holds others', async () => {
  const file = await ws.file('retired-and-live.pcap');
  await writeCapture(file, [
    rtcpPkt(0, A, 4000, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
    ...setup('mux-call', 10, mux(A, 4000), mux(B, 5000)), // 2-4
    rtcpPkt(11, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-raw')]), // 5
    rtcpPkt(12, A, 4000, B, 5000, [srIn(1111)]), // 6
  ]);
  for (const workers of [0, 2]) {
    const r = await replayLines({ capture: file, policy: THREE, workers, explain: true });
    const d = parseLines<DecisionLine>(r.decisions).filter((x) => x.frame === 6);
    expect(d.map((x) => `${x.ssrc} ${x.decision} ${x.reason}`), `workers ${workers}`).toEqual(['1111 drop export-none']);
    expect(d[0]!.apt, `workers ${workers}`).toContain('apt-none');
  }
});
