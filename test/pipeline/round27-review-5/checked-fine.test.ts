/**
 * Checks of e44b418 (UnboundTags per-SSRC stamps) that came out fine and still hold after its
 * fifth review's fix (notes seen at the highest own stamp, never lowered); replays run 0 and 2
 * workers and compare exports, decisions and reports (common.ts replay; the IPv6 one its own):
 *  - IPv6: the review-4 scenario (the pair's last unbound packet stamped hours ahead) keeps the
 *    note as long as the shard keeps the tagged stream, between two IPv6 addresses too.
 * (Two more checks, a stamp going back, are in stamp-going-back-keeps-note.test.ts: a known limit until stop 43.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, replayLines, Workspace, type DecisionLine } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, req, res, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn, T0, THREE } from '../../e2e/port-reuse-review/common.js';
import { sdp } from '../../e2e/calls-on-any-address.js';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const rrOn = (ssrc: number, on: number) => ({ pt: 201, ssrc, reports: [{ ssrc: on, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] }) as never;
const at = (d: string[], frame: number) => d.filter((x) => x.startsWith(`${frame} `));


describe('UnboundTags (round 27, fifth review): checked fine', () => {
  it("IPv6: a pair's last unbound packet stamped hours ahead keeps the note with the shard's stream", async () => {
    const A6 = 'fd00::1';
    const B6 = 'fd00::2';
    const raw = (addr: string, port: number) => sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv']], ['a=aipref:session apt-raw']);
    const c9 = (addr: string, port: number) => sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv']]);
    type P = { ts: number; src: string; dst: string; sport: number; dport: number; payload: Uint8Array };
    const media = (ts: number, packets: never[]): P => ({ ts, src: A6, dst: B6, sport: 4001, dport: 5001, payload: encodeRtcpCompound(packets) });
    const call = (id: string, t: number, a: string, b: string): P[] => [
      { ts: t, src: A, dst: B, sport: 5060, dport: 5060, payload: req(id, 'INVITE', 1, a, '') },
      { ts: t + 0.01, src: B, dst: A, sport: 5060, dport: 5060, payload: res(id, '200 OK', 'INVITE', 1, b) },
      { ts: t + 0.02, src: A, dst: B, sport: 5060, dport: 5060, payload: req(id, 'ACK', 1, null) },
    ];
    const pkts: P[] = [
      media(0, [srIn(1111) as never, sdesTag(1111, 'apt-none')]), // 1: noted
      media(10000, [srIn(1111) as never]), // 2: hours ahead
      ...call('c9', 350, c9('fd00::7', 8000), c9('fd00::8', 9000)), // 3-5: a sweep
      media(355, [srIn(1111) as never]), // 6: the shard's view
      ...call('c1', 360, raw(A6, 4000), raw(B6, 5000)), // 7-9
      media(361, [srIn(1111) as never]), // 10
    ];
    const file = await ws.file('v6-ahead.pcap');
    const w = await PcapWriter.open(file, { linkType: 1 });
    for (const p of pkts) w.write(T0 + p.ts, p.src.includes(':') ? buildIpv6Udp(p) : buildEthernetIpv4Udp(p));
    await w.close();
    const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy: THREE, workers, explain: true })));
    expect(runs[1]!.decisions).toEqual(runs[0]!.decisions);
    expect(runs[1]!.exports).toEqual(runs[0]!.exports);
    const d = parseLines<DecisionLine>(runs[0]!.decisions).map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${x.apt.join('+')}`);
    expect(at(d, 6)).toEqual(['6 1111 drop export-none apt-none']);
    expect(at(d, 10)).toEqual(['10 1111 drop export-none apt-none']);
    expect(runs[0]!.exports).toEqual([]);
  });
});
