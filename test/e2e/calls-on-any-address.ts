/**
 * A tiny call builder on arbitrary addresses (caller A, callee B), written as a
 * pcap and replayed in-process.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../native-free/write.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { encodeRtpPacket, type RtpExtensionInput } from '../../src/media/rtp-encode.js';
import { emptyPolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { type DecisionLine, type ExportLine, parseLines, type PcapRecord, replayLines, type ReportLine, Workspace, writePcapRecords } from './e2e-helpers.js';

export const T0 = 1767225600;
export const A = '10.0.0.1';
export const B = '10.0.0.2';
const enc = new TextEncoder();

export interface Pkt {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export function sipMsg(head: string[], body: string | Uint8Array | null, contentType = 'application/sdp'): Uint8Array {
  const bytes = body === null ? new Uint8Array(0) : typeof body === 'string' ? enc.encode(body) : body;
  const lines = [...head, ...(body !== null ? [`Content-Type: ${contentType}`] : []), `Content-Length: ${bytes.length}`];
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), Buffer.from(bytes)]);
}

export interface CallOpts {
  callId?: string;
  fromTag?: string;
  toTag?: string;
  /** extra headers of the INVITE */
  inviteHeaders?: string[];
  /** extra headers of the 200 */
  okHeaders?: string[];
  offer: string | Uint8Array;
  offerType?: string;
  answer: string;
}

/** INVITE (A→B), 200 OK (B→A), ACK (A→B), SIP on 5060. */
export function callSetup(o: CallOpts): Pkt[] {
  const callId = o.callId ?? 'rb-call@10.0.0.1';
  const ft = o.fromTag ?? 'ftag';
  const tt = o.toTag ?? 'ttag';
  const common = (method: string, cseq: number) => [`Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-${method}${cseq}`, `From: <sip:a@${A}>;tag=${ft}`];
  const invite = sipMsg(
    ['INVITE sip:b@10.0.0.2 SIP/2.0', ...common('INVITE', 1), `To: <sip:b@${B}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`, ...(o.inviteHeaders ?? [])],
    o.offer,
    o.offerType,
  );
  const ok = sipMsg(['SIP/2.0 200 OK', ...common('INVITE', 1), `To: <sip:b@${B}>;tag=${tt}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}:5060>`, ...(o.okHeaders ?? [])], o.answer);
  const ack = sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', ...common('ACK', 1), `To: <sip:b@${B}>;tag=${tt}`, `Call-ID: ${callId}`, 'CSeq: 1 ACK'], null);
  return [
    { src: A, dst: B, sport: 5060, dport: 5060, payload: invite },
    { src: B, dst: A, sport: 5060, dport: 5060, payload: ok },
    { src: A, dst: B, sport: 5060, dport: 5060, payload: ack },
  ];
}

export const sr = (ssrc: number, reports: { ssrc: number }[] = []): RtcpPacketInput => ({
  pt: 200,
  ssrc,
  ntpSec: 3976214400,
  ntpFrac: 0,
  rtpTs: 0,
  packetCount: 10,
  octetCount: 100,
  reports: reports.map((r) => ({ ssrc: r.ssrc, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 })),
});
export const sdesMid = (ssrc: number, mid: string): RtcpPacketInput => ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c@x' }, { type: 12, text: mid }] }] }) as unknown as RtcpPacketInput;
export const sdesPriv = (ssrc: number, value: string): RtcpPacketInput =>
  ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c@x' }, { type: 8, prefix: 'aipref', value }] }] }) as unknown as RtcpPacketInput;

export const rtcp = (src: string, dst: string, sport: number, dport: number, packets: RtcpPacketInput[]): Pkt => ({ src, dst, sport, dport, payload: encodeRtcpCompound(packets) });
/** An RTP packet (`seq`: its sequence number; a source no signaling routes counts from its second in sequence, RFC 3550 A.1). */
export const rtp = (src: string, dst: string, sport: number, dport: number, ssrc: number, extensions?: RtpExtensionInput[], seq = 1): Pkt => ({
  src,
  dst,
  sport,
  dport,
  payload: encodeRtpPacket({ pt: 0, seq, ts: 1, ssrc, payload: new Uint8Array(20), ...(extensions ? { extensions } : {}) }),
});

export interface Run {
  reports: ReportLine[];
  decisions: DecisionLine[];
  exports: ExportLine[];
  bindings: { ssrc: number; dialog: unknown; mid: string | null; kind: string | null; apt: string[]; via: string | null; ended: boolean }[];
  summary: Record<string, unknown>;
  file: string;
}

let n = 0;
export async function replay(ws: Workspace, pkts: Pkt[], policy: PolicyFile = emptyPolicy()): Promise<Run> {
  const records: PcapRecord[] = pkts.map((p, i) => ({ ts: T0 + (i + 1) / 10, data: p.src.includes(':') ? buildIpv6Udp(p) : buildEthernetIpv4Udp(p) }));
  const file = await ws.file(`rb-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const run = await replayLines({ capture: file, policy, explain: true });
  // the same lines whatever the workers (routing a packet to its dialog's shard included)
  const two = await replayLines({ capture: file, policy, explain: true, workers: 2 });
  expect({ exports: two.exports, reports: two.reports, decisions: two.decisions }).toEqual({ exports: run.exports, reports: run.reports, decisions: run.decisions });
  return {
    reports: parseLines<ReportLine>(run.reports),
    decisions: parseLines<DecisionLine>(run.decisions),
    exports: parseLines<ExportLine>(run.exports),
    bindings: run.result.bindings as Run['bindings'],
    summary: run.result.summary as unknown as Record<string, unknown>,
    file,
  };
}

export function sdp(addr: string, media: string[][], session: string[] = []): string {
  const v = addr.includes(':') ? 'IP6' : 'IP4';
  return ['v=0', `o=u 1 1 IN ${v} ${addr}`, 's=-', `c=IN ${v} ${addr}`, 't=0 0', ...session, ...media.flat(), ''].join('\r\n');
}
