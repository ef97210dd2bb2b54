/**
 * Input: frame 1 (t=0): RTCP A:4000->B:5001 [SR 1111, SDES 1111 PRIV aipref apt-none], no call yet
 * (unbound session of pair A:4000|B:5000). Frames 2-4 (t=10): call `mux-twice` (apt-raw,
 * a=rtcp-mux, A:4000/B:5000): it routes frame 1's datagram (end A:4000), so its scope retires the
 * tagged session (MediaCore.retiredTagged). Frame 5 (t=11): RTCP A:4001->B:5001 [SR 1111, SDES 1111
 * apt-raw] (also run with that compound from SSRC 3333 instead: no tag for 1111 at all): no end is
 * the muxed call's, a new unbound session on the same pair. Frames 6-8 (t=12):
 * re-INVITE of the call without a=rtcp-mux (RTCP on 4001/5001 now routed): its scope retires that
 * second session too. Frame 9 (t=13): RTCP A:4000->B:5000 [SR 1111], the call's first packet of 1111.
 * Was: frame 9 `export raw-allowed [apt-raw]` (workers 0 and 2): MediaCore.keepRetiredTags keys
 * retired records by session key (the pair), so retiring the second session replaced the first's
 * record, and apt-none — which the shard held for 1111 while the call still routes frame 1's
 * datagram — was never carried. (Before 33ba62b the main thread's note, apt-none + apt-raw, was.)
 * Correct: README Binding: the tags carried are those the pair's shard holds, "in the session a
 * scope retired there, while a dialog still routes one of the datagrams that session was given
 * ... both, as a tag never relaxes another"; SPEC (SDES tags accumulate, the most restrictive
 * wins): frame 9 is `drop export-none` with apt-none among its identifiers.
 * Fix: MediaCore.keepRetiredTags: merge into the record already kept for the pair (keep both
 * sessions, e.g. a list per pair, or the union of the SSRCs' tags) instead of replacing it; tagsHeld
 * and forgetUnroutedRetired/sweep then look at each kept session.
 */
import { afterAll, expect, it } from 'vitest';
import { parseLines, replayLines, Workspace, type DecisionLine } from '../../e2e/e2e-helpers.js';
import { A, B, rtcpPkt, sdesTag, setup, sdpAt, srIn, THREE, writeCapture } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const mux = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw'], ['a=rtcp-mux']);
const plain = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);

it('a second session retired on the same pair does not drop the first one\'s tags', async () => {
  for (const second of [1111, 3333]) {
  const file = await ws.file(`retired-twice-${second}.pcap`);
  await writeCapture(file, [
    rtcpPkt(0, A, 4000, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
    ...setup('mux-twice', 10, mux(A, 4000), mux(B, 5000)), // 2-4
    rtcpPkt(11, A, 4001, B, 5001, [srIn(second), sdesTag(second, 'apt-raw')]), // 5
    ...setup('mux-twice', 12, plain(A, 4000), plain(B, 5000), 2, ';tag=bbb'), // 6-8: re-INVITE, no rtcp-mux
    rtcpPkt(13, A, 4000, B, 5000, [srIn(1111)]), // 9
  ]);
  for (const workers of [0, 2]) {
    const r = await replayLines({ capture: file, policy: THREE, workers, explain: true });
    const d = parseLines<DecisionLine>(r.decisions).filter((x) => x.frame === 9);
    expect(d.map((x) => `${x.ssrc} ${x.decision} ${x.reason}`), `second ${second}, workers ${workers}`).toEqual(['1111 drop export-none']);
    expect(d[0]!.apt, `second ${second}, workers ${workers}`).toContain('apt-none');
  }
  }
}, 120_000);
