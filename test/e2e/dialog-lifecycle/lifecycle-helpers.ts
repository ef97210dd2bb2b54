/**
 * Hand-built SIP dialogs for the dialog-lifecycle review: any party on any address, every
 * message one UDP datagram (or several IP fragments), replayed with 0 and 2 workers.
 */
import { buildEthernetIpv4Udp, fragmentIpv4, wrapEthernet, EtherType } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { sr } from '../calls-on-any-address.js';
import { policyOf, parseLines, replayLines, type DecisionLine, type ExportLine, type PcapRecord, type ReportLine, type Workspace, writePcapRecords } from '../e2e-helpers.js';

export const T0 = 1767225600;
const enc = new TextEncoder();

export interface Party {
  ip: string;
  /** SIP port */
  sip?: number;
  user: string;
}
export const A: Party = { ip: '10.0.0.1', user: 'a' };
export const B: Party = { ip: '10.0.0.2', user: 'b' };
export const C: Party = { ip: '10.0.0.3', user: 'c' };

export interface Leg {
  callId: string;
  caller: Party;
  callee: Party;
  fromTag: string;
}

export function sipBytes(head: string[], body: string | null): Uint8Array {
  const b = body ?? '';
  const lines = [...head, ...(body !== null ? ['Content-Type: application/sdp'] : []), `Content-Length: ${enc.encode(b).length}`];
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + b);
}

export interface Datagram {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
  /** split the IPv4 packet into fragments of at most this many payload bytes */
  fragment?: number;
}

/**
 * A request on the leg. `byCallee`: sent by the callee (its From is the callee's tag).
 * `toTag` null: no To tag (initial INVITE, its CANCEL).
 */
export function req(leg: Leg, method: string, cseq: number, toTag: string | null, body: string | null = null, o: { byCallee?: boolean; headers?: string[]; branch?: string; cseqMethod?: string } = {}): Datagram {
  const from = o.byCallee ? leg.callee : leg.caller;
  const to = o.byCallee ? leg.caller : leg.callee;
  const fromTag = o.byCallee ? toTag! : leg.fromTag;
  const toT = o.byCallee ? leg.fromTag : toTag;
  const branch = o.branch ?? `z9hG4bK-${leg.callId}-${leg.fromTag}-${method}${cseq}`;
  const head = [
    `${method} sip:${to.user}@${to.ip} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from.ip}:5060;branch=${branch}`,
    `From: <sip:${from.user}@${from.ip}>;tag=${fromTag}`,
    `To: <sip:${to.user}@${to.ip}>${toT === null ? '' : `;tag=${toT}`}`,
    `Call-ID: ${leg.callId}`,
    `CSeq: ${cseq} ${o.cseqMethod ?? method}`,
    `Contact: <sip:${from.user}@${from.ip}:5060>`,
    ...(o.headers ?? []),
  ];
  return { src: from.ip, dst: to.ip, sport: 5060, dport: 5060, payload: sipBytes(head, body) };
}

/** A response to a request of the leg (`byCallee`: to a request the callee sent). */
export function res(leg: Leg, status: string, cseq: number, method: string, toTag: string | null, body: string | null = null, o: { byCallee?: boolean; headers?: string[]; branch?: string } = {}): Datagram {
  const reqFrom = o.byCallee ? leg.callee : leg.caller;
  const reqTo = o.byCallee ? leg.caller : leg.callee;
  const fromTag = o.byCallee ? toTag! : leg.fromTag;
  const toT = o.byCallee ? leg.fromTag : toTag;
  const branch = o.branch ?? `z9hG4bK-${leg.callId}-${leg.fromTag}-${method}${cseq}`;
  const head = [
    `SIP/2.0 ${status}`,
    `Via: SIP/2.0/UDP ${reqFrom.ip}:5060;branch=${branch}`,
    `From: <sip:${reqFrom.user}@${reqFrom.ip}>;tag=${fromTag}`,
    `To: <sip:${reqTo.user}@${reqTo.ip}>${toT === null ? '' : `;tag=${toT}`}`,
    `Call-ID: ${leg.callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:${reqTo.user}@${reqTo.ip}:5060>`,
    ...(o.headers ?? []),
  ];
  return { src: reqTo.ip, dst: reqFrom.ip, sport: 5060, dport: 5060, payload: sipBytes(head, body) };
}

/** SDP of one audio m-section at ip:port, with optional extra lines (a=aipref…) and no a=ssrc unless given. */
export function sdpAudio(ip: string, port: number, lines: string[] = [], conn = ip, session: string[] = []): string {
  return ['v=0', `o=x 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${conn}`, 't=0 0', ...session, `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ...lines, ''].join('\r\n');
}

export const srBytes = (ssrc: number, reportOn: number[] = []): Uint8Array => encodeRtcpCompound([sr(ssrc, reportOn.map((s) => ({ ssrc: s })))]);
export const srPkt = (src: string, sport: number, dst: string, dport: number, ssrc: number): Datagram => ({ src, dst, sport, dport, payload: srBytes(ssrc) });

export const POL = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
});

export interface Outcome {
  reports: ReportLine[];
  decisions: DecisionLine[];
  exports: ExportLine[];
  bindings: { ssrc: number; dialog: { callId: string; fromTag: string; toTag: string } | null; via: string | null; apt: string[]; ended?: boolean }[];
  w2: { reports: string[]; decisions: string[]; exports: string[] };
  w0: { reports: string[]; decisions: string[]; exports: string[] };
}

let n = 0;
/** Packets `step` seconds apart (or at the times given), replayed with 0 and 2 workers. */
export async function run(ws: Workspace, pkts: (Datagram | { at: number; d: Datagram })[], policy = POL, step = 0.1): Promise<Outcome> {
  const records: PcapRecord[] = [];
  let id = 100;
  pkts.forEach((p, i) => {
    const d = 'at' in p ? p.d : p;
    const ts = 'at' in p ? T0 + p.at : T0 + (i + 1) * step;
    const frame = buildEthernetIpv4Udp({ ...d, id: id++ });
    if (d.fragment === undefined) records.push({ ts, data: frame });
    else for (const f of fragmentIpv4(frame.subarray(14), d.fragment)) records.push({ ts, data: wrapEthernet(EtherType.IPV4, f) });
  });
  const file = await ws.file(`rd-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const one = await replayLines({ capture: file, policy, explain: true });
  const two = await replayLines({ capture: file, policy, explain: true, workers: 2 });
  return {
    reports: parseLines<ReportLine>(one.reports),
    decisions: parseLines<DecisionLine>(one.decisions),
    exports: parseLines<ExportLine>(one.exports),
    bindings: one.result.bindings as Outcome['bindings'],
    w0: { reports: one.reports, decisions: one.decisions, exports: one.exports },
    w2: { reports: two.reports, decisions: two.decisions, exports: two.exports },
  };
}

/** `frame decision reason [apt]` per decision line */
export const decided = (o: Outcome): string[] => o.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`);
