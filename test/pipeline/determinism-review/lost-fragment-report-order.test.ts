/**
 * Found by a review of determinism across worker counts and batch cuts, fixed since: the RTCP
 * copy check runs once, on the main thread (RtcpCopies), forgetting by time; a lost fragment set
 * is reported where it was given up.
 *
 * Input: the call of test/e2e/lost-fragments.test.ts (INVITE/200/ACK, a=aipref:session apt-raw),
 * then frame 4 at t=1: the first 48-byte IPv4 fragment of A's SR (id 77), its other fragments
 * lost; frame 5 at t=2: an RTCP SR from a transport no SDP names (10.9.9.9:7001 → 10.0.0.2:7003),
 * which makes an `unbound-stream` report at frame 5; frames 6-8 at t=40: A's next SR (id 78) in three fragments,
 * all captured (its first fragment, 39 s on, makes the 30 s reassembly timeout give up the id-77
 * set, reported at its first fragment, frame 4).
 * Replayed with workers 0, once as one batch and once with maxBatchRecords 1 (also workers 2).
 *
 * Was: one batch: reports.ndjson malformed-input (frame 4) then unbound-stream (frame 5);
 *   maxBatchRecords 1 (workers 0 and 2): unbound-stream (frame 5) first, then the frame-4 line
 *   {"type":"unbound-stream","ts":1767225602,"frame":5,"dialog":null,"ssrc":999,"detail":"no dialog binds this stream"}
 *   {"type":"malformed-input","ts":1767225601,"frame":4,"dialog":null,"detail":"frame 4: IPv4 fragments of id 77 never completed (48 bytes held): given up after the reassembly timeout"}
 *   — the frame-4 report — it is only known at frame 6, in a later batch than frame 5's line, and each
 *   batch's lines are sorted and written before the next batch's.
 * Correct: SPEC §8 results identical whatever --workers (and the batch cut, which a reader picks by
 *   chunk size and the live source by arrival, may not matter more than the worker count); the
 *   engine's own contract (replay-engine.ts header) is lines sorted by (frame, key): reports.ndjson
 *   must be the same lines in the same order however the capture was cut into batches.
 * Fix: src/pipeline/replay-engine.ts lostFragments(): a report stamped with an earlier frame than
 *   lines already written cannot be sorted into them. Either stamp the given-up report with the
 *   frame where it is known (the record whose time ran the timeout, `frame 6`, keeping "first
 *   fragment frame 4" in `detail`), or hold a batch's lines back until no fragment set older than
 *   them is pending (fragment sets' first frames bound what may still be reported).
 *   (The same holds for sets given up at the end of the capture: their reports come after every
 *   later frame's line even in one batch — consistent across cuts, but not in (frame, key) order.)
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, EtherType, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { type PcapRecord, parseLines, replayLines, type ReportLine, Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';
import { A, B, type Leg, POL, req, res, sdpAudio, srBytes, T0 } from '../../e2e/dialog-lifecycle/lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a fragment set given up in a later batch: reports in the same order whatever the batch cut', async () => {
  const leg: Leg = { callId: 'frag-order@x', caller: A, callee: B, fromTag: 'f1' };
  const sip = [req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])), res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)), req(leg, 'ACK', 1, 't1')];
  const records: PcapRecord[] = sip.map((d, i) => ({ ts: T0 + i * 0.1, data: buildEthernetIpv4Udp({ ...d, id: 10 + i }) }));
  const sr = fragmentIpv4(buildEthernetIpv4Udp({ src: A.ip, dst: B.ip, sport: 4001, dport: 5001, id: 77, payload: srBytes(111, [1, 2, 3]) }).subarray(14), 48);
  records.push({ ts: T0 + 1, data: wrapEthernet(EtherType.IPV4, sr[0]!) }); // frame 4
  records.push({ ts: T0 + 2, data: buildEthernetIpv4Udp({ src: '10.9.9.9', dst: B.ip, sport: 7001, dport: 7003, id: 30, payload: srBytes(999, []) }) }); // frame 5
  // frames 6-8 at t=40: A's next SR, id 78, in three fragments that all arrive (the first gives up id 77)
  const next = fragmentIpv4(buildEthernetIpv4Udp({ src: A.ip, dst: B.ip, sport: 4001, dport: 5001, id: 78, payload: srBytes(111, [1, 2, 3]) }).subarray(14), 48);
  next.forEach((f, k) => records.push({ ts: T0 + 40 + k * 0.001, data: wrapEthernet(EtherType.IPV4, f) }));
  const file = await ws.file('frag-order.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const whole = await replayLines({ capture: file, policy: POL, workers: 0 });
  const order = (lines: string[]) => parseLines<ReportLine>(lines).map((r) => `${r.frame} ${r.type}`);
  // given up at frame 6 (its fragment came past the timeout): reported there, naming frame 4
  expect(order(whole.reports)).toEqual(['5 unbound-stream', '6 malformed-input']);
  for (const workers of [0, 2]) {
    const cut = await replayLines({ capture: file, policy: POL, workers, maxBatchRecords: 1 });
    expect(order(cut.reports), `workers ${workers}, maxBatchRecords 1`).toEqual(order(whole.reports));
    expect(cut.reports).toEqual(whole.reports);
  }
});
