/**
 * Found by a review of this session's counter changes, fixed since: each IP datagram whose fragments never completed counts one malformed, whatever frame its report names (src/pipeline/replay-engine.ts lostReport, lostDatagrams).
 */
/**
 * Input: a pcap of a call's INVITE/200/ACK (frames 1-3), then the first 48-byte fragments of two
 * different fragmented SRs (IPv4 ids 77 and 78, frames 4 and 5) whose other fragments are never
 * captured; the capture ends there. replay --workers 0 and 2.
 *
 * Was: two malformed-input reports, one per datagram ("frame 4: IPv4 fragments of id 77 never
 * completed …", "frame 5: … id 78 …"), both named frame 6 (after the last frame, where they were
 * given up); the summary's `malformed` is 1, because replay-engine.ts countReports now counts the
 * distinct `frame` values of malformed-input reports, and a lost-fragment report's frame is where
 * the set was given up, not the packet that was lost. The same two lost datagrams given up at two
 * frames count 2 (test/e2e/lost-fragments.test.ts), and a set given up by the arrival of a good
 * packet that is itself malformed counts once for two faulty packets. (The overflow report "N more
 * IP fragment sets never completed" counts N lost datagrams as at most one.)
 *
 * Correct: README (after the first example) "`malformed` counts malformed packets; a packet with
 * several faults has one malformed-input report per fault" and SPEC §8 ("Malformed packets … are
 * counted and reported"): two datagrams that never completed are two malformed packets: 2.
 *
 * Fix: src/pipeline/replay-engine.ts: count a lost-fragment set as a malformed packet of its own
 * (not by the frame its report names) — e.g. lostFragments() adds sets.length + past to a counter
 * of its own and its OutputLines are marked so countReports skips them; keep the per-frame dedup
 * for the reports that name the faulty frame itself.
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, EtherType, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { type PcapRecord, parseLines, replayLines, type ReportLine, Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';
import { A, B, type Leg, POL, req, res, sdpAudio, srBytes, T0 } from '../../e2e/dialog-lifecycle/lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('two IP datagrams that never completed are two malformed packets', async () => {
  const leg: Leg = { callId: 'frag2@x', caller: A, callee: B, fromTag: 'f1' };
  const sip = [req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])), res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)), req(leg, 'ACK', 1, 't1')];
  const records: PcapRecord[] = sip.map((d, i) => ({ ts: T0 + i * 0.1, data: buildEthernetIpv4Udp({ ...d, id: 10 + i }) }));
  const sr = (id: number) => fragmentIpv4(buildEthernetIpv4Udp({ src: A.ip, dst: B.ip, sport: 4001, dport: 5001, id, payload: srBytes(111, [1, 2, 3]) }).subarray(14), 48);
  records.push({ ts: T0 + 1, data: wrapEthernet(EtherType.IPV4, sr(77)[0]!) });
  records.push({ ts: T0 + 2, data: wrapEthernet(EtherType.IPV4, sr(78)[0]!) });
  const file = await ws.file('two-lost.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  for (const workers of [0, 2]) {
    const r = await replayLines({ capture: file, policy: POL, workers });
    const reports = parseLines<ReportLine>(r.reports).filter((x) => x.type === 'malformed-input');
    expect(reports.map((x) => x.detail)).toEqual([
      'frame 4: IPv4 fragments of id 77 never completed (48 bytes held): still incomplete at the end of the capture',
      'frame 5: IPv4 fragments of id 78 never completed (48 bytes held): still incomplete at the end of the capture',
    ]);
    expect(r.result.summary.malformed).toBe(2);
  }
});
