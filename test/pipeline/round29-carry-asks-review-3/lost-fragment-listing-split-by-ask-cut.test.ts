/**
 * Input: frame 1 (t=0): RTCP A:4001->B:5001 [SR 1111, SDES 1111 PRIV aipref apt-none], no call yet;
 * frames 2-4 (t=10): call `flood-ask-*` (apt-raw, A:4000/B:5000; Call-ID on ANOTHER shard of 2 than
 * the pair A:4001|B:5001), which retires the tagged session; frames 5-2028 (t=11..13): 2024 first
 * fragments of distinct UDP datagrams C:9000->D:9000 (IPv4 ids 1000..3023), the rest never sent:
 * past the reassembler's 1024 held sets each new one gives up the oldest ('given up at the
 * reassembly limit'), 1000 given up here; frame 2029 (t=14): RTCP A:4001->B:5001 [SR 1111], the
 * call's first packet naming 1111 (with 2 or 3 workers the engine cuts the batch and asks the
 * pair's shard); frames 2030-2129 (t=15): 100 more first fragments (100 more given up at the
 * limit). The whole capture is one batch.
 * Was: workers 0: the 1100 sets given up in the batch are listed 1024 one by one plus one line
 * `76 more IP fragment sets never completed (not listed one by one: 1024 were)` (2050 report
 * lines); workers 2 and 3: every one of them listed one by one, no `more` line (2125 report
 * lines). The fix of 874df49 has the feed tell the given-up sets at the cut
 * (askPairShards -> feed.tellLostFragments), and FragmentReassembler.takeGivenUp empties the
 * list whose MAX_GIVEN_UP (1024) bound is counted since the last take: the cut gives the batch a
 * second budget of 1024, so what is listed depends on whether an ask cut the batch.
 * Correct: README Binding: the ask is "one more batch boundary: the lines are the same with any
 * number of workers"; SPEC §8: results identical whatever --workers (reports.ndjson too).
 * Fix: keep the listing bound per batch, not per take: e.g. PacketFeed counts the sets listed
 * since the batch began and, at a cut, tells the sets given up so far while the reassembler keeps
 * counting against the same 1024 (or the cut tells them and feedBatch's end lists past the
 * batch's remaining budget only as the count).
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, EtherType, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { replayLines, Workspace, writePcapRecords, type PcapRecord } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, rtcpPkt, sdesTag, srIn, T0, THREE, type Pkt } from '../../e2e/port-reuse-review/common.js';
import { callOn, pairShard } from '../round29-carry-asks-review/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const C = '10.0.0.3';
const D = '10.0.0.4';
const rec = (p: Pkt, id: number): PcapRecord => ({ ts: T0 + p.ts, data: buildEthernetIpv4Udp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload, id }) });
/** the first of three fragments of a datagram C->D with IPv4 id `id`: the rest never come */
const firstOnly = (id: number, t: number): PcapRecord => ({
  ts: T0 + t,
  data: wrapEthernet(EtherType.IPV4, fragmentIpv4(buildEthernetIpv4Udp({ src: C, dst: D, sport: 9000, dport: 9000, id, payload: new Uint8Array(120).fill(0x41) }).subarray(14), 48)[0]!),
});

it('fragment sets given up around an asking packet are listed alike with 0, 2 and 3 workers', async () => {
  const call = callOn('flood-ask', 2, pairShard(A, 4001, B, 5001, 2), true);
  const records: PcapRecord[] = [rec(rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), 1), ...rawCall(call, 10).map((p, k) => rec(p, 2 + k))];
  for (let k = 0; k < 2024; k++) records.push(firstOnly(1000 + k, 11 + k * 0.001));
  records.push(rec(rtcpPkt(14, A, 4001, B, 5001, [srIn(1111)]), 5)); // 2029: asks
  for (let k = 0; k < 100; k++) records.push(firstOnly(5000 + k, 15 + k * 0.001));
  const file = await ws.file('flood-ask.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const base = await replayLines({ capture: file, policy: THREE, workers: 0, explain: true });
  expect(base.batches).toBe(2); // the capture's batch, and the end
  expect(base.reports.some((l) => l.includes('76 more IP fragment sets never completed'))).toBe(true);
  for (const workers of [2, 3]) {
    const r = await replayLines({ capture: file, policy: THREE, workers, explain: true });
    expect(r.result.cuts, `workers ${workers}: an ask cut the batch`).toBe(1);
    expect(r.reports.length, `workers ${workers}`).toBe(base.reports.length);
    expect(r.reports, `workers ${workers}`).toEqual(base.reports);
    expect(r.decisions, `workers ${workers}`).toEqual(base.decisions);
  }
}, 120_000);
