/**
 * Hand-built calls for the SIP-identity review: A (10.0.0.1) calls B (10.0.0.2); every SIP
 * message is given as raw text (so each test shapes its headers freely), carried as one UDP
 * datagram or as TCP segments; RTCP SRs from A's audio (SSRC 1111, 4001 → 5001). Replayed
 * with 0 and 2 workers; both runs must agree.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import {
  type DecisionLine,
  type ExportLine,
  parseLines,
  type PcapRecord,
  policyOf,
  replayLines,
  type ReportLine,
  type Workspace,
  writePcapRecords,
} from '../e2e-helpers.js';

export const T0 = 1767225600;
export const A = '10.0.0.1';
export const B = '10.0.0.2';
const enc = new TextEncoder();

export type Pkt =
  | { udp: true; src: string; dst: string; sport: number; dport: number; payload: Uint8Array }
  | { tcp: true; src: string; dst: string; sport: number; dport: number; seq: number; flags: number; payload: Uint8Array };

/** Lines joined with CRLF, a blank line, then the body; Content-Length is NOT added (write it yourself). */
export function raw(head: string[], body = ''): Uint8Array {
  return enc.encode(head.join('\r\n') + '\r\n\r\n' + body);
}

/** Lines, then `Content-Type: application/sdp` when there is a body and `Content-Length`. */
export function msg(head: string[], body: string | null = null, lengthName = 'Content-Length', typeName = 'Content-Type'): Uint8Array {
  const b = body ?? '';
  return raw([...head, ...(body !== null ? [`${typeName}: application/sdp`] : []), `${lengthName}: ${enc.encode(b).length}`], b);
}

export const fromA = (payload: Uint8Array): Pkt => ({ udp: true, src: A, dst: B, sport: 5060, dport: 5060, payload });
export const fromB = (payload: Uint8Array): Pkt => ({ udp: true, src: B, dst: A, sport: 5060, dport: 5060, payload });

export const srA = (): Pkt => ({ udp: true, src: A, dst: B, sport: 4001, dport: 5001, payload: encodeRtcpCompound([{ pt: 200, ssrc: 1111, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] }]) });

export function sdp(party: 'a' | 'b', extra: string[] = []): string {
  const ip = party === 'a' ? A : B;
  const port = party === 'a' ? 4000 : 5000;
  const ssrc = party === 'a' ? 1111 : 2222;
  return ['v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:${party}`, ...extra, ''].join('\r\n');
}

/** A's offer, with the session-level preference that decides A's SR. */
export const OFFER = sdp('a', ['a=aipref:session apt-raw']);
export const ANSWER = sdp('b');

export const POLICY = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
  },
});

export interface Outcome {
  file: string;
  reports: ReportLine[];
  decisions: DecisionLine[];
  exports: ExportLine[];
  bindings: { ssrc: number; dialog: { callId: string; fromTag: string; toTag: string } | null; via: string | null; apt: string[]; ended?: boolean }[];
  summary: { sip: number; dialogs: number; malformed: number };
}

let n = 0;
/** Packets 0.1 s apart, replayed with 0 and 2 workers (whose lines must be equal). */
export async function run(ws: Workspace, pkts: Pkt[], policy = POLICY): Promise<Outcome> {
  const records: PcapRecord[] = pkts.map((p, i) => {
    const ts = T0 + (i + 1) * 0.1;
    if ('udp' in p) return { ts, data: buildEthernetIpv4Udp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload, id: 100 + i }) };
    return { ts, data: buildIpv4Tcp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, seq: p.seq, ack: 1, flags: p.flags, payload: p.payload, id: 100 + i }) };
  });
  const file = await ws.file(`sid-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const one = await replayLines({ capture: file, policy, explain: true, workers: 0 });
  const two = await replayLines({ capture: file, policy, explain: true, workers: 2 });
  expect(two.reports).toEqual(one.reports);
  expect(two.decisions).toEqual(one.decisions);
  expect(two.exports).toEqual(one.exports);
  const r = { ...one.result.summary, bindings: one.result.bindings as unknown as Outcome['bindings'] };
  return {
    file,
    reports: parseLines<ReportLine>(one.reports),
    decisions: parseLines<DecisionLine>(one.decisions),
    exports: parseLines<ExportLine>(one.exports),
    bindings: r.bindings,
    summary: { sip: r.sip, dialogs: r.dialogs, malformed: r.malformed },
  };
}

/** `frame decision reason [apt]` per decision line */
export const decided = (o: Outcome): string[] => o.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`);
/** `type frame` per report line, with its detail for malformed-input */
export const reported = (o: Outcome): string[] => o.reports.map((r) => `${r.type} ${r.frame}${r.type === 'malformed-input' ? ` ${(r as { detail?: string }).detail}` : ''}`);
export const dialogsOf = (o: Outcome) => o.exports.map((e) => e.dialog);

/** tshark's Call-ID, From tag, To tag per SIP frame: `frame|callid|fromtag|totag`. */
export function tsharkIds(file: string, extra: string[] = []): string[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'sip.Call-ID', '-e', 'sip.from.tag', '-e', 'sip.to.tag', ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0);
}

/** TCP: A's stream and B's stream, each numbered from 1. */
export class TcpConn {
  private seqA = 1;
  private seqB = 1;
  fromA(payload: Uint8Array): Pkt {
    const p: Pkt = { tcp: true, src: A, dst: B, sport: 5060, dport: 5060, seq: this.seqA, flags: TcpFlag.PSH, payload };
    this.seqA += payload.length;
    return p;
  }
  fromB(payload: Uint8Array): Pkt {
    const p: Pkt = { tcp: true, src: B, dst: A, sport: 5060, dport: 5060, seq: this.seqB, flags: TcpFlag.PSH, payload };
    this.seqB += payload.length;
    return p;
  }
}

export const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
