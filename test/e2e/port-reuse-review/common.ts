/**
 * Port-reuse review: captures in which a relay hands one IP:port pair to several calls in turn
 * (after a BYE, or after a re-INVITE moved the first call elsewhere). Hand-built SIP + RTCP,
 * written as one UDP datagram each; every replay runs with 0 and 2 workers and both must agree.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import type { BindingRow } from '../../../src/binding/types.js';
import { type DecisionLine, type ExportLine, parseLines, policyOf, type ReportLine, replayLines, type Workspace } from '../e2e-helpers.js';
import { sip, T0, THREE } from '../hand-built-calls.js';

export { T0, THREE };

export interface Pkt {
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export const A = '10.0.0.1';
export const B = '10.0.0.2';

/** One audio m-section at ip:port, a=ssrc when `ssrc` is given, plus extra (session-level) lines. */
export function sdpAt(ip: string, port: number, ssrc: number | null, sessionLines: string[] = [], mediaLines: string[] = []): string {
  return [
    'v=0',
    `o=- 1 1 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    ...sessionLines,
    `m=audio ${port} RTP/AVP 0`,
    'a=mid:a',
    'a=rtpmap:0 PCMU/8000',
    ...(ssrc !== null ? [`a=ssrc:${ssrc} cname:x${ssrc}`] : []),
    ...mediaLines,
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** A SIP message's start line and headers from A to B (Call-ID `call`, CSeq `cseq method`, `toTag` as `;tag=…` or empty). */
export const head = (call: string, start: string, method: string, cseq: number, toTag: string) => [
  start,
  `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${call}-${method}${cseq}`,
  'From: <sip:a@10.0.0.1>;tag=aaa',
  `To: <sip:b@10.0.0.2>${toTag}`,
  `Call-ID: ${call}`,
  `CSeq: ${cseq} ${method}`,
  'Contact: <sip:x@10.0.0.1:5060>',
];

export const req = (call: string, method: string, cseq: number, sdp: string | null, toTag = ';tag=bbb') => sip(head(call, `${method} sip:b@10.0.0.2 SIP/2.0`, method, cseq, toTag), sdp);
export const res = (call: string, status: string, method: string, cseq: number, sdp: string | null) => sip(head(call, `SIP/2.0 ${status}`, method, cseq, ';tag=bbb'), sdp);

/** INVITE (A's offer at aPort) / 200 (B's answer at bPort) / ACK, from t on. */
export function setup(call: string, t: number, aSdp: string, bSdp: string, cseq = 1, toTag = ''): Pkt[] {
  return [
    { ts: t, src: A, dst: B, sport: 5060, dport: 5060, payload: req(call, 'INVITE', cseq, aSdp, toTag) },
    { ts: t + 0.01, src: B, dst: A, sport: 5060, dport: 5060, payload: res(call, '200 OK', 'INVITE', cseq, bSdp) },
    { ts: t + 0.02, src: A, dst: B, sport: 5060, dport: 5060, payload: req(call, 'ACK', cseq, null) },
  ];
}

export function bye(call: string, t: number, cseq: number): Pkt[] {
  return [
    { ts: t, src: A, dst: B, sport: 5060, dport: 5060, payload: req(call, 'BYE', cseq, null) },
    { ts: t + 0.01, src: B, dst: A, sport: 5060, dport: 5060, payload: res(call, '200 OK', 'BYE', cseq, null) },
  ];
}

export const srIn = (ssrc: number, reportOn?: number): RtcpPacketInput => ({
  pt: 200,
  ssrc,
  ntpSec: 3976214400,
  ntpFrac: 0,
  rtpTs: 0,
  packetCount: 10,
  octetCount: 100,
  reports: reportOn === undefined ? [] : [{ ssrc: reportOn, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }],
});

export const rtcpPkt = (ts: number, src: string, sport: number, dst: string, dport: number, packets: RtcpPacketInput[]): Pkt => ({ ts, src, dst, sport, dport, payload: encodeRtcpCompound(packets) });

/** A minimal RTP packet (PCMU) of ssrc, sequence seq. */
export function rtp(ts: number, src: string, sport: number, dst: string, dport: number, ssrc: number, seq: number): Pkt {
  const b = new Uint8Array(12 + 20);
  const dv = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = 0;
  dv.setUint16(2, seq);
  dv.setUint32(4, seq * 160);
  dv.setUint32(8, ssrc >>> 0);
  return { ts, src, dst, sport, dport, payload: b };
}

export async function writeCapture(file: string, pkts: readonly Pkt[]): Promise<void> {
  const w = await PcapWriter.open(file, { linkType: 1 });
  for (const p of pkts) w.write(T0 + p.ts, buildEthernetIpv4Udp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload }));
  await w.close();
}

export interface Out {
  decisions: DecisionLine[];
  exports: ExportLine[];
  reports: ReportLine[];
  bindings: (BindingRow & { ended?: boolean })[];
  /** "frame decision reason apt…" per decision line */
  d: string[];
}

/** Replays with 0 and 2 workers; checks that both give the same lines and binding table. */
export async function replay(ws: Workspace, name: string, pkts: readonly Pkt[], policy = THREE): Promise<Out> {
  const file = await ws.file(`${name}.pcap`);
  await writeCapture(file, pkts);
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy, workers, explain: true })));
  expect(runs[1]!.exports, 'exports, 2 workers vs 0').toEqual(runs[0]!.exports);
  expect(runs[1]!.decisions, 'decisions, 2 workers vs 0').toEqual(runs[0]!.decisions);
  expect(runs[1]!.reports, 'reports, 2 workers vs 0').toEqual(runs[0]!.reports);
  const r = runs[0]!;
  const decisions = parseLines<DecisionLine>(r.decisions);
  return {
    decisions,
    exports: parseLines<ExportLine>(r.exports),
    reports: parseLines<ReportLine>(r.reports),
    bindings: r.result.bindings as Out['bindings'],
    d: decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${x.apt.join('+')}`),
  };
}

export { policyOf };

/** An SDES packet of one chunk: CNAME, then one PRIV aipref item per value. */
export const sdesTag = (ssrc: number, ...apts: string[]) =>
  ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'cname@x' }, ...apts.map((value) => ({ type: 8, prefix: 'aipref', value }))] }] }) as never;

/** INVITE/200/ACK at t: A's audio at 4000, B's at 5000, a=aipref:session apt-raw (RTCP on 4001/5001). */
export const rawCall = (call: string, t: number) =>
  setup(call, t, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw']));
