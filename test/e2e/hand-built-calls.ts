/**
 * Hand-built calls for the offer/answer tests: A (10.0.0.1, audio 4000, SSRC 1111) calls B
 * (10.0.0.2, audio 5000, SSRC 2222) on Call-ID CALL, each message written as one UDP datagram
 * into a pcap; `replayCall` replays it with 0 and 2 media workers and checks both give the same lines.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { PcapWriter } from '../../native-free/write.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { type DecisionLine, parseLines, policyOf, replayLines, type ReplayLines, type Workspace } from '../e2e/e2e-helpers.js';

export const T0 = 1767225600;
export const CALL = 'review-lifecycle@10.0.0.1';
const encoder = new TextEncoder();

export function sip(head: string[], sdp: string | null): Uint8Array {
  const body = sdp ?? '';
  const lines = [...head, ...(sdp ? ['Content-Type: application/sdp'] : []), `Content-Length: ${encoder.encode(body).length}`];
  return encoder.encode(lines.join('\r\n') + '\r\n\r\n' + body);
}

/** A's audio on 4000 (SSRC 1111), B's on 5000 (SSRC 2222), unless `port` is given (0 disables it). */
export function sdpOf(party: 'a' | 'b', lines: string[], port?: number): string {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const p = port ?? (party === 'a' ? 4000 : 5000);
  const ssrc = party === 'a' ? 1111 : 2222;
  return [`v=0`, `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${p} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:${party}`, ...lines, 'a=sendrecv', ''].join('\r\n');
}

/** The audio SDP plus a video m-section (A: 4002, SSRC 3333; B: 5002, SSRC 4444). */
export function withVideo(party: 'a' | 'b', videoLines: string[]): string {
  const port = party === 'a' ? 4002 : 5002;
  const ssrc = party === 'a' ? 3333 : 4444;
  return sdpOf(party, []) + [`m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtpmap:96 VP8/90000', `a=ssrc:${ssrc} cname:${party}`, ...videoLines, 'a=sendrecv', ''].join('\r\n');
}

export function request(method: string, cseq: number, sdp: string | null, headers: string[] = [], toTag = ';tag=bbb'): Uint8Array {
  return sip(
    [`${method} sip:b@10.0.0.2 SIP/2.0`, `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${method}${cseq}`, 'From: <sip:a@10.0.0.1>;tag=aaa', `To: <sip:b@10.0.0.2>${toTag}`, `Call-ID: ${CALL}`, `CSeq: ${cseq} ${method}`, 'Contact: <sip:a@10.0.0.1:5060>', ...headers],
    sdp,
  );
}

export function response(status: string, cseq: number, sdp: string | null, headers: string[] = [], method = 'INVITE', toTag = 'bbb'): Uint8Array {
  return sip(
    [`SIP/2.0 ${status}`, `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${method}${cseq}`, 'From: <sip:a@10.0.0.1>;tag=aaa', `To: <sip:b@10.0.0.2>;tag=${toTag}`, `Call-ID: ${CALL}`, `CSeq: ${cseq} ${method}`, 'Contact: <sip:b@10.0.0.2:5060>', ...headers],
    sdp,
  );
}

/** a message of another call `call` (tags aaa/bbb; no to-tag on its initial INVITE) */
export const message = (call: string, startLine: string, method: string, cseq: number, sdp: string | null, headers: string[] = [], toTag = ';tag=bbb'): Uint8Array =>
  sip([startLine, `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${call}${method}${cseq}`, 'From: <sip:a@10.0.0.1>;tag=aaa', `To: <sip:b@10.0.0.2>${toTag}`, `Call-ID: ${call}`, `CSeq: ${cseq} ${method}`, ...headers], sdp);
export const onPort = (sdp: string, port: number) => sdp.replace(/m=audio \d+/, `m=audio ${port}`).replace(/a=ssrc:\d+/, `a=ssrc:${port}`);

/** Places one packet of a small capture: A is 10.0.0.1, B 10.0.0.2; SIP on 5060 unless ports are given. */
export type At = (ts: number, payload: Uint8Array, fromA: boolean, sport?: number, dport?: number) => void;
export const sr = (ssrc: number): Uint8Array => encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] }]);
export const srOfA = (): Uint8Array => sr(1111);

/** Writes a small capture into `file`, its packets placed by `write`. */
export async function writeCall(file: string, write: (at: At) => void): Promise<void> {
  const w = await PcapWriter.open(file, { linkType: 1 });
  write((ts, payload, fromA, sport = 5060, dport = 5060) =>
    w.write(T0 + ts, buildEthernetIpv4Udp({ src: fromA ? '10.0.0.1' : '10.0.0.2', dst: fromA ? '10.0.0.2' : '10.0.0.1', sport, dport, payload })),
  );
  await w.close();
}

export async function replayCall(ws: Workspace, name: string, write: (at: At) => void, policy = policyOf({ apts: {} })): Promise<ReplayLines> {
  const file = await ws.file(`${name}.pcap`);
  await writeCall(file, write);
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy, workers, explain: true })));
  expect(runs[1]!.decisions).toEqual(runs[0]!.decisions);
  expect(runs[1]!.reports).toEqual(runs[0]!.reports);
  return runs[0]!;
}

export const decided = (run: ReplayLines): string[] => parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision} ${d.reason}`);

export const REFUSED = ['Warning: 399 aipref "Preference unsupported"'];
export const v1 = 'AI-Pref: apt-v;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h';
export const v2 = 'AI-Pref: apt-v;scope=dialog;type=user;version=2;export=raw;retention=1h';
export const THREE = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
});
