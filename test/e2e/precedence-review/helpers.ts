/** Shared builders of the review-precedence tests: a two-party call (hand-built-calls) with RTCP from A (SSRC 1111, audio) and B (2222). */
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { type DecisionLine, type ExportLine, parseLines, policyOf, type PolicyJson, type ReportLine, type Workspace } from '../e2e-helpers.js';
import { type At, CALL, replayCall, request, response, sdpOf } from '../hand-built-calls.js';
import { srFrom, T0 } from '../two-party-rtcp.js';

export { T0 };
export interface Run {
  decisions: DecisionLine[];
  exports: ExportLine[];
  reports: ReportLine[];
}

/** RTCP of A's audio stream (SSRC 1111) to B's RTCP port, at capture time T0 + ts. */
export const rtcpA = (at: At, ts: number, packets: RtcpPacketInput[] = [srFrom(1111, T0 + ts)]): void =>
  at(ts, encodeRtcpCompound(packets), true, 4001, 5001);

export async function run(ws: Workspace, name: string, write: (at: At) => void, policy: PolicyJson = { apts: {} }): Promise<Run> {
  const r = await replayCall(ws, name, write, policyOf(policy));
  return { decisions: parseLines<DecisionLine>(r.decisions), exports: parseLines<ExportLine>(r.exports), reports: parseLines<ReportLine>(r.reports) };
}

/** INVITE (A's SDP lines, headers) / 200 (B's) / ACK at 0, 0.1, 0.2. */
export function setup(at: At, o: { aLines?: string[]; bLines?: string[]; aHeaders?: string[]; bHeaders?: string[] } = {}): void {
  at(0, request('INVITE', 1, sdpOf('a', o.aLines ?? []), o.aHeaders ?? [], ''), true);
  at(0.1, response('200 OK', 1, sdpOf('b', o.bLines ?? []), o.bHeaders ?? []), false);
  at(0.2, request('ACK', 1, null), true);
}

export const brief = (r: Run): string[] => r.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt.join(',')}] ${d.rule ?? ''}`);
export const reportsBrief = (r: Run): string[] => r.reports.map((x) => `${x.type} ${x.frame} [${(x.apt ?? []).join(',')}] ${x.detail ?? ''}`);

/** The initial INVITE from A with a multipart/mixed body: A's SDP, then each statement part (Content-ID, type, bytes). */
export function multipartInvite(headers: string[], sdp: string, parts: { cid: string | null; type: string; body: string | Uint8Array }[], cseq = 1, toTag = ''): Uint8Array {
  const chunks: Buffer[] = [Buffer.from(`--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n`)];
  for (const p of parts) {
    chunks.push(Buffer.from(`--bnd\r\nContent-Type: ${p.type}\r\n${p.cid !== null ? `Content-ID: <${p.cid}>\r\n` : ''}\r\n`), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from('--bnd--\r\n'));
  const body = Buffer.concat(chunks);
  const head = [
    'INVITE sip:b@10.0.0.2 SIP/2.0',
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKINVITE${cseq}`,
    'From: <sip:a@10.0.0.1>;tag=aaa',
    `To: <sip:b@10.0.0.2>${toTag}`,
    `Call-ID: ${CALL}`,
    `CSeq: ${cseq} INVITE`,
    'Contact: <sip:a@10.0.0.1:5060>',
    ...headers,
    'Content-Type: multipart/mixed;boundary=bnd',
    `Content-Length: ${body.length}`,
  ];
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), body]);
}
