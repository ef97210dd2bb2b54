/** Small hand-built calls for the demux review: A 10.0.0.1 calls B 10.0.0.2 (SIP on 5060, one UDP datagram per message). */
import { execFileSync } from 'node:child_process';
import { request, response, writeCall, T0, type At } from '../../e2e/hand-built-calls.js';
import { parseLines, policyOf, replayLines, type ReplayLines, type ReportLine, type Workspace } from '../../e2e/e2e-helpers.js';

export { T0, type At };

/** An SDP with one audio m-section: `pt` as its only format, `extra` lines after a=ssrc. */
export function audioSdp(party: 'a' | 'b', port: number, pt: number, extra: string[] = []): string {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const ssrc = party === 'a' ? 1111 : 2222;
  return [`v=0`, `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP ${pt}`, 'a=mid:a', `a=rtpmap:${pt} opus/48000/2`, `a=ssrc:${ssrc} cname:${party}`, ...extra, 'a=sendrecv', ''].join('\r\n');
}

/** An RTP packet: V=2, no padding/extension/CSRC unless given, 160 payload bytes. */
export function rtp(o: { pt: number; seq: number; marker?: boolean; ts?: number; ssrc: number; payload?: number; first?: number; tail?: number[] }): Uint8Array {
  const payload = o.payload ?? 160;
  const b = Buffer.alloc(12 + payload);
  b[0] = o.first ?? 0x80;
  b[1] = (o.marker ? 0x80 : 0) | o.pt;
  b.writeUInt16BE(o.seq & 0xffff, 2);
  b.writeUInt32BE((o.ts ?? o.seq * 960) >>> 0, 4);
  b.writeUInt32BE(o.ssrc >>> 0, 8);
  for (let i = 12; i < b.length; i++) b[i] = 0x55;
  return Buffer.concat([b, Buffer.from(o.tail ?? [])]);
}

export const invite = (sdp: string) => request('INVITE', 1, sdp, [], '');
export const ok = (sdp: string) => response('200 OK', 1, sdp);
export const ack = () => request('ACK', 1, null);

export interface Run {
  file: string;
  runs: ReplayLines[];
  /** malformed-input reports of the 0-worker run, as `frame: detail` */
  malformed: string[];
}

/** Writes the call, replays it with 0 and 2 workers (explain on). */
export async function run(ws: Workspace, name: string, write: (at: At) => void): Promise<Run> {
  const file = await ws.file(`${name}.pcap`);
  await writeCall(file, write);
  const policy = policyOf({ apts: {} });
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy, workers, explain: true })));
  const malformed = parseLines<ReportLine>(runs[0]!.reports)
    .filter((r) => r.type === 'malformed-input')
    .map((r) => `${r.frame}: ${r.detail}`);
  return { file, runs, malformed };
}

/** tshark's fields for the capture, each frame one tab-separated line. */
export function tshark(file: string, decodeAs: string[], fields: string[], filter?: string): string[] {
  const args = ['-r', file, ...decodeAs.flatMap((d) => ['-d', d]), ...(filter ? ['-Y', filter] : []), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
}
