/**
 * Helpers of the round-27 keyring review (5c2ff42): hand-built calls, plain or SRTCP (the same
 * capture with RTP/SAVP, a=crypto keys and each RTCP compound sent as SRTCP under its sender's
 * key), IPv4 or IPv6, records optionally cut by the snap length; every replay runs with 0 and 2
 * workers and both must give the same decisions, reports and exports.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { parseLines, replayLines, type DecisionLine, type ExportLine, type ReportLine, type Workspace } from '../../e2e/e2e-helpers.js';
import { type Pkt, req, res, sdpAt, T0, THREE } from '../../e2e/port-reuse-review/common.js';
import { inline, type Master, srtcp } from '../../e2e/srtcp-helpers.js';

export { sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

// fixed keys: the capture is the same every run
export const kA: Master = { key: Buffer.alloc(16, 0x11), salt: Buffer.alloc(14, 0x22) };
export const kA2: Master = { key: Buffer.alloc(16, 0x55), salt: Buffer.alloc(14, 0x66) };
export const kB: Master = { key: Buffer.alloc(16, 0x33), salt: Buffer.alloc(14, 0x44) };
export const kC: Master = { key: Buffer.alloc(16, 0x77), salt: Buffer.alloc(14, 0x88) };

export type P = Pkt & { cut?: number };

export const rrIn = (ssrc: number, on: number) => ({ pt: 201, ssrc, reports: [{ ssrc: on, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] }) as never;

export interface Run {
  /** "frame ssrc decision reason apt+apt" per decision line */
  d: string[];
  /** "frame type detail" per report line */
  r: string[];
  exports: ExportLine[];
  summary: { rtcp: number; telemetry: Record<string, number> };
}

export async function run(ws: Workspace, name: string, pkts: readonly P[]): Promise<Run> {
  const file = await ws.file(`${name}.pcap`);
  const w = await PcapWriter.open(file, { linkType: 1 });
  for (const p of pkts) {
    const o = { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload };
    const data = p.src.includes(':') ? buildIpv6Udp(o) : buildEthernetIpv4Udp(o);
    if (p.cut) w.write(T0 + p.ts, data.subarray(0, data.length - p.cut), data.length);
    else w.write(T0 + p.ts, data);
  }
  await w.close();
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy: THREE, workers, explain: true })));
  expect(runs[1]!.decisions, 'decisions, 2 workers vs 0').toEqual(runs[0]!.decisions);
  expect(runs[1]!.reports, 'reports, 2 workers vs 0').toEqual(runs[0]!.reports);
  expect(runs[1]!.exports, 'exports, 2 workers vs 0').toEqual(runs[0]!.exports);
  expect(runs[1]!.result.summary, 'summary, 2 workers vs 0').toEqual(runs[0]!.result.summary);
  const r0 = runs[0]!;
  return {
    d: parseLines<DecisionLine>(r0.decisions).map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${x.apt.join('+')}`),
    r: parseLines<ReportLine>(r0.reports).map((x) => `${x.frame} ${x.type} ${(x as { detail?: string }).detail ?? ''}`),
    exports: parseLines<ExportLine>(r0.exports),
    summary: r0.result.summary as unknown as Run['summary'],
  };
}

export const at = (o: Run, frame: number) => o.d.filter((d) => d.startsWith(`${frame} `));

/** A call's builders, plain (`secure` false) or SRTCP; SIP between `sipA` and `sipB`. */
export function calls(secure: boolean, o: { v6?: boolean; sipA?: string; sipB?: string } = {}) {
  const sipA = o.sipA ?? '10.0.0.1';
  const sipB = o.sipB ?? '10.0.0.2';
  const index = new Map<Master, number>();
  /** an RTCP compound from src to dst: SRTCP under `k` (its own SRTCP index) when secure */
  const rtcp = (ts: number, src: string, sport: number, dst: string, dport: number, k: Master, packets: Parameters<typeof encodeRtcpCompound>[0]): P => {
    const plain = encodeRtcpCompound(packets);
    const i = (index.get(k) ?? 0) + 1;
    index.set(k, i);
    return { ts, src, dst, sport, dport, payload: secure ? srtcp(plain, k, i) : plain };
  };
  /** one audio m-section at ip:port, a=aipref:session apt-raw; RTP/SAVP with `k`'s a=crypto when secure */
  const sdp = (ip: string, port: number, k: Master) => {
    let s = secure
      ? sdpAt(ip, port, null, ['a=aipref:session apt-raw'], [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(k)}`]).replace('RTP/AVP', 'RTP/SAVP')
      : sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
    if (o.v6) s = s.replace(/IN IP4/g, 'IN IP6');
    return s;
  };
  const setup = (call: string, t: number, aSdp: string, bSdp: string, cseq = 1, toTag = ''): P[] => [
    { ts: t, src: sipA, dst: sipB, sport: 5060, dport: 5060, payload: req(call, 'INVITE', cseq, aSdp, toTag) },
    { ts: t + 0.01, src: sipB, dst: sipA, sport: 5060, dport: 5060, payload: res(call, '200 OK', 'INVITE', cseq, bSdp) },
    { ts: t + 0.02, src: sipA, dst: sipB, sport: 5060, dport: 5060, payload: req(call, 'ACK', cseq, null) },
  ];
  const bye = (call: string, t: number, cseq: number): P[] => [
    { ts: t, src: sipA, dst: sipB, sport: 5060, dport: 5060, payload: req(call, 'BYE', cseq, null) },
    { ts: t + 0.01, src: sipB, dst: sipA, sport: 5060, dport: 5060, payload: res(call, '200 OK', 'BYE', cseq, null) },
  ];
  const sipMsg = (t: number, fromA: boolean, payload: Uint8Array): P => ({ ts: t, src: fromA ? sipA : sipB, dst: fromA ? sipB : sipA, sport: 5060, dport: 5060, payload });
  return { rtcp, sdp, setup, bye, sipMsg };
}
