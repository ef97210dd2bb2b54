/**
 * Input: frame 1 (t=0): RTCP A:4001->B:5001 [SR 1111, SDES 1111 PRIV aipref apt-none], no call yet;
 * frames 2-4 (t=10): call `frag-ask-*` (apt-raw, A:4000/B:5000; Call-ID on ANOTHER shard of 2 than
 * the pair A:4001|B:5001), which retires the tagged session; frame 5 (t=11): the first 48-byte
 * fragment of a UDP datagram C:9000->D:9000 (IPv4 id 77), the rest lost; frames 6-8 (t=50): a
 * datagram id 78 C->D in three fragments, all captured (its first fragment gives up id 77 at the
 * 30 s timeout: `malformed-input` at frame 6); frame 9 (t=50.5): RTCP SR 999 from a stray
 * 10.9.9.9:7001 -> B:7003 (`unbound-stream` at frame 9); frame 10 (t=51): RTCP A:4001->B:5001
 * [SR 1111], the call's first packet naming 1111: with 2 workers the engine cuts the batch and
 * asks the pair's shard. One batch (the whole capture).
 * Was: workers 0: reports `6 malformed-input`, `9 unbound-stream`, ...; workers 2: `9 unbound-stream`
 * then `6 malformed-input`: PacketFeed tells lost fragment sets (tellLostFragments) only at the
 * batch's end, after askPairShards has dispatched the cut unit (frames 1-9, with frame 9's report),
 * so the frame-6 report lands in the second unit and is written after frame 9's line.
 * Correct: README Binding: the ask is "one more batch boundary: the lines are the same with any
 * number of workers"; SPEC §8 results identical whatever --workers; a batch boundary at frame 9
 * tells the set given up at frame 6 before its unit is written (test/pipeline/determinism-review/
 * lost-fragment-report-order.test.ts).
 * Fix: tell the given-up fragment sets before a cut too: in askPairShards, before taking the
 * lines, have the feed tell them (e.g. a PacketFeed method calling tellLostFragments, or telling
 * them record by record in feedBatch), so reports of frames before the cut go in the cut unit.
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, EtherType, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { parseLines, replayLines, type ReportLine, Workspace, writePcapRecords, type PcapRecord } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, rtcpPkt, sdesTag, srIn, T0, THREE, type Pkt } from '../../e2e/port-reuse-review/common.js';
import { callOn, pairShard } from '../round29-carry-asks-review/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const C = '10.0.0.3';
const D = '10.0.0.4';
const rec = (p: Pkt, id: number): PcapRecord => ({ ts: T0 + p.ts, data: buildEthernetIpv4Udp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload, id }) });
const frags = (id: number, t: number): PcapRecord[] =>
  fragmentIpv4(buildEthernetIpv4Udp({ src: C, dst: D, sport: 9000, dport: 9000, id, payload: new Uint8Array(120).fill(0x41) }).subarray(14), 48).map((f, k) => ({ ts: T0 + t + k * 0.001, data: wrapEthernet(EtherType.IPV4, f) }));

it('a fragment set given up before the asking packet is reported in the same order with 2 workers as with 0', async () => {
  const call = callOn('frag-ask', 2, pairShard(A, 4001, B, 5001, 2), true);
  const records: PcapRecord[] = [
    rec(rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), 1), // 1
    ...rawCall(call, 10).map((p, k) => rec(p, 2 + k)), // 2-4
    frags(77, 11)[0]!, // 5: the rest lost
    ...frags(78, 50), // 6-8: gives up 77 at frame 6
    rec(rtcpPkt(50.5, '10.9.9.9', 7001, B, 7003, [srIn(999)]), 9), // 9: unbound-stream
    rec(rtcpPkt(51, A, 4001, B, 5001, [srIn(1111)]), 10), // 10: asks
  ];
  const file = await ws.file('frag-ask.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const order = (lines: string[]) => parseLines<ReportLine>(lines).map((r) => `${r.frame} ${r.type}`);
  const base = await replayLines({ capture: file, policy: THREE, workers: 0 });
  expect(order(base.reports).slice(0, 2)).toEqual(['6 malformed-input', '9 unbound-stream']);
  for (const workers of [2, 3]) {
    const r = await replayLines({ capture: file, policy: THREE, workers });
    expect(order(r.reports), `workers ${workers}`).toEqual(order(base.reports));
    expect(r.reports, `workers ${workers}`).toEqual(base.reports);
    expect(r.decisions, `workers ${workers}`).toEqual(base.decisions);
  }
}, 120_000);
