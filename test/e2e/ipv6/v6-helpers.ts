/**
 * Helpers for the IPv6 review: calls whose SIP and media run over IPv6 (or mixed), written as a
 * pcap (Ethernet, one UDP datagram a message) and replayed in-process with 0 and 2 workers.
 */
import { buildEthernetIpv4Udp, buildIpv6Packet, buildTcpSegment, ipv6FragmentBody, buildIpv6Udp, buildUdpDatagram, EtherType, IpProtocol, type Ipv6ExtensionHeader, parseIpv6, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { emptyPolicy, type PolicyFile } from '../../../src/policy/policy-file.js';
import { type DecisionLine, type ExportLine, parseLines, type PcapRecord, policyOf, replayLines, type ReportLine, type Workspace, writePcapRecords } from '../e2e-helpers.js';
import { type Pkt, sipMsg, T0 } from '../calls-on-any-address.js';

export const A6 = '2001:db8::a';
export const B6 = '2001:db8::b';
export const RAW = policyOf({ apts: { 'apt-m': { type: 'user', export: 'raw', retention: '1h' } } });

/** a packet with its frame given (extension headers, fragments) */
export interface Frame {
  frame: Uint8Array;
}
export type Item = Pkt | Frame;

const host = (a: string) => (a.includes(':') ? `[${a}]` : a);

export interface Call6 {
  callId?: string;
  /** signaling addresses of A and B */
  sa: string;
  sb: string;
  offer: string;
  answer: string;
  inviteHeaders?: string[];
  toTag?: string;
}

export function setup6(o: Call6): Pkt[] {
  const callId = o.callId ?? 'v6-call';
  const tt = o.toTag ?? 'ttag';
  const common = (m: string, cseq: number) => [`Via: SIP/2.0/UDP ${host(o.sa)}:5060;branch=z9hG4bK-${callId}-${m}${cseq}`, `From: <sip:a@${host(o.sa)}>;tag=ftag`, `Call-ID: ${callId}`];
  const invite = sipMsg([`INVITE sip:b@${host(o.sb)} SIP/2.0`, ...common('INVITE', 1), `To: <sip:b@${host(o.sb)}>`, 'CSeq: 1 INVITE', `Contact: <sip:a@${host(o.sa)}:5060>`, ...(o.inviteHeaders ?? [])], o.offer);
  const ok = sipMsg(['SIP/2.0 200 OK', ...common('INVITE', 1), `To: <sip:b@${host(o.sb)}>;tag=${tt}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${host(o.sb)}:5060>`], o.answer);
  const ack = sipMsg([`ACK sip:b@${host(o.sb)} SIP/2.0`, ...common('ACK', 1), `To: <sip:b@${host(o.sb)}>;tag=${tt}`, 'CSeq: 1 ACK'], null);
  return [
    { src: o.sa, dst: o.sb, sport: 5060, dport: 5060, payload: invite },
    { src: o.sb, dst: o.sa, sport: 5060, dport: 5060, payload: ok },
    { src: o.sa, dst: o.sb, sport: 5060, dport: 5060, payload: ack },
  ];
}

export function reinvite6(o: Call6, cseq = 2): Pkt[] {
  const callId = o.callId ?? 'v6-call';
  const tt = o.toTag ?? 'ttag';
  const common = (m: string) => [`Via: SIP/2.0/UDP ${host(o.sa)}:5060;branch=z9hG4bK-${callId}-${m}${cseq}`, `From: <sip:a@${host(o.sa)}>;tag=ftag`, `To: <sip:b@${host(o.sb)}>;tag=${tt}`, `Call-ID: ${callId}`];
  return [
    { src: o.sa, dst: o.sb, sport: 5060, dport: 5060, payload: sipMsg([`INVITE sip:b@${host(o.sb)} SIP/2.0`, ...common('INVITE'), `CSeq: ${cseq} INVITE`, `Contact: <sip:a@${host(o.sa)}:5060>`], o.offer) },
    { src: o.sb, dst: o.sa, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', ...common('INVITE'), `CSeq: ${cseq} INVITE`, `Contact: <sip:b@${host(o.sb)}:5060>`], o.answer) },
    { src: o.sa, dst: o.sb, sport: 5060, dport: 5060, payload: sipMsg([`ACK sip:b@${host(o.sb)} SIP/2.0`, ...common('ACK'), `CSeq: ${cseq} ACK`], null) },
  ];
}

/** SDP with session c= of `addr` (IP4 or IP6 by its form) */
export function sdp6(addr: string, media: string[][], session: string[] = [], addrType?: string): string {
  const v = addrType ?? (addr.includes(':') ? 'IP6' : 'IP4');
  return ['v=0', `o=u 1 1 IN ${v} ${addr}`, 's=-', `c=IN ${v} ${addr}`, 't=0 0', ...session, ...media.flat(), ''].join('\r\n');
}

export const audio = (port: number, extra: string[] = []) => [`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=aipref:mid apt-m', ...extra, 'a=sendrecv'];

/** the Ethernet frame of an IPv6 UDP datagram with extension headers before the UDP header */
export function v6WithExtensions(p: Pkt, extensions: Ipv6ExtensionHeader[]): Uint8Array {
  const src = parseIpv6(p.src);
  const dst = parseIpv6(p.dst);
  return wrapEthernet(EtherType.IPV6, buildIpv6Packet({ src, dst, protocol: IpProtocol.UDP, payload: buildUdpDatagram(src, dst, p.sport, p.dport, p.payload), extensions }));
}

export const frameOf = (p: Item): Uint8Array => ('frame' in p ? p.frame : p.src.includes(':') ? buildIpv6Udp(p) : buildEthernetIpv4Udp(p));

export interface Both {
  reports: ReportLine[];
  decisions: DecisionLine[];
  exports: ExportLine[];
  bindings: { ssrc: number; dialog: { callId: string } | null; mid: string | null; kind: string | null; apt: string[]; via: string | null; ended: boolean }[];
  summary: Record<string, any>;
  file: string;
  /** whether --workers 2 wrote the same lines */
  same: boolean;
  two: { exports: string[]; reports: string[]; decisions: string[] };
}

let n = 0;
export async function writeItems(ws: Workspace, items: Item[], step = 0.1): Promise<string> {
  const records: PcapRecord[] = items.map((p, i) => ({ ts: T0 + (i + 1) * step, data: frameOf(p) }));
  const file = await ws.file(`v6-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  return file;
}

export async function run6(ws: Workspace, items: Item[], policy: PolicyFile = emptyPolicy(), step = 0.1): Promise<Both> {
  const file = await writeItems(ws, items, step);
  const one = await replayLines({ capture: file, policy, explain: true });
  const two = await replayLines({ capture: file, policy, explain: true, workers: 2 });
  const same = JSON.stringify([one.exports, one.reports, one.decisions]) === JSON.stringify([two.exports, two.reports, two.decisions]);
  return {
    reports: parseLines<ReportLine>(one.reports),
    decisions: parseLines<DecisionLine>(one.decisions),
    exports: parseLines<ExportLine>(one.exports),
    bindings: one.result.bindings as Both['bindings'],
    summary: one.result.summary as unknown as Record<string, any>,
    file,
    same,
    two: { exports: two.exports, reports: two.reports, decisions: two.decisions },
  };
}

/** a TCP segment over IPv6 in an Ethernet frame */
export function tcp6(src: string, dst: string, sport: number, dport: number, seq: number, flags: number, payload: Uint8Array, ack?: number): Frame {
  const s = parseIpv6(src);
  const d = parseIpv6(dst);
  const seg = buildTcpSegment(s, d, { sport, dport, seq, flags, payload, ...(ack !== undefined ? { ack } : {}) });
  return { frame: wrapEthernet(EtherType.IPV6, buildIpv6Packet({ src: s, dst: d, protocol: IpProtocol.TCP, payload: seg })) };
}

/** an IPv6 UDP datagram split into fragments (fragmentable part after `before` extension headers) */
export function fragments6(p: Pkt, size: number, id: number, before: Ipv6ExtensionHeader[] = [], order?: number[]): Frame[] {
  const src = parseIpv6(p.src);
  const dst = parseIpv6(p.dst);
  const udp = buildUdpDatagram(src, dst, p.sport, p.dport, p.payload);
  const step = size & ~7;
  const out: Frame[] = [];
  for (let off = 0; off < udp.length; off += step) {
    const part = udp.subarray(off, Math.min(udp.length, off + step));
    const more = off + step < udp.length;
    out.push({ frame: wrapEthernet(EtherType.IPV6, buildIpv6Packet({ src, dst, protocol: IpProtocol.UDP, payload: part, extensions: [...before, { type: 44, body: ipv6FragmentBody(off, more, id) }] })) });
  }
  return order ? order.map((i) => out[i]!) : out;
}
