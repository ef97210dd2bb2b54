/**
 * Replays a capture of hand-built packets in-process with 0 and 2 workers, both results kept (and whether they agree),
 * for the routing tests: a=ssrc routes, forks, rekeys.
 */
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../native-free/write.js';
import { emptyPolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { type DecisionLine, type ExportLine, parseLines, type PcapRecord, replayLines, type ReportLine, type Workspace, writePcapRecords } from './e2e-helpers.js';
import { A, B, type Pkt, sipMsg, T0 } from './calls-on-any-address.js';

export interface Both {
  w0: { reports: ReportLine[]; decisions: DecisionLine[]; exports: ExportLine[]; bindings: any[] };
  w2: { reports: ReportLine[]; decisions: DecisionLine[]; exports: ExportLine[] };
  same: boolean;
}
let n = 0;
export async function replayBoth(ws: Workspace, pkts: Pkt[], policy: PolicyFile = emptyPolicy(), step = 0.1): Promise<Both> {
  const records: PcapRecord[] = pkts.map((p, i) => ({ ts: T0 + (i + 1) * step, data: p.src.includes(':') ? buildIpv6Udp(p) : buildEthernetIpv4Udp(p) }));
  const file = await ws.file(`re-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const one = await replayLines({ capture: file, policy, explain: true });
  const two = await replayLines({ capture: file, policy, explain: true, workers: 2 });
  const same = JSON.stringify([one.exports, one.reports, one.decisions]) === JSON.stringify([two.exports, two.reports, two.decisions]);
  return {
    w0: { reports: parseLines<ReportLine>(one.reports), decisions: parseLines<DecisionLine>(one.decisions), exports: parseLines<ExportLine>(one.exports), bindings: one.result.bindings as any[] },
    w2: { reports: parseLines<ReportLine>(two.reports), decisions: parseLines<DecisionLine>(two.decisions), exports: parseLines<ExportLine>(two.exports) },
    same,
  };
}

/** BYE from A for a dialog set up by callSetup */
export function bye(callId: string, ft = 'ftag', tt = 'ttag', cseq = 2): Pkt {
  const payload = sipMsg(
    ['BYE sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-BYE${cseq}`, `From: <sip:a@${A}>;tag=${ft}`, `To: <sip:b@${B}>;tag=${tt}`, `Call-ID: ${callId}`, `CSeq: ${cseq} BYE`],
    null,
  );
  return { src: A, dst: B, sport: 5060, dport: 5060, payload };
}
/** re-INVITE + 200 + ACK */
export function reinvite(callId: string, offer: string, answer: string, cseq = 2, ft = 'ftag', tt = 'ttag'): Pkt[] {
  const common = (m: string) => [`Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-${m}${cseq}`, `From: <sip:a@${A}>;tag=${ft}`, `To: <sip:b@${B}>;tag=${tt}`, `Call-ID: ${callId}`];
  return [
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', ...common('INVITE'), `CSeq: ${cseq} INVITE`, `Contact: <sip:a@${A}:5060>`], offer) },
    { src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', ...common('INVITE'), `CSeq: ${cseq} INVITE`, `Contact: <sip:b@${B}:5060>`], answer) },
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', ...common('ACK'), `CSeq: ${cseq} ACK`], null) },
  ];
}
